"""Chapter 9: verbose_http.py shows the HTTP exchange; get_rfc2616.py fetches the playground's document."""
import contextlib
import http.client
import io
import socket
import sys
import urllib.request
from contextlib import redirect_stdout

import pytest

from harness import REPO, closed_port

DOCUMENT = (REPO / 'playground' / 'data' / 'rfc2616.txt').read_text(encoding='utf-8')


def lines(text):
    return text.splitlines()


def test_get_rfc2616_shows_request_response_and_whole_document(playground, run):
    pg = playground('web')
    port = pg.port(80)
    out = run('chapter09/get_rfc2616.py', f'http://localhost:{port}/rfc/rfc2616.txt').ok()
    shown = lines(out)
    assert shown[0] == '> GET /rfc/rfc2616.txt HTTP/1.1'
    assert f'> Host: localhost:{port}' in shown
    assert '> Connection: close' in shown
    assert '< HTTP/1.1 200 OK' in shown
    assert '< Content-Type: text/plain; charset=utf-8' in shown
    assert f'< Content-Length: {len(DOCUMENT.encode())}' in shown
    assert any(line.startswith('< ETag: "') for line in shown)
    assert any(line.startswith('< Last-Modified: ') for line in shown)
    head, body = out.split('\n<\n', 1)   # the response head ends with a bare '<'
    assert body == DOCUMENT


def test_default_url_is_the_playground_document(run):
    out = run('chapter09/get_rfc2616.py', '-h').ok()
    assert 'http://localhost:10080/rfc/rfc2616.txt' in out


def test_redirect_is_followed_and_shown(playground, run):
    pg = playground('web')
    out = run('chapter09/get_rfc2616.py', f'http://localhost:{pg.port(80)}/rfc2616.txt').ok()
    shown = lines(out)
    requests = [line for line in shown if line.startswith('> GET ')]
    assert requests == ['> GET /rfc2616.txt HTTP/1.1', '> GET /rfc/rfc2616.txt HTTP/1.1']
    first_answer = shown.index('< HTTP/1.1 301 MOVED PERMANENTLY')
    assert shown.index('< Location: /rfc/rfc2616.txt') > first_answer
    assert shown.index('> GET /rfc/rfc2616.txt HTTP/1.1') > first_answer
    assert '< HTTP/1.1 200 OK' in shown
    assert out.endswith(DOCUMENT)


def test_a_chain_of_redirects_shows_every_hop(playground, run):
    pg = playground('web')
    out = run('chapter09/get_rfc2616.py',
              f'http://localhost:{pg.port(80)}/httpbin/redirect/3').ok()
    assert [line for line in lines(out) if line.startswith('< HTTP/')] == [
        '< HTTP/1.1 302 FOUND'] * 3 + ['< HTTP/1.1 200 OK']
    assert '"url": "http://localhost:' in out


def test_https_verifies_the_playground_certificate(playground, run):
    pg = playground('web')
    port = pg.port(443)
    out = run('chapter09/get_rfc2616.py', f'https://localhost:{port}/rfc/rfc2616.txt',
              env=pg.env).ok()
    assert f'> Host: localhost:{port}' in lines(out)
    assert out.endswith(DOCUMENT)
    untrusted = run('chapter09/get_rfc2616.py', f'https://localhost:{port}/rfc/rfc2616.txt')
    untrusted.fails(f'localhost:{port}', 'CERTIFICATE_VERIFY_FAILED')
    wrong = run('chapter09/get_rfc2616.py',
                f'https://localhost:{pg.port(444)}/rfc/rfc2616.txt', env=pg.env)
    wrong.fails(f'localhost:{pg.port(444)}', 'Hostname mismatch')


def test_connection_refused_is_one_clear_line(run):
    port = closed_port()
    result = run('chapter09/get_rfc2616.py', f'http://localhost:{port}/rfc/rfc2616.txt')
    result.fails(f'localhost:{port}', 'Connection refused')
    assert result.out == ''   # no request was shown: none went out


def test_http_error_is_one_clear_line(playground, run):
    pg = playground('web')
    result = run('chapter09/get_rfc2616.py', f'http://localhost:{pg.port(80)}/no/such/page')
    result.fails(f'localhost:{pg.port(80)}', '404')
    assert '< HTTP/1.1 404 NOT FOUND' in result.out


def test_bad_arguments_exit_2(run):
    assert run('chapter09/get_rfc2616.py', 'a', 'b').returncode == 2


def test_not_a_url_is_one_clear_line(run):
    run('chapter09/get_rfc2616.py', 'rfc2616.txt').fails('get_rfc2616: rfc2616.txt:',
                                                         'unknown url type')


def test_verbose_handler_shows_a_post_body(playground, monkeypatch):
    """The handler used from Python: the body of a POST appears after its head."""
    pg = playground('web')
    monkeypatch.syspath_prepend(str(REPO / 'chapter09'))
    import verbose_http
    opener = urllib.request.build_opener(verbose_http.VerboseHTTPHandler)
    shown = io.StringIO()
    with redirect_stdout(shown):
        with opener.open(f'http://localhost:{pg.port(80)}/httpbin/post', b'lesson=9',
                         timeout=10) as reply:
            assert reply.status == 200
    text = shown.getvalue().splitlines()
    assert text[0] == '> POST /httpbin/post HTTP/1.1'
    assert '> Content-Length: 8' in text
    assert '> lesson=9' in text
    assert '< Content-Type: application/json' in text
    sys.modules.pop('verbose_http', None)


def test_a_persistent_connection_carries_both_requests(playground, monkeypatch):
    """The README's session: two requests on one VerboseHTTPConnection, one TCP connection."""
    pg = playground('web')
    monkeypatch.syspath_prepend(str(REPO / 'chapter09'))
    import verbose_http
    shown, peers = io.StringIO(), []
    connection = verbose_http.VerboseHTTPConnection('localhost', pg.port(80), timeout=10)
    other = http.client.HTTPConnection('localhost', pg.port(80), timeout=10)
    with redirect_stdout(shown), contextlib.closing(connection), contextlib.closing(other):
        for _ in range(2):
            connection.request('GET', '/peer')
            peers.append(connection.getresponse().read().decode())
        client_end = connection.sock.getsockname()
        other.request('GET', '/peer')      # meanwhile, another connection: another port
        assert other.getresponse().read().decode() == f'127.0.0.1:{other.sock.getsockname()[1]}\n'
    # the server saw the same client port both times: the port of the client's one socket
    assert peers == [f'127.0.0.1:{client_end[1]}\n'] * 2
    text = shown.getvalue().splitlines()
    assert text.count('> GET /peer HTTP/1.1') == 2 and text.count('< HTTP/1.1 200 OK') == 2
    assert not [line for line in text if 'connection:' in line.lower()], text  # no close
    sys.modules.pop('verbose_http', None)


@pytest.mark.parametrize('request_line, headers', [
    ('GET /peer HTTP/1.1', 'Host: localhost\r\nConnection: close\r\n'),   # what urllib sends
    ('GET /peer HTTP/1.0', ''),
], ids=['connection-close', 'http-1.0'])
def test_the_server_hangs_up_after_an_answer_that_says_close(playground, request_line, headers):
    pg = playground('web')
    with socket.create_connection(('127.0.0.1', pg.port(80)), timeout=10) as sock:
        sock.sendall(f'{request_line}\r\n{headers}\r\n'.encode())
        answer = sock.makefile('rb').read()    # returns when the server closes
        client_port = sock.getsockname()[1]
    head, _, body = answer.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 200 OK\r\n') and head.endswith(b'\r\nConnection: close')
    assert body == b'127.0.0.1:%d\n' % client_port
