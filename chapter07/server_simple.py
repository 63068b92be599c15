#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_simple.py
# The simplest server: one client at a time, and everybody else waits in the queue.

import lancelot


def server_loop(listen_sock):
    """Accept a client, serve it to the end, then accept the next."""
    while True:
        client_sock, sockname = listen_sock.accept()
        lancelot.handle_client(client_sock)


if __name__ == '__main__':
    args = lancelot.argument_parser('Serve Launcelot clients one at a time.').parse_args()
    listen_sock = lancelot.setup(args)
    try:
        server_loop(listen_sock)
    except KeyboardInterrupt:
        pass
