#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - jsonrpc_server.py
# A JSON-RPC server (jsonrpclib-pelix) offering one function, lengths, over HTTP.

import argparse, sys
from jsonrpclib.SimpleJSONRPCServer import SimpleJSONRPCServer


def lengths(*args):
    """Return a [length, value] pair for each argument (length None if it has none)."""
    results = []
    for arg in args:
        try:
            arglen = len(arg)
        except TypeError:
            arglen = None
        results.append([arglen, arg])
    return results


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a lengths() function over JSON-RPC.')
    parser.add_argument('-p', '--port', type=int, default=7002, help='default: %(default)s')
    args = parser.parse_args()
    try:
        with SimpleJSONRPCServer(('127.0.0.1', args.port)) as server:    # it logs each request
            server.register_function(lengths)
            print('Listening at', server.server_address, flush=True)
            server.serve_forever()
    except OSError as e:    # the port is in use
        sys.exit(f'jsonrpc_server: 127.0.0.1:{args.port}: {e.strerror or e}')
