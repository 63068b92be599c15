#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 5 - streamer.py
# Framing by end-of-file: the client sends, then shuts down its half of the
# connection; the server reads until the stream ends.

import argparse, socket, sys


def server(interface, port):
    """Read each client's whole message, to the end of its stream, and print it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((interface, port))
        sock.listen(1)
        print('Listening at', sock.getsockname(), flush=True)
        while True:
            sc, sockname = sock.accept()
            print('Accepted connection from', sockname, flush=True)
            with sc:
                message = b''
                try:
                    sc.shutdown(socket.SHUT_WR)    # we will never send anything
                    while True:
                        more = sc.recv(8192)    # arbitrary value of 8k
                        if not more:    # the socket has closed when recv() returns b''
                            break
                        message += more
                except OSError as e:    # a client that reset the connection
                    print('Client went away:', e.strerror, flush=True)
            print('Done receiving the message; it says:', flush=True)
            print(message.decode('utf-8', 'replace'), flush=True)


def client(host, port):
    """Send a message in three pieces, then close our sending direction."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.shutdown(socket.SHUT_RD)    # we will never receive anything
        sock.sendall(b'Beautiful is better than ugly.\n')
        sock.sendall(b'Explicit is better than implicit.\n')
        sock.sendall(b'Simple is better than complex.\n')
    print('Sent three lines and closed the connection')    # the server now sees end-of-file


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Transmit and receive a data stream')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='interface or host')
    parser.add_argument('-p', '--port', type=int, default=1060, help='TCP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.host, args.port)
    except OSError as e:    # refused, timed out, reset; or the port is in use
        sys.exit(f'streamer: {args.host}:{args.port}: {e.strerror or e}')
