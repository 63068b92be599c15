"""One lab for all the lab exercises' checkers (chapters 2, 3, 4, 6, 13-17).

A test module imports the fixture and marks its lab checkers:

    from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
        LAB_TIMEOUT, exercise_lab, run_on)

    @pytest.mark.xdist_group('lab-exercises')   # every lab checker on one worker
    @pytest.mark.timeout(LAB_TIMEOUT)            # the first one waits for the lab to start
    @pytest.mark.exercise('chapter02/big_sender.py', 'chapter02/big_sender_path_mtu.py')
    def test_big_sender_path_mtu(solution, check, exercise_lab): ...

Starting a lab costs a second or more of CPU, so the whole test run starts one: the
fixture is session-scoped in each module that imports it, and they all share the lab
started first (by reference counting: the last module's fixture to end stops it). A
checker that leaves state in the lab's kernel (a learned path MTU, a firewall rule)
cleans up, or uses a host that no other checker uses for it. Where the lab cannot run,
the checkers skip with the lab's reason (fail under CI=true: labharness.require_lab).

The helpers run the student's file on a host, with the solution's environment, and turn
a script that never ends into a not-yet message instead of a traceback.
"""
import sys

import pytest

from harness import REPO, Server, _Transcript, listing_env
from labharness import Lab, require_lab

LAB_TIMEOUT = 150     # seconds for a checker, the lab's start included (a hang guard)
SERVICES = ['web', 'smtp', 'pop', 'imap', 'ftp', 'ssh']   # what the checkers use
SERVER, SERVER_ADDRESS = 'example.com', '192.0.2.10'
MODEM_OUTSIDE = '198.51.100.2'    # every home host, as the world sees it
CAFE = '198.51.100.50'            # a host with a public address of its own

_shared = {'users': 0}


@pytest.fixture(scope='session')
def exercise_lab(tmp_path_factory):
    """The test run's lab for exercises (see the module docstring)."""
    require_lab()
    if 'failed' in _shared:
        pytest.fail(_shared['failed'], pytrace=False)
    if 'lab' not in _shared:
        try:
            _shared['lab'] = Lab(tmp_path_factory.mktemp('exercise-lab'), services=SERVICES)
        except AssertionError as e:   # it did not start: say so once, and for every checker
            _shared['failed'] = str(e)
            raise
    _shared['users'] += 1
    try:
        yield _shared['lab']
    finally:
        _shared['users'] -= 1
        if not _shared['users']:
            _shared.pop('lab').stop()


def _command(lab, host, solution, args):
    return lab.command(host, sys.executable, solution.script, *args)


def run_on(lab, check, host, solution, *args, timeout=30):
    """Run the student's file on a lab host to its end -> harness.Result."""
    try:
        return lab.run(host, sys.executable, solution.script, *args, timeout=timeout,
                       env=solution.env)
    except AssertionError:   # labharness's "timed out"
        check.that(False, '', f'on the {host}, `{" ".join(map(str, args))}`: your script was '
                   f'still running after {timeout} seconds; it should end by itself')


def serve_on(lab, check, host, solution, *args):
    """Start the student's server on a lab host; wait for its ready line (harness.Server)."""
    try:
        return Server(_command(lab, host, solution, args), REPO,
                      listing_env(**lab.env, **solution.env))
    except AssertionError as e:
        check.that(False, '', f'on {host}, the server `{" ".join(map(str, args))}` never '
                   f'printed its ready line (Listening at ...): {e}')


def spawn_on(lab, host, solution, *args, timeout=20):
    """The student's file on a lab host, through a pseudo-terminal (pexpect)."""
    import pexpect
    command = _command(lab, host, solution, args)
    child = pexpect.spawn(command[0], command[1:], cwd=str(REPO), timeout=timeout,
                          env=listing_env(**lab.env, **solution.env), encoding='utf-8',
                          codec_errors='replace')
    child.logfile_read = _Transcript()
    return child


def printed(text, limit=600):
    """What a script printed, for a not-yet message: its last `limit` characters."""
    text = text.strip()
    return repr(text if len(text) <= limit else '...' + text[-limit:])
