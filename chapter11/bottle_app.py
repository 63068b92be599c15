#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 11 - bottle_app.py
# The same base64 encoder written with the Bottle framework and a template.

import argparse, base64, os, sys
from wsgiref.simple_server import make_server

import bottle

# @bottle.view finds its template on bottle.TEMPLATE_PATH: look beside this file first.
bottle.TEMPLATE_PATH.insert(0, os.path.dirname(os.path.abspath(__file__)))


@bottle.route('/')
@bottle.view('bottle_template.html')
def index():
    return dict(mystring=None)


@bottle.route('/encode')
@bottle.view('bottle_template.html')
def encode():
    mystring = bottle.request.query.mystring     # decoded text; '' when absent
    if not mystring:
        bottle.abort(400, 'Bad request: give a string to encode as ?mystring=...')
    encoded = base64.b64encode(mystring.encode('utf-8')).decode('ascii')
    return dict(mystring=mystring, encoded=encoded)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a base64 encoder with Bottle.')
    parser.add_argument('-p', '--port', type=int, default=8080, help='0 for any free port')
    args = parser.parse_args()
    # bottle.run(host='localhost', port=8080) would serve the app too, but cannot say
    # which port -p 0 got; a Bottle app is a WSGI callable, so any WSGI server will do.
    try:
        with make_server('127.0.0.1', args.port, bottle.default_app()) as server:
            print('Listening at', server.socket.getsockname(), flush=True)
            server.serve_forever()
    except OSError as e:
        sys.exit(f'bottle_app: 127.0.0.1:{args.port}: {e.strerror}')
    except KeyboardInterrupt:
        pass
