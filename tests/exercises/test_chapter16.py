"""Chapter 16 exercises: Telnet and SSH (the text of each is in chapter16/README.md, Exercises).

The SSH listings ask for the password with getpass, on the terminal: the checkers
type it through a pseudo-terminal (the spawn fixture), as a student would.
"""
import os
import re
import subprocess
import uuid

import pexpect
import pytest

from harness import ACCOUNT

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, SERVER, converse_on, exercise_lab, printed)

PROMPT = 'Password for brandon@127.0.0.1: '


def ssh_args(pg):
    return ['-p', pg.port(22), '--known-hosts', pg.state / 'ssh' / 'known_hosts']


def log_in(spawn, solution, *args):
    """Run the solution, type the password at its prompt, let it end.
    Returns (exit status, what it printed after the prompt, LF line ends), or
    (exit status, everything it printed) with asked=False when it never asked."""
    child = spawn(solution.script, *args, env=solution.env, timeout=20)
    asked = child.expect_exact([PROMPT, pexpect.EOF]) == 0
    if asked:
        child.sendline(ACCOUNT[1])
        child.expect(pexpect.EOF)
    child.close()
    out = str(child.logfile_read).replace('\r\n', '\n')
    return child.exitstatus, out.split(PROMPT, 1)[-1].lstrip('\n'), asked


# ---------------------------------------------------------------- shell.py

SHELL_LINES = [
    ('show a  b', 'Arguments: [a] [b]'),
    ('show  hello    "quoted  words"  it\\\'s', "Arguments: [hello] [quoted  words] [it's]"),
    ("show 'unclosed", 'myshell: No closing quotation'),
    ('show after', 'Arguments: [after]'),
    ("quote a 'b c' \"it's\" $HOME plain", None),   # checked by a real shell below
]
QUOTED_WORDS = ['a', 'b c', "it's", '$HOME', 'plain']


def sh_words(line):
    """The words that sh makes of a line, as printf shows them: [a][b c]..."""
    done = subprocess.run(['sh', '-c', f"printf '[%s]' {line}"], capture_output=True,
                          text=True, timeout=10)
    return done.stdout if done.returncode == 0 else f'an error: {done.stderr.strip()}'


@pytest.mark.exercise('chapter16/shell.py', 'chapter16/shell_quotes.py')
def test_shell_quotes(solution, check, run):
    typed = '\n'.join(line for line, _ in SHELL_LINES) + '\nexit\n'
    done = run(solution.script, input=typed, env=solution.env, timeout=10)
    answers = [answer.strip() for answer in done.out.split('myshell$ ')[1:]]
    answers += [''] * (len(SHELL_LINES) + 1 - len(answers))
    errors = done.err.strip().splitlines()
    stopped = f'; then it stopped with: {errors[-1]}' if errors else ''
    for (line, expected), answer in zip(SHELL_LINES[:4], answers):
        check.that(answer == expected,
                   f'`{line}` prints `{expected}`',
                   f'`{line}` should print `{expected}`; it printed `{answer}`{stopped}')
    quoted = answers[4]
    expected = ''.join(f'[{word}]' for word in QUOTED_WORDS)
    words = sh_words(quoted) if quoted else 'nothing'
    check.that(words == expected,
               f'`quote` prints `{quoted}`, which sh splits back into {expected}',
               f'`{SHELL_LINES[4][0]}` should print one line that sh splits back into '
               f'{expected}; it printed `{quoted}`, which sh splits into {words}{stopped}')
    check.that(answers[5] == '' and done.returncode == 0 and not errors,
               '`exit` still ends it',
               f'`exit` should end the shell with exit status 0; it ended with '
               f'{done.returncode}{stopped}')


# ---------------------------------------------------------------- ssh_commands.py

@pytest.mark.exercise('chapter16/ssh_commands.py', 'chapter16/ssh_exit_status.py')
def test_ssh_exit_status(solution, check, spawn, playground):
    pg = playground('ssh')
    status, out, asked = log_in(spawn, solution, *ssh_args(pg))
    lines = out.splitlines()
    check.that(asked and status == 0 and 'Traceback' not in out,
               'it logs in and ends with exit status 0',
               f'it should ask for the password, log in and end with exit status 0; it '
               f'ended with {status} after printing: {out.strip()!r}')
    outputs = [line for line in lines if not line.startswith('exit status')]
    check.that(outputs[:2] == [repr('Hello, world!\n'), repr('Linux\n')]
               and len(outputs) > 2 and 'load average' in outputs[2],
               'it still prints what echo, uname and uptime wrote',
               f'it should still print what each command wrote, as before: '
               f"'Hello, world!\\n', 'Linux\\n', then the uptime; it printed {outputs[:3]}")
    check.that(len(outputs) == 4 and 'cannot access /nowhere' in outputs[3],
               f'it runs a fourth command, ls /nowhere, which says {outputs[-1]}',
               f'it should run a fourth command, `ls /nowhere`, and print what it wrote '
               f'(on the playground: that it cannot access /nowhere); it printed the output '
               f'of {len(outputs)} commands, the last: {outputs[-1] if outputs else None}')
    statuses = re.findall(r'^exit status (-?\d+)$', out, re.M)
    check.that(statuses == ['0', '0', '0', '2'],
               'it prints each command\'s exit status: 0, 0, 0 and 2 for ls',
               f'it should print a line `exit status N` for each command, with the status '
               f'the server reported: 0 for echo, uname and uptime, 2 for `ls /nowhere`; '
               f'it printed {len(statuses)} such lines: {["exit status " + s for s in statuses]}')
    order = ['output' if not line.startswith('exit status') else 'status' for line in lines]
    check.that(order == ['output', 'status'] * 4,
               'each status comes right after its command\'s output',
               f'each `exit status` line should come right after its command\'s output; '
               f'the lines came in this order: {order}')


# ---------------------------------------------------------------- sftp.py

@pytest.mark.exercise('chapter16/sftp.py', 'chapter16/sftp_upload.py')
def test_sftp_upload(solution, check, spawn, fresh_playground, tmp_path):
    pg = fresh_playground('ssh')   # it uploads: the shared playground stays as seeded
    status, out, asked = log_in(spawn, solution, *ssh_args(pg))
    check.that(asked and status == 0 and 'Copying messages.3' in out
               and (tmp_path / 'messages.3').exists(),
               'without --upload it still downloads the logs',
               f'without --upload it should still download /var/log/messages*, as before; '
               f'it ended with exit status {status} after printing: {out.strip()[-500:]!r}')
    name = f'upload-{uuid.uuid4().hex[:8]}.bin'   # the shared playground: a name of its own
    local = tmp_path / name
    local.write_bytes(os.urandom(100_000))
    stored = pg.state / 'ssh' / 'sandbox' / 'home' / 'brandon' / name
    try:
        status, out, asked = log_in(spawn, solution, *ssh_args(pg), '--upload', name)
        check.that(asked and status == 0 and 'Traceback' not in out,
                   f'`--upload {name}` logs in and ends with exit status 0',
                   f'`sftp.py ... --upload {name}` should ask for the password, upload the '
                   f'file and end with exit status 0; it ended with {status} after printing: '
                   f'{out.strip()[-500:]!r}')
        check.that(stored.exists() and stored.read_bytes() == local.read_bytes(),
                   'the file arrives whole in the login\'s folder, /home/brandon',
                   f'{name} should arrive in the folder the login starts in, /home/brandon '
                   f'on the playground, byte for byte; '
                   + (f'it arrived with {stored.stat().st_size} of 100000 bytes'
                      if stored.exists() else 'it is not there'))
        check.that('Copying' not in out and not any(tmp_path.glob('messages*.part')),
                   'with --upload it downloads nothing',
                   f'with --upload it should download nothing; it printed: {out.strip()!r}')
        steps = [(int(done), int(total)) for done, total in
                 re.findall(rf'^  {re.escape(name)}: (\d+) of (\d+) bytes \(\d+%\)$', out, re.M)]
        first = (out.splitlines() or [''])[0]
        check.that(first == f'Uploading {name}',
                   f'it says `Uploading {name}` first',
                   f'it should say `Uploading {name}` first; its first line was {first!r}')
        check.that(len(steps) >= 3 and steps == sorted(steps)
                   and all(total == 100_000 for _, total in steps)
                   and steps[-1] == (100_000, 100_000),
                   f'it reports progress as blocks go: {", ".join(str(d) for d, _ in steps)} '
                   f'of 100000 bytes',
                   f'it should report progress as each block goes, like the download does '
                   f'(`  {name}: 32768 of 100000 bytes (32%)` ... `  {name}: 100000 of 100000 '
                   f'bytes (100%)`); it printed: {out.strip()!r}')
    finally:   # leave the shared playground's sandbox as it was
        stored.unlink(missing_ok=True)


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter16/ssh_commands.py', 'chapter16/ssh_commands_hosts.py')
def test_ssh_commands_hosts(solution, check, exercise_lab):
    lab, hosts = exercise_lab, [SERVER, 'cafe.example.net', 'mail.example.com']
    session = converse_on(lab, 'laptop', solution, *hosts,
                          '--known-hosts', lab.state / 'ssh' / 'known_hosts')
    lines = [line for line in session.text.splitlines() if line.strip()]
    command = f'ssh_commands.py {" ".join(hosts)} --known-hosts ...'

    def where(text):
        return lines.index(text) if text in lines else None
    first, down = where("example.com: 'Hello, world!\\n'"), next(
        (n for n, line in enumerate(lines) if line.startswith('ssh_commands: cafe.example.net')),
        None)
    check.that(session.asked >= 1 and first is not None,
               'it runs the commands on example.com, each output after the host\'s name',
               f'run on the laptop as `{command}`, it should ask for the password, log in to '
               'example.com and print each command\'s output after the host\'s name, '
               f'"example.com: \'Hello, world!\\n\'"; it printed {printed(session.text)}')
    check.that(session.asked == 1,
               'it asks for the password once, for every host',
               'it should ask for the password once, before the first host, and use it for '
               f'every host; it asked {session.asked} times')
    check.that(down is not None and down > first,
               'cafe.example.net, where no SSH server runs, is named in one line',
               'after example.com it should try cafe.example.net, where nobody listens on '
               'the SSH port, and print one line on stderr, "ssh_commands: cafe.example.net:'
               f'10022: ..." with the reason; it printed {printed(session.text)}')
    last = where("mail.example.com: 'Hello, world!\\n'")
    check.that(last is not None and last > down and 'Traceback' not in session.text,
               'and it goes on: mail.example.com, the same host by another name, answers too',
               'a host that fails must not stop the others: after cafe.example.net it should '
               'log in to mail.example.com and print "mail.example.com: \'Hello, world!\\n\'" '
               f'and the rest; it printed {printed(session.text)}')
    check.that(session.status == 1 and lines[-1:] == ['ssh_commands: 1 of 3 hosts failed'],
               'it ends saying how many hosts failed, with exit status 1',
               'at the end it should say on stderr "ssh_commands: 1 of 3 hosts failed" and '
               f'exit with status 1; it ended with status {session.status} and the line '
               f'{lines[-1:]}')
