"""Chapter 4: getaddrinfo(), forward and reverse lookups, and DNS asked directly."""
import pytest

from harness import closed_port, free_port


@pytest.fixture
def nameserver(playground):
    return f'127.0.0.1:{playground("dns").port(53)}'


def test_www_ping_connects_to_a_listening_port(run, playground):
    port = playground('web').port(80)
    out = run('chapter04/www_ping.py', 'localhost', '-p', port).ok()
    assert out == f'Success: host localhost is listening on port {port}\n'


def test_www_ping_closed_port(run):
    port = closed_port()
    run('chapter04/www_ping.py', 'localhost', '-p', port, timeout=10).fails(
        'Network failure connecting to localhost', 'Connection refused')


def test_www_ping_unknown_name(run):
    run('chapter04/www_ping.py', 'no-such-host.invalid', timeout=10).fails(
        "Name service failure for 'no-such-host.invalid'")


def test_forward_reverse_agree_for_localhost(run):
    out = run('chapter04/forward_reverse.py', 'localhost').ok()
    assert out.splitlines() == ["localhost -> 127.0.0.1 (canonical name 'localhost') -> localhost",
                                'Wow, the names agree completely!']


def test_forward_reverse_unknown_name(run):
    run('chapter04/forward_reverse.py', 'no-such-host.invalid', timeout=10).fails(
        "Forward name service failure for 'no-such-host.invalid'")


def test_dns_basic_prints_every_record_type(run, nameserver):
    out = run('chapter04/dns_basic.py', 'example.com', '--nameserver', nameserver).ok()
    assert out.splitlines() == [
        'A     192.0.2.10',
        'AAAA  2001:db8::10',
        'CNAME (none)',
        'MX    10 mail.example.com.',
        'MX    20 backup-mx.example.com.',
        'MX    30 mx-alias.example.com.',
        'NS    ns1.example.com.',
        'NS    ns2.example.com.',
    ]


def test_dns_basic_alias_and_missing_name(run, nameserver):
    out = run('chapter04/dns_basic.py', 'www.example.com', '--nameserver', nameserver).ok()
    assert 'CNAME example.com.' in out.splitlines()
    out = run('chapter04/dns_basic.py', 'nothere.example.com', '--nameserver', nameserver).ok()
    assert out.splitlines()[0] == 'A     nothere.example.com does not exist'


def test_dns_mx_walks_mx_records_in_priority_order(run, nameserver):
    out = run('chapter04/dns_mx.py', 'example.com', '--nameserver', nameserver).ok()
    assert out.splitlines() == [
        'This domain has 3 MX records',
        'Priority 10: mail.example.com.',
        '   mail.example.com. has address 192.0.2.25',
        '   mail.example.com. has address 2001:db8::25',
        'Priority 20: backup-mx.example.com.',
        '   backup-mx.example.com. has address 192.0.2.26',
        'Priority 30: mx-alias.example.com.',
        '   mx-alias.example.com. is an alias for relay.example.com.',
        '   mx-alias.example.com. has address 192.0.2.27',
    ]


@pytest.mark.parametrize('domain, address', [('example.net', '192.0.2.90'),
                                             ('nomx.example.com', '192.0.2.80')])
def test_dns_mx_falls_back_to_the_address(run, nameserver, domain, address):
    out = run('chapter04/dns_mx.py', domain, '--nameserver', nameserver).ok()
    assert out.splitlines()[:3] == ['This domain has no explicit MX records',
                                    'Attempting to resolve it as an A or AAAA record...',
                                    f'   {domain} has address {address}']


def test_dns_mx_mail_server_without_address(run, nameserver):
    out = run('chapter04/dns_mx.py', 'broken.example.net', '--nameserver', nameserver).ok()
    assert '   gone.example.net. has no address: nowhere to deliver' in out


def test_dns_mx_unknown_domain(run, nameserver):
    run('chapter04/dns_mx.py', 'nothere.example.com', '--nameserver', nameserver).fails(
        'the domain nothere.example.com does not exist')


@pytest.mark.parametrize('script', ['dns_basic.py', 'dns_mx.py'])
def test_dns_scripts_without_a_server_fail_within_seconds(run, script):
    import socket
    server = f'127.0.0.1:{free_port(socket.SOCK_DGRAM)}'
    run(f'chapter04/{script}', 'example.com', '--nameserver', server, timeout=10).fails(
        f'no usable answer from {server}')


def test_dns_scripts_reject_a_bad_nameserver(run):
    done = run('chapter04/dns_mx.py', 'example.com', '--nameserver', '127.0.0.1:http')
    assert done.returncode == 2 and '--nameserver must be host[:port]' in done.err
