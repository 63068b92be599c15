"""The playground's FTP service, checked with the standard library's ftplib and with curl."""
import ftplib
import io
import os
import socket
import stat
import struct
import subprocess
import uuid

import pytest

from harness import ACCOUNT, require_binary, wait_until

WRITABLE = '/home/brandon'
TARBALL = '/pub/linux/kernel/v1.0/linux-1.0.tar.gz'


def connect(pg, user=None, password='', passive=True):
    """An ftplib client logged in to the playground (anonymous unless user is given)."""
    ftp = ftplib.FTP()
    ftp.connect('127.0.0.1', pg.port(21), timeout=10)
    ftp.set_pasv(passive)
    try:
        ftp.login(*([user, password] if user else []))
    except ftplib.Error:
        ftp.close()
        raise
    return ftp


def download(ftp, path):
    """The bytes of a remote file, fetched in binary mode."""
    data = io.BytesIO()
    ftp.retrbinary(f'RETR {path}', data.write)
    return data.getvalue()


def on_disk(pg, path):
    """The served file as the playground stores it."""
    return (pg.state / 'ftp' / path.lstrip('/')).read_bytes()


def unique(name):
    return f'{uuid.uuid4().hex[:8]}-{name}'


def test_startup_table_shows_the_ftp_address(playground):
    pg = playground('ftp')
    assert f'ftp 127.0.0.1:{pg.port(21)}' in pg.table
    assert 'anonymous FTP is read-only' in pg.table


def test_the_tree_has_the_shape_of_the_books_archives(playground):
    pg = playground('ftp')
    with connect(pg) as ftp:
        assert ftp.getwelcome() == '220 Welcome to the playground FTP server.'
        assert ftp.nlst('/pub/linux/kernel') == ['Historic', 'README', 'v1.0']
        assert sorted(ftp.nlst('/pub/linux/kernel/v1.0')) == ['linux-1.0.patch',
                                                              'linux-1.0.tar.gz', 'patch8.gz']
        facts = dict(ftp.mlsd('/pub/linux/kernel/Historic/old-versions/0.95'))
        assert facts['patches']['type'] == facts['notes']['type'] == 'dir'
        nested = dict(ftp.mlsd('/pub/linux/kernel/Historic/old-versions/0.95/patches'))
        assert nested['contrib']['type'] == 'dir'
        astronomy = dict(ftp.mlsd('/pub/academic/astronomy'))
        assert len(astronomy) >= 35
        assert sum(f['type'] == 'dir' for f in astronomy.values()) >= 5
        readme = download(ftp, '/pub/linux/kernel/README')
    assert readme.startswith(b'The Linux kernel archive')
    assert b'\r' not in readme and readme.endswith(b'\n')


@pytest.mark.parametrize('passive', [True, False], ids=['passive', 'active'])
def test_downloads_are_byte_exact_in_both_data_connection_modes(playground, passive):
    pg = playground('ftp')
    with connect(pg, passive=passive) as ftp:
        assert download(ftp, TARBALL) == on_disk(pg, TARBALL)
        image = download(ftp, '/pub/academic/astronomy/starfield.pgm')
        lines = []
        ftp.retrlines('LIST /pub/linux/kernel', lines.append)
    assert image == on_disk(pg, '/pub/academic/astronomy/starfield.pgm')
    assert set(range(256)) <= set(image)  # every byte value made the trip
    assert [line.split()[-1] for line in lines] == ['Historic', 'README', 'v1.0']


def test_ascii_mode_sends_crlf_and_size_needs_binary_mode(playground):
    pg = playground('ftp')
    with connect(pg) as ftp:
        ftp.voidcmd('TYPE A')
        with pytest.raises(ftplib.error_perm, match='^550'):
            ftp.size(TARBALL)
        sock, size = ftp.ntransfercmd('RETR /pub/linux/kernel/README')
        with sock:
            wire = b''.join(iter(lambda: sock.recv(65536), b''))
        ftp.voidresp()
        assert size is None  # pyftpdlib's 150 reply names no size: clients must ask
        ftp.voidcmd('TYPE I')
        assert ftp.size(TARBALL) == len(on_disk(pg, TARBALL))
    assert wire == on_disk(pg, '/pub/linux/kernel/README').replace(b'\n', b'\r\n')


def test_brandon_writes_in_his_folder_and_nowhere_else(playground):
    pg = playground('ftp')
    name, payload = unique('upload.bin'), bytes(range(256)) * 100
    with connect(pg, *ACCOUNT) as ftp:
        assert ftp.storbinary(f'STOR {WRITABLE}/{name}', io.BytesIO(payload)).startswith('226')
        ftp.mkd(f'{WRITABLE}/{name}.d')
        ftp.rename(f'{WRITABLE}/{name}.d', f'{WRITABLE}/{name}.dir')
        ftp.rmd(f'{WRITABLE}/{name}.dir')
        for command in (lambda: ftp.storbinary('STOR /pub/x', io.BytesIO(b'x')),
                        lambda: ftp.mkd('/pub/linux/new'),
                        lambda: ftp.delete('/pub/linux/kernel/README'),
                        lambda: ftp.rename('/pub/linux/kernel/README', '/pub/README')):
            with pytest.raises(ftplib.error_perm, match='^550'):
                command()
    assert (pg.state / 'ftp' / WRITABLE.lstrip('/') / name).read_bytes() == payload
    assert (pg.state / 'ftp' / 'pub' / 'linux' / 'kernel' / 'README').exists()


def test_anonymous_is_read_only_everywhere(playground):
    pg = playground('ftp')
    name = unique('anon.txt')
    with connect(pg) as ftp:
        for path in (f'{WRITABLE}/{name}', f'/pub/{name}', f'/{name}'):
            with pytest.raises(ftplib.error_perm, match='^550 Not enough privileges'):
                ftp.storbinary(f'STOR {path}', io.BytesIO(b'no'))
        with pytest.raises(ftplib.error_perm, match='^550'):
            ftp.delete(f'{WRITABLE}/README')
    assert not list((pg.state / 'ftp').rglob(name))


def test_wrong_password_is_refused_and_paths_stay_inside_the_tree(playground):
    pg = playground('ftp')
    with pytest.raises(ftplib.error_perm, match='^530'):
        connect(pg, ACCOUNT[0], 'not-the-password')
    with connect(pg) as ftp:
        ftp.cwd('/../../..')
        assert ftp.pwd() == '/'
        assert sorted(ftp.nlst()) == ['home', 'pub']


def test_curl_is_served_as_well(playground, tmp_path):
    curl = require_binary('curl')
    pg = playground('ftp')
    base = f'ftp://127.0.0.1:{pg.port(21)}'

    def run(*args):
        return subprocess.run([curl, '--silent', '--show-error', '--max-time', '20', *args],
                              capture_output=True, timeout=30)

    listing = run(f'{base}/pub/linux/kernel/')
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[-1] for line in listing.stdout.decode().splitlines()] == [
        'Historic', 'README', 'v1.0']
    for mode in ([], ['--ftp-port', '127.0.0.1']):  # passive (EPSV), then active (EPRT)
        fetched = run(*mode, f'{base}{TARBALL}')
        assert fetched.returncode == 0, fetched.stderr
        assert fetched.stdout == on_disk(pg, TARBALL)
    local = tmp_path / unique('curl.bin')
    local.write_bytes(os.urandom(50_000))
    refused = run('-T', str(local), f'{base}{WRITABLE}/')
    assert refused.returncode == 25 and b'550' in refused.stderr  # anonymous: no uploads
    stored = run('-u', ':'.join(ACCOUNT), '-T', str(local), f'{base}{WRITABLE}/')
    assert stored.returncode == 0, stored.stderr
    assert (pg.state / 'ftp' / WRITABLE.lstrip('/') / local.name).read_bytes() == \
        local.read_bytes()


def reply(sock_file):
    """One (possibly multi-line) reply from a raw control connection."""
    line = sock_file.readline()
    if line[3:4] == b'-':
        while not (line[:3].isdigit() and line[3:4] == b' '):
            line = sock_file.readline()
    return line


def test_garbage_overlong_lines_and_abrupt_disconnects_then_next_client_served(playground):
    pg = playground('ftp')
    with socket.create_connection(('127.0.0.1', pg.port(21)), timeout=10) as sock:
        replies = sock.makefile('rb')
        assert reply(replies).startswith(b'220')
        sock.sendall(b'\x00\xff\xfe garbage \x80\r\n')
        assert reply(replies)[:3] in (b'500', b'501')
        # one '500 Command too long.' per chunk the server reads, then the NOOP's 200
        sock.sendall(b'USER ' + b'a' * 100_000 + b'\r\nNOOP\r\n')
        seen = [reply(replies)]
        while not seen[-1].startswith(b'200'):
            seen.append(reply(replies))
        assert b'500 Command too long.\r\n' in seen
    # a client that vanishes in the middle of a download
    ftp = connect(pg)
    ftp.voidcmd('TYPE I')
    data, _ = ftp.ntransfercmd(f'RETR {TARBALL}')
    data.recv(100)
    data.close()
    ftp.close()  # no QUIT, no ABOR: just gone
    with connect(pg) as ftp:
        assert download(ftp, TARBALL) == on_disk(pg, TARBALL)


def test_seeding_is_deterministic(tmp_path):
    from playground.ftp import prepare
    prepare(tmp_path / 'a', reset=False)
    prepare(tmp_path / 'b', reset=False)
    first = {p.relative_to(tmp_path / 'a'): p.read_bytes()
             for p in (tmp_path / 'a').rglob('*') if p.is_file()}
    second = {p.relative_to(tmp_path / 'b'): p.read_bytes()
              for p in (tmp_path / 'b').rglob('*') if p.is_file()}
    assert first == second and len(first) > 50
    assert not (tmp_path / 'a' / 'ftp.seeding').exists()


def test_uploads_survive_a_restart_and_reset_restores_the_seed(fresh_playground, tmp_path):
    state = tmp_path / 'state'
    pg = fresh_playground('ftp', state=state)
    with connect(pg, *ACCOUNT) as ftp:
        ftp.storbinary(f'STOR {WRITABLE}/kept.bin', io.BytesIO(b'\x00kept\xff'))
    pg.stop()
    (state / 'ftp' / 'pub' / 'linux' / 'kernel' / 'README').unlink()

    pg = fresh_playground('ftp', state=state)
    with connect(pg) as ftp:
        assert download(ftp, f'{WRITABLE}/kept.bin') == b'\x00kept\xff'
        assert 'README' not in ftp.nlst('/pub/linux/kernel')
    pg.stop()

    pg = fresh_playground('ftp', state=state, reset=True)
    with connect(pg) as ftp:
        assert 'kept.bin' not in ftp.nlst(WRITABLE)
        assert 'README' in ftp.nlst('/pub/linux/kernel')


# ---------------------------------------------------------------- a shared machine (issue 11)

def mode_of(pg, path):
    return stat.S_IMODE((pg.state / 'ftp' / path.lstrip('/')).stat().st_mode)


def test_no_set_uid_set_gid_or_sticky_bits_and_uploads_are_not_executable(playground):
    pg = playground('ftp')
    name = f'{WRITABLE}/{unique("program")}'
    with connect(pg, *ACCOUNT) as ftp:
        ftp.storbinary(f'STOR {name}', io.BytesIO(b'#!/bin/sh\nid\n'))
        assert mode_of(pg, name) == 0o644  # readable, executable by nobody
        for mode in ('4755', '2755', '1777', '6777', '4000'):
            with pytest.raises(ftplib.error_perm, match='^550 set-user-ID'):
                ftp.sendcmd(f'SITE CHMOD {mode} {name}')
            assert mode_of(pg, name) == 0o644
        assert ftp.sendcmd(f'SITE CHMOD 755 {name}').startswith('200')
        assert ftp.sendcmd(f'SITE CHMOD 0700 {name}').startswith('200')
    assert mode_of(pg, name) == 0o700


def listener_outside_the_client_ports():
    """A listening socket on a port that no client's data socket would get."""
    for number in range(20000, 32000, 7):
        sock = socket.socket()
        try:
            sock.bind(('127.0.0.1', number))
        except OSError:
            sock.close()
            continue
        sock.listen()
        sock.setblocking(False)
        return sock
    raise AssertionError('no free port below 32000')


def test_active_data_connections_go_only_to_client_ports(playground):
    pg = playground('ftp')
    with listener_outside_the_client_ports() as victim, connect(pg, *ACCOUNT) as ftp:
        number = victim.getsockname()[1]
        for command in (f'PORT 127,0,0,1,{number // 256},{number % 256}',
                        f'EPRT |1|127.0.0.1|{number}|',
                        f'EPRT |1|127.0.0.1|{pg.port(21)}|'):  # the FTP server itself
            with pytest.raises(ftplib.error_perm, match='^501 Data connection to port'):
                ftp.sendcmd(command)
        ftp.voidcmd('NOOP')  # a round trip: a connection to the victim would be there by now
        with pytest.raises(BlockingIOError):
            victim.accept()  # nobody knocked
        with pytest.raises(ftplib.error_perm, match='^501'):
            ftp.sendcmd('PORT 127,0,0,2,200,10')  # another address: pyftpdlib's own check
        ftp.set_pasv(False)  # ftplib's own active mode: a port the kernel picked
        assert download(ftp, '/pub/linux/kernel/README') == on_disk(pg, '/pub/linux/kernel/README')


def reset(sock):
    """Close a socket with a TCP reset (as a crashed client's kernel does), not a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    sock.close()


def test_an_interrupted_reupload_keeps_the_old_file(fresh_playground):
    pg = fresh_playground('ftp')   # it watches the scratch folder: no one else's uploads
    name, old = f'{WRITABLE}/{unique("report.txt")}', b'the old version\n' * 1000
    with connect(pg, *ACCOUNT) as ftp:
        ftp.storbinary(f'STOR {name}', io.BytesIO(old))
        ftp.voidcmd('TYPE I')
        data = ftp.transfercmd(f'STOR {name}')
        data.sendall(b'half of the new ' * 5000)
        with connect(pg) as reader:  # meanwhile, others still get the old file whole
            assert download(reader, name) == old
        reset(data)
        with pytest.raises(ftplib.error_temp, match='^426 Connection reset'):
            ftp.voidresp()
        assert download(ftp, name) == old
        assert on_disk(pg, name) == old
        # a client that vanishes in the middle (control and data connection reset)
        doomed = connect(pg, *ACCOUNT)
        doomed.voidcmd('TYPE I')
        data = doomed.transfercmd(f'STOR {name}')
        data.sendall(b'x' * 100_000)
        reset(data)
        reset(doomed.sock)
        doomed.file.close()
        uploads = pg.state / 'ftp.uploads'
        wait_until(lambda: not list(uploads.iterdir()), 10, 'the scratch file stayed')
        assert on_disk(pg, name) == old
        # a complete upload replaces it, and no scratch file is ever in the tree
        ftp.storbinary(f'STOR {name}', io.BytesIO(b'new\n'))
        assert download(ftp, name) == b'new\n'
        assert not any(os.path.basename(entry).startswith('upload-') for entry in ftp.nlst(WRITABLE))
    assert not list(uploads.iterdir())


def test_appe_and_rest_go_on_from_the_old_bytes(playground):
    pg = playground('ftp')
    name = f'{WRITABLE}/{unique("log.txt")}'
    with connect(pg, *ACCOUNT) as ftp:
        ftp.storbinary(f'STOR {name}', io.BytesIO(b'one\n'))
        ftp.storbinary(f'APPE {name}', io.BytesIO(b'two\n'))
        ftp.storbinary(f'STOR {name}', io.BytesIO(b'TWO\nthree\n'), rest=4)
        assert download(ftp, name) == b'one\nTWO\nthree\n'
        with pytest.raises(ftplib.error_perm, match='^550'):
            ftp.storbinary(f'STOR {WRITABLE}', io.BytesIO(b'a folder is no file'))
        assert ftp.nlst(WRITABLE)  # the folder is still there


def test_mlsd_and_mlst_give_unix_mode_in_octal_digits(playground):
    pg = playground('ftp')
    with connect(pg) as ftp:
        facts = dict(ftp.mlsd('/pub/linux/kernel', facts=['type', 'unix.mode']))
        assert facts['README']['unix.mode'] == '0644'
        assert facts['v1.0']['unix.mode'] == '0755'
        assert 'unix.mode=0644;' in ftp.sendcmd('MLST /pub/linux/kernel/README')


def test_list_and_nlst_accept_ls_options_before_a_path(playground):
    pg = playground('ftp')
    with connect(pg) as ftp:
        for command in ('LIST -la /pub/linux/kernel', 'LIST -l -a /pub/linux/kernel',
                        'LIST -aL /pub/linux/kernel'):
            lines = []
            ftp.retrlines(command, lines.append)
            assert [line.split()[-1] for line in lines] == ['Historic', 'README', 'v1.0']
        assert sorted(ftp.nlst('-a /pub/linux/kernel/v1.0')) == [
            'linux-1.0.patch', 'linux-1.0.tar.gz', 'patch8.gz']


def test_lftp_mirror_makes_readable_files(playground, tmp_path):
    lftp = require_binary('lftp')
    pg = playground('ftp')
    script = (f'set net:max-retries 1; set net:timeout 10; set ftp:ssl-allow no; '
              f'open ftp://anonymous:@127.0.0.1:{pg.port(21)}; '
              f'mirror /pub/linux/kernel/Historic/old-versions/0.95 copy')
    done = subprocess.run([lftp, '-c', script], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env=dict(os.environ, HOME=str(tmp_path)),
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    served = pg.state / 'ftp' / 'pub/linux/kernel/Historic/old-versions/0.95'
    files = [path for path in served.rglob('*') if path.is_file()]
    assert len(files) >= 4
    for path in files:
        copy = tmp_path / 'copy' / path.relative_to(served)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o644, copy
        assert copy.read_bytes() == path.read_bytes()


def test_the_private_pyftpdlib_names_we_rely_on_are_still_there():
    """playground/ftp.py sets DTPHandler._resp (the reply sent when a transfer ends) to
    report an aborted upload; setup.cfg pins pyftpdlib below the first untested release.
    If this fails after an upgrade, look at DataChannel.close in playground/ftp.py."""
    import inspect
    import warnings
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', r'The asyn(core|chat) module is deprecated',
                                DeprecationWarning)
        from pyftpdlib.handlers import DTPHandler
    assert 'self._resp = (' in inspect.getsource(DTPHandler.handle_close)
    assert 'self._resp[0]' in inspect.getsource(DTPHandler.close)
    assert 'file_obj.close()' in inspect.getsource(DTPHandler.close)
