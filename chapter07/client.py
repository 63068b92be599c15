#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - client.py
# A simple Launcelot client: ask the three questions, each after the last answer, and print them.

import socket, sys

import lancelot


def client(hostname, port):
    sock = socket.create_connection((hostname, port), timeout=10)
    with sock:
        for question, _ in lancelot.qa:
            sock.sendall(question.encode())
            answer = lancelot.recv_until(sock, b'.')  # answers end with '.'
            print(question, answer.decode('ascii', 'replace'))


if __name__ == '__main__':
    args = lancelot.parse_command_line('Ask a Launcelot server its three questions.').parse_args()
    try:
        client(args.host, args.port)
    except EOFError as e:   # the server hung up, or rambled on without a '.'
        sys.exit(f'client: {args.host}:{args.port}: {e}')
    except OSError as e:    # refused, unreachable, timed out, reset
        sys.exit(f'client: {args.host}:{args.port}: {e.strerror or e}')
