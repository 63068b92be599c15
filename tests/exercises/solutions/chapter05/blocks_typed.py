#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 5 - blocks.py
# Framing by length prefix: each block is preceded by its size as a 4-byte
# big-endian integer; a block of length zero ends the conversation.
# Exercise solution: a type byte before the length says what the block holds:
# text, a number, or the end.

import argparse, socket, struct, sys

header_struct = struct.Struct('!BI')    # the block's type, then its length
number_struct = struct.Struct('!q')    # a number: 8 bytes, signed, big-endian
END, TEXT, NUMBER = 0, 1, 2    # the block types


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
    """Read one typed, length-prefixed block: return its type and its bytes."""
    data = recvall(sock, header_struct.size)
    block_type, block_length = header_struct.unpack(data)
    return block_type, recvall(sock, block_length)


def put_block(sock, block_type, message):
    """Send one typed, length-prefixed block."""
    sock.sendall(header_struct.pack(block_type, len(message)))
    sock.sendall(message)


def server(interface, port):
    """Print every block a client sends, as its type says, until its end block."""
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
                        block_type, block = get_block(sc)
                        if block_type == END:
                            break
                        elif block_type == TEXT:
                            print('Text:', repr(block.decode('utf-8')), flush=True)
                        elif block_type == NUMBER:
                            print('Number:', number_struct.unpack(block)[0], flush=True)
                        else:
                            print('Unknown block type', block_type, flush=True)
                # A client that went away mid-block, or sent bytes that do not decode.
                except (EOFError, OSError, ValueError, struct.error) as e:
                    print('Client went away:', e, flush=True)


def client(host, port):
    """Send three texts, a number and the block that ends the stream."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.shutdown(socket.SHUT_RD)
        put_block(sock, TEXT, 'Beautiful is better than ugly.'.encode('utf-8'))
        put_block(sock, TEXT, 'Explicit is better than implicit.'.encode('utf-8'))
        put_block(sock, TEXT, 'Simple is better than complex.'.encode('utf-8'))
        put_block(sock, NUMBER, number_struct.pack(2010))
        put_block(sock, END, b'')
    print('Sent three texts, a number and the end')


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Transmit and receive blocks over TCP')
    parser.add_argument('role', choices=choices, help='which role to play')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='interface or host')
    parser.add_argument('-p', '--port', type=int, default=1060, help='TCP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.host, args.port)
    except OSError as e:    # refused, timed out, reset; or the port is in use
        sys.exit(f'blocks: {args.host}:{args.port}: {e.strerror or e}')
