#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - udp_local.py
# UDP client and server on localhost: one datagram each way, no connection.

import argparse, socket, sys
from datetime import datetime

MAX_BYTES = 65535


def server(port):
    """Answer every datagram with its length, forever."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', port))
        print('Listening at', sock.getsockname(), flush=True)
        while True:
            data, address = sock.recvfrom(MAX_BYTES)    # bytes, as they crossed the network
            print('The client at', address, 'says', repr(data), flush=True)
            sock.sendto(f'Your data was {len(data)} bytes long'.encode('ascii'), address)


def client(port):
    """Send the time to the server and print its answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        text = f'The time is {datetime.now().isoformat(timespec="seconds")}'
        sock.sendto(text.encode('ascii'), ('127.0.0.1', port))
        print('The OS assigned me the address', sock.getsockname())
        sock.settimeout(2.0)    # nothing tells UDP that nobody listens: wait, then give up
        data, address = sock.recvfrom(MAX_BYTES)
        print('The server', address, 'replied', repr(data))


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Send and receive UDP locally')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('-p', '--port', type=int, default=1060, help='UDP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.port)
    except OSError as e:    # the port is in use; no reply in time
        sys.exit(f'udp_local: 127.0.0.1:{args.port}: {e.strerror or e}')
