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
- Each README's blocks run in order, as a reader would, against the services
  its chapter uses (SERVICES below): in a playground of its own where they
  change its state (WRITES), else in the test run's shared one.
- Ports are mapped so that the suite never meets a reader's programs: the
  playground's ports (10080, 10025, ...) go to the test playground's, and the
  book's fixed ports (1060, 7001, 7002, 8000, 8080, 18861), with those the
  READMEs show nothing listening on (9, 1061, 1062), to free ports chosen
  for the block. The map applies in the command text and beneath
  Python listings, to what they connect to, send to and bind
  (tests/portmap/sitecustomize.py); output is mapped back where a number is a
  port (':10080', ', 1060)', 'port 1060', 'port=9'). The '.playground/' folder is the
  test playground's; SSL_CERT_FILE points at its CA, as the README tells
  readers to export.
- Carriage returns act as on a terminal: a progress counter that rewrites
  its line shows only its last state.
- Interactive blocks: the comment <!-- transcript: input mypass y '' -->
  right above a block lists what a reader types, in order (shell words: ''
  is an empty line). The block's commands then run on a pseudo-terminal, as
  in a terminal window: the next input is typed each time a command stops at
  a prompt (a line that ends in ':', '?', '$', '>' or ']' and a space, with
  nothing more coming, and, on Linux, a process waiting to read the
  terminal); what the terminal echoes shows in the output, and a password
  typed at getpass's prompt does not.
- A block right after the comment <!-- transcript: not checked (reason) -->
  is left alone.
- A block right after <!-- transcript: lab --> (or <!-- transcript: lab input
  ... -->) runs on a lab instead, not here: see tests/test_lab_transcripts.py.
"""
import dataclasses
import os
import pathlib
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

from harness import waiting_in

REPO = pathlib.Path(__file__).resolve().parent.parent
PORTMAP = pathlib.Path(__file__).resolve().parent / 'portmap'  # see its sitecustomize.py
BLOCK = re.compile(r'(?:<!--\s*transcript:([^>]*)-->\s*\n)?```console\n(.*?)```', re.S)
COMMAND_TIMEOUT = 60

# The playground services a README's commands talk to (the top README's table): those
# of the chapter, for any command of its README, and those of a listing, for a command
# that runs it (chapter 8 needs memcached for squares.py only).
SERVICES = {
    'chapter01': ('web',), 'chapter04': ('web', 'dns'), 'chapter06': ('web',),
    'chapter08/squares.py': ('memcached',), 'chapter09': ('web',), 'chapter10': ('web',),
    'chapter13': ('smtp', 'pop'), 'chapter14': ('smtp', 'pop'), 'chapter15': ('smtp', 'imap'),
    'chapter16': ('ssh', 'telnet'), 'chapter17': ('ftp',),
}
LISTING = re.compile(r'\bchapter\d\d/[\w-]+\.py\b')
# The READMEs whose blocks change the playground's state (mail sent, read, deleted; files
# uploaded) and count on what it held: each gets a playground of its own. The others
# only read, and share the test run's.
WRITES = {'chapter13', 'chapter14', 'chapter15', 'chapter17'}
# The fixed ports of the book's own servers (chapters 2, 3, 5, 7, 11 and 18), and the
# ports where READMEs show that nothing listens (on a test machine, something may).
BOOK_PORTS = (1060, 7001, 7002, 8000, 8080, 18861, 9, 1061, 1062)
PROMPT = re.compile(r'[:?$>\]] $')   # the end of a prompt's line, waiting for input
QUIET = 0.1   # seconds without output after a prompt: the command may wait for input
# The system calls in which a process waits for its terminal: read() on it, or
# select()/poll() on its standard input (as readline does).
TERMINAL_WAITS = ('read', 'poll', 'select', 'pselect6', 'ppoll')


def reading_terminal(tty, session):
    """Is a process of `session` waiting to read its terminal `tty` (/dev/pts/N)?
    None: cannot tell.

    A line that looks like a prompt may only be output that stopped half-way (the
    rest comes when the server answers): typed too early, the input would echo in
    the wrong place, or be flushed by getpass. Linux says what each process waits in.
    """
    told = False
    for path in pathlib.Path('/proc').glob('[0-9]*/stat'):
        try:
            # /proc/PID/stat: 'pid (name) state ppid pgrp session ...'
            if int(path.read_text().rsplit(')', 1)[1].split()[3]) != session:
                continue
            waiting = waiting_in(path.parent.name)
            told = told or waiting is not None
            if not waiting or waiting[0] not in TERMINAL_WAITS:
                continue
            fd = waiting[1] if waiting[0] == 'read' else 0
            # getpass() opens /dev/tty, the terminal of its session: ours, for our commands
            if os.readlink(path.parent / 'fd' / str(fd)) in (tty, '/dev/tty'):
                return True
        except (OSError, ValueError, IndexError):
            continue   # gone, or not ours to read
    return False if told else None


@dataclasses.dataclass
class Block:
    readme: pathlib.Path
    line: int                 # where its text starts in the README
    text: str
    inputs: list = None       # what a reader types, for an interactive block
    lab: bool = False         # runs on a lab (tests/test_lab_transcripts.py)

    @property
    def services(self):
        """The playground services its commands need (SERVICES)."""
        needed = set(SERVICES.get(self.readme.parent.name, ()))
        for command, _ in parse(self.text):
            for listing in LISTING.findall(command):
                needed.update(SERVICES.get(listing, ()))
        return needed


def blocks(readme, lab=False):
    """Yield each checked console Block of a README (with lab=True, those of the lab)."""
    text = readme.read_text(encoding='utf-8')
    for match in BLOCK.finditer(text):
        directive = (match.group(1) or '').strip()
        if directive.startswith('not checked'):
            continue
        if directive.startswith('lab') != lab:
            continue
        directive = directive[len('lab'):].strip() if lab else directive
        inputs = shlex.split(directive[len('input'):]) if directive.startswith('input') else None
        yield Block(readme, text.count('\n', 0, match.start(2)) + 1, match.group(2), inputs, lab)


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


def port_position(number):
    """A regex for a number where it stands as a port: ':1060', ', 1060)', '-p 1060',
    'port 1060', 'port=1060'."""
    return re.compile(rf'(?:(?<=:)|(?<=, )|(?<=-p )|(?<=--port )|(?<=--port=)|(?<=port )'
                      rf'|(?<=port=))(?<!\d){number}(?![\d.])')


def free_port_pair():
    """A port number free on 127.0.0.1 for both TCP and UDP right now."""
    while True:
        with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            tcp.bind(('127.0.0.1', 0))
            try:
                udp.bind(tcp.getsockname())
            except OSError:
                continue
            return tcp.getsockname()[1]


class Runner:
    """Runs the commands of one block against a playground (or None: no services)."""

    def __init__(self, workdir, playground, relative_ports=(), inputs=None):
        self.workdir = pathlib.Path(workdir)
        self.playground = playground
        self.inputs = None if inputs is None else list(inputs)
        for chapter in REPO.glob('chapter[0-9][0-9]'):
            link = self.workdir / chapter.name
            if not link.exists():
                link.symlink_to(chapter, target_is_directory=True)
        # README port -> real port, for the playground's and the book's ports alike
        self.to_real = {port: free_port_pair() for port in BOOK_PORTS}
        if playground is not None:
            self.to_real.update({10000 + rel: playground.port(rel) for rel in relative_ports})
        self.env = dict(os.environ, PYTHONUNBUFFERED='1',
                        PYTHONPATH=os.pathsep.join([str(PORTMAP), str(REPO)]),
                        FOPNP_PORT_MAP=','.join(f'{a}={b}' for a, b in self.to_real.items()),
                        COLUMNS='80', TERM='dumb',
                        # Python 3.13's new REPL wants a capable terminal: under TERM=dumb it
                        # prints a warning, then falls back to the basic one. Ask for that.
                        PYTHON_BASIC_REPL='1')
        self.env.pop('SSL_CERT_FILE', None)
        if playground is not None:
            self.env['SSL_CERT_FILE'] = str(playground.state / 'ca.pem')
        self.background = []

    def translate(self, command):
        """Readme command -> command to run: interpreter, ports, state folder."""
        command = re.sub(r'(^|[|;&(]\s*|\s)python3?(?=\s)',
                         lambda m: m.group(1) + shlex.quote(sys.executable), command)
        for readme_port, real in self.to_real.items():
            command = port_position(readme_port).sub(str(real), command)
        if self.playground is not None:
            command = command.replace('.playground/', f'{self.playground.state}/')
        return command

    def untranslate(self, text):
        """Real output -> what a reader with the default playground would see.

        A carriage return sends the cursor back, so of each line the terminal
        shows what follows the last one: progress counters show their final count.
        """
        text = '\n'.join(line.rstrip('\r').rsplit('\r', 1)[-1]
                         for line in text.replace('\r\n', '\n').split('\n'))
        for readme_port, real in self.to_real.items():
            text = port_position(real).sub(str(readme_port), text)
        if self.playground is not None:
            text = text.replace(f'{self.playground.state}/', '.playground/')
        return text

    def run(self, command):
        """Run one foreground command; return its output lines."""
        if self.inputs is not None:
            return self.untranslate(self.converse(command)).splitlines()
        done = subprocess.run(['bash', '-c', self.translate(command)], cwd=self.workdir,
                              env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=COMMAND_TIMEOUT, start_new_session=True)
        return self.untranslate(done.stdout.decode('utf-8', 'replace')).splitlines()

    def converse(self, command):
        """Run a command on a pseudo-terminal, typing the block's inputs at its prompts."""
        import pexpect
        child = pexpect.spawn('bash', ['-c', self.translate(command)], cwd=str(self.workdir),
                              env=self.env, encoding='utf-8', codec_errors='replace',
                              dimensions=(24, 80))
        try:   # the terminal's name, as the command sees it on its standard input
            tty = os.readlink(f'/proc/{child.pid}/fd/0')
        except OSError:   # not Linux, or already gone
            tty = None
        output, since_input = '', ''
        deadline = time.monotonic() + COMMAND_TIMEOUT
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = child.read_nonblocking(65536, timeout=QUIET)
                except pexpect.TIMEOUT:
                    # quiet: a command stopped at a prompt is waiting for its input
                    last = since_input.rsplit('\n', 1)[-1]
                    if (last.strip() and PROMPT.search(last)
                            and (tty is None or reading_terminal(tty, child.pid) is not False)):
                        if not self.inputs:
                            raise AssertionError(f'a prompt and no input left: {last!r}')
                        child.send(self.inputs.pop(0) + '\r')
                        since_input = ''
                    continue
                except pexpect.EOF:
                    return output
                output += chunk
                since_input += chunk
            raise AssertionError(f'still running after {COMMAND_TIMEOUT} s: {command}')
        finally:
            child.close(force=True)

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

    def stop_background(self, expected=None):
        """Let the servers finish what they are printing, stop them, return their lines.

        expected: {command: the lines the README shows}; a server is stopped once it has
        printed them (or has been quiet for a while, if it never does).
        """
        outputs = {}
        for command, process, output in self.background:
            lines = (expected or {}).get(command)
            if lines is None or not output.wait_for(
                    lambda: matches(lines + ['...'], self.untranslate(output.text()).splitlines()),
                    COMMAND_TIMEOUT / 4):
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

    def wait_for(self, predicate, timeout):
        """Wait until predicate() holds, re-checking at each new output; its last value."""
        with self.changed:
            return self.changed.wait_for(lambda: predicate() or not self.thread.is_alive(),
                                         timeout) and predicate()

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
    """Run a block's text; return a list of mismatch reports (empty when all is well)."""
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
        outputs = runner.stop_background(dict(servers))
    for command, expected in servers:
        actual = outputs.get(command, [])
        # a server's lines are checked as a prefix: it may print more after the block
        if not matches(expected + ['...'], actual):
            problems.append(report(command + ' &', expected, actual))
    if runner.inputs:
        problems.append(f'inputs never asked for: {runner.inputs}')
    return problems


def report(command, expected, actual):
    return (f'$ {command}\n--- README shows ---\n' + '\n'.join(expected)
            + '\n--- command printed ---\n' + '\n'.join(actual))
