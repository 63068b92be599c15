#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - udp_broadcast.py
# UDP broadcast: one datagram, heard by every listener on the network.

import argparse, socket, sys

MAX_BYTES = 65535


def server(network, port):
    """Print every broadcast that arrives for this network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((network, port))    # bound to the broadcast address: hears only broadcasts
        print('Listening for broadcasts at', sock.getsockname(), flush=True)
        while True:
            data, address = sock.recvfrom(MAX_BYTES)
            print('The client at', address, 'says:', repr(data), flush=True)


def client(network, port):
    """Send one datagram to everyone listening on the network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)    # or EACCES
        sock.sendto(b'Broadcast message!', (network, port))
        print(f'Sent a broadcast to {network}:{port}')


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Send and receive UDP broadcast')
    parser.add_argument('role', choices=choices, help='which role to take')
    # The loopback network's broadcast address: nothing leaves this machine.
    # On a real LAN, name its broadcast address (for example 192.168.1.255).
    parser.add_argument('network', nargs='?', default='127.255.255.255', help='its address')
    parser.add_argument('-p', '--port', type=int, default=1060, help='UDP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.network, args.port)
    except OSError as e:
        sys.exit(f'udp_broadcast: {args.network}:{args.port}: {e.strerror or e}')
