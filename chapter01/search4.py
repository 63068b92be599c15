#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search4.py
# Geocode an address over a bare TCP socket: we write the HTTP request by hand.

import argparse, socket, sys, urllib.parse

ADDRESS = '207 N. Defiance St, Archbold, OH'

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address over a raw socket.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10080, help='default: %(default)s')
    args = parser.parse_args()
    # HTTP/1.1 with "Connection: close": the server closes the socket when the reply
    # is complete, and that is how we know we have it all.
    request = (f'GET /maps/api/geocode/json?{urllib.parse.urlencode({"address": ADDRESS})}'
               f' HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n'
               'User-Agent: search4.py (Foundations of Python Network Programming)\r\n'
               'Connection: close\r\n\r\n')
    try:
        with socket.create_connection((args.host, args.port), timeout=10) as sock:
            sock.sendall(request.encode('ascii'))
            while True:
                data = sock.recv(4096)
                if not data:
                    break
                sys.stdout.buffer.write(data)    # the raw bytes, as they arrive
    except OSError as e:
        sys.exit(f'search4: {args.host}:{args.port}: {e.strerror or e}')
