"""Fixtures of the test harness; the machinery lives in harness.py (see its docstring)."""
import fcntl
import json
import os
import sys
import tempfile

import pytest

from bad_peers import Campaign
from harness import (BadPeer, Playground, Server, _Transcript, listing_env, require_binary,
                     run_listing, script_path)


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


def run_folder(tmp_path_factory):
    """The temporary folder that every process of this test run shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base


@pytest.fixture(scope='session')
def shared_playgrounds(tmp_path_factory):
    """The shared playgrounds, each started at first use:
    'all'   every service this machine can run, for tests that only read: one for the
            whole test run, started by whichever process asks first, used by all;
    'mail'  smtp, pop and imap, where tests deliver and delete mail (so that the
            seeded mailboxes of 'all' stay as seeded for the tests that count them):
            one per test process, since a test's mailbox must not change under it.
    A test that changes state in any other way takes fresh_playground. Under xdist
    'all' ends with the run (--exit-with the controller's pid), since the other
    workers may still use it when its starter's session ends."""
    controller = os.getppid() if os.environ.get('PYTEST_XDIST_WORKER') else None
    mine = []

    def get(kind):
        from playground.__main__ import unavailable
        from playground.services import SERVICES
        folder = run_folder(tmp_path_factory) if kind == 'all' else tmp_path_factory.getbasetemp()
        with open(folder / f'playground-{kind}.claim', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)   # one process starts it; the others wait
            facts = folder / f'playground-{kind}.json'
            if facts.exists():
                found = Playground.attach(json.loads(facts.read_text()))
                if found.alive():
                    return found
                # it died: the test that saw it failed; start another
            names = ['smtp', 'pop', 'imap'] if kind == 'mail' else [
                s.name for s in SERVICES if not unavailable(s)]
            started = Playground(names, tempfile.mkdtemp(prefix=f'playground-{kind}-',
                                                         dir=folder),
                                 exit_with=controller if kind == 'all' else None)
            mine.append((kind, started))
            facts.write_text(json.dumps(started.facts()))
            return started
    yield get
    for kind, each in mine:
        if kind != 'all' or controller is None:   # ours alone: stop it now
            each.stop()
        else:
            each.leave()


@pytest.fixture
def playground(shared_playgrounds):
    """playground('web', 'dns') -> one of the worker's running Playgrounds: the one where
    mail is delivered when 'smtp' is asked for, else the read-only one with every service.
    A test that needs memcached skips when it is missing (and fails under CI)."""
    def get(*services):
        if 'memcached' in services:
            require_binary('memcached')
        return shared_playgrounds('mail' if 'smtp' in services else 'all')
    return get


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


# ---------------------------------------------------------------- the bad-peer campaign

BAD_PEER_TEST = 'test_client_against_a_bad_peer'


def pytest_collection_modifyitems(items):
    """The bad-peer tests last: by then the campaign, started at the first test, is done."""
    items.sort(key=lambda item: item.originalname == BAD_PEER_TEST)


@pytest.fixture(scope='session', autouse=True)
def bad_peer_campaign(request, tmp_path_factory):
    """The run's bad-peer campaign (bad_peers.py), started at this process's first test
    so that it goes on while the other tests run; the first process runs it, every
    process reads its results."""
    cases = [(item.callspec.params['client'], item.callspec.params['kind'])
             for item in request.session.items if item.originalname == BAD_PEER_TEST]
    base = tmp_path_factory.getbasetemp()
    campaign = Campaign(base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base, cases)
    campaign.start()
    return campaign


# ---------------------------------------------------------------- exercises (tests/exercises)

def pytest_addoption(parser):
    parser.addoption('--solution', metavar='FILE',
                     help='check your solution of one exercise: python -m pytest tests/exercises '
                          '-k NAME --solution FILE (each chapter README gives the command)')


def pytest_terminal_summary(terminalreporter, config):
    """For a student's check: what works and what does not yet, in plain words."""
    if not config.getoption('solution'):
        return
    for outcome in ('passed', 'failed'):
        for report in terminalreporter.stats.get(outcome, []):
            works = dict(getattr(report, 'user_properties', ())).get('works')
            if works is None or report.when != 'call':
                continue
            terminalreporter.section(f'{config.getoption("solution")}: '
                                     f'{report.nodeid.split("::")[-1].split("[")[0]}')
            for line in works:
                terminalreporter.line(f'  works:    {line}')
            if outcome == 'failed':
                message = str(report.longrepr).strip().splitlines()[-1]
                terminalreporter.line(f'  not yet:  {message.removeprefix("Not yet: ")}')
            else:
                terminalreporter.line('  Done: everything the exercise asks for works.')
