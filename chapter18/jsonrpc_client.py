#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - jsonrpc_client.py
# Call lengths() on jsonrpc_server.py: JSON carries lists, dicts, strings, numbers and null.

import argparse
import socket
import sys

import jsonrpclib

TIMEOUT = 10.0     # seconds to wait for the server before giving up


def make_call(proxy):
    """Send values of several types and print what the server made of them."""
    answer = proxy.lengths((1, 2, 3), 27, {'Sirius': -1.46, 'Rigel': 0.12}, 'Grüße', None)
    # JSON has no tuples: (1, 2, 3) went over the wire, and comes back, as a list.
    for length, value in answer:
        print(f'{value!r} has length {length}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Call lengths() on jsonrpc_server.py.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='server host (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=7002,
                        help='server port (default: %(default)s)')
    args = parser.parse_args()
    socket.setdefaulttimeout(TIMEOUT)      # a server that never answers must not hang us
    proxy = jsonrpclib.ServerProxy(f'http://{args.host}:{args.port}')
    try:
        make_call(proxy)
    except OSError as exc:
        sys.exit(f'jsonrpc_client.py: cannot reach {args.host}:{args.port}: '
                 f'{exc.strerror or exc}')
    except jsonrpclib.ProtocolError as exc:
        # An HTTP error carries (url, status, reason, headers); a JSON-RPC error (code, message).
        code, message = exc.args[1:3] if len(exc.args) >= 3 else exc.args[0]
        sys.exit(f'jsonrpc_client.py: {args.host}:{args.port} answered error {code}: {message}')
    except ValueError as exc:
        sys.exit(f'jsonrpc_client.py: {args.host}:{args.port} does not speak JSON-RPC: {exc}')
