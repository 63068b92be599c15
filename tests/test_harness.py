"""The harness's own tools behave as documented (a test that relies on them can fail)."""
import os
import pathlib
import re
import socket
import subprocess
import sys

import pytest

from harness import GARBAGE, REPO, wait_until


def test_wait_until_returns_the_value_or_fails_with_the_message():
    values = iter([0, None, 'ready'])
    assert wait_until(lambda: next(values), timeout=5) == 'ready'
    with pytest.raises(AssertionError, match='never true'):
        wait_until(lambda: False, timeout=0.1, message=lambda: 'never true')


def test_two_claimed_offsets_never_share_a_port(monkeypatch):
    """Offsets 300 apart share a port (443 + o == 143 + o + 300): while one is claimed,
    the other must be refused, though nothing listens on the shared port yet."""
    import harness
    offset, claim = harness.Playground.claim_offset()   # a free one, wherever it is
    real = harness.random.randrange
    picks = iter([offset + 300])   # then the real random picks
    monkeypatch.setattr(harness.random, 'randrange',
                        lambda *args: next(picks, None) or real(*args))
    try:
        second, other = harness.Playground.claim_offset()
        other.close()
        assert second != offset + 300   # its 143 is the first one's 443
    finally:
        claim.close()


def test_silent_peer_accepts_and_says_nothing(bad_peer):
    peer = bad_peer('silent')
    with socket.create_connection((peer.host, peer.port), timeout=0.3) as sock:
        sock.sendall(b'HELLO\r\n')
        with pytest.raises(TimeoutError):
            sock.recv(1)
    assert peer.connections == 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(0.3)
        udp.sendto(b'hello', (peer.host, peer.port))
        with pytest.raises(TimeoutError):
            udp.recv(1)
    wait_until(lambda: peer.datagrams == 1, message='the datagram never arrived')


def test_garbage_peer_greets_and_answers_with_garbage(bad_peer):
    peer = bad_peer('garbage')
    with socket.create_connection((peer.host, peer.port), timeout=5) as sock:
        greeting = b''
        while len(greeting) < len(GARBAGE):
            greeting += sock.recv(4096)
        assert greeting == GARBAGE
        sock.sendall(b'EHLO\r\n')
        assert sock.recv(4096)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.sendto(b'hello', (peer.host, peer.port))
        assert udp.recv(65536) == GARBAGE


def test_closing_peer_closes_at_once_and_has_no_udp_port(bad_peer):
    peer = bad_peer('closing')
    with socket.create_connection((peer.host, peer.port), timeout=5) as sock:
        assert sock.recv(1) == b''
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.connect((peer.host, peer.port))
        udp.send(b'hello')
        with pytest.raises(ConnectionRefusedError):
            udp.recv(1)


# ---------------------------------------------------------------- a machine without memcached

def path_without(tmp_path, program):
    """A PATH with every program of ours but one: links in a folder of their own."""
    folder = tmp_path / 'bin'
    folder.mkdir()
    for directory in os.environ['PATH'].split(os.pathsep):
        for entry in pathlib.Path(directory).glob('*') if os.path.isdir(directory) else ():
            link = folder / entry.name
            if entry.name != program and not link.exists() and os.access(entry, os.X_OK):
                link.symlink_to(entry)
    return str(folder)


def run_pytest(tmp_path, *args, **env):
    environment = dict(os.environ, **env)
    environment.pop('MEMCACHED', None)
    environment.pop('PYTEST_XDIST_WORKER', None)
    return subprocess.run([sys.executable, '-m', 'pytest', '-n', '0', '-q', '-rs',
                           '-p', 'no:randomly', *args], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.timeout(300)
def test_without_memcached_its_tests_skip_with_the_install_line_and_the_rest_pass(tmp_path):
    """The README's promise for a fresh machine, on a sample of the suite: the start-up
    of the shared playground (without memcached), a test that needs memcached, and
    chapter 8's transcripts (where only the memcached blocks may skip)."""
    env = {'PATH': path_without(tmp_path, 'memcached'), 'CI': ''}
    done = run_pytest(tmp_path,
                      'tests/test_playground.py::test_startup_table_shows_real_addresses_account_and_ca',
                      'tests/test_chapter08.py::test_playground_runs_the_real_memcached',
                      'tests/test_transcripts.py::test_transcripts[chapter08]', **env)
    assert done.returncode == 0, done.stdout + done.stderr
    skips = [line for line in done.stdout.splitlines() if line.startswith('SKIPPED')]
    assert skips and all('memcached is not installed (Debian/Ubuntu: apt-get install '
                         'memcached; macOS: brew install memcached)' in line
                         for line in skips), done.stdout
    assert re.search(r'\b\d+ passed', done.stdout), done.stdout


@pytest.mark.timeout(300)
def test_under_ci_a_missing_memcached_is_a_failure(tmp_path):
    env = {'PATH': path_without(tmp_path, 'memcached'), 'CI': 'true'}
    done = run_pytest(tmp_path, 'tests/test_chapter08.py::test_playground_runs_the_real_memcached',
                      **env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'memcached is not installed' in done.stdout
    assert 'CI must not pass by skipping' in done.stdout
