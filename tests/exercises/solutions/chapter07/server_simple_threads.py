#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_simple.py
# The simplest server: one client at a time, while everybody else waits in the queue.
# Exercise solution: a thread for each client, so that a slow one holds up nobody else.

import threading

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
            pass  # the client is gone, or beyond helping: this thread ends


def server_loop(listen_sock):
    """Accept a client, hand it to a thread of its own, and at once accept the next."""
    while True:
        client_sock, sockname = listen_sock.accept()
        # daemon: Ctrl-C need not wait for the clients still connected
        threading.Thread(target=handle_client, args=(client_sock,), daemon=True).start()


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Serve Launcelot clients, a thread for each.')
    listen_sock = lancelot.setup(parser.parse_args())
    try:
        server_loop(listen_sock)
    except KeyboardInterrupt:
        pass
