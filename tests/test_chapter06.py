"""Chapter 6: sslclient.py verifies the playground's certificate, and fails clearly when it must."""
import time

from harness import closed_port

BOOK_PATH = '/maps/api/geocode/json?address=207+N.+Defiance+St,+Archbold,+OH'


def test_fetches_a_document_over_verified_tls(playground, run):
    pg = playground('web')
    out = run('chapter06/sslclient.py', f'localhost:{pg.port(443)}', BOOK_PATH,
              env=pg.env).ok()
    assert f'Connected to localhost:{pg.port(443)} with TLSv1.' in out
    assert 'valid for: localhost, 127.0.0.1' in out
    assert 'issued by FOPNP playground' in out
    assert 'Status: HTTP/1.1 200 OK' in out
    assert 'The document is ' in out and ' bytes long' in out
    length = int(out.split('The document is ')[1].split()[0])
    assert length > 500  # the geocoder's JSON answer for the book's address


def test_cafile_option_works_without_ssl_cert_file(playground, run):
    pg = playground('web')
    out = run('chapter06/sslclient.py', '--cafile', pg.ca, f'127.0.0.1:{pg.port(443)}',
              BOOK_PATH).ok()
    assert 'Status: HTTP/1.1 200 OK' in out


def test_wrong_host_name_is_one_clear_line(playground, run):
    pg = playground('web')
    result = run('chapter06/sslclient.py', f'localhost:{pg.port(444)}', env=pg.env)
    result.fails(f'localhost:{pg.port(444)}', 'certificate verification failed',
                 "Hostname mismatch, certificate is not valid for 'localhost'")
    assert result.out == ''


def test_unknown_ca_is_one_clear_line(playground, run):
    pg = playground('web')
    # no SSL_CERT_FILE: the system store does not know the playground's CA
    result = run('chapter06/sslclient.py', f'localhost:{pg.port(443)}')
    result.fails('certificate verification failed', 'unable to get local issuer certificate')


def test_plain_tcp_port_is_not_tls(playground, run):
    pg = playground('web')
    start = time.monotonic()
    result = run('chapter06/sslclient.py', f'localhost:{pg.port(80)}', env=pg.env)
    result.fails(f'localhost:{pg.port(80)}', 'TLS handshake failed', 'does this port speak TLS?')
    assert time.monotonic() - start < 15


def test_closed_port_and_unknown_name(run):
    port = closed_port()
    run('chapter06/sslclient.py', f'127.0.0.1:{port}').fails(f'127.0.0.1:{port}', 'refused')
    run('chapter06/sslclient.py', 'no-such-host.invalid').fails('no-such-host.invalid',
                                                               'name not found')


def test_usage(run):
    assert 'host[:port]' in run('chapter06/sslclient.py', '-h').ok()
    assert run('chapter06/sslclient.py', 'localhost:https').returncode == 2
    result = run('chapter06/sslclient.py', '--cafile', 'missing.pem', 'localhost')
    result.fails('cannot load CA file missing.pem')
