"""The playground itself: each service answers a standard client; start-up, restart, reset."""
import http.client
import json
import signal
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request

import dns.resolver
import googlemaps
import pytest

from harness import REPO, base_env, wait_until

BOOK_ADDRESS = '207 N. Defiance St, Archbold, OH'


def geocode_url(pg, address, scheme='http'):
    number = pg.port(443 if scheme == 'https' else 80)
    query = urllib.parse.urlencode({'address': address})
    return f'{scheme}://localhost:{number}/maps/api/geocode/json?{query}'


def resolver(pg):
    answer = dns.resolver.Resolver(configure=False)
    answer.nameservers, answer.port, answer.lifetime = ['127.0.0.1'], pg.port(53), 3
    return answer


# ---------------------------------------------------------------- start-up table

def test_startup_table_shows_real_addresses_account_and_ca(playground):
    pg = playground('web', 'dns')
    assert f'127.0.0.1:{pg.port(80)}' in pg.table
    assert f'127.0.0.1:{pg.port(443)}' in pg.table
    assert f'127.0.0.1:{pg.port(53)}' in pg.table
    assert 'brandon / mypass' in pg.table
    assert f'export SSL_CERT_FILE={pg.state / "ca.pem"}' in pg.table
    assert pg.table.rstrip().endswith('Playground ready. Press Ctrl-C to stop.')


def test_unknown_service_is_a_usage_error():
    done = subprocess.run([sys.executable, '-m', 'playground', 'gopher'], cwd=REPO,
                          env=base_env(), capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert 'unknown service gopher' in done.stderr


def test_busy_port_is_reported_in_one_line(playground, fresh_playground):
    pg = playground('web')
    done = subprocess.run([sys.executable, '-m', 'playground', 'web', '--port-offset',
                           str(pg.offset), '--state', str(pg.state)], cwd=REPO,
                          env=base_env(), capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert f'port already in use: {pg.port(80)} (web)' in done.stderr
    assert 'Traceback' not in done.stderr


def test_sigterm_stops_every_service(fresh_playground):
    from playground.services import SERVICES
    pg = fresh_playground(*(s.name for s in SERVICES))
    pg.process.send_signal(signal.SIGTERM)
    assert pg.process.wait(15) == 0
    out, log = pg.stop()
    err = out + log
    assert 'Traceback' not in err and 'Fatal Python error' not in err, err
    for number in (pg.port(80), pg.port(443), pg.port(53)):
        with pytest.raises(OSError):
            http.client.HTTPConnection('127.0.0.1', number, timeout=2).connect()


# ---------------------------------------------------------------- web: geocoder

def test_geocoder_answers_googles_json_shape(playground):
    pg = playground('web')
    with urllib.request.urlopen(geocode_url(pg, BOOK_ADDRESS)) as reply:
        assert reply.headers['Content-Type'].startswith('application/json')
        body = json.load(reply)
    assert body['status'] == 'OK'
    [result] = body['results']
    assert result['geometry']['location'] == {'lat': 41.521954, 'lng': -84.306691}
    assert result['formatted_address'] == '207 N Defiance St, Archbold, OH 43502, USA'
    kinds = {c['types'][0]: c['short_name'] for c in result['address_components']}
    assert kinds['postal_code'] == '43502' and kinds['administrative_area_level_1'] == 'OH'


def test_geocoder_accepts_other_spellings_and_says_zero_results(playground):
    pg = playground('web')
    with urllib.request.urlopen(geocode_url(pg, '207 north defiance street archbold ohio')) as r:
        assert json.load(r)['status'] == 'OK'
    with urllib.request.urlopen(geocode_url(pg, '1 Nowhere Lane, Atlantis')) as r:
        assert json.load(r) == {'results': [], 'status': 'ZERO_RESULTS'}
    with urllib.request.urlopen(geocode_url(pg, '')) as r:
        assert json.load(r)['status'] == 'INVALID_REQUEST'


def test_googlemaps_client_library_works_against_it(playground):
    pg = playground('web')
    client = googlemaps.Client(key='AIzaPlaygroundKey', base_url=f'http://127.0.0.1:{pg.port(80)}',
                               retry_timeout=2)
    [place] = client.geocode(BOOK_ADDRESS)
    assert place['geometry']['location'] == {'lat': 41.521954, 'lng': -84.306691}
    assert client.geocode('1 Nowhere Lane, Atlantis') == []
    bad = googlemaps.Client(key='AIzaPlaygroundKey', base_url=f'http://127.0.0.1:{pg.port(80)}',
                            retry_timeout=2)
    bad.key = 'not-a-google-key'
    with pytest.raises(googlemaps.exceptions.ApiError, match='REQUEST_DENIED'):
        bad.geocode(BOOK_ADDRESS)


def test_https_verifies_against_the_playground_ca(playground):
    pg = playground('web')
    context = ssl.create_default_context(cafile=str(pg.ca))
    with urllib.request.urlopen(geocode_url(pg, BOOK_ADDRESS, 'https'), context=context) as r:
        assert json.load(r)['status'] == 'OK'
    with urllib.request.urlopen(geocode_url(pg, BOOK_ADDRESS, 'https').replace(
            'localhost', '127.0.0.1'), context=context) as r:
        assert r.status == 200
    with pytest.raises(urllib.error.URLError, match='CERTIFICATE_VERIFY_FAILED'):
        urllib.request.urlopen(geocode_url(pg, BOOK_ADDRESS, 'https'),
                               context=ssl.create_default_context(cafile=None, capath='/nonexistent'))


def test_web_survives_garbage_and_overlong_lines(playground):
    import socket
    pg = playground('web')
    for junk in (b'\x00\xff garbage\r\n\r\n', b'GET /' + b'a' * 1_000_000 + b' HTTP/1.1\r\n\r\n'):
        with socket.create_connection(('127.0.0.1', pg.port(80)), timeout=10) as sock:
            try:
                sock.sendall(junk)
                sock.shutdown(socket.SHUT_WR)
                reply = sock.makefile('rb').read()
            except OSError:  # reset, broken pipe, not connected: it hung up on us
                reply = b'400'
            assert b'400' in reply or b'414' in reply  # bad request, or URI too long
    with urllib.request.urlopen(geocode_url(pg, BOOK_ADDRESS)) as r:
        assert json.load(r)['status'] == 'OK'


# ---------------------------------------------------------------- dns

@pytest.mark.parametrize('tcp', [False, True], ids=['udp', 'tcp'])
def test_dns_answers_mx_in_priority_order(playground, tcp):
    pg = playground('dns')
    answer = resolver(pg).resolve('example.com', 'MX', tcp=tcp)
    assert sorted((mx.preference, str(mx.exchange)) for mx in answer) == [
        (10, 'mail.example.com.'), (20, 'backup-mx.example.com.'), (30, 'mx-alias.example.com.')]
    assert answer.response.flags & dns.flags.AA


def test_dns_follows_cnames_into_the_answer(playground):
    pg = playground('dns')
    answer = resolver(pg).resolve('mx-alias.example.com', 'A')
    assert [str(rr) for rr in answer] == ['192.0.2.27']
    assert answer.canonical_name.to_text() == 'relay.example.com.'
    assert [str(rr) for rr in resolver(pg).resolve('www.example.com', 'CNAME')] == ['example.com.']


def test_dns_tells_missing_type_from_missing_name(playground):
    pg = playground('dns')
    with pytest.raises(dns.resolver.NoAnswer):
        resolver(pg).resolve('nomx.example.com', 'MX')
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(pg).resolve('nothere.example.com', 'A')
    assert [str(rr) for rr in resolver(pg).resolve('nomx.example.com', 'AAAA')] == ['2001:db8::80']
    assert sorted(str(ns) for ns in resolver(pg).resolve('example.com', 'NS')) == [
        'ns1.example.com.', 'ns2.example.com.']


def test_dns_refuses_names_outside_its_zones(playground):
    pg = playground('dns')
    with pytest.raises(dns.resolver.NoNameservers, match='REFUSED'):
        resolver(pg).resolve('python.org', 'A')


@pytest.mark.parametrize('tcp', [False, True], ids=['udp', 'tcp'])
def test_dns_flags_say_no_recursion_and_no_validation(playground, tcp):
    import dns.flags
    import dns.message
    import dns.query
    pg = playground('dns')
    ask = dns.query.tcp if tcp else dns.query.udp
    query = dns.message.make_query('example.com', 'A')  # RD set, as stub resolvers send
    query.flags |= dns.flags.AD | dns.flags.CD
    reply = ask(query, '127.0.0.1', port=pg.port(53), timeout=5)
    assert [rr.to_text() for rr in reply.answer[0]] == ['192.0.2.10']
    assert reply.flags & dns.flags.AA and reply.flags & dns.flags.RD
    assert not reply.flags & dns.flags.RA  # recursion is not available here
    assert not reply.flags & dns.flags.AD  # nothing was validated
    assert reply.flags & dns.flags.CD      # copied from the query (RFC 4035 3.1.6)
    query.flags &= ~(dns.flags.AD | dns.flags.CD)
    reply = ask(query, '127.0.0.1', port=pg.port(53), timeout=5)
    assert not reply.flags & (dns.flags.AD | dns.flags.CD | dns.flags.RA)


@pytest.mark.parametrize('kind', ['AXFR', 'IXFR'])
def test_dns_refuses_zone_transfers(playground, kind):
    import dns.message
    import dns.query
    import dns.rcode
    pg = playground('dns')
    query = dns.message.make_query('example.com', kind)
    for ask in (dns.query.tcp, dns.query.udp):
        reply = ask(query, '127.0.0.1', port=pg.port(53), timeout=5)
        assert reply.rcode() == dns.rcode.REFUSED and not reply.answer


def test_dns_survives_garbage(playground):
    import socket
    pg = playground('dns')
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b'\x00garbage' * 50, ('127.0.0.1', pg.port(53)))
    with socket.create_connection(('127.0.0.1', pg.port(53)), timeout=5) as sock:
        sock.sendall(b'\xff\xff' + b'x' * 100)
    assert resolver(pg).resolve('example.com', 'A')[0].to_text() == '192.0.2.10'


# ---------------------------------------------------------------- state

def test_restart_keeps_state_and_reset_restores_it(fresh_playground, tmp_path):
    state = tmp_path / 'state'
    pg = fresh_playground('web', 'dns', state=state)
    ca = pg.ca.read_bytes()
    pg.stop()
    gazetteer = state / 'web' / 'gazetteer.json'
    places = json.loads(gazetteer.read_text())
    places.append({**places[0], 'address': 'Playground Lane 1, Testville'})
    gazetteer.write_text(json.dumps(places))
    zone = state / 'dns' / 'zone.txt'
    zone.write_text(zone.read_text() + 'added.example.com. IN A 192.0.2.99\n')

    pg = fresh_playground('web', 'dns', state=state)
    assert pg.ca.read_bytes() == ca
    with urllib.request.urlopen(geocode_url(pg, 'Playground Lane 1, Testville')) as r:
        assert json.load(r)['status'] == 'OK'
    assert resolver(pg).resolve('added.example.com', 'A')[0].to_text() == '192.0.2.99'
    pg.stop()

    pg = fresh_playground('web', 'dns', state=state, reset=True)
    assert pg.ca.read_bytes() == ca
    with urllib.request.urlopen(geocode_url(pg, 'Playground Lane 1, Testville')) as r:
        assert json.load(r)['status'] == 'ZERO_RESULTS'
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(pg).resolve('added.example.com', 'A')


def _closed(number):
    import socket
    try:
        socket.create_connection(('127.0.0.1', number), timeout=1).close()
        return False
    except OSError:
        return True


def _wait_closed(numbers, timeout=10):
    wait_until(lambda: all(_closed(n) for n in numbers), timeout, f'ports still open: {numbers}')


def test_ctrl_c_in_a_terminal_stops_everything(tmp_path):
    import pexpect
    from harness import Playground
    offset = Playground.free_offset()
    child = pexpect.spawn(sys.executable, ['-m', 'playground', 'web', 'dns', '--state',
                                           str(tmp_path / 'state'), '--port-offset', str(offset)],
                          cwd=str(REPO), env=base_env(), encoding='utf-8', timeout=20)
    try:
        child.expect('Playground ready')
        child.sendintr()
        child.expect('Stopping the playground.')
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert 'Traceback' not in child.before
    _wait_closed([offset + 80, offset + 443, offset + 53])


def test_services_exit_when_the_launcher_is_killed(fresh_playground):
    pg = fresh_playground('web', 'dns')
    pg.process.send_signal(signal.SIGKILL)  # no chance to clean up: the pipes close
    pg.process.wait(10)
    _wait_closed([pg.port(80), pg.port(443), pg.port(53)])
