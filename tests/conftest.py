"""The test harness: run listings as a reader would, on loopback, and always clean up.

Fixtures (all ports are chosen at run time, so nothing collides with a
running playground, another test, or a second run of the suite):

    run(script, *args)        run a listing to completion; returns Result
    server(script, *args)     start a server listing, wait for its ready line
    playground(*services)     a playground with a free --port-offset and a temp state,
                              shared by the tests of a session that ask for the same services
    fresh_playground(*services, state=, reset=)
                              a private playground, stopped when the test ends
    spawn(script, *args)      drive an interactive listing through a pty (pexpect)

Helpers: closed_port(), free_port(), require_binary(name).
"""
import contextlib
import dataclasses
import os
import pathlib
import queue
import random
import re
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


# ---------------------------------------------------------------- helpers

def base_env(**extra):
    """The environment of every child: unbuffered, able to import playground."""
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONPATH=str(REPO),
               PYTHONWARNINGS=os.environ.get('PYTHONWARNINGS', ''))
    env.pop('SSL_CERT_FILE', None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


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
    """Skip when a program is missing, unless under CI, where that is a failure."""
    path = shutil.which(name) or next(
        (str(p) for p in (pathlib.Path('/usr/sbin') / name, pathlib.Path('/usr/bin') / name)
         if p.exists()), None)
    if path is None:
        reason = f'{name} is not installed (apt-get install {package or name})'
        if os.environ.get('CI'):
            pytest.fail(reason + '; CI must not pass by skipping')
        pytest.skip(reason)
    return path


def wait_for_port(port, host='127.0.0.1', timeout=START_TIMEOUT, process=None):
    """Poll until a TCP port accepts a connection; fail if the process dies first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise AssertionError(f'process exited with {process.returncode} '
                                     f'before port {port} opened')
            if time.monotonic() > deadline:
                raise AssertionError(f'nothing accepted connections on {host}:{port} '
                                     f'within {timeout} s')
            time.sleep(0.02)


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


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def run(tmp_path):
    """run(script, *args, input=None, timeout=30, env={}) -> Result, cwd in a temp folder."""
    def run(script, *args, input=None, timeout=30, env=None, cwd=None):
        command = [sys.executable, script_path(script), *map(str, args)]
        try:
            done = subprocess.run(command, input=input, capture_output=True, text=True,
                                  timeout=timeout, cwd=cwd or tmp_path,
                                  env=base_env(**(env or {})), start_new_session=True)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f'command timed out after {timeout} s: '
                                 f'{" ".join(command)}\nstdout so far: {exc.stdout!r}\n'
                                 f'stderr so far: {exc.stderr!r}') from None
        return Result(command, done.returncode, done.stdout, done.stderr)
    return run


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


@pytest.fixture
def server(tmp_path):
    """server(script, *args, env={}) -> Server; give '-p', '0' to get a free port."""
    started = []

    def start(script, *args, env=None):
        command = [sys.executable, script_path(script), *map(str, args)]
        started.append(Server(command, tmp_path, base_env(**(env or {}))))
        return started[-1]
    yield start
    for each in started:
        each.stop()


class Playground:
    """A playground run by the suite, on its own ports and state folder."""

    def __init__(self, services, state, offset=None, reset=False):
        self.services, self.state = list(services), pathlib.Path(state)
        self.offset = offset or self.free_offset()
        command = [sys.executable, '-m', 'playground', *self.services,
                   '--state', str(self.state), '--port-offset', str(self.offset)]
        if reset:
            command.append('--reset')
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=REPO,
                                        env=base_env(), start_new_session=True)
        self.table = self._read_table()
        self.env = {'SSL_CERT_FILE': str(self.state / 'ca.pem')}
        self.ca = self.state / 'ca.pem'

    @staticmethod
    def free_offset():
        """An offset whose playground ports are all free (TCP and UDP)."""
        from playground.services import SERVICES
        relative = {rel for service in SERVICES for rel in service.ports.values()}
        for _ in range(200):
            # below 32768, where the kernel picks ephemeral ports for clients
            offset = random.randrange(11000, 31000, 100)
            try:
                for rel in relative:
                    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                        with socket.socket(socket.AF_INET, kind) as sock:
                            sock.bind(('127.0.0.1', offset + rel))
            except OSError:
                continue
            return offset
        raise AssertionError('no free port offset found')

    def _read_table(self):
        lines, deadline = [], time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                err = self.process.stderr.read()
                self.process.wait()
                raise AssertionError(f'playground exited ({self.process.returncode}) '
                                     f'before it was ready:\n{"".join(lines)}{err}')
            lines.append(line)
            if line.startswith('Playground ready.'):
                return ''.join(lines)
        self.stop()
        raise AssertionError(f'playground not ready in {START_TIMEOUT} s:\n{"".join(lines)}')

    def port(self, relative):
        """The real port of a standard port: playground.port(25) -> offset + 25."""
        return self.offset + relative

    def stop(self):
        terminate(self.process, grace=10)
        out, err = self.process.communicate()
        return out, err


@pytest.fixture(scope='session')
def playground_factory():
    """Session-wide playgrounds, one per set of services, shared by the tests."""
    running, folders = {}, []

    def get(*services):
        key = tuple(sorted(services))
        if key not in running or running[key].process.poll() is not None:
            if key in running:
                running[key].stop()  # it died: close its pipes before replacing it
            folders.append(tempfile.mkdtemp(prefix='playground-'))
            running[key] = Playground(services, folders[-1])
        return running[key]
    yield get
    for each in running.values():
        each.stop()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def playground(playground_factory):
    """playground('web', 'dns') -> a running Playground (shared within the session)."""
    return playground_factory


@pytest.fixture
def fresh_playground(tmp_path):
    """fresh_playground('smtp', 'pop', reset=False, state=None) -> a private Playground,
    stopped at the end of the test; for tests that restart or reset it."""
    started = []

    def start(*services, state=None, reset=False, offset=None):
        started.append(Playground(services, state or tmp_path / 'state', offset, reset))
        return started[-1]
    yield start
    for each in started:
        each.stop()


@pytest.fixture
def spawn(tmp_path):
    """spawn(script, *args, env={}, timeout=10) -> pexpect child on a pseudo-terminal."""
    import pexpect
    children = []

    def start(script, *args, env=None, timeout=10):
        child = pexpect.spawn(sys.executable, [script_path(script), *map(str, args)],
                              cwd=str(tmp_path), env=base_env(**(env or {})),
                              timeout=timeout, encoding='utf-8', codec_errors='replace')
        child.logfile_read = _Transcript()
        children.append(child)
        return child
    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)
        child.close()


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


