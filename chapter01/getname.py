#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - getname.py
# Turn a host name into an IP address, the first thing any network client does.

import argparse
import socket
import sys

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Look up the IP address of a host name.')
    parser.add_argument('hostname', nargs='?', default='localhost',
                        help='name to look up (default: %(default)s)')
    args = parser.parse_args()
    try:
        address = socket.gethostbyname(args.hostname)
    except socket.gaierror as e:
        sys.exit(f'getname: cannot resolve {args.hostname!r}: {e.strerror}')
    print(f'The IP address of {args.hostname} is {address}')
