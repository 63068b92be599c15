"""The test harness: run listings as a reader would, on loopback, and always clean up.

Tests import what they need from here (``from harness import ...``); conftest.py
turns it into fixtures.

Fixtures (all ports are chosen at run time, so nothing collides with a
running playground, another test, or a second run of the suite):

    run(script, *args)        run a listing to completion; returns Result
    server(script, *args)     start a server listing, wait for its ready line
    playground(*services)     a playground with a free --port-offset and a temp state,
                              shared by the tests of a session that ask for the same services
    fresh_playground(*services, state=, reset=)
                              a private playground, stopped when the test ends
    spawn(script, *args)      drive an interactive listing through a pty (pexpect)
    bad_peer(kind)            a server on 127.0.0.1 that is 'silent', speaks 'garbage'
                              or is 'closing' each connection at once (TCP and UDP)

Helpers: wait_until(predicate, timeout, message), wait_for_port(port), waiting_in(pid),
closed_port(), free_port(), require_binary(name), run_listing(...), and
OneConnectionServer, a server of a test's own for one connection.

Every listing runs with warnings as errors (LISTING_WARNINGS), as the README says.
"""
import atexit
import contextlib
import dataclasses
import fcntl
import os
import pathlib
import platform
import queue
import random
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
ACCOUNT = ('brandon', 'mypass')
READY = re.compile(r"\('(?P<host>[^']+)', (?P<port>\d+)")  # Listening at ('127.0.0.1', 1060)
START_TIMEOUT = 20.0

# Every listing runs with warnings as errors: an unclosed socket or file is a bug, and
# so is a deprecated call. Each `ignore` names third-party noise we cannot fix, and why.
LISTING_WARNINGS = ','.join([
    'error',
])


# ---------------------------------------------------------------- helpers

def base_env(**extra):
    """The environment of every child: unbuffered, able to import playground."""
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONPATH=str(REPO),
               PYTHONWARNINGS=os.environ.get('PYTHONWARNINGS', ''))
    env.pop('SSL_CERT_FILE', None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def listing_env(**extra):
    """The environment of a listing: base_env with warnings as errors."""
    return base_env(**{'PYTHONWARNINGS': LISTING_WARNINGS, **extra})


def script_path(script):
    path = REPO / script
    assert path.is_file(), f'no such listing: {script}'
    return str(path)


def free_port(kind=socket.SOCK_STREAM):
    """A port that nobody listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def closed_port():
    """A TCP port on 127.0.0.1 where a connection is refused."""
    return free_port()


def require_binary(name, package=None):
    """The path of a program on PATH; skip the test when it is missing, with the line
    that installs it, unless under CI (CI=true), where that is a failure."""
    path = shutil.which(name)
    if path is None:
        reason = (f'{name} is not installed (Debian/Ubuntu: apt-get install {package or name}; '
                  f'macOS: brew install {name})')
        if os.environ.get('CI'):
            pytest.fail(reason + '; CI must not pass by skipping')
        pytest.skip(reason)
    return path


def wait_until(predicate, timeout=10.0, message='the condition never held', interval=0.02):
    """Poll predicate() until it returns something true, and return that.

    Fails with `message` (a string, or a function returning one, called only then)
    when `timeout` seconds pass first. The one way tests wait: for a condition,
    never for the clock.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f'{text} (waited {timeout} s)')
        time.sleep(interval)


# Linux system call numbers, by machine, of the calls that tests look for a process
# waiting in (/proc/PID/syscall names the call a sleeping process is in).
SYSCALLS = {
    'x86_64': {'read': 0, 'poll': 7, 'select': 23, 'sendto': 44, 'pselect6': 270, 'ppoll': 271},
    'aarch64': {'read': 63, 'pselect6': 72, 'ppoll': 73, 'sendto': 206},
}.get(platform.machine(), {})


def waiting_in(pid):
    """(system call, its first argument) that a process sleeps in, ('running', None)
    when it runs, or None when this cannot be told (not Linux, not ours to read)."""
    try:
        fields = pathlib.Path(f'/proc/{pid}/syscall').read_text().split()
    except OSError:
        return None
    if not fields or fields[0] == 'running' or not SYSCALLS:
        return ('running', None) if fields and SYSCALLS else None
    names = {number: name for name, number in SYSCALLS.items()}
    return names.get(int(fields[0]), fields[0]), int(fields[1], 16)


def accepts(port, host='127.0.0.1'):
    """Does a TCP port accept a connection right now?"""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(port, host='127.0.0.1', timeout=START_TIMEOUT, process=None):
    """Poll until a TCP port accepts a connection; fail if the process dies first."""
    def ready():
        if process is not None and process.poll() is not None:
            raise AssertionError(f'process exited with {process.returncode} '
                                 f'before port {port} opened')
        return accepts(port, host)
    wait_until(ready, timeout, f'nothing accepted connections on {host}:{port}')


def terminate(process, grace=5.0):
    """SIGTERM a child's whole process group, then SIGKILL what is left."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived the leader
    process.wait()


def run_listing(script, *args, cwd, input=None, timeout=30, env=None):
    """Run a listing to completion in folder cwd (warnings are errors); return its Result."""
    command = [sys.executable, script_path(script), *map(str, args)]
    try:
        done = subprocess.run(command, input=input, capture_output=True, text=True,
                              timeout=timeout, cwd=cwd, env=listing_env(**(env or {})),
                              start_new_session=True)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f'command timed out after {timeout} s: '
                             f'{" ".join(command)}\nstdout so far: {exc.stdout!r}\n'
                             f'stderr so far: {exc.stderr!r}') from None
    return Result(command, done.returncode, done.stdout, done.stderr)


@dataclasses.dataclass
class Result:
    """What a finished listing did: command, exit status, stdout, stderr."""
    args: list
    returncode: int
    out: str
    err: str

    def __str__(self):
        return (f'command: {" ".join(map(str, self.args))}\n'
                f'exit status: {self.returncode}\n'
                f'--- stdout ---\n{self.out}--- stderr ---\n{self.err}')

    def ok(self):
        """Assert a zero exit and no traceback; return stdout."""
        assert self.returncode == 0, f'listing failed\n{self}'
        assert 'Traceback' not in self.err, f'listing printed a traceback\n{self}'
        return self.out

    def fails(self, *expected):
        """Assert a clean failure: non-zero exit, one clear stderr line with each text."""
        assert self.returncode != 0, f'listing should have failed\n{self}'
        assert 'Traceback' not in self.err, f'expected one clear line, got a traceback\n{self}'
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, f'expected exactly one error line\n{self}'
        for text in expected:
            assert text in lines[0], f'{text!r} not in the error line\n{self}'
        return lines[0]


class Server:
    """A running server listing: its process, real address and output so far."""

    def __init__(self, command, cwd, env):
        self.command = command
        self.lines = []
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, cwd=cwd,
                                        env=env, start_new_session=True)
        self._queue = queue.Queue()  # a thread reads lines so that we can time out
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        match = None
        while match is None and time.monotonic() < deadline:
            line = self.readline(deadline - time.monotonic())
            if line is None:
                break
            match = READY.search(line)
        if not match:
            self.stop()
            raise AssertionError(f'no ready line from {" ".join(command)}: '
                                 f'got {self.lines!r}')
        self.host, self.port = match['host'], int(match['port'])

    def _pump(self):
        for line in self.process.stdout:
            self._queue.put(line.rstrip('\n'))
        self._queue.put(None)

    def readline(self, timeout=10.0):
        """The next line the server prints, or None at end of output or timeout."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self._queue.put(None)  # stay at end of output
            return None
        self.lines.append(line)
        return line

    def expect(self, pattern, timeout=10.0):
        """Read lines until one matches the regex; return the match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.readline(max(0.01, deadline - time.monotonic()))
            if line is None and self.process.poll() is not None:
                break
            if line is not None and re.search(pattern, line):
                return re.search(pattern, line)
        raise AssertionError(f'server never printed {pattern!r}; output: {self.lines!r}')

    def stop(self):
        """Terminate the server (and its children); return every line it printed."""
        if not self.process.stdout.closed:  # stop() may be called twice
            terminate(self.process)
            while self.readline(5) is not None:  # collect the last lines
                pass
            self.process.stdout.close()
        return self.lines


class _PortClaim:
    """The lock files that claim an offset's ports (see Playground.claim_offset)."""

    def __init__(self):
        self.files = []

    def close(self):
        for file in self.files:
            file.close()


_CLAIMS = []   # offsets claimed by free_offset() for the life of this process
atexit.register(lambda: [claim.close() for claim in _CLAIMS])


class Playground:
    """A playground run by the suite, on its own ports and state folder.

    The launcher's own output goes to <state>/launcher.out and the services' to
    <state>/playground.log: files, not pipes that nobody reads once it is ready.
    """

    def __init__(self, services, state, offset=None, reset=False, exit_with=None):
        self.services, self.state = list(services), pathlib.Path(state)
        self.state.mkdir(parents=True, exist_ok=True)
        self._claim = None
        if offset is None:
            offset, self._claim = self.claim_offset()
        self.offset = offset
        command = [sys.executable, '-m', 'playground', *self.services,
                   '--state', str(self.state), '--port-offset', str(self.offset)]
        if reset:
            command.append('--reset')
        self.out_path = self.state / 'launcher.out'
        with open(self.out_path, 'ab') as out:
            self._skip = out.tell()   # a restart on the same state appends
            if exit_with:   # shared by a test run's processes, it ends with the run: it
                # outlives this process, so no Popen (which would warn, and could not wait)
                command += ['--exit-with', str(exit_with)]
                self.process = _Elsewhere(os.posix_spawn(
                    sys.executable, command, base_env(), setsid=True,
                    file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                  (os.POSIX_SPAWN_DUP2, out.fileno(), 2)]))
            else:
                self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                                cwd=REPO, env=base_env(), start_new_session=True)
        self.env = {'SSL_CERT_FILE': str(self.state / 'ca.pem')}
        self.ca = self.state / 'ca.pem'
        self.table = self._wait_for_table()

    @classmethod
    def free_offset(cls):
        """An offset whose playground ports are all free, kept from every other run of
        the suite for as long as this process lives (see claim_offset)."""
        offset, claim = cls.claim_offset()
        _CLAIMS.append(claim)
        return offset

    @staticmethod
    def claim_offset():
        """(offset, claim): an offset whose playground ports are all free (TCP and UDP),
        and the claim (open lock files, one per port) that keeps every other run of the
        suite off those ports while it is held.

        Free is not enough: two playgrounds that start at the same moment on one
        offset would each find the other's services answering on its ports. And the
        ports are claimed one by one, not the offset: two offsets 300 apart share a
        port (one's 443 is the other's 143), and a playground whose web service found
        its port taken by another's IMAP failed to start (CI, once)."""
        from playground.services import SERVICES
        relative = {rel for service in SERVICES for rel in service.ports.values()}
        folder = pathlib.Path(tempfile.gettempdir())
        for _ in range(200):
            # below 32768, where the kernel picks ephemeral ports for clients
            offset = random.randrange(11000, 31000, 100)
            claim = _PortClaim()
            try:
                for port in sorted(offset + rel for rel in relative):
                    claim.files.append(open(folder / f'fopnp-port-{port}.claim', 'w'))
                    fcntl.flock(claim.files[-1], fcntl.LOCK_EX | fcntl.LOCK_NB)
                    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                        with socket.socket(socket.AF_INET, kind) as sock:
                            sock.bind(('127.0.0.1', port))
            except OSError:
                claim.close()
                continue
            return offset, claim
        raise AssertionError('no free port offset found')

    def output(self):
        """What the launcher has printed (the table, its errors)."""
        with open(self.out_path, 'rb') as out:
            out.seek(self._skip)
            return out.read().decode('utf-8', 'replace')

    def log(self):
        """What the services have written to their log."""
        path = self.state / 'playground.log'
        return path.read_text('utf-8', 'replace') if path.exists() else ''

    def _wait_for_table(self):
        def ready():
            if 'Playground ready.' in self.output():
                return True
            if self.process.poll() is not None:
                raise AssertionError(f'playground exited ({self.process.returncode}) '
                                     f'before it was ready:\n{self.tails()}')
            return False
        try:
            wait_until(ready, START_TIMEOUT, lambda: f'playground not ready:\n{self.tails()}')
        except AssertionError:
            self.stop()
            raise
        return self.output()

    def tails(self, lines=30):
        """The last lines of the launcher's output and of the services' log."""
        def tail(text):
            return '\n'.join(text.splitlines()[-lines:])
        return (f'--- launcher ---\n{tail(self.output())}\n'
                f'--- services\' log ---\n{tail(self.log())}')

    def port(self, relative):
        """The real port of a standard port: playground.port(25) -> offset + 25."""
        return self.offset + relative

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        """Stop it; return (launcher output, services' log)."""
        terminate(self.process, grace=10)
        if self._claim:
            self._claim.close()
        return self.output(), self.log()

    def leave(self):
        """Leave it running for other processes (it ends with the run): keep its offset
        claimed until this process ends."""
        if self._claim:
            _CLAIMS.append(self._claim)
            self._claim = None

    def facts(self):
        """What another process needs to use it (see Playground.attach)."""
        return {'services': self.services, 'state': str(self.state), 'offset': self.offset,
                'pid': self.process.pid, 'skip': self._skip}

    @classmethod
    def attach(cls, facts):
        """A playground that another process of the test run started: the same face,
        its process not ours to stop."""
        self = cls.__new__(cls)
        self.services, self.state = facts['services'], pathlib.Path(facts['state'])
        self.offset, self._skip, self._claim = facts['offset'], facts['skip'], None
        self.out_path = self.state / 'launcher.out'
        self.env = {'SSL_CERT_FILE': str(self.state / 'ca.pem')}
        self.ca = self.state / 'ca.pem'
        self.process = _Elsewhere(facts['pid'])
        self.table = self.output()
        return self


class _Elsewhere:
    """A playground's launcher that outlives this process, or that another test process
    started: poll() as Popen's; terminate() works on its process group."""

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def poll(self):
        try:
            if os.waitpid(self.pid, os.WNOHANG) != (0, 0):   # ours, and it ended
                self.returncode = -1
        except ChildProcessError:   # not ours: is it still there?
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1
        return self.returncode

    def wait(self, timeout=None):
        try:
            wait_until(lambda: self.poll() is not None, timeout or START_TIMEOUT)
        except AssertionError:
            raise subprocess.TimeoutExpired(str(self.pid), timeout) from None
        return self.returncode


class _Transcript:
    """Collects what a pexpect child printed, to show it when a test fails."""

    def __init__(self):
        self.text = ''

    def write(self, data):
        self.text += data

    def flush(self):
        pass

    def __str__(self):
        return self.text


# ---------------------------------------------------------------- bad peers

# Bytes in no protocol: a Telnet IAC, a TLS record header, invalid UTF-8, a NUL,
# and lines that look almost like replies.
GARBAGE = (b'\xff\xfb\x01\x16\x03\x01\x00\x05 \xc3\x28\x80\x81 ???\r\n'
           b'999 \xe9t\xe9 not a protocol \x00\r\n'
           b'HTTP/9.9 garbage\r\n+OX -ERRR * BYE? \xfe\xfe\r\n')


class OneConnectionServer:
    """A server of a test's own, in a thread, for one connection: a subclass sets what
    it needs, then calls this __init__ (the thread starts at once), and writes
    handle(connection). join() waits for it to be done."""

    def __init__(self, listener=None, timeout=20):
        self.listener = listener or socket.create_server(('127.0.0.1', 0))
        self.listener.settimeout(timeout)   # no client in that time: it gives up
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        with self.listener:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
        with connection:
            self.handle(connection)

    def handle(self, connection):
        raise NotImplementedError

    def join(self, timeout=20):
        self.thread.join(timeout)


class BadPeer:
    """A misbehaving server on 127.0.0.1, TCP and UDP on the same port number.

    silent   accepts each connection (reads each datagram) and never answers
    garbage  greets each connection with GARBAGE and answers the client's first
             few messages with more of it (then falls silent, so that a client
             which answers everything cannot ping-pong forever)
    closing  closes each connection as soon as it is accepted; no UDP socket
             (a datagram gets the ICMP "port unreachable" of a closed port)
    """
    KINDS = ('silent', 'garbage', 'closing')
    ANSWERS = 3

    def __init__(self, kind):
        assert kind in self.KINDS, kind
        self.kind = kind
        self.tcp, self.udp = self._bind(udp=kind != 'closing')
        self.host, self.port = self.tcp.getsockname()
        self.connections = 0      # accepted so far (read by tests)
        self.datagrams = 0        # received so far
        self.first_contact = None  # time.monotonic() of the first connection or datagram
        self.contacted = threading.Event()   # set then
        self._answers = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.tcp, selectors.EVENT_READ, self._accept)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        if self.udp:
            self._selector.register(self.udp, selectors.EVENT_READ, self._datagram)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @staticmethod
    def _bind(udp):
        for _ in range(50):   # find a port number free on both TCP and UDP
            tcp = socket.create_server(('127.0.0.1', 0), backlog=64)
            if not udp:
                return tcp, None
            datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                datagrams.bind(tcp.getsockname())
                return tcp, datagrams
            except OSError:
                datagrams.close()
                tcp.close()
        raise AssertionError('no port free on both TCP and UDP')

    def _serve(self):
        while True:
            for key, _ in self._selector.select():
                if key.data is None:
                    return
                key.data(key.fileobj)

    def _accept(self, listener):
        connection, _ = listener.accept()
        self.connections += 1
        self._contact()
        if self.kind == 'closing':
            connection.close()
            return
        connection.setblocking(False)
        self._answers[connection] = self.ANSWERS
        if self.kind == 'garbage':
            self._send(connection)
        self._selector.register(connection, selectors.EVENT_READ, self._read)

    def _contact(self):
        if not self.contacted.is_set():
            self.first_contact = time.monotonic()
            self.contacted.set()

    def _send(self, connection):
        with contextlib.suppress(OSError):
            connection.send(GARBAGE)

    def _read(self, connection):
        try:
            data = connection.recv(65536)
        except OSError:
            data = b''
        if not data:
            self._selector.unregister(connection)
            self._answers.pop(connection, None)
            connection.close()
        elif self.kind == 'garbage' and self._answers[connection] > 0:
            self._answers[connection] -= 1
            self._send(connection)

    def _datagram(self, sock):
        with contextlib.suppress(OSError):
            _, address = sock.recvfrom(65536)
            self.datagrams += 1
            self._contact()
            if self.kind == 'garbage':
                sock.sendto(GARBAGE, address)

    def close(self):
        self._wake_w.send(b'x')
        self._thread.join()
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()
        self._selector.close()
        self._wake_w.close()
