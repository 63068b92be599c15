#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_inetd.py
# Serve one client on the connected socket that inetd hands us as standard input.
# (Not a printed listing: it shows the book's section on inetd at work.)

import argparse, socket, sys

from server_simple import handle_client

if __name__ == '__main__':
    argparse.ArgumentParser(description='Run from inetd: serve the client connected '
                            'to standard input, then exit.').parse_args()
    try:
        client_sock = socket.socket(fileno=sys.stdin.fileno())
    except OSError:
        sys.exit('server_inetd: standard input is not a socket; '
                 'inetd (or a test) must start me with a connection')
    handle_client(client_sock)
