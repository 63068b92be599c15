#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - www_ping.py
# Find the web service of a host with getaddrinfo(), then try to connect to it.

import argparse, socket, sys

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Try connecting to the web port of a host')
    parser.add_argument('hostname', help='hostname that you want to contact')
    parser.add_argument('-p', '--port', default='www', help='service or port (default: www, 80)')
    args = parser.parse_args()
    hostname = args.hostname
    address = None
    try:
        flags = socket.AI_ADDRCONFIG | socket.AI_V4MAPPED | socket.AI_CANONNAME
        infolist = socket.getaddrinfo(hostname, args.port, 0, socket.SOCK_STREAM, 0, flags)
        info = infolist[0]    # the first address is the one to try
        socket_args, address = info[0:3], info[4]
        with socket.socket(*socket_args) as sock:
            sock.settimeout(5)    # an unreachable host is a failure in seconds, not minutes
            sock.connect(address)
        print('Success: host', info[3] or hostname, 'is listening on port', address[1])
    except socket.gaierror as e:
        sys.exit(f'www_ping: {hostname}: name service failure: {e.strerror}')
    except OSError as e:
        sys.exit(f'www_ping: {hostname} {address}: network failure: {e.strerror or e}')
