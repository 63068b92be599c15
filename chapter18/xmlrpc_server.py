#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_server.py
# An XML-RPC server: three plain Python functions, callable over HTTP, with
# introspection and multicall.

import argparse, functools, math, operator, sys
from xmlrpc.server import SimpleXMLRPCServer


def addtogether(*things):
    """Add together everything it is given: numbers, strings or lists."""
    return functools.reduce(operator.add, things)


def quadratic(a, b, c):
    """Return the real x that solve a*x*x + b*x + c == 0."""
    root = math.sqrt(b * b - 4.0 * a * c)    # ValueError when there is no real solution
    return [(-b - root) / (2.0 * a), (-b + root) / (2.0 * a)]


def remote_repr(arg):
    """Return the repr() of the argument as it arrived at the server."""
    return repr(arg)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve three functions over XML-RPC.')
    parser.add_argument('-p', '--port', type=int, default=7001, help='default: %(default)s')
    args = parser.parse_args()
    try:
        with SimpleXMLRPCServer(('127.0.0.1', args.port)) as server:    # it logs each request
            server.register_introspection_functions()    # system.listMethods, methodHelp, ...
            server.register_multicall_functions()    # system.multicall: many calls, one request
            server.register_function(addtogether)
            server.register_function(quadratic)
            server.register_function(remote_repr)
            print('Listening at', server.server_address, flush=True)
            server.serve_forever()
    except OSError as e:    # the port is in use
        sys.exit(f'xmlrpc_server: 127.0.0.1:{args.port}: {e.strerror or e}')
