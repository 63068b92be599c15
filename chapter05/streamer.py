#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 5 - streamer.py
# Framing by end-of-file: the client sends, then shuts down its half of the
# connection; the server reads until the stream ends.

import argparse
import socket
import sys


def server(interface, port):
    """Read each client's whole message, to the end of its stream, and print it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((interface, port))
    sock.listen(1)
    print('Listening at', sock.getsockname(), flush=True)
    while True:
        sc, sockname = sock.accept()
        print('Accepted connection from', sockname, flush=True)
        sc.shutdown(socket.SHUT_WR)  # we will never send anything
        message = b''
        while True:
            more = sc.recv(8192)  # arbitrary value of 8k
            if not more:  # socket has closed when recv() returns ''
                break
            message += more
        print('Done receiving the message; it says:', flush=True)
        print(message.decode('utf-8', errors='replace'), flush=True)
        sc.close()


def client(host, port):
    """Send a message in three pieces, then close our sending direction."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    sock.shutdown(socket.SHUT_RD)  # we will never receive anything
    sock.sendall(b'Beautiful is better than ugly.\n')
    sock.sendall(b'Explicit is better than implicit.\n')
    sock.sendall(b'Simple is better than complex.\n')
    sock.close()  # the server now sees end-of-file
    print('Sent three lines and closed the connection')


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Transmit and receive a data stream')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='interface the server listens at; '
                        'host the client sends to (default: %(default)s)')
    parser.add_argument('-p', metavar='PORT', type=int, default=1060,
                        help='TCP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.host, args.p)
    except OSError as e:
        sys.exit(f'streamer: {args.host}:{args.p}: {e.strerror or e}')
    except KeyboardInterrupt:
        pass
