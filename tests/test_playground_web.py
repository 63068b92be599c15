"""The web service's pages for chapters 9-11: the index at /, the document, httpbin, the weather site."""
import contextlib
import gzip
import http.client
import http.cookiejar
import json
import re
import socket
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser

import pytest

from harness import ACCOUNT, REPO, require_binary

DOCUMENT = (REPO / 'playground' / 'data' / 'rfc2616.txt').read_bytes()


def ask(pg, method, path, headers=None, body=None, tls=False):
    """One request without following redirects: (status, headers, body bytes)."""
    if tls:
        context = ssl.create_default_context(cafile=str(pg.ca))
        connection = http.client.HTTPSConnection('localhost', pg.port(443), timeout=15,
                                                 context=context)
    else:
        connection = http.client.HTTPConnection('localhost', pg.port(80), timeout=15)
    try:
        connection.request(method, path, body, headers or {})
        reply = connection.getresponse()
        return reply.status, reply.headers, reply.read()
    finally:
        connection.close()


def index_rows(pg):
    """The 'Every endpoint' lines of the plain-text index: (methods, URL)."""
    status, headers, body = ask(pg, 'GET', '/', {'Accept': 'text/plain'})
    assert status == 200 and headers['Content-Type'].startswith('text/plain')
    text = body.decode()
    rows = text.split('Every endpoint', 1)[1].splitlines()[1:]
    return [tuple(row.split()[:2]) for row in rows if row.strip()]


# ---------------------------------------------------------------- the index

def test_index_lists_every_route_of_the_site(playground):
    from playground.web_http import load_httpbin
    pg = playground('web')
    rows = index_rows(pg)
    paths = [urllib.parse.urlsplit(url).path for _, url in rows]
    assert not [path for path in paths if '<' in path], 'a route without an example'
    httpbin_routes = len(list(load_httpbin().url_map.iter_rules()))
    assert sum(path.startswith('/httpbin/') for path in paths) == httpbin_routes
    for path in ['/', '/peer', '/rfc/rfc2616.txt', '/rfc2616.txt', '/robots.txt', '/weather/',
                 '/weather/zipcity.php', '/weather/forecast/phoenix-az', '/weather/search',
                 '/maps/api/geocode/json', '/httpbin/basic-auth/brandon/mypass',
                 '/httpbin/cookies/set', '/httpbin/redirect-to', '/httpbin/etag/lesson9',
                 '/httpbin/gzip', '/httpbin/status/418', '/httpbin/anything']:
        assert path in paths


def test_index_is_html_for_browsers_with_a_link_per_endpoint(playground):
    pg = playground('web')
    status, headers, body = ask(pg, 'GET', '/', {'Accept': 'text/html,*/*;q=0.8'})
    assert status == 200 and headers['Content-Type'] == 'text/html; charset=utf-8'
    assert 'Accept' in headers['Vary']
    links = re.findall(r'<a href="([^"]+)"', body.decode())
    for _, url in index_rows(pg):
        relative = url.split(str(pg.port(80)), 1)[1]
        assert relative.replace('&', '&amp;') in links


# Routes whose example answers something other than 2xx or 3xx, by design.
EXPECTED_STATUS = {'/httpbin/hidden-basic-auth/brandon/mypass': 404,
                   '/httpbin/basic-auth/brandon/mypass': 401,
                   '/httpbin/bearer': 401, '/httpbin/status/418': 418,
                   '/httpbin/image': 406,   # curl accepts */*: no image type was asked for
                   '/httpbin/digest-auth/auth/brandon/mypass': 401,
                   '/httpbin/digest-auth/auth/brandon/mypass/SHA-256': 401,
                   '/httpbin/digest-auth/auth/brandon/mypass/MD5/never': 401}


@pytest.mark.parametrize('scheme', ['http', 'https'])
def test_curl_can_walk_every_endpoint(playground, scheme):
    curl = require_binary('curl')
    pg = playground('web')
    rows = index_rows(pg)
    if scheme == 'https':
        rows = [(methods, url.replace(f'http://localhost:{pg.port(80)}',
                                      f'https://localhost:{pg.port(443)}')) for methods, url in rows]
    command = [curl]
    for methods, url in rows:   # one curl, each URL with its own options after --next
        method = 'GET' if 'GET' in methods.split(',') else methods.split(',')[0]
        command += ['--silent', '--show-error', '--max-time', '15', '--cacert', str(pg.ca),
                    '-X', method, '-o', '/dev/null', '-w', '%{http_code} ' + url + '\\n',
                    url, '--next']
    command.pop()
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answers = dict(reversed(line.split(' ', 1)) for line in done.stdout.splitlines())
    assert len(answers) == len(rows)
    for url, code in answers.items():
        path = urllib.parse.urlsplit(url).path
        expected = EXPECTED_STATUS.get(path)
        if expected:
            assert int(code) == expected, url
        else:
            assert 200 <= int(code) < 400, f'{url} answered {code}'


# ---------------------------------------------------------------- chapter 9's document

def test_document_has_validators_and_answers_304(playground):
    pg = playground('web')
    status, headers, body = ask(pg, 'GET', '/rfc/rfc2616.txt')
    assert status == 200 and body == DOCUMENT
    assert headers['Content-Type'] == 'text/plain; charset=utf-8'
    assert headers.get_all('Date') and len(headers.get_all('Date')) == 1
    etag, modified = headers['ETag'], headers['Last-Modified']
    assert etag.startswith('"') and modified.endswith('GMT')
    status, headers, body = ask(pg, 'GET', '/rfc/rfc2616.txt', {'If-None-Match': etag})
    assert (status, body, headers['ETag']) == (304, b'', etag)
    status, _, body = ask(pg, 'GET', '/rfc/rfc2616.txt', {'If-Modified-Since': modified})
    assert (status, body) == (304, b'')
    status, _, body = ask(pg, 'GET', '/rfc/rfc2616.txt', {'If-None-Match': '"stale"'})
    assert (status, body) == (200, DOCUMENT)
    status, _, body = ask(pg, 'GET', '/rfc/rfc2616.txt',
                          {'If-Modified-Since': 'Mon, 01 Jan 1990 00:00:00 GMT'})
    assert (status, body) == (200, DOCUMENT)


def test_document_is_gzipped_only_when_asked(playground):
    pg = playground('web')
    status, headers, body = ask(pg, 'GET', '/rfc/rfc2616.txt', {'Accept-Encoding': 'gzip'})
    assert status == 200 and headers['Content-Encoding'] == 'gzip'
    assert 'Accept-Encoding' in headers['Vary']
    assert len(body) < len(DOCUMENT) and gzip.decompress(body) == DOCUMENT
    status, plain, body = ask(pg, 'GET', '/rfc/rfc2616.txt', {'Accept-Encoding': 'identity'})
    assert plain['Content-Encoding'] is None and body == DOCUMENT
    assert headers['ETag'] != plain['ETag']   # two representations, two tags


def test_document_head_and_old_address(playground):
    pg = playground('web')
    status, headers, body = ask(pg, 'HEAD', '/rfc/rfc2616.txt')
    assert (status, body) == (200, b'')
    assert headers['Content-Length'] == str(len(DOCUMENT))
    status, headers, _ = ask(pg, 'GET', '/rfc2616.txt')
    assert (status, headers['Location']) == (301, '/rfc/rfc2616.txt')


def test_document_over_https(playground):
    pg = playground('web')
    status, _, body = ask(pg, 'GET', '/rfc/rfc2616.txt', tls=True)
    assert (status, body) == (200, DOCUMENT)


# ---------------------------------------------------------------- httpbin's teaching endpoints

@pytest.mark.parametrize('code', [301, 302, 303, 307])
def test_redirect_codes(playground, code):
    pg = playground('web')
    status, headers, _ = ask(pg, 'GET', f'/httpbin/redirect-to?url=/httpbin/get&status_code={code}')
    assert (status, headers['Location']) == (code, '/httpbin/get')


def test_307_keeps_the_method_and_303_turns_it_into_get(playground):
    pg = playground('web')
    base = f'http://localhost:{pg.port(80)}/httpbin/redirect-to?url=/httpbin/anything&status_code='
    with urllib.request.urlopen(base + '303', b'lesson=9', timeout=10) as reply:
        assert json.load(reply)['method'] == 'GET'
    status, headers, _ = ask(pg, 'POST', '/httpbin/redirect-to?url=/httpbin/anything&status_code=307',
                             {'Content-Type': 'application/x-www-form-urlencoded'}, b'lesson=9')
    assert status == 307
    status, _, body = ask(pg, 'POST', headers['Location'],
                          {'Content-Type': 'application/x-www-form-urlencoded'}, b'lesson=9')
    assert json.loads(body)['form'] == {'lesson': '9'}


def test_cookies_are_set_and_echoed(playground):
    pg = playground('web')
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f'http://localhost:{pg.port(80)}/httpbin/cookies/set?flavor=oatmeal'
    with opener.open(url, timeout=10) as reply:
        assert reply.url.endswith('/httpbin/cookies')
        assert json.load(reply) == {'cookies': {'flavor': 'oatmeal'}}
    assert [(c.name, c.value) for c in jar] == [('flavor', 'oatmeal')]


def test_basic_auth_with_the_playground_account(playground):
    pg = playground('web')
    url = f'http://localhost:{pg.port(80)}/httpbin/basic-auth/{ACCOUNT[0]}/{ACCOUNT[1]}'
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers['WWW-Authenticate'].startswith('Basic')
    refused.value.close()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, *ACCOUNT)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
    with opener.open(url, timeout=10) as reply:
        assert json.load(reply) == {'authenticated': True, 'user': ACCOUNT[0]}
    wrong = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    wrong.add_password(None, url, ACCOUNT[0], 'wrong')
    with pytest.raises(urllib.error.HTTPError, match='401'):
        urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(wrong)).open(url, timeout=10)


def test_negotiation_status_and_echo(playground):
    pg = playground('web')
    status, headers, body = ask(pg, 'GET', '/httpbin/image', {'Accept': 'image/svg+xml'})
    assert status == 200 and headers['Content-Type'] == 'image/svg+xml'
    status, headers, _ = ask(pg, 'GET', '/httpbin/image', {'Accept': 'image/png'})
    assert headers['Content-Type'] == 'image/png'
    assert ask(pg, 'GET', '/httpbin/image', {'Accept': 'text/csv'})[0] == 406
    assert ask(pg, 'GET', '/httpbin/status/418')[0] == 418
    status, _, body = ask(pg, 'PUT', '/httpbin/anything/lesson?x=1', {'X-Chapter': '9'}, b'hi')
    echo = json.loads(body)
    assert (echo['method'], echo['args'], echo['data'], echo['headers']['X-Chapter']) == (
        'PUT', {'x': '1'}, 'hi', '9')
    status, _, body = ask(pg, 'GET', '/httpbin/etag/lesson9', {'If-None-Match': 'lesson9'})
    assert (status, body) == (304, b'')


# ---------------------------------------------------------------- the weather site

def test_weather_front_page_form(playground):
    pg = playground('web')
    status, headers, body = ask(pg, 'GET', '/weather/')
    page = body.decode()
    assert status == 200 and headers['Content-Type'].startswith('text/html')
    forms = re.findall(r'<FORM[^>]*action="([^"]+)"', page)
    assert forms == ['/weather/search', '/weather/zipcity.php']  # the scraper must pick
    assert 'name="inputstring"' in page


@pytest.mark.parametrize('wanted', ['Phoenix, AZ', 'phoenix az', 'Phoenix', '85001'])
def test_zipcity_redirects_to_the_forecast(playground, wanted):
    pg = playground('web')
    form = urllib.parse.urlencode({'inputstring': wanted})
    status, headers, _ = ask(pg, 'POST', '/weather/zipcity.php',
                             {'Content-Type': 'application/x-www-form-urlencoded'}, form)
    assert (status, headers['Location']) == (303, '/weather/forecast/phoenix-az')
    assert ask(pg, 'GET', '/weather/zipcity.php?' + form)[0] == 303


def test_forecast_page_markup(playground):
    pg = playground('web')
    status, _, body = ask(pg, 'GET', '/weather/forecast/phoenix-az')
    page = body.decode()
    assert status == 200
    assert '<td class="big" width="35%" align=center>Fair<br><br>102&deg;F<br>(39&deg;C)</td>' in page
    assert '<td><b>Humidity</b>:</td><td align=right nowrap>12 %</td>' in page
    assert page.count('<table') + page.count('<TABLE') >= 3   # nested tables


def test_unknown_city_and_missing_input(playground):
    pg = playground('web')
    status, _, body = ask(pg, 'GET', '/weather/zipcity.php?inputstring=Atlantis')
    assert status == 404 and 'No forecast found for &#34;Atlantis&#34;' in body.decode()
    assert ask(pg, 'GET', '/weather/zipcity.php')[0] == 400
    assert ask(pg, 'GET', '/weather/forecast/atlantis-xx')[0] == 404


def test_robots_txt_allows_the_scrapers(playground):
    pg = playground('web')
    robots = urllib.robotparser.RobotFileParser(f'http://localhost:{pg.port(80)}/robots.txt')
    robots.read()
    for path in ['/weather/', '/weather/zipcity.php', '/weather/forecast/phoenix-az']:
        assert robots.can_fetch('mechanize', f'http://localhost:{pg.port(80)}{path}')
    assert not robots.can_fetch('mechanize', f'http://localhost:{pg.port(80)}/httpbin/deny')


def test_weather_over_https(playground):
    pg = playground('web')
    status, _, body = ask(pg, 'GET', '/weather/forecast/seattle-wa', tls=True)
    assert status == 200 and 'Light Rain' in body.decode()


def test_weather_cities_live_in_the_state_folder(fresh_playground, tmp_path):
    state = tmp_path / 'state'
    pg = fresh_playground('web', state=state)
    pg.stop()
    cities_file = state / 'web' / 'weather.json'
    cities = json.loads(cities_file.read_text())
    cities.append({**cities[0], 'city': 'Testville', 'state': 'TX', 'zip': '75001',
                   'condition': 'Dust Storm'})
    cities_file.write_text(json.dumps(cities))
    pg = fresh_playground('web', state=state)
    status, _, body = ask(pg, 'GET', '/weather/forecast/testville-tx')
    assert status == 200 and 'Dust Storm' in body.decode()
    pg.stop()
    pg = fresh_playground('web', state=state, reset=True)
    assert ask(pg, 'GET', '/weather/forecast/testville-tx')[0] == 404


# ---------------------------------------------------------------- the server (issue 11)

def tls_context(pg):
    return ssl.create_default_context(cafile=str(pg.ca))


@pytest.mark.parametrize('tls', [False, True], ids=['http', 'https'])
def test_http_1_1_connections_persist(playground, tls):
    pg = playground('web')
    if tls:
        connection = http.client.HTTPSConnection('localhost', pg.port(443), timeout=15,
                                                 context=tls_context(pg))
    else:
        connection = http.client.HTTPConnection('localhost', pg.port(80), timeout=15)
    with contextlib.closing(connection):
        sockets = []
        for path in ('/rfc/rfc2616.txt', '/httpbin/get', '/rfc/rfc2616.txt'):
            connection.request('GET', path)
            reply = connection.getresponse()
            assert reply.status == 200 and reply.version == 11
            assert reply.headers['Connection'] != 'close'
            reply.read()
            sockets.append(connection.sock.getsockname())
        assert sockets[0] == sockets[1] == sockets[2]  # one TCP connection for all three
        connection.request('GET', '/httpbin/get', headers={'Connection': 'close'})
        reply = connection.getresponse()
        assert reply.headers['Connection'] == 'close'
        reply.read()


@pytest.mark.parametrize('tls', [False, True], ids=['http', 'https'])
def test_chunked_request_bodies_are_accepted(playground, tls):
    pg = playground('web')
    if tls:
        connection = http.client.HTTPSConnection('localhost', pg.port(443), timeout=15,
                                                 context=tls_context(pg))
    else:
        connection = http.client.HTTPConnection('localhost', pg.port(80), timeout=15)
    pieces = [b'first piece, ', b'second piece, ', b'x' * 100_000]
    with contextlib.closing(connection):
        connection.request('POST', '/httpbin/post', body=iter(pieces), encode_chunked=True,
                           headers={'Content-Type': 'application/octet-stream'})
        reply = connection.getresponse()
        echoed = json.loads(reply.read())
    assert reply.status == 200
    assert echoed['headers']['Transfer-Encoding'] == 'chunked'
    assert echoed['data'] == b''.join(pieces).decode()


def test_curl_uploads_chunked(playground, tmp_path):
    curl = require_binary('curl')
    pg = playground('web')
    (tmp_path / 'form.txt').write_text('sent in chunks\n')
    done = subprocess.run([curl, '--silent', '--show-error', '--max-time', '20',
                           '-H', 'Transfer-Encoding: chunked', '-H', 'Content-Type: text/plain',
                           '--data-binary', '@form.txt',
                           f'http://127.0.0.1:{pg.port(80)}/httpbin/post'],
                          capture_output=True, timeout=30, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)['data'] == 'sent in chunks\n'


def test_idle_and_half_open_tls_clients_do_not_stop_https(playground):
    pg = playground('web')
    idle = [socket.create_connection(('127.0.0.1', pg.port(443)), timeout=10)
            for _ in range(3)]  # connected, and never a byte of TLS
    slow = socket.create_connection(('127.0.0.1', pg.port(443)), timeout=10)
    slow.sendall(b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03')  # a ClientHello, cut short
    try:
        for _ in range(3):
            status, _, body = ask(pg, 'GET', '/rfc/rfc2616.txt', tls=True)
            assert status == 200 and body == DOCUMENT
    finally:
        for sock in idle + [slow]:
            sock.close()


def test_a_client_that_half_closes_after_its_request_gets_the_answer(playground):
    pg = playground('web')
    with socket.create_connection(('127.0.0.1', pg.port(80)), timeout=10) as sock:
        sock.sendall(b'GET /rfc/rfc2616.txt HTTP/1.0\r\nHost: localhost\r\n\r\n')
        sock.shutdown(socket.SHUT_WR)  # as 'nc -N' does at the end of its input
        reply = sock.makefile('rb').read()
    head, _, body = reply.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 200 OK\r\n') and b'\r\nConnection: close' in head
    assert body == DOCUMENT


def test_a_page_that_fails_is_a_500_and_one_log_line(fresh_playground):
    # A teacher's typo in the gazetteer: each request fails in the application.
    pg = fresh_playground('web')
    (pg.state / 'web' / 'gazetteer.json').write_text('[{"address": ')
    for _ in range(3):
        status, _, _ = ask(pg, 'GET', '/maps/api/geocode/json?address=Archbold')
        assert status == 500
    assert ask(pg, 'GET', '/rfc/rfc2616.txt')[0] == 200   # the rest of the site goes on
    out, log = pg.stop()
    lines = log.splitlines()
    assert len(lines) == 3 and 'Traceback' not in log, log   # one line per failure
    assert lines[0].startswith('web: ') and 'Exception on /maps/api/geocode/json [GET]' in lines[0]
    assert ': JSONDecodeError: Expecting value' in lines[0], lines[0]   # and where it was raised
