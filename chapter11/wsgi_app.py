#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 11 - wsgi_app.py
# A web application written against bare WSGI: a form, and a page that
# base64-encodes the string typed into it.

import argparse
import base64
import html
import sys
import urllib.parse
from wsgiref.simple_server import make_server

PAGE = """<!DOCTYPE html>
<html>
<head><title>Base64 encoder</title></head>
<body>
<h1>Base64 encoder</h1>
{result}<form action="/encode" method="get">
<input name="mystring" size="40"> <input type="submit" value="Encode">
</form>
</body>
</html>
"""
RESULT = '<p>The base64 encoding of <q>{0}</q> is <code>{1}</code></p>\n'


def answer(start_response, status, body, content_type='text/html; charset=UTF-8'):
    """Send the status line and headers, and return the body for WSGI to write."""
    data = body.encode('utf-8')
    start_response(status, [('Content-Type', content_type),
                            ('Content-Length', str(len(data)))])
    return [data]


def app(environ, start_response):
    """The WSGI callable: the server hands us the request as a dict, we answer."""
    path = environ.get('PATH_INFO', '/')
    if path not in ('/', '/encode'):
        return answer(start_response, '404 Not Found', f'Not found: {path}\n', 'text/plain')
    if environ['REQUEST_METHOD'] != 'GET':
        return answer(start_response, '400 Bad Request',
                      'Bad request: only GET is supported here\n', 'text/plain')
    if path == '/':
        return answer(start_response, '200 OK', PAGE.format(result=''))
    query = urllib.parse.parse_qs(environ.get('QUERY_STRING', ''))
    mystring = query.get('mystring', [''])[0]
    if not mystring:
        return answer(start_response, '400 Bad Request',
                      'Bad request: give a string to encode as ?mystring=...\n', 'text/plain')
    encoded = base64.b64encode(mystring.encode('utf-8')).decode('ascii')
    result = RESULT.format(html.escape(mystring), html.escape(encoded))
    return answer(start_response, '200 OK', PAGE.format(result=result))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a base64 encoder with bare WSGI.')
    parser.add_argument('--host', default='127.0.0.1',
                        help='interface to listen on (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=8000,
                        help='TCP port (default: %(default)s; 0 for any free port)')
    args = parser.parse_args()
    try:
        server = make_server(args.host, args.port, app)
    except OSError as e:
        sys.exit(f'wsgi_app.py: cannot listen on {args.host}:{args.port}: {e.strerror}')
    with server:
        print('Listening at', server.socket.getsockname(), flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
