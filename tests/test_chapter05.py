"""Chapter 5: framing a TCP stream by end-of-file and by length prefixes."""
import socket
import struct

import pytest

from harness import closed_port

ZEN = ['Beautiful is better than ugly.', 'Explicit is better than implicit.',
       'Simple is better than complex.']


def test_streamer_server_reads_to_end_of_file(run, server):
    srv = server('chapter05/streamer.py', 'server', '-p', '0')
    assert run('chapter05/streamer.py', 'client', '-p', srv.port).ok() == \
        'Sent three lines and closed the connection\n'
    srv.expect('Done receiving the message; it says:')
    for line in ZEN:
        srv.expect(f'^{line}$')


def test_blocks_server_prints_each_block(run, server):
    srv = server('chapter05/blocks.py', 'server', '-p', '0')
    assert run('chapter05/blocks.py', 'client', '-p', srv.port).ok() == \
        'Sent three blocks and an empty one\n'
    for line in ZEN:
        srv.expect(f"^Block says: b'{line}'$")


@pytest.mark.parametrize('length', [1000, 2**32 - 1])
def test_blocks_server_survives_a_truncated_block(run, server, length):
    srv = server('chapter05/blocks.py', 'server', '-p', '0')
    with socket.create_connection(('127.0.0.1', srv.port)) as sock:
        sock.sendall(struct.pack('!I', length) + b'only a little')
    srv.expect(f'Client went away: socket closed with {length - 13} bytes left in this block')
    run('chapter05/blocks.py', 'client', '-p', srv.port).ok()
    srv.expect(f"Block says: b'{ZEN[2]}'")


def test_streamer_server_survives_a_reset(run, server):
    srv = server('chapter05/streamer.py', 'server', '-p', '0')
    with socket.create_connection(('127.0.0.1', srv.port)) as sock:
        sock.sendall(b'half a message')
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))  # RST
    srv.expect('Done receiving the message')
    run('chapter05/streamer.py', 'client', '-p', srv.port).ok()
    srv.expect(f'^{ZEN[2]}$')


@pytest.mark.parametrize('script', ['streamer.py', 'blocks.py'])
def test_clients_against_a_closed_port(run, script):
    port = closed_port()
    run(f'chapter05/{script}', 'client', '-p', port, timeout=10).fails(
        f'{script[:-3]}: 127.0.0.1:{port}: Connection refused')
