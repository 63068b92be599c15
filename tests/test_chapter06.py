"""Chapter 6: sslclient.py verifies the playground's certificate, and fails clearly when it must."""
import re

from harness import closed_port


def test_fetches_a_document_over_verified_tls(playground, run):
    pg = playground('web')
    out = run('chapter06/sslclient.py', 'localhost', '-p', pg.port(443), env=pg.env).ok()
    match = re.fullmatch(rf'The document https://localhost:{pg.port(443)}/ is (\d+) bytes long\n',
                         out)
    assert match and int(match[1]) > 500, out   # the playground's index page, and its headers


def test_the_certificate_names_the_address_too(playground, run):
    pg = playground('web')
    out = run('chapter06/sslclient.py', '127.0.0.1', '-p', pg.port(443), env=pg.env).ok()
    assert out.startswith(f'The document https://127.0.0.1:{pg.port(443)}/ is ')


def test_wrong_host_name_is_one_clear_line(playground, run):
    pg = playground('web')
    result = run('chapter06/sslclient.py', '-p', pg.port(444), env=pg.env)
    result.fails(f'sslclient: localhost:{pg.port(444)}: certificate rejected: '
                 "Hostname mismatch, certificate is not valid for 'localhost'.")
    assert result.out == ''


def test_unknown_ca_is_one_clear_line(playground, run):
    pg = playground('web')
    # no SSL_CERT_FILE: the system store does not know the playground's CA
    run('chapter06/sslclient.py', '-p', pg.port(443)).fails(
        f'sslclient: localhost:{pg.port(443)}: certificate rejected: '
        'unable to get local issuer certificate')


def test_plain_tcp_port_is_not_tls(playground, run):
    pg = playground('web')
    run('chapter06/sslclient.py', '-p', pg.port(80), env=pg.env, timeout=15).fails(
        f'sslclient: localhost:{pg.port(80)}: [SSL: ')


def test_closed_port_and_unknown_name(run):
    port = closed_port()
    run('chapter06/sslclient.py', '-p', port).fails(f'sslclient: localhost:{port}: ', 'refused')
    run('chapter06/sslclient.py', 'no-such-host.invalid').fails(
        'sslclient: no-such-host.invalid:10443: ')


def test_usage(run):
    assert 'usage:' in run('chapter06/sslclient.py', '-h').ok()
    assert run('chapter06/sslclient.py', '-p', 'https').returncode == 2
