#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - jsonrpc_server.py
# A JSON-RPC server (jsonrpclib-pelix) offering one function, lengths, over HTTP.

import argparse
import sys

from jsonrpclib.SimpleJSONRPCServer import SimpleJSONRPCServer


def lengths(*args):
    """Return a [length, value] pair for each argument (length None if it has none)."""
    results = []
    for arg in args:
        try:
            results.append([len(arg), arg])
        except TypeError:
            results.append([None, arg])
    return results


def serve(host, port):
    """Register lengths() and answer calls until interrupted."""
    server = SimpleJSONRPCServer((host, port))    # it logs every request on stderr
    server.register_function(lengths)
    print('Listening at', server.server_address, flush=True)
    server.serve_forever()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a lengths() function over JSON-RPC.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='interface to listen on (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=7002,
                        help='TCP port (default: %(default)s; 0 for any free port)')
    args = parser.parse_args()
    try:
        serve(args.host, args.port)
    except OSError as exc:
        sys.exit(f'jsonrpc_server.py: cannot listen on {args.host}:{args.port}: {exc.strerror}')
    except KeyboardInterrupt:
        pass
