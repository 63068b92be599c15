"""Chapter 4: getaddrinfo(), the canonical name, and DNS asked directly."""
import os
import subprocess
import sys

import pytest

from harness import REPO, closed_port, free_port, listing_env, require_binary


@pytest.fixture
def dns(playground):
    """The command-line arguments that send a listing's queries to the playground."""
    return ['--nameserver', '127.0.0.1', '-p', playground('dns').port(53)]


def test_www_ping_connects_to_a_listening_port(run, playground):
    port = playground('web').port(80)
    out = run('chapter04/www_ping.py', 'localhost', '-p', port).ok()
    assert out == f'Success: host localhost is listening on port {port}\n'


def test_www_ping_closed_port(run):
    port = closed_port()
    run('chapter04/www_ping.py', 'localhost', '-p', port, timeout=10).fails(
        f"www_ping: localhost ('127.0.0.1', {port}): network failure: Connection refused")


def test_www_ping_unknown_name(run):
    run('chapter04/www_ping.py', 'no-such-host.invalid', timeout=10).fails(
        'www_ping: no-such-host.invalid: name service failure: ')


def test_forward_reverse_agree_for_localhost(run):
    out = run('chapter04/forward_reverse.py', 'localhost').ok()
    assert out.splitlines() == ['localhost has IP address 127.0.0.1 and the canonical name localhost',
                                'Wow, the names agree completely!']


HOSTS = """127.0.0.1 localhost
192.0.2.1 web.example.com www.example.com
192.0.2.2 shop.example.org www.example.net
192.0.2.3 a.co.uk b.co.uk
"""


@pytest.mark.parametrize('name, ip, canonical, verdict', [
    ('www.example.com', '192.0.2.1', 'web.example.com', 'The two names have a lot in common'),
    ('www.example.net', '192.0.2.2', 'shop.example.org',
     'WARNING! The canonical name belongs to a different organization'),
    ('b.co.uk', '192.0.2.3', 'a.co.uk',
     'WARNING! The canonical name belongs to a different organization'),
])
def test_forward_reverse_compares_the_names(tmp_path, name, ip, canonical, verdict):
    # The system's resolver, with a hosts file of our own: the first name of a line is
    # the canonical name of the others. A private mount namespace lends it /etc/hosts.
    unshare = require_binary('unshare', 'util-linux')
    if subprocess.run([unshare, '-Urm', 'true'], capture_output=True).returncode:
        reason = 'unshare -Urm failed: enable unprivileged user namespaces'
        if os.environ.get('CI'):
            pytest.fail(reason + '; CI must not pass by skipping')
        pytest.skip(reason)
    (tmp_path / 'hosts').write_text(HOSTS)
    script = f'mount --bind {tmp_path / "hosts"} /etc/hosts && exec "$0" "$@"'
    done = subprocess.run([unshare, '-Urm', 'sh', '-c', script, sys.executable,
                           str(REPO / 'chapter04' / 'forward_reverse.py'), name],
                          capture_output=True, text=True, timeout=10, env=listing_env())
    assert done.returncode == 0 and done.stderr == '', done
    assert done.stdout.splitlines() == [
        f'{name} has IP address {ip} and the canonical name {canonical}', verdict]


def test_forward_reverse_unknown_name(run):
    run('chapter04/forward_reverse.py', 'no-such-host.invalid', timeout=10).fails(
        'forward_reverse: no-such-host.invalid: forward name service failure: ')


def test_dns_basic_prints_every_record_type(run, dns):
    out = run('chapter04/dns_basic.py', 'example.com', *dns).ok()
    assert out.splitlines() == [
        'A     192.0.2.10',
        'AAAA  2001:db8::10',
        'MX    10 mail.example.com.',
        'MX    20 backup-mx.example.com.',
        'MX    30 mx-alias.example.com.',
        'NS    ns1.example.com.',
        'NS    ns2.example.com.',
    ]


def test_dns_basic_alias_and_missing_name(run, dns):
    out = run('chapter04/dns_basic.py', 'www.example.com', *dns).ok()
    assert 'CNAME example.com.' in out.splitlines()
    run('chapter04/dns_basic.py', 'nothere.example.com', *dns).fails(
        f'dns_basic: 127.0.0.1:{dns[-1]}: ', 'does not exist: nothere.example.com.')


def test_dns_mx_walks_mx_records_in_priority_order(run, dns):
    out = run('chapter04/dns_mx.py', 'example.com', *dns).ok()
    assert out.splitlines() == [
        'This domain has 3 MX records',
        'Priority 10: mail.example.com.',
        '    mail.example.com. has A address 192.0.2.25',
        'Priority 20: backup-mx.example.com.',
        '    backup-mx.example.com. has A address 192.0.2.26',
        'Priority 30: mx-alias.example.com.',
        '    mx-alias.example.com. is an alias for relay.example.com.',
        '    mx-alias.example.com. has A address 192.0.2.27',
    ]


@pytest.mark.parametrize('domain, address', [('example.net', '192.0.2.90'),
                                             ('nomx.example.com', '192.0.2.80')])
def test_dns_mx_falls_back_to_the_address(run, dns, domain, address):
    out = run('chapter04/dns_mx.py', domain, *dns).ok()
    assert out.splitlines() == ['This domain has no explicit MX records',
                                'Attempting to resolve it as an A or AAAA record...',
                                f'    {domain} has A address {address}']


def test_dns_mx_mail_server_without_address(run, dns):
    out = run('chapter04/dns_mx.py', 'broken.example.net', *dns).ok()
    assert '    gone.example.net. has no address: nowhere to deliver' in out


def test_dns_mx_unknown_domain(run, dns):
    run('chapter04/dns_mx.py', 'nothere.example.com', *dns).fails(
        f'dns_mx: 127.0.0.1:{dns[-1]}: ', 'does not exist: nothere.example.com.')


@pytest.mark.parametrize('script', ['dns_basic.py', 'dns_mx.py'])
def test_dns_scripts_without_a_server_fail_within_seconds(run, script):
    import socket
    port = free_port(socket.SOCK_DGRAM)
    run(f'chapter04/{script}', 'example.com', '--nameserver', '127.0.0.1', '-p', port,
        timeout=10).fails(f'{script[:-3]}: 127.0.0.1:{port}: ', 'lifetime expired')


def test_dns_scripts_want_the_nameserver_s_address(run):
    run('chapter04/dns_mx.py', 'example.com', '--nameserver', 'localhost').fails(
        'dns_mx: localhost:10053: ', 'nameserver localhost is not')
