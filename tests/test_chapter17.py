"""Chapter 17: FTP clients against the playground's FTP service (and a server without MLSD)."""
import ftplib
import os
import pathlib
import shutil
import sys
import time

import pexpect
import pytest

from harness import ACCOUNT, Server, base_env, closed_port

CHAPTER = 'chapter17'
WRITABLE = '/home/brandon'
DOWNLOADERS = {  # script -> (remote path, local name)
    'asciidl.py': ('/pub/linux/kernel/README', 'README'),
    'binarydl.py': ('/pub/linux/kernel/v1.0/patch8.gz', 'patch8.gz'),
    'advbinarydl.py': ('/pub/linux/kernel/v1.0/linux-1.0.tar.gz', 'linux-1.0.tar.gz'),
}
HOST_ONLY = ['connect.py', *DOWNLOADERS, 'dir.py', 'nlst.py', 'recursedl.py']
UPLOADERS = ['binaryul.py', 'advbinaryul.py']

# An FTP server like vsftpd: pyftpdlib without MLSD and MLST (so FEAT does not offer them).
NO_MLSD_SERVER = '''
import logging, sys, warnings
warnings.filterwarnings('ignore', r'The asyn(core|chat) module is deprecated', DeprecationWarning)
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
logging.getLogger('pyftpdlib').setLevel(logging.ERROR)

class Handler(FTPHandler):
    proto_cmds = {name: v for name, v in FTPHandler.proto_cmds.items()
                  if name not in ('MLSD', 'MLST')}

Handler.authorizer = DummyAuthorizer()
Handler.authorizer.add_anonymous(sys.argv[1])
server = FTPServer(('127.0.0.1', 0), Handler)
print('Listening at', server.address, flush=True)
server.serve_forever(handle_exit=False)
'''


def script(name):
    return f'{CHAPTER}/{name}'


def served(pg, path):
    """A file of the playground's FTP tree, as stored."""
    return pg.state / 'ftp' / path.lstrip('/')


def port(pg):
    return ('-p', pg.port(21))


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


def upload(spawn, pg, name, user, local, remotedir, password=ACCOUNT[1]):
    """Run an upload listing, answer its password prompt; return (status, output)."""
    child = spawn(script(name), '127.0.0.1', user, local, remotedir, *port(pg))
    child.expect_exact(f'Password for {user} on 127.0.0.1: ')
    child.sendline(password)
    return finish(child)


# ---------------------------------------------------------------- connect

def test_connect_shows_welcome_and_working_folder(run, playground):
    pg = playground('ftp')
    out = run(script('connect.py'), *port(pg)).ok()
    assert out.splitlines() == ['Welcome: 220 Welcome to the playground FTP server.',
                                'Current working directory: /']


# ---------------------------------------------------------------- downloads

@pytest.mark.parametrize('name', list(DOWNLOADERS))
def test_download_matches_the_servers_file_byte_for_byte(run, playground, tmp_path, name):
    pg = playground('ftp')
    remote, local = DOWNLOADERS[name]
    out = run(script(name), '127.0.0.1', *port(pg)).ok()
    expected = served(pg, remote).read_bytes()
    assert (tmp_path / local).read_bytes() == expected
    assert out.splitlines()[-1] == (f'Saved {local} ({len(expected)} bytes) '
                                    f'from {os.path.dirname(remote)}')
    assert sorted(p.name for p in tmp_path.iterdir()) == [local]   # no .part left


def test_binarydl_fetches_the_books_gzipped_patch(run, playground, tmp_path):
    import gzip
    pg = playground('ftp')
    run(script('binarydl.py'), *port(pg)).ok()
    assert gzip.decompress((tmp_path / 'patch8.gz').read_bytes()).startswith(b'--- linux-1.0')


@pytest.mark.parametrize('name', list(DOWNLOADERS))
def test_download_refuses_to_overwrite_a_local_file(run, playground, tmp_path, name):
    pg = playground('ftp')
    local = tmp_path / DOWNLOADERS[name][1]
    local.write_text('my own file\n')
    run(script(name), *port(pg)).fails(f'{name[:-3]}: refusing to overwrite your {local.name} file')
    assert local.read_text() == 'my own file\n'


@pytest.mark.parametrize('name', list(DOWNLOADERS))
def test_a_failed_download_leaves_no_file_that_blocks_the_next(run, fresh_playground, tmp_path,
                                                                 name):
    pg = fresh_playground('ftp')
    remote, local = DOWNLOADERS[name]
    served(pg, remote).unlink()
    run(script(name), *port(pg)).fails(f'{name[:-3]}: 127.0.0.1:{pg.port(21)}: 550 ')
    assert not (tmp_path / local).exists()


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
    out = run(script('advbinarydl.py'), *port(pg)).ok()
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
    status, printed = upload(spawn, pg, name, 'brandon', local.name, WRITABLE)
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
    status, printed = upload(spawn, pg, name, 'anonymous', local.name, WRITABLE,
                             password='reader@example.com')
    assert status == 1 and 'Traceback' not in printed, printed
    assert printed.rstrip().splitlines()[-1] == (
        f'{name[:-3]}: 127.0.0.1:{pg.port(21)}: 550 Not enough privileges.')
    assert not served(pg, f'{WRITABLE}/{local.name}').exists()


@pytest.mark.parametrize('name', UPLOADERS)
def test_wrong_password_fails_with_one_clear_line(spawn, playground, tmp_path, name):
    pg = playground('ftp')
    local = payload_file(tmp_path, 'never.bin', 1000)
    started = time.monotonic()
    status, printed = upload(spawn, pg, name, 'brandon', local.name, WRITABLE,
                             password='not-my-password')
    assert status == 1 and time.monotonic() - started < 10, printed
    assert printed.rstrip().splitlines()[-1] == (
        f'{name[:-3]}: 127.0.0.1:{pg.port(21)}: 530 Authentication failed.')
    assert 'Traceback' not in printed


def test_upload_outside_the_writable_folder_is_refused(spawn, playground, tmp_path):
    pg = playground('ftp')
    local = payload_file(tmp_path, 'intruder.bin', 1000)
    status, printed = upload(spawn, pg, 'binaryul.py', 'brandon', local.name, '/pub')
    assert status == 1 and printed.rstrip().endswith('550 Not enough privileges.'), printed
    assert not served(pg, '/pub/intruder.bin').exists()


@pytest.mark.parametrize('name', UPLOADERS)
def test_missing_local_file_is_named_before_connecting(run, name):
    run(script(name), '127.0.0.1', 'brandon', 'nosuch.bin', WRITABLE, '-p', closed_port()).fails(
        f'{name[:-3]}: nosuch.bin: No such file or directory')


# ---------------------------------------------------------------- listings

def test_dir_and_nlst_agree_on_the_names(run, playground):
    pg = playground('ftp')
    folder = served(pg, '/pub/academic/astronomy')
    on_disk = sorted(os.listdir(folder))
    dir_lines = run(script('dir.py'), *port(pg)).ok().splitlines()
    nlst_lines = run(script('nlst.py'), *port(pg)).ok().splitlines()
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
    out = run(script(name), '127.0.0.1', '/pub/linux/kernel', *port(pg)).ok().splitlines()
    assert out[0] == '3 entries:'
    assert [line.split()[-1] for line in out[1:]] == ['Historic', 'README', 'v1.0']
    run(script(name), '127.0.0.1', '/pub/nothing', *port(pg)).fails(
        f'{name[:-3]}: 127.0.0.1:{pg.port(21)}: 550 No such file or directory.')


# ---------------------------------------------------------------- recursedl

def expected_walk(root):
    """What recursedl prints for a local copy of /pub/linux/kernel/Historic."""
    lines = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        remote = '/pub/linux/kernel/' + str(pathlib.Path(folder).relative_to(root.parent))
        lines += [remote + '/'] + [f'{remote}/{name}' for name in sorted(names)]
    return lines


def assert_copied(root, copy):
    files = [p for p in root.rglob('*') if p.is_file()]
    assert len(files) >= 10
    for path in files:
        assert (copy / path.relative_to(root)).read_bytes() == path.read_bytes()
    assert sorted(p.relative_to(copy) for p in copy.rglob('*')) == sorted(
        p.relative_to(root) for p in root.rglob('*'))


def test_recursedl_prints_and_copies_the_whole_tree(run, playground, tmp_path):
    pg = playground('ftp')
    root = served(pg, '/pub/linux/kernel/Historic')
    out = run(script('recursedl.py'), *port(pg)).ok().splitlines()
    assert sorted(out) == sorted(expected_walk(root))
    assert out[0] == '/pub/linux/kernel/Historic/'
    assert any(line.count('/') >= 9 for line in out)  # deeply nested
    assert_copied(root, tmp_path / 'Historic')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['Historic']   # no scratch left
    run(script('recursedl.py'), *port(pg)).fails(
        'recursedl: refusing to overwrite your Historic folder')


@pytest.fixture
def no_mlsd(playground, tmp_path):
    """A pyftpdlib server without MLSD (as vsftpd) over a copy of the Historic tree."""
    pg = playground('ftp')
    root = tmp_path / 'served'
    shutil.copytree(served(pg, '/pub/linux/kernel/Historic'), root / 'pub/linux/kernel/Historic')
    server = Server([sys.executable, '-c', NO_MLSD_SERVER, str(root)], tmp_path, base_env())
    with ftplib.FTP() as ftp:   # the server really lacks it
        ftp.connect('127.0.0.1', server.port, timeout=10)
        ftp.login()
        assert 'MLST' not in ftp.sendcmd('FEAT')
        with pytest.raises(ftplib.error_perm, match='^500'):
            list(ftp.mlsd('/'))
    yield server, root / 'pub/linux/kernel/Historic'
    server.stop()


def test_recursedl_walks_the_books_way_without_mlsd(run, no_mlsd, tmp_path):
    server, root = no_mlsd
    work = tmp_path / 'work'
    work.mkdir()
    out = run(script('recursedl.py'), '-p', server.port, cwd=work).ok().splitlines()
    assert out == expected_walk(root)
    assert_copied(root, work / 'Historic')
    assert sorted(p.name for p in work.iterdir()) == ['Historic']


def test_recursedl_leaves_nothing_behind_when_a_download_fails(run, no_mlsd, tmp_path):
    server, root = no_mlsd
    (root / 'old-versions' / 'zz-broken').symlink_to('nowhere')   # listed, but RETR fails
    work = tmp_path / 'work'
    work.mkdir()
    run(script('recursedl.py'), '-p', server.port, cwd=work).fails(
        f'recursedl: 127.0.0.1:{server.port}: 550 ')
    assert list(work.iterdir()) == []   # neither Historic nor its scratch folder


# ---------------------------------------------------------------- failures and usage

@pytest.mark.parametrize('name', HOST_ONLY + UPLOADERS)
def test_closed_port_fails_fast_with_one_clear_line(run, tmp_path, name):
    port = closed_port()
    extra = ['brandon', payload_file(tmp_path, 'x.bin', 10).name, WRITABLE] \
        if name in UPLOADERS else []
    started = time.monotonic()
    run(script(name), '127.0.0.1', *extra, '-p', port).fails(
        f'{name[:-3]}: 127.0.0.1:{port}: Connection refused')
    assert time.monotonic() - started < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == (['x.bin'] if extra else [])


def test_unknown_host_is_one_clear_line(run):
    run(script('connect.py'), 'no-such-host.invalid').fails(
        'connect: no-such-host.invalid:10021: ')


@pytest.mark.parametrize('name', HOST_ONLY + UPLOADERS)
def test_help_and_bad_arguments(run, name):
    assert 'usage:' in run(script(name), '-h').ok()
    extra = ['u', 'f', 'd'] if name in UPLOADERS else []
    bad = run(script(name), '127.0.0.1', *extra, '-p', 'notaport')
    assert bad.returncode == 2 and "invalid int value: 'notaport'" in bad.err
