#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - www_ping.py
# Find the web service of a host with getaddrinfo(), then try to connect to it.

import argparse
import socket
import sys


def ping(hostname, service):
    """Connect to the first address getaddrinfo() offers; report what happened."""
    try:
        infolist = socket.getaddrinfo(hostname, service, 0, socket.SOCK_STREAM, 0,
                                      socket.AI_ADDRCONFIG | socket.AI_V4MAPPED
                                      | socket.AI_CANONNAME)
    except socket.gaierror as e:
        sys.exit(f'Name service failure for {hostname!r}: {e.strerror}')

    family, socktype, proto, canonname, sockaddr = infolist[0]
    sock = socket.socket(family, socktype, proto)
    sock.settimeout(5)
    try:
        sock.connect(sockaddr)
    except OSError as e:
        sys.exit(f'Network failure connecting to {hostname} {sockaddr}: '
                 f'{e.strerror or "timed out"}')
    print(f'Success: host {canonname or hostname} is listening on port {sockaddr[1]}')
    sock.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Try connecting to the web port of a host')
    parser.add_argument('hostname', help='hostname that you want to contact')
    parser.add_argument('-p', '--port', default='www',
                        help="service name or port number (default: 'www', which "
                        "/etc/services maps to 80)")
    args = parser.parse_args()
    ping(args.hostname, args.port)
