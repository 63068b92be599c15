#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 11 - bottle_app.py
# The same base64 encoder written with the Bottle framework and a template.

import argparse
import base64
import os
import sys
from wsgiref.simple_server import make_server

import bottle

HERE = os.path.dirname(os.path.abspath(__file__))  # where bottle_template.html lives
app = bottle.Bottle()


def render(mystring=None, encoded=None):
    """Fill in bottle_template.html; {{...}} in it escapes HTML for us."""
    return bottle.template('bottle_template', template_lookup=[HERE],
                           mystring=mystring, encoded=encoded)


@app.route('/', method='ANY')
def index():
    if bottle.request.method != 'GET':
        bottle.abort(400, 'Bad request: only GET is supported here')
    return render()


@app.route('/encode', method='ANY')
def encode():
    if bottle.request.method != 'GET':
        bottle.abort(400, 'Bad request: only GET is supported here')
    mystring = bottle.request.query.getunicode('mystring')
    if not mystring:
        bottle.abort(400, 'Bad request: give a string to encode as ?mystring=...')
    encoded = base64.b64encode(mystring.encode('utf-8')).decode('ascii')
    return render(mystring, encoded)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a base64 encoder with Bottle.')
    parser.add_argument('--host', default='127.0.0.1',
                        help='interface to listen on (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=8080,
                        help='TCP port (default: %(default)s; 0 for any free port)')
    args = parser.parse_args()
    # bottle.run(app) would serve it too, but could not tell us which port
    # -p 0 got; a Bottle app is a WSGI callable, so any WSGI server will do.
    try:
        server = make_server(args.host, args.port, app)
    except OSError as e:
        sys.exit(f'bottle_app.py: cannot listen on {args.host}:{args.port}: {e.strerror}')
    with server:
        print('Listening at', server.socket.getsockname(), flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
