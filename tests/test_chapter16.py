"""Chapter 16: Telnet and SSH listings against the playground's telnet and ssh services.

The listings ask for passwords with getpass, which reads the terminal, so
they are driven through a pseudo-terminal (the spawn fixture), as a reader
would type.  Children run with warnings as errors: no DeprecationWarning
from telnetlib on any Python.
"""
import re
import sys

import pexpect
import pytest

from harness import ACCOUNT, REPO, base_env, closed_port

SERVICES = ('ssh', 'telnet')
STRICT = {'PYTHONWARNINGS': 'error'}
LOG_NAMES = ['messages', 'messages.1', 'messages.2', 'messages.3']


@pytest.fixture
def pg(playground):
    return playground(*SERVICES)


def known_hosts(pg):
    return str(pg.state / 'ssh' / 'known_hosts')


def ssh_args(pg):
    return [f'127.0.0.1:{pg.port(22)}', '--known-hosts', known_hosts(pg)]


def finish(child):
    """Wait for a spawned listing to end; return (exit status, its output with LF line ends)."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, str(child.logfile_read).replace('\r\n', '\n')


def log_in(spawn, script, *args, password=ACCOUNT[1], prompt='Password for brandon'):
    """Start a listing, answer its password prompt, and let it run to the end."""
    child = spawn(script, *args, env=STRICT, timeout=20)
    child.expect(prompt)
    child.expect(': ')
    child.sendline(password)
    return finish(child)


# ---------------------------------------------------------------- shell.py

def test_shell_splits_on_whitespace_only(spawn):
    child = spawn('chapter16/shell.py', env=STRICT)
    child.expect_exact('myshell$ ')
    child.sendline('show  hello    "quoted  words"  $HOME')
    child.expect_exact('Arguments: [hello] ["quoted] [words"] [$HOME]')
    child.expect_exact('myshell$ ')
    child.sendline('echo "a   b"')
    child.expect_exact('"a b"')  # echo got two words, quotes included
    child.sendline('no-such-program x')
    child.expect_exact('myshell: no-such-program: No such file or directory')
    child.sendline('exit')
    status, _ = finish(child)
    assert status == 0


def test_shell_ends_at_end_of_input(run):
    out = run('chapter16/shell.py', input='show a  b\n', env=STRICT).ok()
    assert out == 'myshell$ Arguments: [a] [b]\nmyshell$ \n'


# ---------------------------------------------------------------- telnet

def test_telnet_login_logs_in_and_prints_uptime(spawn, pg):
    status, out = log_in(spawn, 'chapter16/telnet_login.py', f'127.0.0.1:{pg.port(23)}')
    assert status == 0, out
    assert re.search(r'^ \d\d:\d\d:\d\d up .*,  1 user,  load average: [\d.]+, [\d.]+, [\d.]+$',
                     out, re.M), out
    assert 'Traceback' not in out


def test_telnet_login_reports_a_wrong_password(spawn, pg):
    status, out = log_in(spawn, 'chapter16/telnet_login.py', f'127.0.0.1:{pg.port(23)}',
                         password='wrong')
    assert status == 1
    assert out.splitlines()[-1] == f'127.0.0.1:{pg.port(23)}: login refused (Login incorrect)'


def test_telnet_codes_answers_ttype_refuses_the_rest_and_shows_term(spawn, pg):
    status, out = log_in(spawn, 'chapter16/telnet_codes.py', f'127.0.0.1:{pg.port(23)}')
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0] == 'Server asks DO TTYPE: answering WILL TTYPE'
    assert "Server asks for the terminal type: sending 'mypython'" in lines
    assert 'Will not do NAWS (window size)' in lines      # a DO refused with WONT
    assert 'Do not want SGA (suppress go-ahead)' in lines  # a WILL refused with DONT
    assert lines[-1] == 'The far side says TERM is: mypython'


@pytest.mark.parametrize('script', ['telnet_login.py', 'telnet_codes.py'])
def test_telnet_listings_fail_cleanly(run, pg, script):
    port = closed_port()
    run(f'chapter16/{script}', f'127.0.0.1:{port}', env=STRICT).fails(
        f'127.0.0.1:{port}', 'Connection refused')
    assert run(f'chapter16/{script}', '127.0.0.1:port').returncode == 2


# ---------------------------------------------------------------- ssh

def test_ssh_simple_types_into_a_remote_shell(spawn, pg):
    status, out = log_in(spawn, 'chapter16/ssh_simple.py', *ssh_args(pg))
    assert status == 0, out
    assert '$ echo "Hello, world!"\nHello, world!\n$ exit\nlogout\n' in out


def test_ssh_commands_runs_each_command_on_its_own_channel(spawn, pg):
    status, out = log_in(spawn, 'chapter16/ssh_commands.py', *ssh_args(pg))
    assert status == 0, out
    assert out.split(': ', 1)[1].lstrip('\n') == (
        '$ echo "Hello, world!"\nHello, world!\n'
        '$ cd /var/log; pwd\n/var/log\n'
        '$ pwd\n/home/brandon\n')


def test_ssh_threads_reads_two_channels_at_once(spawn, pg):
    status, out = log_in(spawn, 'chapter16/ssh_threads.py', *ssh_args(pg))
    assert status == 0, out
    lines = [line for line in out.splitlines() if line.startswith(('dog: ', 'cat: '))]
    assert sorted(lines) == sorted([f'dog: Woof {i}' for i in range(1, 5)]
                                   + [f'cat: Meow {i}' for i in range(1, 5)])
    # Each command prints a line every 0.5 s: had they run one after the other,
    # all four Woofs would come before the first Meow (or the reverse).
    first = {who: lines.index(next(l for l in lines if l.startswith(who))) for who in ('dog', 'cat')}
    last = {who: max(i for i, l in enumerate(lines) if l.startswith(who)) for who in ('dog', 'cat')}
    assert first['cat'] < last['dog'] and first['dog'] < last['cat'], lines
    # Each command takes 1.5 s: in parallel about 1.5 s in all, one after the other 3 s.
    elapsed = float(re.search(r'Both commands finished in ([\d.]+) s', out)[1])
    assert 1.4 <= elapsed < 2.6, out


def test_sftp_downloads_the_matching_files_with_progress(spawn, pg, tmp_path):
    (tmp_path / 'messages.3').write_text('mine, keep me\n')
    status, out = log_in(spawn, 'chapter16/sftp.py', *ssh_args(pg))
    assert status == 0, out
    assert '/var/log holds: auth.log messages messages.1 messages.2 messages.3' in out
    logs = pg.state / 'ssh' / 'sandbox' / 'var' / 'log'
    for name in LOG_NAMES[:3]:
        size = (logs / name).stat().st_size
        assert (tmp_path / name).read_bytes() == (logs / name).read_bytes()
        assert f'  {name}: {size} of {size} bytes (100%)' in out
    assert re.search(r'  messages\.2: 32768 of \d+ bytes \(\d+%\)', out), out  # a partial step
    assert 'Skipping messages.3: a local file has that name' in out
    assert (tmp_path / 'messages.3').read_text() == 'mine, keep me\n'
    assert not (tmp_path / 'auth.log').exists()


def test_sftp_names_a_missing_remote_folder(spawn, pg, tmp_path):
    status, out = log_in(spawn, 'chapter16/sftp.py', *ssh_args(pg), '--folder', '/no/such')
    assert status == 1
    assert out.splitlines()[-1] == f'127.0.0.1:{pg.port(22)}: no such remote folder /no/such'


@pytest.mark.parametrize('script', ['ssh_simple.py', 'ssh_commands.py', 'ssh_threads.py',
                                    'sftp.py'])
def test_ssh_listings_refuse_an_unknown_host_key_before_asking_the_password(run, pg, tmp_path,
                                                                             script):
    empty = tmp_path / 'known_hosts'
    empty.write_text('')
    line = run(f'chapter16/{script}', f'127.0.0.1:{pg.port(22)}', '--known-hosts', empty,
               env=STRICT).fails(f'127.0.0.1:{pg.port(22)}: host key ecdsa-sha2-nistp256 SHA256:')
    assert 'is not in' in line and 'Password' not in line
    port = closed_port()
    run(f'chapter16/{script}', f'127.0.0.1:{port}', env=STRICT).fails(
        f'127.0.0.1:{port}', 'Connection refused')


def test_ssh_listing_reports_a_wrong_password(spawn, pg):
    status, out = log_in(spawn, 'chapter16/ssh_commands.py', *ssh_args(pg), password='nope')
    assert status == 1
    assert out.splitlines()[-1] == (f'127.0.0.1:{pg.port(22)}: login refused for brandon '
                                    '(wrong password?)')


def test_ssh_listing_fails_cleanly_against_a_server_that_is_not_ssh(run, pg):
    line = run('chapter16/ssh_commands.py', f'127.0.0.1:{pg.port(23)}', env=STRICT,
               timeout=40).fails(f'127.0.0.1:{pg.port(23)}')
    assert 'banner' in line


# ---------------------------------------------------------------- fabfile

def fab(spawn_args, tmp_path):
    """Start Fabric's command line on this chapter's fabfile."""
    return pexpect.spawn(sys.executable, ['-m', 'fabric', '-r', str(REPO / 'chapter16'),
                                          *spawn_args], cwd=str(tmp_path),
                         env=base_env(**STRICT), timeout=20, encoding='utf-8')


def test_fabfile_runs_through_fabrics_command_line(pg, tmp_path):
    child = fab(['-H', f'brandon@127.0.0.1:{pg.port(22)}', '--prompt-for-login-password',
                 'report', '--known-hosts', known_hosts(pg)], tmp_path)
    child.expect_exact('Enter login password for use with SSH auth: ')
    child.sendline(ACCOUNT[1])
    child.expect(pexpect.EOF)
    out = child.before.replace('\r\n', '\n')
    child.close()
    assert child.exitstatus == 0, out
    assert 'Hello from brandon on the far side\nLinux\n' in out
    assert re.search(r'up .*load average', out)
    logs = pg.state / 'ssh' / 'sandbox' / 'var' / 'log'
    assert (tmp_path / 'messages').read_bytes() == (logs / 'messages').read_bytes()
    assert f'Downloaded /var/log/messages ({(logs / "messages").stat().st_size} bytes)' in out


def test_fabfile_keeps_host_key_checking_on(pg, tmp_path):
    empty = tmp_path / 'known_hosts'
    empty.write_text('')
    child = fab(['-H', f'brandon@127.0.0.1:{pg.port(22)}', '--prompt-for-login-password',
                 'report', '--known-hosts', str(empty)], tmp_path)
    child.expect_exact('Enter login password for use with SSH auth: ')
    child.sendline(ACCOUNT[1])
    child.expect(pexpect.EOF)
    out = child.before.strip()
    child.close()
    assert child.exitstatus == 1
    assert out == (f"127.0.0.1:{pg.port(22)}: Server '[127.0.0.1]:{pg.port(22)}' "
                   'not found in known_hosts')


def test_fabfile_run_directly_says_how_to_run_it(run):
    result = run('chapter16/fabfile.py')
    assert result.returncode == 1 and 'fab -r chapter16' in result.err


def test_listings_have_usage_and_reject_bad_options(run):
    for script in ('shell.py', 'telnet_login.py', 'telnet_codes.py', 'ssh_simple.py',
                   'ssh_commands.py', 'ssh_threads.py', 'sftp.py'):
        assert 'usage:' in run(f'chapter16/{script}', '-h').ok()
        assert run(f'chapter16/{script}', '--no-such-option').returncode == 2
