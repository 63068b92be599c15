#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_client.py
# Call the functions of xmlrpc_server.py as if they were local, and see how a server error arrives.

import argparse
import socket
import sys
import xml.parsers.expat
import xmlrpc.client

TIMEOUT = 10.0     # seconds to wait for the server before giving up


def make_calls(proxy):
    """Call each remote function and print what comes back."""
    print("addtogether('x', 'ÿ', 'z') ->", repr(proxy.addtogether('x', 'ÿ', 'z')))
    print('addtogether(20, 30, 4, 1) ->', repr(proxy.addtogether(20, 30, 4, 1)))
    print('quadratic(2, -4, 0) ->', repr(proxy.quadratic(2, -4, 0)))
    print('quadratic(1, 2, 1) ->', repr(proxy.quadratic(1, 2, 1)))
    # What the server received: XML-RPC has no tuples, so the tuple arrives as a list.
    print("remote_repr((1, 2.0, 'three')) ->", proxy.remote_repr((1, 2.0, 'three')))
    print("remote_repr([True, None]) ->", proxy.remote_repr([True, None]))
    print("remote_repr({'name': 'Arthur', 'data': {'age': 42}}) ->",
          proxy.remote_repr({'name': 'Arthur', 'data': {'age': 42}}))
    # x*x + 1 == 0 has no real solution: the server's ValueError comes back as a Fault.
    try:
        proxy.quadratic(1, 0, 1)
    except xmlrpc.client.Fault as fault:
        print('quadratic(1, 0, 1) -> Fault', fault.faultCode, repr(fault.faultString))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Call the functions of xmlrpc_server.py.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='server host (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=7001,
                        help='server port (default: %(default)s)')
    args = parser.parse_args()
    socket.setdefaulttimeout(TIMEOUT)      # a server that never answers must not hang us
    # allow_none: send None as <nil/>, an extension that Python's server understands.
    proxy = xmlrpc.client.ServerProxy(f'http://{args.host}:{args.port}', allow_none=True)
    try:
        make_calls(proxy)
    except OSError as exc:
        sys.exit(f'xmlrpc_client.py: cannot reach {args.host}:{args.port}: '
                 f'{exc.strerror or exc}')
    except xmlrpc.client.ProtocolError as exc:
        sys.exit(f'xmlrpc_client.py: {args.host}:{args.port} is no XML-RPC server: '
                 f'HTTP {exc.errcode} {exc.errmsg}')
    except xml.parsers.expat.ExpatError as exc:
        sys.exit(f'xmlrpc_client.py: {args.host}:{args.port} is no XML-RPC server: '
                 f'its answer is not XML ({exc})')
