#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - lancelot.py
# What every Launcelot server and client shares: the questions, their answers, and the setup.

import argparse
import socket
import sys

PORT = 1060
MAX_MESSAGE = 1024  # a question longer than this is garbage: hang up

qa = (('What is your name?', 'My name is Sir Launcelot of Camelot.'),
      ('What is your quest?', 'To seek the Holy Grail.'),
      ('What is your favorite color?', 'Blue.'))
qadict = {question.encode('ascii'): answer.encode('ascii') for question, answer in qa}
UNKNOWN = b"I don't know that."


def answer_to(question):
    """The answer to a question (bytes ending in '?'); answers end in '.'."""
    return qadict.get(question, UNKNOWN)


def recv_until(sock, suffix):
    """Receive bytes until they end with suffix; EOFError if the peer hangs up first."""
    message = b''
    while not message.endswith(suffix):
        data = sock.recv(4096)
        if not data:
            raise EOFError(f'socket closed after {len(message)} bytes of a message')
        message += data
        if len(message) > MAX_MESSAGE:
            raise EOFError('message too long')
    return message


def handle_client(client_sock):
    """Answer one client's questions until it hangs up (or misbehaves)."""
    try:
        while True:
            question = recv_until(client_sock, b'?')
            client_sock.sendall(answer_to(question))
    except (EOFError, ConnectionError):
        pass
    finally:
        client_sock.close()


def argument_parser(description):
    """The command line of every server: an interface and -p PORT."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('interface', nargs='?', default='127.0.0.1',
                        help='interface to listen on (default: %(default)s; '
                        '"" for all of them)')
    parser.add_argument('-p', '--port', type=int, default=PORT,
                        help='TCP port (default: %(default)s; 0 for any free port)')
    return parser


def setup(args):
    """Bind a listening socket to the interface and port, and say so."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.interface, args.port))
    except OSError as exc:
        sys.exit(f'cannot listen on {args.interface}:{args.port}: {exc.strerror or exc}')
    sock.listen(128)
    print('Listening at', sock.getsockname(), flush=True)
    return sock
