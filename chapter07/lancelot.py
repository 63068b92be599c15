#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - lancelot.py
# Constants and routines shared by every Launcelot client and server.

import argparse, socket, sys

PORT = 1060
MAX_MESSAGE = 1024  # a "question" longer than this is garbage: hang up on it

qa = (('What is your name?', 'My name is Sir Lancelot of Camelot.'),
      ('What is your quest?', 'To seek the Holy Grail.'),
      ('What is your favorite color?', 'Blue.'))


class Answers(dict):
    """The book's dictionary of answers, which also has one for any other question."""
    def __missing__(self, question):
        return b"I don't know that."  # (a KeyError would end the conversation)


qadict = Answers((question.encode(), answer.encode()) for question, answer in qa)


def recv_until(sock, suffix):
    """Receive bytes until they end with suffix (our protocol's framing)."""
    message = b''
    while not message.endswith(suffix):
        data = sock.recv(4096)
        if not data:
            raise EOFError(f'socket closed before we saw {suffix!r}')
        message += data
        if len(message) > MAX_MESSAGE:
            raise EOFError('message too long')
    return message


def parse_command_line(description):
    """Every Launcelot script's command line: a host and -p PORT."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='the interface a server '
                        'listens on, or the server a client asks (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=PORT,
                        help='TCP port (default: %(default)s; a server takes 0 as any free port)')
    return parser


def setup(args):
    """Bind a listening socket to the interface and port, and say where."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        sock.close()
        sys.exit(f'cannot listen on {args.host}:{args.port}: {e.strerror or e}')
    sock.listen(128)  # a long queue of clients waiting for accept(): see bench.py
    print('Listening at', sock.getsockname(), flush=True)
    return sock
