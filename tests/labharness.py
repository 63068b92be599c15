"""Labs for the tests: start one, run listings on its hosts, stop it, check it left nothing.

    lab = Lab(folder)                    python -m playground lab, on a name and state
                                         folder of its own; waits for its ready line
                                         (services=[...]: only those on example.com;
                                         services=(): none, a quicker lab)
    lab.run('laptop', 'hostname')        a command on a host -> harness.Result
    lab.listing('laptop', 'chapter02/big_sender.py', 'example.com')
                                         a listing on a host, warnings as errors
    lab.server('example.com', 'chapter03/tcp_sixteen.py', 'server', '0.0.0.0')
                                         a server listing on a host: harness.Server
    lab.spawn('laptop', 'chapter14/popconn.py', ...)
                                         an interactive listing through a pty (pexpect)
    lab.stop(signal.SIGINT)              stop it as Ctrl-C does; returns what it printed
    lab.leftovers()                      processes still in the lab's user namespace

require_lab() skips a test where the lab cannot run (with the lab's own one-line
reason), except under CI=true, where that is a failure.  Every lab has its own
name, so labs of parallel tests (and a reader's own lab) never meet.
"""
import itertools
import os
import pathlib
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from harness import (REPO, START_TIMEOUT, Result, Server, _Transcript, base_env, listing_env,
                     script_path, wait_until)

_numbers = itertools.count()


def require_lab():
    """Skip when the lab cannot run on this machine (fail under CI), with the lab's reason."""
    from playground.lab.cli import why_not
    reason = why_not()
    if reason:
        if os.environ.get('CI'):
            pytest.fail(f'the lab cannot run here: {reason}; CI must not pass by skipping')
        pytest.skip(f'the lab cannot run here: {reason}')


def unprivileged_prefix():
    """A command prefix that runs the rest as user nobody, or None when we are not root
    (then every lab of the suite is an unprivileged user's already).

    Nobody must reach this Python, its environment and this checkout, which may
    live under a folder only root may enter (pyenv's /root/.pyenv, say). So the
    command runs in a mount namespace of its own where each such folder is
    covered by an empty one, open to all, into which just those trees are bound
    again: the machine itself is not changed."""
    if os.geteuid() != 0:
        return None
    needed = {pathlib.Path(path).resolve() for path in
              (sys.base_prefix, sys.prefix, pathlib.Path(sys.executable).resolve().parent, REPO)}
    closed = set()
    for path in needed:
        for folder in [*reversed(path.parents), path]:   # the outermost first
            if not folder.stat().st_mode & 0o001:
                closed.add(folder)
                break
    lines = ['set -e', 'stash=$(mktemp -d)']
    for number, folder in enumerate(sorted(closed)):
        lines += [f'mkdir "$stash/{number}"', f'mount --bind {shlex.quote(str(folder))} "$stash/{number}"',
                  f'mount -t tmpfs -o mode=755 lab-test {shlex.quote(str(folder))}']
        for path in sorted(p for p in needed if p == folder or folder in p.parents):
            inside = shlex.quote(str(path.relative_to(folder)))
            lines += [f'mkdir -p {shlex.quote(str(path))}',
                      f'mount --bind "$stash/{number}/"{inside} {shlex.quote(str(path))}']
    lines.append('exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"')
    return ['unshare', '--mount', 'sh', '-c', '\n'.join(lines), 'sh']


def lab_command(*args):
    return [sys.executable, '-m', 'playground', 'lab', *map(str, args)]


class Lab:
    """A lab started by the suite (see the module docstring)."""

    def __init__(self, folder, name=None, prefix=(), env=None, services=None):
        self.name = name or f'test-{os.getpid()}-{next(_numbers)}-{uuid.uuid4().hex[:6]}'
        self.state = pathlib.Path(folder) / 'lab'
        self.env = {'FOPNP_LAB': self.name, 'SSL_CERT_FILE': str(self.state / 'ca.pem')}
        chosen = [] if services is None else ['--services', ','.join(services)]
        command = [*prefix, *lab_command('--name', self.name, '--state', self.state, *chosen)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, cwd=REPO,
                                        env=base_env(**(env or {})), start_new_session=True)
        self._lines, self._queue = [], queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.banner = self._wait_until_ready()
        self.pid = self._first_process()
        self.userns = os.readlink(f'/proc/{self.pid}/ns/user')

    def _pump(self):
        for line in self.process.stdout:
            self._queue.put(line.rstrip('\n'))
        self._queue.put(None)

    def _readline(self, timeout):
        """The lab's next line of output, or None at its end or after `timeout` s."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self._queue.put(None)
        else:
            self._lines.append(line)
        return line

    def _wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while (line := self._readline(max(0.01, deadline - time.monotonic()))) is not None:
            if line.startswith('Lab ready'):
                return '\n'.join(self._lines)
        self.process.kill()
        self.process.wait()
        raise AssertionError('the lab did not start:\n' + '\n'.join(self._lines))

    def _first_process(self):
        """The lab's PID 1, as this machine numbers it: unshare's child."""
        unshare = int(pathlib.Path(f'/proc/{self.process.pid}/task/{self.process.pid}/children')
                      .read_text().split()[0])
        return int(pathlib.Path(f'/proc/{unshare}/task/{unshare}/children').read_text().split()[0])

    # ------------------------------------------------------------ running things on hosts

    def command(self, host, *argv):
        return lab_command('--name', self.name, 'run', host, '--', *map(str, argv))

    def run(self, host, *argv, timeout=30, input=None, env=None, cwd=None):
        """Run a command on a host to completion (as `lab run` does); return a Result."""
        command = self.command(host, *argv)
        try:
            done = subprocess.run(command, input=input, capture_output=True, text=True,
                                  timeout=timeout, cwd=cwd or REPO, start_new_session=True,
                                  env=listing_env(**{**self.env, **(env or {})}))
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f'timed out after {timeout} s: {" ".join(command)}\n'
                                 f'{exc.stdout!r}\n{exc.stderr!r}') from None
        return Result(command, done.returncode, done.stdout, done.stderr)

    def listing(self, host, script, *args, **options):
        return self.run(host, sys.executable, script_path(script), *args, **options)

    def server(self, host, script, *args, cwd=None):
        """Start a server listing on a host; wait for its ready line (harness.Server)."""
        command = self.command(host, sys.executable, script_path(script), *args)
        return Server(command, cwd or REPO, listing_env(**self.env))

    def capture(self, *args):
        """`lab capture ARGS` in the background, once it records (see Background)."""
        return Background(lab_command('--name', self.name, 'capture', *args),
                          listing_env(**self.env), 'Recording ')

    def spawn(self, host, script, *args, timeout=20):
        """An interactive listing on a host, through a pseudo-terminal (pexpect)."""
        import pexpect
        command = self.command(host, sys.executable, script_path(script), *args)
        child = pexpect.spawn(command[0], command[1:], cwd=str(REPO), timeout=timeout,
                              env=listing_env(**self.env), encoding='utf-8')
        child.logfile_read = _Transcript()
        return child

    # ------------------------------------------------------------ stopping, and what remains

    def leftovers(self):
        """The processes of this machine that are still inside the lab's user namespace."""
        found = []
        for entry in pathlib.Path('/proc').glob('[0-9]*'):
            try:
                if os.readlink(entry / 'ns' / 'user') == self.userns:
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def stop(self, signum=signal.SIGINT, timeout=15):
        """Signal the lab's foreground process (SIGINT: Ctrl-C); return all it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        while self._readline(5) is not None:
            pass
        self.process.stdout.close()
        return '\n'.join(self._lines)

    def wait_until_gone(self, timeout=10):
        wait_until(lambda: not self.leftovers(), timeout,
                   lambda: f'processes left in the lab\'s namespaces: {self.describe()}')

    def describe(self):
        names = []
        for pid in self.leftovers():
            try:
                names.append(f'{pid} ' + pathlib.Path(f'/proc/{pid}/cmdline').read_bytes()
                             .replace(b'\0', b' ').decode(errors='replace'))
            except OSError:
                continue
        return names


class Background(Server):
    """A command in the background whose first line starting with `ready` says it works.

    harness.Server, less its wait for a listing's ready line: expect(), readline()
    and stop() (which ends its whole process group and returns every line)."""

    def __init__(self, command, env, ready, cwd=REPO):
        self.command, self.lines = command, []
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, cwd=cwd,
                                        env=env, start_new_session=True)
        self._queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.expect('^' + re.escape(ready), START_TIMEOUT)


def stopped_cleanly(output):
    """Did the lab say goodbye as it does on Ctrl-C?"""
    return re.search(r'^Stopping the lab\.$', output, re.M) is not None
