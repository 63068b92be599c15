#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - jsonrpc_client.py
# Call lengths() on jsonrpc_server.py: JSON carries lists, dicts, strings, numbers and null.
# Exercise solution: three calls in one batch, one HTTP request (JSON-RPC 2.0).

import argparse, http.client, socket, sys
import jsonrpclib

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Call lengths() on jsonrpc_server.py.')
    parser.add_argument('-p', '--port', type=int, default=7002, help='default: %(default)s')
    args = parser.parse_args()
    socket.setdefaulttimeout(10)    # ServerProxy has no timeout of its own
    proxy = jsonrpclib.ServerProxy(f'http://127.0.0.1:{args.port}')
    batch = jsonrpclib.MultiCall(proxy)    # the calls wait here, to go all together
    # JSON has no tuples: (1, 2, 3) goes over the wire, and comes back, as a list.
    batch.lengths((1, 2, 3), 27, {'Sirius': -1.46, 'Rigel': 0.12}, 'Grüße', None)
    batch.lengths('one', 'three')
    batch.lengths()
    try:
        for answer in batch():    # one request: a JSON list of calls; one list of answers
            print(answer)
    except (jsonrpclib.ProtocolError, http.client.HTTPException, ValueError, TypeError) as e:
        sys.exit(f'jsonrpc_client: 127.0.0.1:{args.port}: {e!r}')
    except OSError as e:    # refused, timed out, reset
        sys.exit(f'jsonrpc_client: 127.0.0.1:{args.port}: {e.strerror or e}')
