"""Fixtures of the test harness; the machinery lives in harness.py (see its docstring)."""
import shutil
import sys
import tempfile

import pytest

from harness import (BadPeer, Playground, Server, _Transcript, listing_env, run_listing,
                     script_path)


@pytest.fixture
def run(tmp_path):
    """run(script, *args, input=None, timeout=30, env={}, cwd=None) -> Result;
    the listing runs in a temp folder, with warnings as errors."""
    def run(script, *args, input=None, timeout=30, env=None, cwd=None):
        return run_listing(script, *args, cwd=cwd or tmp_path, input=input,
                           timeout=timeout, env=env)
    return run


@pytest.fixture
def server(tmp_path):
    """server(script, *args, env={}) -> Server; give '-p', '0' to get a free port."""
    started = []

    def start(script, *args, env=None):
        command = [sys.executable, script_path(script), *map(str, args)]
        started.append(Server(command, tmp_path, listing_env(**(env or {}))))
        return started[-1]
    yield start
    for each in started:
        each.stop()


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
                              cwd=str(tmp_path), env=listing_env(**(env or {})),
                              timeout=timeout, encoding='utf-8', codec_errors='replace')
        child.logfile_read = _Transcript()
        children.append(child)
        return child
    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)
        child.close()


@pytest.fixture
def bad_peer():
    """bad_peer('silent' | 'garbage' | 'closing') -> a running BadPeer (.host, .port)."""
    peers = []

    def start(kind):
        peers.append(BadPeer(kind))
        return peers[-1]
    yield start
    for peer in peers:
        peer.close()
