"""Chapter 17: FTP clients against the playground's FTP service."""
import ftplib
import os
import pathlib
import time

import pexpect
import pytest

from harness import ACCOUNT, closed_port

CHAPTER = 'chapter17'
WRITABLE = '/home/brandon'
DOWNLOADERS = {  # script -> (remote path, local name)
    'asciidl.py': ('/pub/linux/kernel/README', 'README'),
    'binarydl.py': ('/pub/linux/kernel/v1.0/linux-1.0.tar.gz', 'linux-1.0.tar.gz'),
    'advbinarydl.py': ('/pub/linux/kernel/v1.0/linux-1.0.tar.gz', 'linux-1.0.tar.gz'),
}
HOST_ONLY = ['connect.py', *DOWNLOADERS, 'dir.py', 'nlst.py', 'recursedl.py']
UPLOADERS = ['binaryul.py', 'advbinaryul.py']


def script(name):
    return f'{CHAPTER}/{name}'


def served(pg, path):
    """A file of the playground's FTP tree, as stored."""
    return pg.state / 'ftp' / path.lstrip('/')


def server(pg):
    return f'127.0.0.1:{pg.port(21)}'


def finish(child):
    """Wait for a pexpect child to end; return (exit status, everything it printed)."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, str(child.logfile_read)


def payload_file(folder, name, size=200_000):
    """A local binary file with every byte value in it."""
    path = pathlib.Path(folder) / name
    path.write_bytes(bytes(range(256)) * (size // 256) + os.urandom(size % 256))
    return path


# ---------------------------------------------------------------- connect

def test_connect_shows_welcome_and_working_folder(run, playground):
    pg = playground('ftp')
    out = run(script('connect.py'), server(pg)).ok()
    assert out.splitlines() == ['Welcome: 220 Welcome to the playground FTP server.',
                                'Current working directory: /']


# ---------------------------------------------------------------- downloads

@pytest.mark.parametrize('name', list(DOWNLOADERS))
def test_download_matches_the_servers_file_byte_for_byte(run, playground, tmp_path, name):
    pg = playground('ftp')
    remote, local = DOWNLOADERS[name]
    out = run(script(name), server(pg)).ok()
    expected = served(pg, remote).read_bytes()
    assert (tmp_path / local).read_bytes() == expected
    assert out.splitlines()[-1] == (f'Saved {local} ({len(expected)} bytes) '
                                    f'from {os.path.dirname(remote)}')


@pytest.mark.parametrize('name', list(DOWNLOADERS))
def test_download_refuses_to_overwrite_a_local_file(run, playground, tmp_path, name):
    pg = playground('ftp')
    local = tmp_path / DOWNLOADERS[name][1]
    local.write_text('my own file\n')
    run(script(name), server(pg)).fails(f'refusing to overwrite your {local.name} file')
    assert local.read_text() == 'my own file\n'


def test_advbinarydl_counts_bytes_and_percentage_from_size(run, playground, tmp_path):
    pg = playground('ftp')
    remote, local = DOWNLOADERS['advbinarydl.py']
    total = served(pg, remote).stat().st_size
    # The 150 reply names no size, so the percentage can only come from SIZE.
    with ftplib.FTP() as ftp:
        ftp.connect('127.0.0.1', pg.port(21), timeout=10)
        ftp.login()
        ftp.voidcmd('TYPE I')
        sock, announced = ftp.ntransfercmd(f'RETR {remote}')
        with sock:
            while sock.recv(65536):
                pass
        ftp.voidresp()
    assert announced is None
    out = run(script('advbinarydl.py'), server(pg)).ok()
    reports = [line for line in out.replace('\r', '\n').splitlines() if line.startswith('Rec')]
    counts = [int(line.split()[1]) for line in reports]
    assert len(reports) > 10 and counts == sorted(counts)
    assert all(f' of {total} bytes (' in line for line in reports)
    assert reports[-1] == f'Received {total} of {total} bytes (100.0%)'
    assert (tmp_path / local).read_bytes() == served(pg, remote).read_bytes()


# ---------------------------------------------------------------- uploads

@pytest.mark.parametrize('name', UPLOADERS)
def test_upload_lands_in_the_writable_folder_and_matches(spawn, playground, tmp_path, name):
    pg = playground('ftp')
    local = payload_file(tmp_path, f'{name[:-3]}-{os.getpid()}-{time.monotonic_ns()}.bin')
    child = spawn(script(name), server(pg), 'brandon', local.name, WRITABLE)
    child.expect_exact('Password for brandon on 127.0.0.1: ')
    child.sendline(ACCOUNT[1])
    status, printed = finish(child)
    assert status == 0, printed
    assert ACCOUNT[1] not in printed  # getpass does not echo
    assert f'Uploaded {local.name} to {WRITABLE}: 226 Transfer complete.' in printed
    if name == 'advbinaryul.py':
        size = local.stat().st_size
        assert f'Sent {size} of {size} bytes (100.0%)' in printed
    assert served(pg, f'{WRITABLE}/{local.name}').read_bytes() == local.read_bytes()


@pytest.mark.parametrize('name', UPLOADERS)
def test_anonymous_upload_is_refused_with_a_clear_line(spawn, playground, tmp_path, name):
    pg = playground('ftp')
    local = payload_file(tmp_path, f'anonymous-{name[:-3]}-{time.monotonic_ns()}.bin', 5000)
    child = spawn(script(name), server(pg), 'anonymous', local.name, WRITABLE)
    child.expect_exact('Password for anonymous on 127.0.0.1: ')
    child.sendline('reader@example.com')
    status, printed = finish(child)
    assert status == 1, printed
    assert 'Traceback' not in printed
    assert printed.rstrip().splitlines()[-1] == (
        f'FTP server {server(pg)} said: 550 Not enough privileges.')
    assert not served(pg, f'{WRITABLE}/{local.name}').exists()


@pytest.mark.parametrize('name', UPLOADERS)
def test_wrong_password_fails_with_one_clear_line(spawn, playground, tmp_path, name):
    pg = playground('ftp')
    local = payload_file(tmp_path, 'never.bin', 1000)
    child = spawn(script(name), server(pg), 'brandon', local.name, WRITABLE)
    child.expect_exact('Password for brandon on 127.0.0.1: ')
    started = time.monotonic()
    child.sendline('not-my-password')
    status, printed = finish(child)
    assert status == 1 and time.monotonic() - started < 10, printed
    assert printed.rstrip().splitlines()[-1] == (
        f'FTP server {server(pg)} said: 530 Authentication failed.')
    assert 'Traceback' not in printed


def test_upload_outside_the_writable_folder_is_refused(spawn, playground, tmp_path):
    pg = playground('ftp')
    local = payload_file(tmp_path, 'intruder.bin', 1000)
    child = spawn(script('binaryul.py'), server(pg), 'brandon', local.name, '/pub')
    child.expect_exact('Password')
    child.sendline(ACCOUNT[1])
    status, printed = finish(child)
    assert status == 1 and printed.rstrip().endswith('550 Not enough privileges.'), printed
    assert not served(pg, '/pub/intruder.bin').exists()


@pytest.mark.parametrize('name', UPLOADERS)
def test_missing_local_file_is_reported_before_connecting(run, name):
    result = run(script(name), f'127.0.0.1:{closed_port()}', 'brandon', 'nosuch.bin', WRITABLE)
    result.fails('cannot read nosuch.bin: No such file or directory')


# ---------------------------------------------------------------- listings

def test_dir_and_nlst_agree_on_the_names(run, playground):
    pg = playground('ftp')
    folder = served(pg, '/pub/academic/astronomy')
    on_disk = sorted(os.listdir(folder))
    dir_lines = run(script('dir.py'), server(pg)).ok().splitlines()
    nlst_lines = run(script('nlst.py'), server(pg)).ok().splitlines()
    assert dir_lines[0] == nlst_lines[0] == f'{len(on_disk)} entries:'
    assert len(on_disk) >= 35
    assert nlst_lines[1:] == on_disk
    assert [line.split()[-1] for line in dir_lines[1:]] == on_disk
    # LIST tells folders from files, NLST does not
    folders = sorted(line.split()[-1] for line in dir_lines[1:] if line.startswith('d'))
    assert folders == sorted(n for n in on_disk if (folder / n).is_dir()) and folders


@pytest.mark.parametrize('name', ['dir.py', 'nlst.py'])
def test_listing_another_folder_and_a_missing_one(run, playground, name):
    pg = playground('ftp')
    out = run(script(name), server(pg), '/pub/linux/kernel').ok().splitlines()
    assert out[0] == '3 entries:'
    assert [line.split()[-1] for line in out[1:]] == ['Historic', 'README', 'v1.0']
    run(script(name), server(pg), '/pub/nothing').fails(
        f'FTP server {server(pg)} said: 550')


def test_recursedl_prints_and_copies_the_whole_tree(run, playground, tmp_path):
    pg = playground('ftp')
    root = served(pg, '/pub/linux/kernel/Historic')
    out = run(script('recursedl.py'), server(pg)).ok().splitlines()
    expected, files, size = [], 0, 0
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        remote = '/pub/linux/kernel/' + str(pathlib.Path(folder).relative_to(root.parent))
        expected.append(remote + '/')
        for name in sorted(names):
            path = pathlib.Path(folder) / name
            expected.append(f'{remote}/{name}  ({path.stat().st_size} bytes)')
            files, size = files + 1, size + path.stat().st_size
            copy = tmp_path / 'Historic' / path.relative_to(root)
            assert copy.read_bytes() == path.read_bytes()
    assert sorted(out[:-1]) == sorted(expected)
    assert out[0] == '/pub/linux/kernel/Historic/'
    assert out[-1] == f'Copied {files} files ({size} bytes) into Historic/'
    assert files >= 10 and any(line.count('/') >= 9 for line in out)  # deeply nested
    run(script('recursedl.py'), server(pg)).fails('refusing to overwrite your Historic folder')


# ---------------------------------------------------------------- failures and usage

@pytest.mark.parametrize('name', HOST_ONLY + UPLOADERS)
def test_closed_port_fails_fast_with_one_clear_line(run, tmp_path, name):
    port = closed_port()
    extra = ['brandon', payload_file(tmp_path, 'x.bin', 10).name, WRITABLE] \
        if name in UPLOADERS else []
    started = time.monotonic()
    run(script(name), f'127.0.0.1:{port}', *extra).fails(
        f'cannot talk to FTP server 127.0.0.1:{port}: Connection refused')
    assert time.monotonic() - started < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == (['x.bin'] if extra else [])


def test_unknown_host_is_one_clear_line(run):
    run(script('connect.py'), 'no-such-host.invalid').fails(
        'cannot talk to FTP server no-such-host.invalid:21')


@pytest.mark.parametrize('name', HOST_ONLY + UPLOADERS)
def test_help_and_bad_arguments(run, name):
    assert 'usage:' in run(script(name), '-h').ok()
    bad = run(script(name), '127.0.0.1:notaport', *(['u', 'f', 'd'] if name in UPLOADERS else []))
    assert bad.returncode == 2 and 'expected host[:port]' in bad.err


def test_ipv6_host_in_brackets(run):
    port = closed_port()
    # refused, or no IPv6 on this machine: either way the line shows how the address was read
    run(script('connect.py'), f'[::1]:{port}').fails(f'cannot talk to FTP server ::1:{port}: ')
