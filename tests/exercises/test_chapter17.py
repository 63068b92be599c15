"""Chapter 17 exercises: FTP (the text of each is in chapter17/README.md, Exercises)."""
import os
import sys
import uuid

import pexpect
import pytest

from harness import ACCOUNT, Server, base_env

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, SERVER, exercise_lab, printed, run_on)

HISTORIC = '/pub/linux/kernel/Historic'
TARBALL = '/pub/linux/kernel/v1.0/linux-1.0.tar.gz'

# An FTP server (pyftpdlib, as the playground's) that says how many bytes each download
# sent, which is how the resume checker sees what travelled: one line per transfer,
# "RETR /pub/linux/kernel/v1.0/linux-1.0.tar.gz: sent 150000 bytes".
COUNTING_SERVER = '''
import logging, sys, warnings
warnings.filterwarnings('ignore', r'The asyn(core|chat) module is deprecated', DeprecationWarning)
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
logging.getLogger('pyftpdlib').setLevel(logging.ERROR)

class Handler(FTPHandler):
    def log_transfer(self, cmd, filename, receive, completed, elapsed, bytes):
        print(f'{cmd} {self.fs.fs2ftp(filename)}: sent {bytes} bytes', flush=True)

Handler.authorizer = DummyAuthorizer()
Handler.authorizer.add_anonymous(sys.argv[1])
server = FTPServer(('127.0.0.1', 0), Handler)
print('Listening at', server.address, flush=True)
server.serve_forever(handle_exit=False)
'''


def served(pg, path):
    """A file or folder of the playground's FTP tree, as stored."""
    return pg.state / 'ftp' / path.lstrip('/')


def files_under(folder):
    """{relative path: bytes} of every file beneath a folder."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob('*')) if p.is_file()}


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else '(nothing)'


# ---------------------------------------------------------------- advbinarydl.py

@pytest.mark.exercise('chapter17/advbinarydl.py', 'chapter17/ftp_resume.py')
def test_ftp_resume(solution, check, run, tmp_path):
    root = tmp_path / 'served'
    remote = root / TARBALL.lstrip('/')
    remote.parent.mkdir(parents=True)
    data = os.urandom(250_000)
    remote.write_bytes(data)
    srv = Server([sys.executable, '-c', COUNTING_SERVER, str(root)], tmp_path, base_env())
    try:
        first, second = tmp_path / 'first', tmp_path / 'second'
        first.mkdir()
        done = run(solution.script, '-p', srv.port, cwd=first, env=solution.env, timeout=20)
        sent = srv.expect(r'^RETR .*: sent (\d+) bytes$', timeout=10)[1]
        check.that(done.returncode == 0 and (first / 'linux-1.0.tar.gz').read_bytes() == data
                   and int(sent) == len(data),
                   'without a .part file it still downloads the whole file',
                   f'without a .part file it should download the whole file, as before; it '
                   f'ended with exit status {done.returncode}: {last_line(done.out + done.err)}')
        second.mkdir()
        (second / 'linux-1.0.tar.gz.part').write_bytes(data[:100_000])   # a download cut short
        done = run(solution.script, '-p', srv.port, cwd=second, env=solution.env, timeout=20)
        saved = second / 'linux-1.0.tar.gz'
        if done.returncode:
            why = f'it ended with exit status {done.returncode}: {last_line(done.out + done.err)}'
        elif not saved.exists():
            why = 'there is no linux-1.0.tar.gz'
        elif saved.read_bytes() != data:
            why = f'linux-1.0.tar.gz holds {saved.stat().st_size} bytes, not the server\'s 250000'
        else:
            why = 'linux-1.0.tar.gz.part is still there'
        check.that(done.returncode == 0 and saved.exists() and saved.read_bytes() == data
                   and not (second / 'linux-1.0.tar.gz.part').exists(),
                   'with the first 100000 bytes in linux-1.0.tar.gz.part, it ends with the '
                   'whole file, byte for byte',
                   'with the first 100000 bytes in linux-1.0.tar.gz.part, it should end with '
                   f'the whole file, byte for byte, and no .part file; {why}')
        sent = srv.expect(r'^RETR .*: sent (\d+) bytes$', timeout=10)[1]
        check.that(int(sent) == 150_000,
                   'the server sent only the 150000 bytes that were missing',
                   f'the server sent {sent} bytes; it should send only the 150000 that the '
                   f'.part file lacks: ask it to restart at byte 100000 (REST) before RETR')
        check.that('Resuming at 100000 bytes' in done.out.splitlines(),
                   'it says `Resuming at 100000 bytes`',
                   f'it should say `Resuming at 100000 bytes` on a line of its own; it printed: '
                   f'{done.out.strip()[:300]!r}')
        counts = [line for line in done.out.replace('\r', '\n').splitlines()
                  if line.startswith('Received ')]
        check.that(counts and counts[-1] == 'Received 250000 of 250000 bytes (100.0%)'
                   and 100_000 < int(counts[0].split()[1]) <= 100_000 + 8192,
                   'its progress counts on from 100000 to `Received 250000 of 250000 bytes '
                   '(100.0%)`',
                   f'its progress should count on from the 100000 bytes it had, up to '
                   f'`Received 250000 of 250000 bytes (100.0%)`; it went from '
                   f'{counts[0] if counts else None!r} to {counts[-1] if counts else None!r}')
    finally:
        srv.stop()


# ---------------------------------------------------------------- binaryul.py

def upload(spawn, solution, pg, local):
    """Run the upload as brandon into /home/brandon; return (exit status, what it printed)."""
    child = spawn(solution.script, '127.0.0.1', 'brandon', local.name, '/home/brandon',
                  '-p', pg.port(21), env=solution.env, timeout=20)
    prompt = 'Password for brandon on 127.0.0.1: '
    if child.expect_exact([prompt, pexpect.EOF]) == 0:
        child.sendline(ACCOUNT[1])
        child.expect(pexpect.EOF)
    child.close()
    out = str(child.logfile_read).replace('\r\n', '\n')
    return child.exitstatus, out.split(prompt, 1)[-1].strip()


@pytest.mark.exercise('chapter17/binaryul.py', 'chapter17/ftp_no_replace.py')
def test_ftp_no_replace(solution, check, spawn, fresh_playground, tmp_path):
    pg = fresh_playground('ftp')   # it uploads: the shared playground stays as seeded
    name = f'report-{uuid.uuid4().hex[:8]}.txt'   # the shared playground: a name of its own
    local, stored = tmp_path / name, served(pg, f'/home/brandon/{name}')
    try:
        local.write_text('the first version\n')
        status, out = upload(spawn, solution, pg, local)
        check.that(status == 0 and stored.exists()
                   and stored.read_text() == 'the first version\n',
                   'a file that the server does not have is uploaded, as before',
                   f'a file that the server does not have should be uploaded, as before; it '
                   f'ended with exit status {status}: {last_line(out)}')
        local.write_text('the second version\n')
        status, out = upload(spawn, solution, pg, local)
        check.that(stored.read_text() == 'the first version\n',
                   'uploading it again leaves the server\'s file as it was',
                   'uploading the same name again replaced the server\'s file; it should '
                   'leave it as it was, and refuse')
        expected = f'binaryul: refusing to replace {name} in /home/brandon'
        check.that(status != 0 and last_line(out) == expected and 'Traceback' not in out,
                   f'and ends with one line: {expected}',
                   f'refusing, it should end with one line, `{expected}`, and a non-zero '
                   f'exit status; it ended with exit status {status}: {last_line(out)}')
    finally:   # leave the shared playground's tree as it was
        stored.unlink(missing_ok=True)


# ---------------------------------------------------------------- recursedl.py

@pytest.mark.exercise('chapter17/recursedl.py', 'chapter17/recursedl_skip.py')
def test_recursedl_skip(solution, check, run, playground, tmp_path):
    pg = playground('ftp')
    tree = files_under(served(pg, HISTORIC))
    copy = tmp_path / 'Historic'
    done = run(solution.script, '-p', pg.port(21), env=solution.env, timeout=30)
    check.that(done.returncode == 0 and copy.is_dir() and files_under(copy) == tree,
               f'it copies the whole tree into Historic ({len(tree)} files)',
               f'run in an empty folder, it should copy the whole tree into Historic, as '
               f'before; it ended with exit status {done.returncode}: '
               f'{last_line(done.out + done.err)}')
    # As if the first run had been cut short, and one file changed here since.
    missing = 'old-versions/0.95/patches/0.95a.patch'
    cut = 'old-versions/0.11/linux-0.11.tar.gz'
    mine = 'old-versions/0.01/notes/RELNOTES-0.01'
    (copy / missing).unlink()
    (copy / cut).rename(copy / f'{cut}.part')
    (copy / f'{cut}.part').write_bytes(tree[cut][:1000])
    (copy / mine).write_text('my own notes\n')
    done = run(solution.script, '-p', pg.port(21), env=solution.env, timeout=30)
    check.that(done.returncode == 0 and 'Traceback' not in done.err,
               'run again, with Historic there already, it goes in and ends with exit status 0',
               f'run again, with Historic there already, it should go in and fetch what is '
               f'missing; it ended with exit status {done.returncode}: '
               f'{last_line(done.out + done.err)}')
    lines = done.out.splitlines()
    fetched = sorted(line for line in lines if not line.endswith('/')
                     and not line.startswith('Skipping '))
    expected = sorted(f'{HISTORIC}/{path}' for path in (missing, cut))
    check.that((copy / missing).exists() and (copy / missing).read_bytes() == tree[missing],
               f'it fetches the file that was missing ({missing})',
               f'it should fetch the file that was missing, Historic/{missing}; '
               + ('it is not there' if not (copy / missing).exists() else 'it differs'))
    check.that((copy / cut).exists() and (copy / cut).read_bytes() == tree[cut]
               and not any(copy.rglob('*.part')),
               'it fetches the file whose download was cut short, and leaves no .part file',
               f'Historic/{cut} was cut short (only Historic/{cut}.part is there, with 1000 '
               f'bytes): it should be fetched whole, and no .part file left; '
               f'.part files now: {[str(p.relative_to(copy)) for p in copy.rglob("*.part")]}')
    check.that((copy / mine).read_text() == 'my own notes\n'
               and f'Skipping {HISTORIC}/{mine}: already here' in lines,
               'it keeps the files it has, and says `Skipping PATH: already here` for them',
               f'it should leave the files it has alone, saying `Skipping {HISTORIC}/{mine}: '
               f'already here` for each; Historic/{mine} now holds '
               f'{(copy / mine).read_bytes()[:40]!r}')
    check.that(fetched == expected,
               'it fetches those two files and no others',
               f'it should fetch only the two files it lacked, {expected}; it printed, '
               f'as files fetched: {fetched}')
    check.that(files_under(copy) == {**tree, mine: b'my own notes\n'},
               'the copy is whole again',
               'the copy in Historic should hold every file of the server\'s tree again')


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter17/nlst.py', 'chapter17/nlst_active.py')
def test_nlst_active(solution, check, exercise_lab):
    lab, listed = exercise_lab, '39 entries:'   # /pub/academic/astronomy

    def listing(host, *options):
        done = run_on(lab, check, host, solution, SERVER, *options)
        return done, [line for line in done.out.splitlines() if line.strip()]
    passive, lines = listing('laptop')
    check.that(passive.returncode == 0 and lines[:1] == [listed],
               'without --active it lists the folder as before (passive mode)',
               f'run on the laptop as `nlst.py {SERVER}`, it should still list the folder '
               f'("{listed}" and the names); it printed {printed(passive.out + passive.err)}')
    cafe, lines = listing('cafe', '--active')
    check.that(cafe.returncode == 0 and lines[:1] == [listed],
               'from the cafe, which has a public address, active mode works',
               f'run on the cafe as `nlst.py {SERVER} --active`, it should list the folder in '
               f'active mode (set_pasv(False)), which works from there: "{listed}" and the '
               f'names, and nothing before; it printed {printed(cafe.out + cafe.err)}')
    home, lines = listing('laptop', '--active')
    check.that(lines[:1] and lines[0].startswith('Active mode failed (')
               and lines[0].endswith('), trying passive mode') and '203.0.113.11' in lines[0],
               'from the laptop, behind the NAT, the server refuses the private address in '
               'PORT, and the script says so',
               f'run on the laptop as `nlst.py {SERVER} --active`, its PORT command names the '
               'laptop\'s own address, 203.0.113.11, which the server, seeing the modem\'s '
               '198.51.100.2, refuses; it should print "Active mode failed (" and the server\'s '
               'reply, then "), trying passive mode"; it printed '
               f'{printed(home.out + home.err)}')
    check.that(home.returncode == 0 and lines[1:2] == [listed],
               'then it lists the folder in passive mode',
               'after "Active mode failed (...), trying passive mode" it should list the '
               f'folder in passive mode ("{listed}" and the names) and end with exit status '
               f'0; it printed {printed(home.out + home.err)}')
