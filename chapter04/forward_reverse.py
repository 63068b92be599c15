#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - forward_reverse.py
# Check that a host name and its address agree: forward lookup, then reverse.

import argparse
import socket
import sys


def check(hostname):
    """Look the name up, look its address back up, and compare the two names."""
    try:
        infolist = socket.getaddrinfo(hostname, 0, 0, socket.SOCK_STREAM, 0,
                                      socket.AI_CANONNAME)
    except socket.gaierror as e:
        sys.exit(f'Forward name service failure for {hostname!r}: {e.strerror}')

    info = infolist[0]  # the canonical name is only given with the first answer
    canonical = info[3]
    ip = info[4][0]

    try:
        reverse = socket.gethostbyaddr(ip)[0]
    except socket.herror as e:
        sys.exit(f'Reverse name service failure for {ip}: {e.strerror}')

    print(f'{hostname} -> {ip} (canonical name {canonical!r}) -> {reverse}')
    if reverse.lower() == canonical.lower():
        print('Wow, the names agree completely!')
    elif reverse.lower().endswith('.' + hostname.lower()):
        print('Warning: the reverse name only ends with the name you gave')
    else:
        print('WARNING! The forward and reverse lookups disagree: someone '
              'may be lying about who they are')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Compare forward and reverse lookups')
    parser.add_argument('hostname', help='hostname that you want to check')
    check(parser.parse_args().hostname)
