#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - xmlrpc_multicall.py
# Send several XML-RPC calls in one HTTP request with system.multicall, and read the answers.

import argparse
import socket
import sys
import xmlrpc.client

TIMEOUT = 10.0     # seconds to wait for the server before giving up


def batch(proxy):
    """Queue four calls, send them together, then print each answer in order."""
    multi = xmlrpc.client.MultiCall(proxy)
    multi.addtogether('a', 'b', 'c')      # nothing is sent yet: the calls are queued
    multi.quadratic(2, -4, 0)
    multi.remote_repr([1, 2.0, 'three'])
    multi.quadratic(1, 0, 1)             # this one fails on the server
    answers = multi()                    # one request, one response, four results
    for number in range(4):
        try:
            print(f'answer {number + 1}:', repr(answers[number]))
        except xmlrpc.client.Fault as fault:
            # A failed call does not spoil the batch: its Fault appears in its place.
            print(f'answer {number + 1}: Fault', fault.faultCode, repr(fault.faultString))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Batch calls to xmlrpc_server.py.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='server host (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=7001,
                        help='server port (default: %(default)s)')
    args = parser.parse_args()
    socket.setdefaulttimeout(TIMEOUT)      # a server that never answers must not hang us
    proxy = xmlrpc.client.ServerProxy(f'http://{args.host}:{args.port}')
    try:
        batch(proxy)
    except OSError as exc:
        sys.exit(f'xmlrpc_multicall.py: cannot reach {args.host}:{args.port}: '
                 f'{exc.strerror or exc}')
    except xmlrpc.client.ProtocolError as exc:
        sys.exit(f'xmlrpc_multicall.py: {args.host}:{args.port} is no XML-RPC server: '
                 f'HTTP {exc.errcode} {exc.errmsg}')
