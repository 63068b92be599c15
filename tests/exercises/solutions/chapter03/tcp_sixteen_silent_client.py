#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 3 - tcp_sixteen.py
# A TCP client and server that exchange messages of exactly sixteen octets.
# Exercise solution: a client that says nothing for 2 seconds is dropped, so that
# it cannot hold up the clients waiting behind it.

import argparse, socket, sys


def recvall(sock, length):
    """Receive exactly `length` bytes: TCP may deliver them in several pieces."""
    data = b''
    while len(data) < length:
        more = sock.recv(length - len(data))
        if not more:
            raise EOFError(f'was expecting {length} bytes but only received '
                           f'{len(data)} bytes before the socket closed')
        data += more
    return data


def server(interface, port):
    """Answer each client's sixteen octets with sixteen of our own."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((interface, port))
        sock.listen(1)
        print('Listening at', sock.getsockname(), flush=True)
        while True:
            sc, sockname = sock.accept()
            with sc:
                sc.settimeout(2)    # recvall() gives up, and the next client's turn comes
                print('We have accepted a connection from', sockname)
                print('  Socket name:', sc.getsockname())
                print('  Socket peer:', sc.getpeername())
                try:
                    message = recvall(sc, 16)
                    print('  Incoming sixteen-octet message:', repr(message))
                    sc.sendall(b'Farewell, client')
                    print('  Reply sent, socket closed', flush=True)
                except (EOFError, OSError) as e:    # a client that hung up early
                    print('  Client went away:', e, flush=True)


def client(host, port):
    """Send sixteen octets and read the sixteen-octet answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)    # for connect() and every recv(): a silent server ends here
        sock.connect((host, port))
        print('Client has been assigned socket name', sock.getsockname())
        sock.sendall(b'Hi there, server')
        reply = recvall(sock, 16)
        print('The server said', repr(reply))


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Send and receive over TCP')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='interface or host')
    parser.add_argument('-p', '--port', type=int, default=1060, help='TCP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.host, args.port)
    except EOFError as e:    # the server hung up before its sixteen octets
        sys.exit(f'tcp_sixteen: {args.host}:{args.port}: {e}')
    except OSError as e:    # refused, timed out, reset; or the port is in use
        sys.exit(f'tcp_sixteen: {args.host}:{args.port}: {e.strerror or e}')
