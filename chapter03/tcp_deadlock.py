#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 3 - tcp_deadlock.py
# A client that sends everything before reading anything: with enough data,
# both sides block on full buffers. The listing exists to show that.

import argparse, socket, sys

HOST = '127.0.0.1'


def server(port):
    """Capitalise whatever arrives and send it straight back."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(1)
        print('Listening at', sock.getsockname(), flush=True)
        while True:
            sc, sockname = sock.accept()
            print('Processing up to 1024 bytes at a time from', sockname, flush=True)
            n = 0
            with sc:
                try:
                    while True:
                        data = sc.recv(1024)
                        if not data:
                            break
                        sc.sendall(data.upper())    # blocks when the client is not reading
                        n += len(data)
                        print(f'\r  {n} bytes processed so far', end=' ', flush=True)
                    print()
                except OSError as e:    # a client that went away mid-transfer
                    print(f'\n  Client went away: {e.strerror}', flush=True)
            print('  Socket closed', flush=True)


def client(port, bytecount):
    """Send `bytecount` bytes in 16-byte pieces, and only then read the echo."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        bytecount = (bytecount + 15) // 16 * 16    # round up to a multiple of 16
        message = b'capitalize this!'    # 16-byte message to repeat over and over

        print('Sending', bytecount, 'bytes of data, in chunks of 16 bytes', flush=True)
        sock.settimeout(10)    # a deadlock, or a silent server, ends after ten seconds
        sock.connect((HOST, port))

        sent = 0
        while sent < bytecount:
            sock.sendall(message)    # blocks once both sides' buffers are full
            sent += len(message)
            print(f'\r  {sent} bytes sent', end=' ', flush=True)

        print()
        sock.shutdown(socket.SHUT_WR)    # tell the server we are done sending

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


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Get deadlocked over TCP')
    parser.add_argument('role', choices=['client', 'server'], help='which role to play')
    parser.add_argument('bytecount', type=int, nargs='?', default=16, help='bytes to send')
    parser.add_argument('-p', '--port', type=int, default=1060, help='TCP port (default 1060)')
    args = parser.parse_args()
    try:
        if args.role == 'client':
            client(args.port, args.bytecount)
        else:
            server(args.port)
    except OSError as e:    # refused, timed out, reset; or the port is in use
        sys.exit(f'\ntcp_deadlock: {HOST}:{args.port}: {e.strerror or e}')
