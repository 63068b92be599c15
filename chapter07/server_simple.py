#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_simple.py
# The simplest server: one client at a time, while everybody else waits in the queue.

import lancelot


def handle_client(client_sock):
    """Answer one client's questions until it hangs up (or talks garbage)."""
    with client_sock:
        try:
            while True:
                question = lancelot.recv_until(client_sock, b'?')
                answer = lancelot.qadict[question]
                client_sock.sendall(answer)
        except (EOFError, OSError):
            pass  # the client is gone, or beyond helping: on to the next


def server_loop(listen_sock):
    """Accept a client, serve it to the end, then accept the next."""
    while True:
        client_sock, sockname = listen_sock.accept()
        handle_client(client_sock)


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Serve Launcelot clients one at a time.')
    listen_sock = lancelot.setup(parser.parse_args())
    try:
        server_loop(listen_sock)
    except KeyboardInterrupt:
        pass
