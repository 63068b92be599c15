#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_introspect.py
# Ask an XML-RPC server which functions it offers, with their signatures and help texts.

import argparse
import socket
import sys
import xmlrpc.client

TIMEOUT = 10.0     # seconds to wait for the server before giving up


def describe(proxy):
    """List the server's own functions, then the system.* ones that made this possible."""
    names = proxy.system.listMethods()
    for name in names:
        if name.startswith('system.'):
            continue
        print(f'Function {name}')
        # Python's server cannot know argument types: it says 'signatures not supported'.
        print(f'    signature: {proxy.system.methodSignature(name)}')
        print(f'    help: {proxy.system.methodHelp(name)}')
    system = [name for name in names if name.startswith('system.')]
    print('Also offered:', ', '.join(system))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List the functions of an XML-RPC server.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='server host (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=7001,
                        help='server port (default: %(default)s)')
    args = parser.parse_args()
    socket.setdefaulttimeout(TIMEOUT)      # a server that never answers must not hang us
    proxy = xmlrpc.client.ServerProxy(f'http://{args.host}:{args.port}')
    try:
        describe(proxy)
    except OSError as exc:
        sys.exit(f'xmlrpc_introspect.py: cannot reach {args.host}:{args.port}: '
                 f'{exc.strerror or exc}')
    except xmlrpc.client.ProtocolError as exc:
        sys.exit(f'xmlrpc_introspect.py: {args.host}:{args.port} is no XML-RPC server: '
                 f'HTTP {exc.errcode} {exc.errmsg}')
