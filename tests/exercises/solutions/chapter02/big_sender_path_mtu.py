#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - big_sender.py
# Forbid fragmentation, send one big UDP datagram, and learn the path MTU.
# Exercise solution (on the lab): try smaller and smaller datagrams, as the kernel and
# the routers on the way report the MTU, until one reaches the host whole.

import argparse, errno, socket, sys

# Linux constants from <linux/in.h>; the socket module of many builds lacks them.
IP_MTU_DISCOVER = getattr(socket, 'IP_MTU_DISCOVER', 10)
IP_PMTUDISC_DO = getattr(socket, 'IP_PMTUDISC_DO', 2)
IP_PMTUDISC_DONT = getattr(socket, 'IP_PMTUDISC_DONT', 0)
IP_MTU = getattr(socket, 'IP_MTU', 14)


def send_big(hostname, port, size, fragment=False):
    """Send `size` bytes in one datagram with the don't-fragment bit set; while that
    is too big for the path, try again with what the path's MTU allows."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((hostname, port))    # a UDP connect() only records the peer
        # The lab's lesson on fragments (--fragment) is the opposite: routers may cut it up.
        mode = IP_PMTUDISC_DONT if fragment else IP_PMTUDISC_DO
        sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, mode)
        sock.settimeout(1.0)
        while True:
            try:
                sock.send(b'#' * size)
                # News from the path comes back as ICMP, which a connected UDP socket
                # reports at its next call: "fragmentation needed" from a router as
                # EMSGSIZE, "port unreachable" from the host itself as ECONNREFUSED.
                sock.recv(1)
                break                     # an answer: it arrived
            except (socket.timeout, ConnectionRefusedError):
                break                     # silence, or nobody listens there: it arrived
            except OSError as e:
                if e.errno != errno.EMSGSIZE:
                    raise
                print(f'Alas, the {size}-byte datagram did not make it: {e.strerror}')
                mtu = sock.getsockopt(socket.IPPROTO_IP, IP_MTU)
                print('Actual MTU:', mtu)
                size = mtu - 28           # less 20 bytes of IP header and 8 of UDP
        print(f'The {size}-byte datagram went out'
              + (', in as many fragments as the path needs.' if fragment else ' in one piece.'))
        print('Path MTU:', sock.getsockopt(socket.IPPROTO_IP, IP_MTU))
        return True


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Send a big datagram that must not be fragmented')
    parser.add_argument('host', help='the host to which to send')
    parser.add_argument('-p', '--port', type=int, default=1060, help='UDP port (default 1060)')
    parser.add_argument('-s', '--size', type=int, default=65000, help='default: %(default)s')
    parser.add_argument('--fragment', action='store_true', help='allow fragmentation instead')
    args = parser.parse_args()
    if not sys.platform.startswith('linux'):
        sys.exit(f'big_sender: {sys.platform} has no portable way to forbid fragmentation')
    try:
        sys.exit(0 if send_big(args.host, args.port, args.size, args.fragment) else 1)
    except OSError as e:
        sys.exit(f'big_sender: {args.host}:{args.port}: {e.strerror or e}')
