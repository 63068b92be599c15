"""Check that the transcripts in the chapter READMEs are what the commands print today.

A transcript is a fenced block marked ```console in chapterNN/README.md:

    $ python chapter03/tcp_sixteen.py server &
    Listening at ('127.0.0.1', 1060)
    ...
    $ python chapter03/tcp_sixteen.py client
    Client has been assigned socket name ('127.0.0.1', ...)

Rules:
- A line starting with '$ ' is a command, run by bash from a scratch folder
  that links to the chapter folders; 'python' means the running interpreter.
  Pipes, redirections and VAR=value prefixes work as in a terminal.
- The lines after a command are its expected output (stdout and stderr, as a
  terminal shows them).  A line '...' stands for any number of lines, and
  '...' inside a line for any text (an ephemeral port, a date).
- A command ending in ' &' is a server: it runs in the background until the
  block ends; the block waits for its first line (the ready line) before
  going on, and its expected lines are checked against all it printed.
- Playground ports (10080, 10025, ...) and the '.playground/' folder are
  mapped to the test playground's, which runs every service: in the command
  text, and beneath Python listings that connect to a playground port by
  default (tests/portmap/sitecustomize.py); SSL_CERT_FILE points at its CA,
  as the README tells readers to export.
- Carriage returns act as on a terminal: a progress counter that rewrites
  its line shows only its last state.
- A block right after the comment <!-- transcript: not checked (reason) -->
  is left alone: use it only for interactive sessions that a test drives.
"""
import os
import pathlib
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
PORTMAP = pathlib.Path(__file__).resolve().parent / 'portmap'  # see its sitecustomize.py
BLOCK = re.compile(r'(<!--\s*transcript:[^>]*-->\s*\n)?```console\n(.*?)```', re.S)
COMMAND_TIMEOUT = 60


def blocks(readme):
    """Yield (line number, text) of each checked console block of a README."""
    text = readme.read_text(encoding='utf-8')
    for match in BLOCK.finditer(text):
        if match.group(1) and 'not checked' in match.group(1):
            continue
        yield text.count('\n', 0, match.start(2)) + 1, match.group(2)


def parse(block):
    """Split a block into [(command, [expected lines])]."""
    steps = []
    for line in block.splitlines():
        if line.startswith('$ '):
            steps.append((line[2:].strip(), []))
        elif steps:
            steps[-1][1].append(line.rstrip())
        elif line.strip():
            raise ValueError(f'output before any command: {line!r}')
    return steps


def matches(expected, actual):
    """Do the actual lines fit the expected ones, with '...' as a wildcard?"""
    pattern = ''
    for line in expected:
        if line.strip() == '...':
            pattern += r'(?:[^\n]*\n)*?'
        else:
            pattern += '.*?'.join(map(re.escape, line.split('...'))) + r'[ \t]*\n'
    text = ''.join(line.rstrip() + '\n' for line in actual)
    return re.fullmatch(pattern, text, re.S) is not None


class Runner:
    """Runs the commands of one block against a playground."""

    def __init__(self, workdir, playground, relative_ports):
        self.workdir = pathlib.Path(workdir)
        self.playground = playground
        for chapter in REPO.glob('chapter[0-9][0-9]'):
            link = self.workdir / chapter.name
            if not link.exists():
                link.symlink_to(chapter, target_is_directory=True)
        self.to_real = {str(10000 + rel): str(playground.port(rel))
                        for rel in relative_ports}
        self.env = dict(os.environ, PYTHONUNBUFFERED='1',
                        PYTHONPATH=os.pathsep.join([str(PORTMAP), str(REPO)]),
                        FOPNP_PORT_MAP=','.join(f'{a}={b}' for a, b in self.to_real.items()),
                        SSL_CERT_FILE=str(playground.state / 'ca.pem'),
                        COLUMNS='80', TERM='dumb')
        self.background = []

    def translate(self, command):
        """Readme command -> command to run: interpreter, ports, state folder."""
        command = re.sub(r'(^|[|;&(]\s*|\s)python3?(?=\s)',
                         lambda m: m.group(1) + shlex.quote(sys.executable), command)
        command = re.sub(r'\b(1\d{4})\b', lambda m: self.to_real.get(m[1], m[1]), command)
        return command.replace('.playground/', f'{self.playground.state}/')

    def untranslate(self, text):
        """Real output -> what a reader with the default playground would see.

        A carriage return sends the cursor back, so of each line the terminal
        shows what follows the last one: progress counters show their final count.
        """
        text = '\n'.join(line.rstrip('\r').rsplit('\r', 1)[-1]
                         for line in text.replace('\r\n', '\n').split('\n'))
        for readme_port, real in self.to_real.items():
            text = re.sub(rf'\b{real}\b', readme_port, text)
        return text.replace(f'{self.playground.state}/', '.playground/')

    def run(self, command):
        """Run one foreground command; return its output lines."""
        done = subprocess.run(['bash', '-c', self.translate(command)], cwd=self.workdir,
                              env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=COMMAND_TIMEOUT, start_new_session=True)
        return self.untranslate(done.stdout.decode('utf-8', 'replace')).splitlines()

    def start(self, command):
        """Start a background server and wait for its first line (its ready line)."""
        process = subprocess.Popen(['bash', '-c', 'exec ' + self.translate(command)],
                                   cwd=self.workdir, env=self.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        output = Output(process)
        self.background.append((command, process, output))
        if not output.wait_for_line(COMMAND_TIMEOUT):
            raise AssertionError(f'background command printed no line: {command}')

    def stop_background(self):
        """Let the servers finish what they are printing, stop them, return their lines."""
        outputs = {}
        for command, process, output in self.background:
            output.wait_until_quiet()
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            output.thread.join(10)
            process.stdout.close()
            outputs[command] = self.untranslate(output.text()).splitlines()
        self.background = []
        return outputs


class Output:
    """Collects what a background process prints, as it prints it."""

    QUIET = 0.3  # seconds without output that count as "done printing"

    def __init__(self, process):
        self.chunks, self.last = [], time.monotonic()
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        while chunk := os.read(stream.fileno(), 65536):
            with self.changed:
                self.chunks.append(chunk)
                self.last = time.monotonic()
                self.changed.notify_all()

    def text(self):
        with self.changed:
            return b''.join(self.chunks).decode('utf-8', 'replace')

    def wait_for_line(self, timeout):
        with self.changed:
            return self.changed.wait_for(
                lambda: b'\n' in b''.join(self.chunks) or not self.thread.is_alive(),
                timeout) and b'\n' in b''.join(self.chunks)

    def wait_until_quiet(self, limit=5.0):
        """Wait until nothing new has arrived for QUIET seconds (at most `limit`)."""
        deadline = time.monotonic() + limit
        with self.changed:
            while time.monotonic() < deadline and self.thread.is_alive():
                idle = time.monotonic() - self.last
                if idle >= self.QUIET:
                    return
                self.changed.wait(self.QUIET - idle)


def check_block(runner, block):
    """Run a block; return a list of mismatch reports (empty when all is well)."""
    problems, servers = [], []
    try:
        for command, expected in parse(block):
            if command.endswith('&'):
                runner.start(command[:-1].strip())
                servers.append((command[:-1].strip(), expected))
                continue
            actual = runner.run(command)
            if not matches(expected, actual):
                problems.append(report(command, expected, actual))
    finally:
        outputs = runner.stop_background()
    for command, expected in servers:
        actual = outputs.get(command, [])
        # a server's lines are checked as a prefix: it may print more after the block
        if not matches(expected + ['...'], actual):
            problems.append(report(command + ' &', expected, actual))
    return problems


def report(command, expected, actual):
    return (f'$ {command}\n--- README shows ---\n' + '\n'.join(expected)
            + '\n--- command printed ---\n' + '\n'.join(actual))
