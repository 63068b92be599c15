#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 11 - wsgi_app.py
# A web application written against bare WSGI: a form, and a page that
# base64-encodes the string typed into it.
# Exercise solution: the form is POSTed, and the app reads the body from wsgi.input.

import argparse, base64, html, sys, urllib.parse
from wsgiref.simple_server import make_server

PAGE = """<!DOCTYPE html>
<html>
<head><title>Base64 encoder</title></head>
<body>
<h1>Base64 encoder</h1>
{result}<form action="/encode" method="post">
<input name="mystring" size="40"> <input type="submit" value="Encode">
</form>
</body>
</html>
"""
RESULT = '<p>The base64 encoding of <q>{}</q> is <code>{}</code></p>\n'


def app(environ, start_response):
    """The WSGI callable: the server hands us the request as a dict, we answer."""
    path = environ['PATH_INFO']
    if path == '/':
        result = ''
    elif path == '/encode':
        if environ['REQUEST_METHOD'] == 'POST':
            # The form's fields travel in the body, urlencoded as a query would be.
            # Read exactly CONTENT_LENGTH bytes: the client waits for our answer and
            # keeps the connection open, so reading "to the end" would never end.
            length = int(environ.get('CONTENT_LENGTH') or 0)
            form = environ['wsgi.input'].read(length).decode('latin-1')
        else:
            form = environ['QUERY_STRING']
        query = urllib.parse.parse_qs(form)
        mystring = query.get('mystring', [''])[0]
        if not mystring:
            start_response('400 Bad Request', [('Content-Type', 'text/plain')])
            return [b'Bad request: give a string to encode as ?mystring=...\n']
        encoded = base64.b64encode(mystring.encode('utf-8')).decode('ascii')
        result = RESULT.format(html.escape(mystring), encoded)  # a <script> stays text
    else:
        start_response('404 Not Found', [('Content-Type', 'text/plain')])
        return [b'Not found\n']
    # One piece of body: wsgiref adds its Content-Length for us.
    start_response('200 OK', [('Content-Type', 'text/html; charset=UTF-8')])
    return [PAGE.format(result=result).encode('utf-8')]


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a base64 encoder with bare WSGI.')
    parser.add_argument('-p', '--port', type=int, default=8000, help='0 for any free port')
    args = parser.parse_args()
    try:
        with make_server('127.0.0.1', args.port, app) as server:
            print('Listening at', server.socket.getsockname(), flush=True)
            server.serve_forever()
    except OSError as e:
        sys.exit(f'wsgi_app: 127.0.0.1:{args.port}: {e.strerror}')
    except KeyboardInterrupt:
        pass
