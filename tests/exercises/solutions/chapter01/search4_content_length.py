#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search4.py
# Geocode an address over a bare TCP socket: we write the HTTP request by hand.
# Exercise solution: no "Connection: close"; the reply ends where Content-Length says.

import argparse, re, socket, sys, urllib.parse

ADDRESS = '207 N. Defiance St, Archbold, OH'

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address over a raw socket.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10080, help='default: %(default)s')
    args = parser.parse_args()
    # HTTP/1.1 keeps the connection open after the reply, for the next request: the
    # server's Content-Length header says how many bytes of body follow the headers.
    request = (f'GET /maps/api/geocode/json?{urllib.parse.urlencode({"address": ADDRESS})}'
               f' HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n'
               'User-Agent: search4.py (Foundations of Python Network Programming)\r\n\r\n')
    try:
        with socket.create_connection((args.host, args.port), timeout=10) as sock:
            sock.sendall(request.encode('ascii'))
            reply = b''
            while b'\r\n\r\n' not in reply:    # first the status line and the headers
                data = sock.recv(4096)
                if not data:
                    raise EOFError('the server closed the connection within the headers')
                sys.stdout.buffer.write(data)    # the raw bytes, as they arrive
                reply += data
            head = reply.split(b'\r\n\r\n')[0]
            length = re.search(rb'\r\ncontent-length: *(\d+)', head, re.IGNORECASE)
            if not length:
                raise ValueError('the reply has no Content-Length')
            missing = len(head) + 4 + int(length[1]) - len(reply)    # 4: the blank line
            while missing > 0:    # then exactly that many bytes of body
                data = sock.recv(min(missing, 4096))
                if not data:
                    raise EOFError(f'the server closed the connection {missing} bytes early')
                sys.stdout.buffer.write(data)
                missing -= len(data)
    except (EOFError, ValueError) as e:    # the reply broke off, or is not what we expect
        sys.exit(f'search4: {args.host}:{args.port}: {e}')
    except OSError as e:
        sys.exit(f'search4: {args.host}:{args.port}: {e.strerror or e}')
