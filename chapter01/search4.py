#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search4.py
# Geocode an address over a bare TCP socket: we write the HTTP request by hand.

import argparse
import socket
import sys
import urllib.parse

ADDRESS = '207 N. Defiance St, Archbold, OH'
PLAYGROUND = '127.0.0.1:10080'
PATH = '/maps/api/geocode/json'


def fetch(address, host, port):
    """Send one HTTP/1.1 GET and print every byte of the reply as it arrives."""
    query = urllib.parse.urlencode({'address': address})
    request = (f'GET {PATH}?{query} HTTP/1.1\r\n'
               f'Host: {host}:{port}\r\n'
               'User-Agent: search4.py (Foundations of Python Network Programming)\r\n'
               'Connection: close\r\n'
               '\r\n')
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(request.encode('ascii'))
    while True:
        data = sock.recv(4096)
        if not data:  # the server closed the connection: the reply is complete
            break
        sys.stdout.write(data.decode('utf-8'))
    sock.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address over a raw socket.')
    parser.add_argument('server', nargs='?', default=PLAYGROUND,
                        help='host:port of a geocoding server (default: %(default)s)')
    parser.add_argument('-a', '--address', default=ADDRESS, help='default: %(default)s')
    args = parser.parse_args()
    host, _, port = args.server.rpartition(':')
    if not host or not port.isdigit():
        parser.error(f'server must be host:port, not {args.server!r}')
    try:
        fetch(args.address, host.strip('[]'), int(port))
    except OSError as e:
        sys.exit(f'search4: cannot reach {args.server}: {e.strerror or e}')
