#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 3 - tcp_deadlock.py
# A client that sends everything before reading anything: with enough data,
# both sides block forever on full buffers. The listing exists to show that.

import argparse
import socket
import sys


def server(interface, port):
    """Capitalise whatever arrives and send it straight back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((interface, port))
    sock.listen(1)
    print('Listening at', sock.getsockname(), flush=True)
    while True:
        sc, sockname = sock.accept()
        print('Processing up to 1024 bytes at a time from', sockname, flush=True)
        n = 0
        try:
            while True:
                data = sc.recv(1024)
                if not data:
                    break
                sc.sendall(data.upper())  # blocks when the client is not reading
                n += len(data)
                print(f'\r  {n} bytes processed so far', end=' ', flush=True)
            print()
        except OSError as e:
            print(f'\n  Client went away: {e.strerror}', flush=True)
        sc.close()
        print('  Socket closed', flush=True)


def client(host, port, bytecount):
    """Send `bytecount` bytes in 16-byte pieces, and only then read the echo."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bytecount = (bytecount + 15) // 16 * 16  # round up to a multiple of 16
    message = b'capitalize this!'  # 16-byte message to repeat over and over

    print('Sending', bytecount, 'bytes of data, in chunks of 16 bytes', flush=True)
    sock.connect((host, port))

    sent = 0
    while sent < bytecount:
        sock.sendall(message)  # blocks once both sides' buffers are full
        sent += len(message)
        print(f'\r  {sent} bytes sent', end=' ', flush=True)

    print()
    sock.shutdown(socket.SHUT_WR)  # tell the server we are done sending

    print('Receiving all the data the server sends back', flush=True)

    received = 0
    while True:
        data = sock.recv(42)
        if not received:
            print('  The first data received says', repr(data))
        if not data:
            break
        received += len(data)
        print(f'\r  {received} bytes received', end=' ', flush=True)

    print()
    sock.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Get deadlocked over TCP')
    sub = parser.add_subparsers(dest='role', required=True)
    serve = sub.add_parser('server', help='capitalise and echo')
    serve.add_argument('host', nargs='?', default='127.0.0.1',
                       help='interface to listen at (default: %(default)s)')
    send = sub.add_parser('client', help='send, then receive')
    send.add_argument('bytecount', type=int, help='number of bytes to send')
    send.add_argument('host', nargs='?', default='127.0.0.1',
                      help='host to connect to (default: %(default)s)')
    for each in (serve, send):
        each.add_argument('-p', metavar='PORT', type=int, default=1060,
                          help='TCP port (default 1060)')
    args = parser.parse_args()
    try:
        if args.role == 'client':
            client(args.host, args.p, args.bytecount)
        else:
            server(args.host, args.p)
    except OSError as e:
        sys.exit(f'\ntcp_deadlock: {args.host}:{args.p}: {e.strerror or e}')
    except KeyboardInterrupt:
        pass
