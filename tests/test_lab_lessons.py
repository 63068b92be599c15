"""The lab's lessons (playground/lab): the listings on hosts of a lab, as issue 12 lists them.

These tests share one lab, and run on one xdist worker (the group 'lab'); a
lesson that leaves state in the kernel (a learned path MTU, firewall rules) uses
a host no other test uses for it, or cleans up.
The lab itself (start, stop, kill, two at once, without root) is in test_lab.py.
"""
import os
import pathlib
import re
import signal
import sys

import pexpect
import pytest

from harness import wait_until
from labharness import Lab, require_lab

pytestmark = [pytest.mark.timeout(180), pytest.mark.xdist_group('lab')]

SERVER, SERVER_ADDRESS = 'example.com', '192.0.2.10'
MODEM_OUTSIDE = '198.51.100.2'


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    require_lab()
    lab = Lab(tmp_path_factory.mktemp('shared'))
    yield lab
    lab.stop()


# ---------------------------------------------------------------- the lab itself

def test_the_start_table_shows_hosts_addresses_and_links(lab):
    assert re.search(r'^laptop +203\.0\.113\.11 \(home\) ', lab.banner, re.M)
    assert re.search(r'^modem +203\.0\.113\.1 \(home\), 198\.51\.100\.2 \(isp\) ', lab.banner, re.M)
    assert re.search(r'^example\.com +192\.0\.2\.10 \(servers\) ', lab.banner, re.M)
    assert re.search(r'^servers +192\.0\.2\.0/24 +1280  router, example\.com, ns1\.example\.com$',
                     lab.banner, re.M)
    assert re.search(r'^home +203\.0\.113\.0/24 +1500  laptop, desktop, phone, modem$',
                     lab.banner, re.M)
    assert f'export SSL_CERT_FILE={lab.state}/ca.pem' in lab.banner


def test_each_host_has_its_name_address_and_route(lab):
    code = ('import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); '
            's.connect(("192.0.2.10", 9)); print(socket.gethostname(), s.getsockname()[0]); '
            's.close()')
    for host, address in (('laptop', '203.0.113.11'), ('cafe', '198.51.100.50'),
                          ('ns1.example.com', '192.0.2.53'), ('router', '192.0.2.1')):
        assert lab.run(host, sys.executable, '-c', code).ok() == f'{host} {address}\n'


def test_run_names_the_hosts_when_given_another(lab):
    lab.run('mainframe', 'true').fails("lab: no host 'mainframe' in the lab; the hosts are "
                                       'laptop, desktop, phone, modem, cafe, router')


# ---------------------------------------------------------------- chapter 2

def test_udp_broadcast_reaches_the_home_lan_and_nobody_else(lab):
    script = 'chapter02/udp_broadcast.py'
    home = [lab.server(host, script, 'server', '203.0.113.255') for host in ('desktop', 'phone')]
    server = lab.server(SERVER, script, 'server', '0.0.0.0')
    try:
        assert lab.listing('laptop', script, 'client', '203.0.113.255').ok() == \
            'Sent a broadcast to 203.0.113.255:1060\n'
        for each in home:
            each.expect(r"The client at \('203\.0\.113\.11', \d+\) says: b'Broadcast message!'")
        # The server host listens on every address: what it hears first is the datagram
        # sent to it by name, after the broadcast, so the broadcast never reached it.
        lab.listing('laptop', script, 'client', SERVER).ok()
        first = server.expect(r'The client at (.*) says')
        assert first[1].startswith(f"('{MODEM_OUTSIDE}'"), server.lines
    finally:
        for each in home + [server]:
            each.stop()


def test_big_sender_learns_the_smaller_path_mtu_from_the_router(lab):
    # The phone sends nothing big anywhere else in these tests: its path MTU is fresh.
    script = 'chapter02/big_sender.py'
    first = lab.listing('phone', script, SERVER)
    assert first.returncode == 1, first
    assert first.out == ('Alas, the 65000-byte datagram did not make it: Message too long\n'
                         'Actual MTU: 1500\n')
    # 1472 bytes of data fit the home LAN's 1500, so it leaves in one piece; the router
    # cannot pass it on to the servers (MTU 1280) and says so with an ICMP message.
    assert lab.listing('phone', script, SERVER, '-s', 1472).ok().startswith(
        'The 1472-byte datagram went out in one piece.\n')
    wait_until(lambda: 'Path MTU: 1280' in lab.listing('phone', script, SERVER, '-s', 1000).out,
               10, 'the phone never learned the path MTU of 1280')
    again = lab.listing('phone', script, SERVER, '-s', 1472)
    assert again.returncode == 1, again
    assert again.out == ('Alas, the 1472-byte datagram did not make it: Message too long\n'
                         'Actual MTU: 1280\n')


def reassembled(lab):
    """How many datagrams the server host's kernel has put together from fragments."""
    out = lab.run(SERVER, 'nstat', '-az', 'IpReasmOKs').ok()
    return int(re.search(r'IpReasmOKs\s+(\d+)', out)[1])


def test_a_fragmented_datagram_arrives_whole_and_the_capture_shows_the_pieces(lab, tmp_path):
    before = reassembled(lab)
    pcap = tmp_path / 'servers.pcap'
    capture = lab.capture('-v', '-w', pcap, 'servers', 'ip', 'host', SERVER_ADDRESS)
    try:
        sent = lab.listing('desktop', 'chapter02/big_sender.py', SERVER, '-s', 3000, '--fragment')
        assert sent.ok().startswith('The 3000-byte datagram went out, in as many fragments')
        wait_until(lambda: reassembled(lab) == before + 1, 10,
                   'the server host never reassembled the datagram')
        # Nothing listens there: the host answers "port unreachable", quoting the datagram
        # it put back together, whole.
        capture.expect(r'udp port 1060 unreachable')
        capture.expect(r'^\s+IP \(.*proto UDP \(17\), length 3028\)$')
    finally:
        lines = capture.stop()
    text = '\n'.join(lines)
    headers = re.findall(r'^IP \(tos \S+ ttl \d+, id (\d+), offset (\d+), flags \[([+a-z]+)\], '
                         r'proto UDP \(17\), length (\d+)\)$', text, re.M)
    assert len(headers) >= 3, text
    assert len({ident for ident, *_ in headers}) == 1, text  # pieces of one datagram
    offsets = [int(offset) for _, offset, _, _ in headers]
    assert offsets == sorted(offsets) and offsets[0] == 0, text
    assert [flags for _, _, flags, _ in headers] == ['+'] * (len(headers) - 1) + ['none'], text
    assert all(int(length) <= 1280 for *_, length in headers), text  # the servers' MTU
    assert f'{MODEM_OUTSIDE}.' in text and 'UDP, length 3000' in text, text
    assert pcap.read_bytes()[:4] == b'\xd4\xc3\xb2\xa1'  # a pcap file, for Wireshark too


def descendants(pid):
    """The processes below `pid`, as this machine numbers them."""
    found = []
    for task in pathlib.Path(f'/proc/{pid}/task').glob('*'):
        try:
            children = (task / 'children').read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def running(pid):
    try:
        state = pathlib.Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except OSError:
        return False
    return state != 'Z'


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGKILL])
def test_a_capture_ended_by_a_signal_to_it_alone_leaves_nothing(lab, tmp_path, signum):
    capture = lab.capture('-w', tmp_path / 'home.pcap', 'home')
    below = descendants(capture.process.pid)  # nsenter, the recorder, tcpdump
    assert len(below) >= 3, below
    os.kill(capture.process.pid, signum)
    wait_until(lambda: not any(running(pid) for pid in below), 10,
               lambda: f'still running: {[pid for pid in below if running(pid)]}')
    capture.stop()


# ---------------------------------------------------------------- chapter 3

def sixteen(lab, host, address):
    return lab.listing(host, 'chapter03/tcp_sixteen.py', 'client', address)


@pytest.mark.parametrize('interface, from_home, from_itself', [
    ('127.0.0.1', False, True),
    (SERVER_ADDRESS, True, False),
    ('0.0.0.0', True, True),
])
def test_tcp_sixteen_is_reachable_where_it_is_bound(lab, interface, from_home, from_itself):
    server = lab.server(SERVER, 'chapter03/tcp_sixteen.py', 'server', interface)
    try:
        home, itself = sixteen(lab, 'laptop', SERVER), sixteen(lab, SERVER, '127.0.0.1')
        for done, reachable, where in ((home, from_home, 'example.com:1060'),
                                       (itself, from_itself, '127.0.0.1:1060')):
            if reachable:
                assert "The server said b'Farewell, client'" in done.ok()
            else:
                done.fails(f'tcp_sixteen: {where}: Connection refused')
    finally:
        server.stop()


def test_nat_the_server_sees_the_modem_and_the_cafe_as_itself(lab):
    server = lab.server(SERVER, 'chapter03/tcp_sixteen.py', 'server', '0.0.0.0')
    try:
        home = sixteen(lab, 'laptop', SERVER).ok()
        assert re.search(r"assigned socket name \('203\.0\.113\.11', \d+\)", home), home
        server.expect(rf"Socket peer: \('{re.escape(MODEM_OUTSIDE)}', \d+\)")
        cafe = sixteen(lab, 'cafe', SERVER).ok()
        port = re.search(r"assigned socket name \('198\.51\.100\.50', (\d+)\)", cafe)[1]
        server.expect(rf"Socket peer: \('198\.51\.100\.50', {port}\)")  # no NAT there
    finally:
        server.stop()


# ---------------------------------------------------------------- chapter 4

def test_the_chapter4_scripts_resolve_lab_names_with_the_lab_dns(lab):
    assert lab.listing('laptop', 'chapter04/www_ping.py', SERVER).ok() == \
        'Success: host example.com is listening on port 80\n'
    lab.listing('laptop', 'chapter04/www_ping.py', 'no-such-host.invalid').fails(
        'www_ping: no-such-host.invalid: name service failure: Name or service not known')
    assert lab.listing('cafe', 'chapter04/forward_reverse.py', 'www.example.com').ok() == (
        'www.example.com has IP address 192.0.2.10 and the canonical name example.com\n'
        'The two names have a lot in common\n')
    assert 'WARNING! The canonical name belongs to a different organization' in lab.listing(
        'laptop', 'chapter04/forward_reverse.py', 'www.example.net').ok()
    assert lab.listing('laptop', 'chapter04/dns_basic.py', SERVER).ok() == (
        'A     192.0.2.10\nMX    10 mail.example.com.\nNS    ns1.example.com.\n')
    assert lab.listing('laptop', 'chapter04/dns_mx.py', SERVER).ok() == (
        'This domain has 1 MX records\n'
        'Priority 10: mail.example.com.\n'
        '    mail.example.com. has A address 192.0.2.10\n')
    # Every named address has its PTR record, as the system resolver finds.
    assert lab.run('laptop', 'getent', 'hosts', SERVER_ADDRESS).ok().split() == \
        [SERVER_ADDRESS, 'example.com']


# ---------------------------------------------------------------- chapter 6

def test_an_ip_access_rule_admits_the_home_and_refuses_the_cafe(lab):
    def fetch(host):
        return lab.listing(host, 'chapter06/sslclient.py', SERVER)
    fetched = 'The document https://example.com:10443/ is '
    assert fetch('cafe').ok().startswith(fetched)  # before the rule
    lab.run(SERVER, 'nft', '-f', 'chapter06/admit_home.nft').ok()
    try:
        assert fetch('laptop').ok().startswith(fetched)
        assert fetch('desktop').ok().startswith(fetched)  # NAT: the same address
        fetch('cafe').fails('sslclient: example.com:10443: Connection refused')
    finally:
        lab.run(SERVER, 'nft', 'delete', 'table', 'inet', 'access').ok()


# ---------------------------------------------------------------- chapters 7, 13-17

def test_chapter7_client_reaches_a_server_by_name(lab):
    server = lab.server(SERVER, 'chapter07/server_simple.py', '0.0.0.0')
    try:
        assert lab.listing('laptop', 'chapter07/client.py', SERVER).ok() == (
            'What is your name? My name is Sir Lancelot of Camelot.\n'
            'What is your quest? To seek the Holy Grail.\n'
            'What is your favorite color? Blue.\n')
    finally:
        server.stop()


def test_smtp_over_tls_to_the_server_host_by_name(lab):
    out = lab.listing('laptop', 'chapter13/tls.py', SERVER, 'you@example.org',
                      'brandon@example.com').ok()
    assert 'Using TLS connection' in out and 'Message successfully sent' in out, out


def test_ftp_to_the_server_host_by_name(lab):
    out = lab.listing('cafe', 'chapter17/connect.py', SERVER).ok()
    assert 'Welcome: 220' in out, out


@pytest.mark.parametrize('script, args, expected', [
    # (how many messages depends on what the SMTP test delivered first)
    ('chapter14/popconn.py', [SERVER, 'brandon'], r'You have \d+ messages totaling \d+ bytes'),
    ('chapter15/open_imaplib.py', [SERVER, 'brandon'],
     re.escape('b\'(\\\\HasNoChildren) "." "INBOX"\'')),
    ('chapter16/telnet_login.py', [SERVER], r'up .*load average'),
])
def test_logins_to_the_server_host_by_name(lab, script, args, expected):
    child = lab.spawn('laptop', script, *args)
    child.expect(r'Password[^\r\n]*: ')
    child.sendline('mypass')
    child.expect(expected)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read


def test_ssh_to_the_server_host_by_name(lab):
    # The lab adds the server host's names to the playground's known_hosts file.
    known = lab.state / 'ssh' / 'known_hosts'
    child = lab.spawn('laptop', 'chapter16/ssh_simple.py', SERVER, '-p', 22,
                      '--known-hosts', known)
    child.expect_exact('Password for brandon@example.com: ')
    child.sendline('mypass')
    child.expect_exact('Hello, world!')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read
