#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_introspect.py
# Ask an XML-RPC server which functions it offers, with their signatures and help texts.

import argparse, http.client, socket, sys, xml.parsers.expat, xmlrpc.client

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List the functions of an XML-RPC server.')
    parser.add_argument('-p', '--port', type=int, default=7001, help='default: %(default)s')
    args = parser.parse_args()
    socket.setdefaulttimeout(10)    # ServerProxy has no timeout of its own
    proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{args.port}')
    try:
        names = proxy.system.listMethods()
        for name in names:
            if name.startswith('system.'):
                continue
            print(f'Function {name}')
            # Python's server cannot know argument types: 'signatures not supported'.
            print(f'    signature: {proxy.system.methodSignature(name)}')
            print(f'    help: {proxy.system.methodHelp(name)}')
        print('Also offered:', ', '.join(name for name in names if name.startswith('system.')))
    except (xmlrpc.client.Error, http.client.HTTPException, xml.parsers.expat.ExpatError) as e:
        sys.exit(f'xmlrpc_introspect: 127.0.0.1:{args.port}: {e!r}')
    except OSError as e:    # refused, timed out, reset
        sys.exit(f'xmlrpc_introspect: 127.0.0.1:{args.port}: {e.strerror or e}')
