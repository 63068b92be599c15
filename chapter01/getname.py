#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - getname.py
# Turn a host name into an IP address, the first thing any network client does.

import argparse, socket, sys

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Look up the IP address of a host name.')
    parser.add_argument('hostname', nargs='?', default='localhost', help='default: localhost')
    hostname = parser.parse_args().hostname
    try:
        addr = socket.gethostbyname(hostname)
    except OSError as e:    # socket.gaierror: the name is unknown, or no resolver answers
        sys.exit(f'getname: {hostname}: {e.strerror or e}')
    print(f'The IP address of {hostname} is {addr}')
