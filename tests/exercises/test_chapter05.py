"""Chapter 5 exercises: framing (the text of each is in chapter05/README.md, Exercises)."""
import ast
import re
import socket
import struct

import pytest

from harness import OneConnectionServer

SENTENCES = [b'Beautiful is better than ugly.', b'Explicit is better than implicit.',
             b'Simple is better than complex.']


class OneConnection(OneConnectionServer):
    """A server of our own for one connection: it reads to the end of the client's
    stream, then sends answer(what it read), if given, and closes."""

    def __init__(self, answer=None):
        self.received, self.answer = None, answer
        super().__init__()

    def handle(self, connection):
        connection.settimeout(10)
        data = b''
        try:
            while more := connection.recv(65536):
                data += more
            self.received = data
            if self.answer:
                connection.sendall(self.answer(data))
        except OSError:
            self.received = data

    def join(self):
        super().join()
        return self.received


def said(result):
    return f'{result.out.strip()[-300:]!r} {result.err.strip()[-300:]!r}'


# ---------------------------------------------------------------- blocks.py --file

def printed_blocks(srv, start):
    """The blocks that the chapter's blocks.py server printed from its line `start` on,
    and the number of its lines so far. We send a block of our own, and read up to it:
    the server serves one connection after the other."""
    marker = b'-- the checker was here --'
    with socket.create_connection(('127.0.0.1', srv.port), timeout=10) as sock:
        sock.sendall(struct.pack('!I', len(marker)) + marker + struct.pack('!I', 0))
    srv.expect(re.escape(repr(marker)))
    lines = srv.lines[start:-1]
    blocks = [ast.literal_eval(line.split('Block says: ', 1)[1])
              for line in lines if line.startswith('Block says: ')]
    return blocks, len(srv.lines), any('Client went away' in line for line in lines)


@pytest.mark.exercise('chapter05/blocks.py', 'chapter05/blocks_file.py')
def test_blocks_file(solution, check, run, server, tmp_path):
    srv = server('chapter05/blocks.py', 'server', '-p', '0')   # the chapter's own server
    three = run(solution.script, 'client', '-p', srv.port, env=solution.env)
    blocks, seen, _ = printed_blocks(srv, 0)
    check.that(three.returncode == 0 and blocks == SENTENCES,
               'without --file the client still sends its three sentences',
               'without --file the client should still send its three sentences; the '
               f'server printed {blocks}, the client {said(three)}')

    content = bytes(range(256)) * 40 + b'The end.'   # 10248 bytes: 4096 + 4096 + 2056
    path = tmp_path / 'data.bin'
    path.write_bytes(content)
    sent = run(solution.script, 'client', '-p', srv.port, '--file', path, env=solution.env)
    blocks, _, broke_off = printed_blocks(srv, seen)
    check.that(sent.returncode == 0,
               'it takes --file FILE and sends it',
               f'run as "client -p PORT --file {path.name}", it should send the file and exit '
               f'with status 0; it exited with status {sent.returncode}: {said(sent)}')
    check.that(b''.join(blocks) == content,
               'the server gets the file\'s bytes, all of them, in order',
               f'the file has {len(content)} bytes; the server got {len(b"".join(blocks))} '
               f'in {len(blocks)} blocks, and ' + ('they are not the same bytes'
                                                   if blocks else 'nothing at all'))
    check.that(not broke_off,
               'the empty block ends the file',
               'the server saw the connection close before an empty block: end the file '
               'with the empty block, as the three sentences end')
    check.that([len(block) for block in blocks] == [4096, 4096, 2056],
               'in blocks of 4096 bytes (and what is left)',
               f'it should send the {len(content)} bytes in blocks of 4096 bytes: 4096, 4096 '
               f'and the 2056 left; it sent blocks of {[len(block) for block in blocks]}')
    check.that(re.fullmatch(rf'Sent {len(content)} bytes of \S*data\.bin in 3 blocks and an '
                            r'empty one\n', sent.out),
               'and it says what it sent',
               f'it should end with "Sent {len(content)} bytes of {path} in 3 blocks and an '
               f'empty one"; it printed {sent.out.strip()!r}')


# ---------------------------------------------------------------- streamer.py, answered

@pytest.mark.exercise('chapter05/streamer.py', 'chapter05/streamer_count.py')
def test_streamer_count(solution, check, run, server):
    srv = server(solution.script, 'server', '-p', '0', env=solution.env)
    done = run(solution.script, 'client', '-p', srv.port, env=solution.env)
    srv.expect('Simple is better than complex.')
    check.that(srv.lines[-3:] == [s.decode() for s in SENTENCES],
               'the server still prints the client\'s three lines',
               'the server should still print the three lines that the client sends; it '
               f'printed {srv.lines[1:]}')
    check.that(done.returncode == 0 and done.out.endswith('The server received 96 bytes\n'),
               'the client ends with the server\'s answer: The server received 96 bytes',
               'the client should end with "The server received 96 bytes", the number that '
               f'the server sent back; it printed {said(done)}')

    with socket.create_connection(('127.0.0.1', srv.port), timeout=10) as sock:
        sock.sendall(b'0123456789' * 10000)
        sock.shutdown(socket.SHUT_WR)
        answer = b''
        try:
            while more := sock.recv(4096):
                answer += more
        except OSError as e:
            answer = f'nothing: {e.strerror or e}'
    check.that(answer == b'100000',
               'the server answers with the count, and closes: b\'100000\' for 100000 bytes',
               'sent 100000 bytes and an end of file, the server should answer b\'100000\' '
               f'and close the connection; it answered {answer!r}')

    ours = OneConnection(lambda data: str(len(data)).encode('ascii'))
    done = run(solution.script, 'client', '-p', ours.port, env=solution.env)
    received = ours.join()
    check.that(received == b''.join(s + b'\n' for s in SENTENCES)
               and done.out.endswith(f'The server received {len(received)} bytes\n'),
               'and its client reads the answer of another server, after its end of file',
               'a server of the checker\'s own read the client\'s stream to its end and '
               f'answered {str(len(received or b"")).encode()!r}; the client should print '
               f'"The server received {len(received or b"")} bytes"; it printed {said(done)}')


# ---------------------------------------------------------------- blocks.py, typed

HEADER, NUMBER = struct.Struct('!BI'), struct.Struct('!q')


def typed(kind, payload):
    return HEADER.pack(kind, len(payload)) + payload


def parse_typed(data):
    """[(type, payload)] of a stream of typed blocks; None where it does not parse."""
    blocks = []
    while len(data) >= HEADER.size:
        kind, length = HEADER.unpack_from(data)
        if len(data) < HEADER.size + length:
            return None
        blocks.append((kind, data[HEADER.size:HEADER.size + length]))
        data = data[HEADER.size + length:]
    return blocks if not data else None


@pytest.mark.exercise('chapter05/blocks.py', 'chapter05/blocks_typed.py')
def test_blocks_typed(solution, check, run, server):
    srv = server(solution.script, 'server', '-p', '0', env=solution.env)
    done = run(solution.script, 'client', '-p', srv.port, env=solution.env)
    try:   # the last line of the exercise's server, or of the listing's
        srv.expect(r"Number: |Block says: b'Simple is better than complex.'", timeout=5)
    except AssertionError:
        pass
    printed = '\n'.join(srv.lines)
    check.that(done.returncode == 0 and all(s.decode() in printed for s in SENTENCES),
               'its server still gets the three sentences from its client',
               'its server should still print the three sentences that its client sends; '
               f'it printed {srv.lines[1:]}, and the client {said(done)}')
    check.that([f"Text: '{s.decode()}'" for s in SENTENCES] + ['Number: 2010']
               == [line for line in srv.lines if line.startswith(('Text: ', 'Number: '))],
               "it prints them as Text: 'Beautiful is better than ugly.' ..., then Number: 2010",
               "its server should print each sentence as Text: 'Beautiful is better than "
               "ugly.', then the number as Number: 2010; it printed "
               f'{srv.lines[1:]}')

    start = len(srv.lines)
    with socket.create_connection(('127.0.0.1', srv.port), timeout=10) as sock:
        sock.sendall(typed(1, 'Grüße aus Köln'.encode('utf-8')) + typed(2, NUMBER.pack(-7))
                     + typed(2, NUMBER.pack(2 ** 40)) + typed(0, b''))
        try:
            srv.expect(r'Number: 1099511627776|Client went away', timeout=5)
        except AssertionError:
            pass
    lines = srv.lines[start + 1:]
    check.that(lines[:3] == ["Text: 'Grüße aus Köln'", 'Number: -7', 'Number: 1099511627776'],
               'its server reads typed blocks from another client: UTF-8 text, '
               'negative and large numbers',
               'a client of the checker\'s own sent a text block, \'Grüße aus Köln\' in UTF-8, '
               'the numbers -7 and 2**40 (8 bytes, signed, big-endian) and the end; the '
               "server should print Text: 'Grüße aus Köln', Number: -7 and Number: "
               f'1099511627776; it printed {lines}')

    ours = OneConnection()
    done = run(solution.script, 'client', '-p', ours.port, env=solution.env)
    blocks = parse_typed(ours.join() or b'')
    wanted = [(1, s) for s in SENTENCES] + [(2, NUMBER.pack(2010)), (0, b'')]
    check.that(blocks == wanted,
               'its client sends exactly the typed blocks: three texts, 2010, the end',
               'its client should send three text blocks (type 1), a number block (type 2, '
               "struct '!q') holding 2010 and the end block (type 0, length 0), each with "
               "the header struct '!BI'; a server of the checker's own read "
               + (f'{blocks}' if blocks is not None else 'bytes that are not such blocks'))
