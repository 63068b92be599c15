#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_client.py
# Call the functions of xmlrpc_server.py as if they were local, and see how a server error arrives.

import argparse, http.client, socket, sys, xml.parsers.expat, xmlrpc.client

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Call the functions of xmlrpc_server.py.')
    parser.add_argument('-p', '--port', type=int, default=7001, help='default: %(default)s')
    args = parser.parse_args()
    socket.setdefaulttimeout(10)    # ServerProxy has no timeout of its own
    # allow_none: send None as <nil/>, an extension that Python's server understands.
    proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{args.port}', allow_none=True)
    try:
        print(proxy.addtogether('x', 'ÿ', 'z'))
        print(proxy.addtogether(20, 30, 4, 1))
        print(proxy.quadratic(2, -4, 0))
        print(proxy.quadratic(1, 2, 1))
        print(proxy.remote_repr((1, 2.0, 'three')))    # the server got a list: no tuples
        print(proxy.remote_repr([True, None]))
        print(proxy.remote_repr({'name': 'Arthur', 'data': {'age': 42}}))
        print(proxy.quadratic(1, 0, 1))    # no real root: the server's ValueError comes back
    except (xmlrpc.client.Error, http.client.HTTPException, xml.parsers.expat.ExpatError) as e:
        sys.exit(f'xmlrpc_client: 127.0.0.1:{args.port}: {e!r}')
    except OSError as e:    # refused, timed out, reset
        sys.exit(f'xmlrpc_client: 127.0.0.1:{args.port}: {e.strerror or e}')
