#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - udp_local.py
# UDP client and server on localhost: one datagram each way, no connection.

import argparse
import socket
import sys
from datetime import datetime

MAX_BYTES = 65535


def server(port):
    """Answer every datagram with its length, forever."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', port))
    print('Listening at', sock.getsockname(), flush=True)
    while True:
        data, address = sock.recvfrom(MAX_BYTES)
        text = data.decode('utf-8', errors='replace')
        print(f'The client at {address} says {text!r}', flush=True)
        reply = f'Your data was {len(data)} bytes long'
        sock.sendto(reply.encode('ascii'), address)


def client(port):
    """Send the time to the server and print its answer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    text = f'The time is {datetime.now().isoformat(timespec="seconds")}'
    sock.sendto(text.encode('ascii'), ('127.0.0.1', port))
    print('The OS assigned me the address', sock.getsockname())
    sock.settimeout(2.0)  # UDP never tells us that nobody is listening: we wait
    data, address = sock.recvfrom(MAX_BYTES)
    print(f'The server {address} replied {data.decode("ascii")!r}')


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Send and receive UDP locally')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('-p', metavar='PORT', type=int, default=1060,
                        help='UDP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.p)
    except socket.timeout:
        sys.exit(f'udp_local: no reply from 127.0.0.1:{args.p} within 2 s '
                 '(is the server running?)')
    except OSError as e:
        sys.exit(f'udp_local: port {args.p}: {e.strerror or e}')
    except KeyboardInterrupt:
        pass
