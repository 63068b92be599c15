"""One lab for all the lab exercises' checkers (chapters 2, 3, 4, 6, 7, 13-17).

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
import dataclasses
import struct
import sys

import pytest

from harness import ACCOUNT, REPO, Server, _Transcript, listing_env
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


@dataclasses.dataclass
class Session:
    """What an interactive script did on a lab host, as converse_on() saw it."""
    status: int      # its exit status (None when it never ended)
    text: str        # all it printed, prompts and the lines after them (CR LF as LF)
    asked: int       # how many times it asked for a password

    def ok(self):
        return self.status == 0 and 'Traceback' not in self.text


def converse_on(lab, host, solution, *args, timeout=30):
    """Run the student's file on a lab host through a pseudo-terminal, typing the
    playground's password at each password prompt (three at most), until it ends (or
    `timeout` s of silence)."""
    import pexpect
    child = spawn_on(lab, host, solution, *args, timeout=timeout)
    asked, hung = 0, False
    while True:
        found = child.expect([r'[Pp]assword[^\r\n]*: ', pexpect.EOF, pexpect.TIMEOUT])
        if found == 0 and asked < 3:
            asked += 1
            child.sendline(ACCOUNT[1])
        else:
            hung = found != 1
            break
    child.close(force=True)
    return Session(None if hung else child.exitstatus,
                   child.logfile_read.text.replace('\r\n', '\n'), asked)


def tcp_segments(pcap, port):
    """The TCP segments to or from `port` in a pcap file of Ethernet frames (as `lab
    capture` writes): (source address, source port, flags, payload) in order."""
    data, found, offset = pcap.read_bytes(), [], 24   # after the file's header
    while offset + 16 <= len(data):
        length = struct.unpack_from('<I', data, offset + 8)[0]
        frame, offset = data[offset + 16:offset + 16 + length], offset + 16 + length
        if len(frame) < 34 or frame[12:14] != b'\x08\x00' or frame[23] != 6:   # IPv4, TCP
            continue
        ip = frame[14:]
        total, header = struct.unpack_from('!H', ip, 2)[0], (ip[0] & 0x0f) * 4
        tcp = ip[header:total]
        if len(tcp) < 20:   # cut short
            continue
        source, destination = struct.unpack_from('!HH', tcp)
        if port in (source, destination):
            found.append(('.'.join(map(str, ip[12:16])), source, tcp[13],
                          tcp[(tcp[12] >> 4) * 4:]))
    return found
