#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_multicall.py
# Send several XML-RPC calls in one HTTP request with system.multicall, and read the answers.

import argparse, http.client, socket, sys, xml.parsers.expat, xmlrpc.client

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Batch calls to xmlrpc_server.py.')
    parser.add_argument('-p', '--port', type=int, default=7001, help='default: %(default)s')
    args = parser.parse_args()
    socket.setdefaulttimeout(10)    # ServerProxy has no timeout of its own
    proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{args.port}')
    multicall = xmlrpc.client.MultiCall(proxy)
    multicall.addtogether('a', 'b', 'c')    # nothing is sent yet: the calls are queued
    multicall.quadratic(2, -4, 0)
    multicall.remote_repr([1, 2.0, 'three'])
    try:
        for answer in multicall():    # one request, one response, three answers
            print(answer)
    except (xmlrpc.client.Error, http.client.HTTPException, xml.parsers.expat.ExpatError) as e:
        sys.exit(f'xmlrpc_multicall: 127.0.0.1:{args.port}: {e!r}')
    except OSError as e:    # refused, timed out, reset
        sys.exit(f'xmlrpc_multicall: 127.0.0.1:{args.port}: {e.strerror or e}')
