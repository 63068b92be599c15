"""Chapter 3 exercises: TCP (the text of each is in chapter03/README.md, Exercises)."""
import os
import re
import socket
import time

import pytest

from harness import OneConnectionServer

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, SERVER, exercise_lab, printed, run_on, serve_on)

STALL = 3.0   # seconds the strict server lets its echo wait for a client that does not read
# Loaded by the client under test: every TCP socket it connects gets small buffers, as
# on a small or busy machine. (On loopback Linux lets a socket buffer megabytes, so
# the listing would deadlock only after sending that much, 16 bytes at a time.)
SMALL_BUFFERS = """
import socket
_connect = socket.socket.connect


def connect(self, address):
    if self.type == socket.SOCK_STREAM:
        for option in socket.SO_SNDBUF, socket.SO_RCVBUF:
            self.setsockopt(socket.SOL_SOCKET, option, 8192)
    return _connect(self, address)


socket.socket.connect = connect
"""


class StrictEchoServer(OneConnectionServer):
    """tcp_deadlock.py's server, with small socket buffers and no patience: when its echo
    cannot be sent for STALL seconds (the client is not reading), it writes that down and
    hangs up, where the chapter's server would wait for ever. One connection."""

    def __init__(self):
        self.received = self.echoed = 0
        self.stalled = False
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for option in socket.SO_RCVBUF, socket.SO_SNDBUF:   # inherited by the connection
            listener.setsockopt(socket.SOL_SOCKET, option, 4096)
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        super().__init__(listener, timeout=30)

    def handle(self, connection):
        try:
            while True:
                connection.settimeout(20)
                data = connection.recv(1024)
                if not data:
                    break
                self.received += len(data)
                connection.settimeout(STALL)
                connection.sendall(data.upper())
                self.echoed += len(data)
        except socket.timeout:
            self.stalled = True
        except OSError:
            pass

    def join(self):
        super().join(30)


@pytest.mark.exercise('chapter03/tcp_deadlock.py', 'chapter03/tcp_deadlock_never.py')
def test_tcp_deadlock_never(solution, check, run, server, tmp_path):
    srv = server(solution.script, 'server', '-p', '0', env=solution.env)
    small = run(solution.script, 'client', '32', '-p', srv.port, timeout=20, env=solution.env)
    # (Two threads that print may cut into each other's lines: look for the parts. The
    # first data received is one 16-byte echo or both, as the network hands them over.)
    check.that(small.returncode == 0 and 'The first data received says' in small.out
               and "b'CAPITALIZE THIS!" in small.out
               and re.findall(r'(\d+) bytes received', small.out)[-1:] == ['32'],
               'with its own server, 32 bytes still come back capitalized',
               'with its own server, the client should still send 32 bytes and print the '
               'first data received, b\'CAPITALIZE THIS!\' (once or twice), and "32 bytes '
               f'received"; it printed {small.out.strip()[-300:]!r} {small.err.strip()!r}')

    size = 256 * 1024   # with the small buffers, the listing deadlocks after some 30 KB
    (tmp_path / 'small' / 'sitecustomize.py').parent.mkdir()
    (tmp_path / 'small' / 'sitecustomize.py').write_text(SMALL_BUFFERS)
    env = {**solution.env, 'PYTHONPATH': os.pathsep.join([str(tmp_path / 'small'),
                                                          solution.env['PYTHONPATH']])}
    strict = StrictEchoServer()
    big = run(solution.script, 'client', size, '-p', strict.port, timeout=60, env=env)
    strict.join()
    sent = [int(n) for n in re.findall(r'(\d+) bytes sent', big.out)]
    check.that(not strict.stalled,
               f'it reads the echo while it sends, even with small buffers ({size} bytes)',
               f'asked for {size} bytes with small socket buffers, your client sent '
               f'{max(sent, default=0)} and then stuck: the server could not send its echo '
               f'for {STALL:g} seconds (it had echoed {strict.echoed} bytes), because your '
               'client was not reading it, and so the server stopped reading too: a '
               'deadlock. Read the echo while you send')
    received = [int(n) for n in re.findall(r'(\d+) bytes received', big.out)]
    check.that(big.returncode == 0 and strict.received == size
               and max(received, default=0) == size,
               f'all {size} bytes go out and come back, and it says so',
               f'asked for {size} bytes, the server got {strict.received} and your client '
               f'printed "{max(received, default=0)} bytes received" as its last count; both '
               f'should be {size}, with exit status 0 (it exited with {big.returncode}: '
               f'{big.err.strip()!r})')


@pytest.mark.exercise('chapter03/tcp_sixteen.py', 'chapter03/tcp_sixteen_silent_client.py')
def test_tcp_sixteen_silent_client(solution, check, run, server):
    srv = server(solution.script, 'server', '-p', '0', env=solution.env)
    first = run(solution.script, 'client', '-p', srv.port, timeout=20, env=solution.env)
    check.that(first.out.endswith("The server said b'Farewell, client'\n"),
               'its own client still gets the farewell',
               "the client should still end with The server said b'Farewell, client'; it "
               f'printed {first.out.strip()!r} {first.err.strip()!r}')

    patience = 5.0   # the exercise's 2 seconds, and room to spare
    with socket.create_connection(('127.0.0.1', srv.port)) as silent:   # says nothing
        start = time.monotonic()
        with socket.create_connection(('127.0.0.1', srv.port)) as next_client:
            next_client.sendall(b'Hi there, server')
            next_client.settimeout(patience)
            try:
                reply = next_client.recv(16)
            except socket.timeout:
                reply = None
            waited = time.monotonic() - start
    check.that(reply is not None,
               'a client that says nothing no longer holds up the next one',
               'a client connected and said nothing; the client after it then waited '
               f'{patience:g} seconds without an answer: your server still waits for ever '
               'for the silent one')
    check.that(reply == b'Farewell, client',
               'the next client gets its farewell',
               f"the next client should get b'Farewell, client'; it got {reply!r}")
    check.that(waited >= 1.5,
               f'the silent client had its 2 seconds (the next one waited {waited:.1f} s)',
               f'the next client was answered {waited:.1f} seconds after the silent one '
               'connected: the server should give every client 2 seconds to send its '
               'sixteen octets, not less')
    try:
        silent_line = srv.expect(r'Client went away.*', timeout=5)[0]
    except AssertionError:   # it never said
        silent_line = None
    check.that(silent_line is not None and 'timed out' in silent_line,
               'the server says that the silent client went away: timed out',
               'the server should print "  Client went away: timed out" for the silent '
               'client; it printed '
               + (repr(silent_line) if silent_line else 'no "Client went away" line'))


# ---------------------------------------------------------------- on the lab

def segment_size(text, prefix):
    """The number after `prefix` (a line's start) in a listing's output, or None."""
    found = re.search(rf'^{re.escape(prefix)}(\d+)$', text, re.M)
    return int(found[1]) if found else None


@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter03/tcp_sixteen.py', 'chapter03/tcp_sixteen_mss.py')
def test_tcp_sixteen_mss(solution, check, exercise_lab):
    lab = exercise_lab
    far, near = serve_on(lab, check, SERVER, solution, 'server', '0.0.0.0', '-p', 0), None
    try:
        near = serve_on(lab, check, 'desktop', solution, 'server', '0.0.0.0', '-p', 0)
        across = run_on(lab, check, 'laptop', solution, 'client', SERVER, '-p', far.port)
        at_home = run_on(lab, check, 'laptop', solution, 'client', '203.0.113.12', '-p', near.port)
    finally:
        served = '\n'.join(far.stop())   # all it printed: it answered before the client ended
        if near:
            near.stop()
    check.that(across.returncode == 0 and "The server said b'Farewell, client'" in across.out,
               'the client still gets its sixteen octets from the server on example.com',
               'run on the laptop against its own server on example.com, the client should '
               "still print The server said b'Farewell, client'; it printed "
               f'{printed(across.out + across.err)}')
    mss = segment_size(across.out, 'Maximum segment size: ')
    check.that(mss is not None,
               'the client prints its maximum segment size',
               'after its socket name the client should print a line "Maximum segment size: '
               'N", N being its connected socket\'s TCP_MAXSEG option; it printed '
               f'{printed(across.out)}')
    check.that(1000 < mss <= 1240,
               f'across the router to example.com it is {mss} bytes: the servers\' MTU of 1280, '
               'less 40 bytes of headers, less TCP\'s options',
               f'the laptop\'s connection to example.com should have a maximum segment size of '
               f'at most 1240 (the servers\' MTU of 1280 less 40 bytes of IP and TCP headers); '
               f'your client printed {mss}. (Before connect() the socket knows nothing of its '
               'peer: ask once it is connected.)')
    theirs = segment_size(served, '  Maximum segment size: ')
    check.that(theirs is not None and 1000 < theirs <= 1240,
               'the server prints the same for the connection it accepted',
               'for each connection it accepts the server should print "  Maximum segment '
               'size: N", after "  Socket peer", N being at most 1240 for the laptop\'s; it '
               f'printed {printed(served)}')
    home = segment_size(at_home.out, 'Maximum segment size: ')
    check.that(at_home.returncode == 0 and home is not None and home > 1240,
               f'on the laptop\'s own LAN, to the desktop, it is {home} bytes: the LAN\'s MTU '
               'of 1500 less the headers and options',
               'run against its own server on the desktop, on the laptop\'s LAN (MTU 1500), '
               'the client should print a maximum segment size above 1240; it printed '
               f'{printed(at_home.out + at_home.err)}')
