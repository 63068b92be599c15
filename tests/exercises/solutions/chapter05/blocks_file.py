#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 5 - blocks.py
# Framing by length prefix: each block is preceded by its size as a 4-byte
# big-endian integer; a block of length zero ends the conversation.
# Exercise solution: the client can send a file, in blocks of at most 4096 bytes.

import argparse, socket, struct, sys

header_struct = struct.Struct('!I')    # messages up to 2**32 - 1 in length


def recvall(sock, length):
    """Receive exactly `length` bytes, or raise EOFError."""
    blocks = []
    while length:
        block = sock.recv(min(length, 65536))    # never a buffer bigger than that
        if not block:
            raise EOFError(f'socket closed with {length} bytes left in this block')
        length -= len(block)
        blocks.append(block)
    return b''.join(blocks)


def get_block(sock):
    """Read one length-prefixed block."""
    data = recvall(sock, header_struct.size)
    (block_length,) = header_struct.unpack(data)
    return recvall(sock, block_length)


def put_block(sock, message):
    """Send one length-prefixed block."""
    block_length = len(message)
    sock.sendall(header_struct.pack(block_length))
    sock.sendall(message)


def server(interface, port):
    """Print every block a client sends, until its empty block."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((interface, port))
        sock.listen(1)
        print('Listening at', sock.getsockname(), flush=True)
        while True:
            sc, sockname = sock.accept()
            print('Accepted connection from', sockname, flush=True)
            with sc:
                try:
                    sc.shutdown(socket.SHUT_WR)
                    while True:
                        block = get_block(sc)
                        if not block:
                            break
                        print('Block says:', repr(block), flush=True)
                except (EOFError, OSError) as e:    # a client that went away mid-block
                    print('Client went away:', e, flush=True)


def client(host, port):
    """Send three blocks and the empty block that ends the stream."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.shutdown(socket.SHUT_RD)
        put_block(sock, b'Beautiful is better than ugly.')
        put_block(sock, b'Explicit is better than implicit.')
        put_block(sock, b'Simple is better than complex.')
        put_block(sock, b'')
    print('Sent three blocks and an empty one')


def send_file(host, port, filename):
    """Send a file's bytes in blocks of at most 4096, then the empty block."""
    with open(filename, 'rb') as f, socket.create_connection((host, port), timeout=10) as sock:
        sock.shutdown(socket.SHUT_RD)
        size = blocks = 0
        while True:
            block = f.read(4096)    # b'' at the end of the file: the empty block
            put_block(sock, block)
            if not block:
                break
            size, blocks = size + len(block), blocks + 1
    print(f'Sent {size} bytes of {filename} in {blocks} blocks and an empty one')


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Transmit and receive blocks over TCP')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='interface or host')
    parser.add_argument('-p', '--port', type=int, default=1060, help='TCP port (default 1060)')
    parser.add_argument('-f', '--file', help='the client sends this file')
    args = parser.parse_args()
    try:
        if args.role == 'client' and args.file:
            send_file(args.host, args.port, args.file)
        else:
            choices[args.role](args.host, args.port)
    except OSError as e:    # refused, timed out, reset; or the port is in use
        sys.exit(f'blocks: {args.host}:{args.port}: {e.strerror or e}')
