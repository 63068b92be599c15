#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - big_sender.py
# Forbid fragmentation, send one big UDP datagram, and learn the path MTU.

import argparse
import socket
import sys

# Linux constants from <linux/in.h>; older Pythons' socket module lacks them.
IP_MTU_DISCOVER = getattr(socket, 'IP_MTU_DISCOVER', 10)
IP_PMTUDISC_DO = getattr(socket, 'IP_PMTUDISC_DO', 2)
IP_PMTUDISC_DONT = getattr(socket, 'IP_PMTUDISC_DONT', 0)
IP_MTU = getattr(socket, 'IP_MTU', 14)


def send_big(hostname, port, size, fragment=False):
    """Send `size` bytes in one datagram with the don't-fragment bit set."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((hostname, port))  # a UDP connect() only records the peer
    # The lab's lesson (--fragment) is the opposite: any router may cut it up.
    mode = IP_PMTUDISC_DONT if fragment else IP_PMTUDISC_DO
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, mode)
    try:
        sock.send(b'#' * size)
    except OSError as e:
        print(f'Alas, the {size}-byte datagram did not make it: {e.strerror}')
        print('Actual MTU:', sock.getsockopt(socket.IPPROTO_IP, IP_MTU))
        return False
    print(f'The {size}-byte datagram went out'
          + (', in as many fragments as the path needs.' if fragment else ' in one piece.'))
    print('Path MTU:', sock.getsockopt(socket.IPPROTO_IP, IP_MTU))
    return True


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Send a big UDP datagram '
                                     'that must not be fragmented')
    parser.add_argument('host', help='the host to which to send')
    parser.add_argument('-p', metavar='PORT', type=int, default=1060,
                        help='UDP port (default 1060)')
    parser.add_argument('-s', '--size', type=int, default=65000,
                        help='datagram size in bytes (default %(default)s)')
    parser.add_argument('--fragment', action='store_true',
                        help='allow fragmentation instead (IP_PMTUDISC_DONT)')
    args = parser.parse_args()
    if not sys.platform.startswith('linux'):
        sys.exit(f'big_sender: IP_MTU_DISCOVER and IP_MTU are Linux socket options; '
                 f'{sys.platform} has no portable way to forbid fragmentation '
                 'or to read the path MTU')
    try:
        sent = send_big(args.host, args.p, args.size, args.fragment)
    except OSError as e:
        sys.exit(f'big_sender: {args.host}:{args.p}: {e.strerror or e}')
    sys.exit(0 if sent else 1)
