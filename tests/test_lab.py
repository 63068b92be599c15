"""The lab (playground/lab): starting, stopping, killing it, two at once, without root,
and where it cannot run.  Its lessons are in test_lab_lessons.py.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

from harness import REPO, base_env
from labharness import Lab, lab_command, require_lab, stopped_cleanly, unprivileged_prefix

pytestmark = pytest.mark.timeout(180)

SERVER = 'example.com'


def sixteen(lab, host, address):
    return lab.listing(host, 'chapter03/tcp_sixteen.py', 'client', address)


@pytest.fixture
def new_lab(tmp_path):
    """new_lab(**options) -> a Lab of the test's own, stopped (and checked) at the end."""
    started = []

    def start(folder=None, **options):
        require_lab()
        started.append(Lab(folder or tmp_path / f'lab{len(started)}', **options))
        return started[-1]
    yield start
    for each in started:
        each.stop()
        each.wait_until_gone()


def test_run_without_a_running_lab_says_how_to_start_one():
    done = subprocess.run(lab_command('--name', 'nobody-started-this', 'run', 'laptop', 'true'),
                          capture_output=True, text=True, cwd=REPO, env=base_env(), timeout=30)
    assert done.returncode == 1
    assert done.stderr == ("lab: no lab named 'nobody-started-this' is running; start one "
                           'with python -m playground lab --name nobody-started-this\n')


def test_the_picture_in_the_readme_comes_from_the_topology():
    from playground.lab import picture
    path = pathlib.Path(picture.DEFAULT)
    assert path.read_text(encoding='utf-8') == picture.svg(), (
        f'{path} is out of date: run python -m playground lab picture')
    assert path.relative_to(REPO).as_posix() in (REPO / 'README.md').read_text()


# ---------------------------------------------------------------- stopping, and what is left

def test_ctrl_c_stops_the_lab_and_leaves_nothing(new_lab):
    lab = new_lab()
    server = lab.server(SERVER, 'chapter03/tcp_sixteen.py', 'server', '0.0.0.0')
    assert len(lab.leftovers()) > 10  # the playground's servers, and ours
    output = lab.stop(signal.SIGINT)
    assert lab.process.returncode == 0 and stopped_cleanly(output), output
    server.process.wait(10)  # `lab run` ends with its command (and we reap it)
    server.stop()
    lab.wait_until_gone()


def test_sigkill_of_the_lab_leaves_nothing(new_lab):
    lab = new_lab(services=())
    assert 'Services on example.com: none (--no-services)' in lab.banner
    server = lab.server('laptop', 'chapter02/udp_broadcast.py', 'server', '203.0.113.255')
    lab.stop(signal.SIGKILL)
    assert lab.process.returncode == -signal.SIGKILL
    server.process.wait(10)
    server.stop()
    lab.wait_until_gone()


def test_when_the_lab_dies_inside_the_foreground_process_says_so(new_lab):
    lab = new_lab(services=())
    os.kill(lab.pid, signal.SIGKILL)  # the lab's PID 1: the kernel ends the rest
    lab.process.wait(15)
    output = lab.stop()
    assert lab.process.returncode == 1
    assert output.splitlines()[-1] == 'lab: the lab stopped unexpectedly'
    lab.wait_until_gone()


def test_two_labs_side_by_side_do_not_meet(new_lab):
    one, two = new_lab(services=()), new_lab(services=())
    server = one.server(SERVER, 'chapter03/tcp_sixteen.py', 'server', '0.0.0.0')
    try:
        assert 'Farewell' in sixteen(one, 'laptop', SERVER).ok()
        sixteen(two, 'laptop', SERVER).fails('Connection refused')  # not in the other lab
        other = two.server(SERVER, 'chapter03/tcp_sixteen.py', 'server', '0.0.0.0')
        assert 'Farewell' in sixteen(two, 'laptop', SERVER).ok()  # the same port, twice
        other.stop()
    finally:
        server.stop()
    again = subprocess.run(lab_command('--name', one.name, '--state', one.state), cwd=REPO,
                           capture_output=True, text=True, env=base_env(), timeout=30)
    assert again.returncode == 1
    assert f"lab: a lab named '{one.name}' is already running" in again.stderr


# ---------------------------------------------------------------- without root, or without a lab

def test_an_unprivileged_user_starts_and_uses_the_lab(new_lab):
    prefix = unprivileged_prefix()
    if prefix is None:   # we are not root: every lab of this run proves it already
        prefix, folder = [], None
    else:
        folder = pathlib.Path(tempfile.mkdtemp(prefix='fopnp-lab-'))
        folder.chmod(0o755)
        os.chown(folder, 65534, 65534)
    try:
        lab = new_lab(folder=folder, prefix=prefix, services=())
        status = pathlib.Path(f'/proc/{lab.pid}/status').read_text()
        uid = re.search(r'^Uid:\s+(\d+)', status, re.M)[1]
        assert int(uid) == (65534 if prefix else os.getuid()) != 0, status
        code = 'import os, socket; print(socket.gethostname(), os.getuid())'
        run = subprocess.run([*prefix, *lab.command('laptop', sys.executable, '-c', code)],
                             cwd=REPO, env=base_env(**lab.env), capture_output=True, text=True,
                             timeout=30)
        assert run.stdout == 'laptop 0\n', run  # root inside the lab, and only there
        lab.stop()
        lab.wait_until_gone()
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def test_without_user_namespaces_the_lab_says_why_in_one_line(tmp_path):
    require_lab()
    # A user namespace whose own limit allows no more of them: the kernel refuses
    # unshare there exactly as on a machine where they are switched off.
    script = ('echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"')
    done = subprocess.run(['unshare', '--user', '--map-root-user', 'sh', '-c', script, 'sh',
                           *lab_command('--name', 'no-userns', '--state', tmp_path / 'lab')],
                          capture_output=True, text=True, cwd=REPO, env=base_env(), timeout=30)
    assert done.returncode == 1
    assert done.stderr == ('lab: cannot start: user namespaces are switched off '
                           '(user.max_user_namespaces = 0); as root: '
                           'sysctl -w user.max_user_namespaces=10000\n')
    assert done.stdout == ''


def test_without_nft_the_lab_says_what_to_install(tmp_path):
    done = subprocess.run(lab_command('check'), capture_output=True, text=True, cwd=REPO,
                          env=base_env(NFT=str(tmp_path / 'no-nft')), timeout=30)
    assert done.returncode == 1
    assert done.stderr.startswith('lab: cannot start: nft is not installed; install nftables')


def test_off_linux_the_lab_says_so_and_the_loopback_chapters_need_none():
    code = ('import sys; sys.platform = "darwin"; from playground.lab.cli import main; '
            'main(["check"])')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          cwd=REPO, env=base_env(), timeout=30)
    assert done.returncode == 1
    assert done.stderr == ("lab: cannot start: the lab needs Linux's network namespaces, "
                           'and this is macOS; run it in a Linux virtual machine '
                           '(the loopback chapters need no lab)\n')


@pytest.mark.bench
def test_the_lab_is_ready_within_two_seconds(new_lab):
    import time
    began = time.monotonic()
    new_lab()
    assert time.monotonic() - began < 2.0
