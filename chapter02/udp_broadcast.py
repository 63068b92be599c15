#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - udp_broadcast.py
# UDP broadcast: one datagram, heard by every listener on the network.

import argparse
import socket
import sys

MAX_BYTES = 65535
# The broadcast address of the loopback network: nothing leaves this machine.
# On a real LAN, use its broadcast address (for example 192.168.1.255).
LOOPBACK_BROADCAST = '127.255.255.255'


def server(network, port):
    """Print every broadcast that arrives for this network."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Bound to the broadcast address, the socket hears only broadcasts to it.
    sock.bind((network, port))
    print('Listening for broadcasts at', sock.getsockname(), flush=True)
    while True:
        data, address = sock.recvfrom(MAX_BYTES)
        print(f'The client at {address} says: {data.decode("utf-8", "replace")!r}',
              flush=True)


def client(network, port):
    """Send one datagram to everyone listening on the network."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)  # or EACCES
    sock.sendto(b'Broadcast message!', (network, port))
    print(f'Sent a broadcast to {network}:{port}')


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Send and receive UDP broadcast')
    parser.add_argument('role', choices=choices, help='which role to take')
    parser.add_argument('network', nargs='?', default=LOOPBACK_BROADCAST,
                        help='broadcast address of the network (default: %(default)s)')
    parser.add_argument('-p', metavar='PORT', type=int, default=1060,
                        help='UDP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.network, args.p)
    except OSError as e:
        sys.exit(f'udp_broadcast: {args.network}:{args.p}: {e.strerror or e}')
    except KeyboardInterrupt:
        pass
