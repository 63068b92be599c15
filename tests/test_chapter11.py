"""Chapter 11: the same base64 encoder as a bare WSGI app and as a Bottle app."""
import base64
import html
import http.client
import urllib.parse

import pytest

from harness import REPO

APPS = ['chapter11/wsgi_app.py', 'chapter11/bottle_app.py']


def ask(app, path, method='GET', body=None, header='Content-Type'):
    """One request to a running app: (status, a header's value, body text)."""
    connection = http.client.HTTPConnection(app.host, app.port, timeout=10)
    try:
        headers = {'Content-Type': 'application/x-www-form-urlencoded'} if body else {}
        connection.request(method, path, body, headers)
        reply = connection.getresponse()
        return reply.status, reply.getheader(header), reply.read().decode('utf-8')
    finally:
        connection.close()


def encode_path(text):
    return '/encode?' + urllib.parse.urlencode({'mystring': text})


@pytest.fixture(params=APPS, ids=['wsgi', 'bottle'])
def app(request, server):
    return server(request.param, '-p', '0')


def test_ready_line_names_the_real_address(app):
    assert app.lines[0] == f"Listening at ('127.0.0.1', {app.port})"


def test_front_page_has_the_form(app):
    status, kind, body = ask(app, '/')
    assert status == 200 and kind.lower() == 'text/html; charset=utf-8'
    assert '<form action="/encode" method="get">' in body
    assert '<input name="mystring"' in body
    assert 'The base64 encoding' not in body


@pytest.mark.parametrize('text', ['Hello, World!', 'caf\u00e9 \u2615'])
def test_encode_shows_base64(app, text):
    status, _, body = ask(app, encode_path(text))
    assert status == 200
    expected = base64.b64encode(text.encode('utf-8')).decode('ascii')
    assert f'<code>{expected}</code>' in body
    assert f'<q>{html.escape(text)}</q>' in body


def test_encode_escapes_html(app):
    status, _, body = ask(app, encode_path('<script>alert("owned")</script>'))
    assert status == 200
    assert '<script>' not in body
    assert '&lt;script&gt;alert(' in body
    assert base64.b64encode(b'<script>alert("owned")</script>').decode() in body


@pytest.mark.parametrize('path', ['/encode', '/encode?mystring=', '/encode?other=1'])
def test_missing_parameter_is_400(app, path):
    status, _, body = ask(app, path)
    assert status == 400
    assert 'give a string to encode' in body


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE'])
def test_bottle_answers_methods_it_does_not_route_with_405(server, method):
    app = server('chapter11/bottle_app.py', '-p', '0')
    for path in ['/', encode_path('x')]:
        status, allow, _ = ask(app, path, method, 'mystring=x', header='Allow')
        assert (status, allow) == (405, 'GET')


def test_the_bare_wsgi_app_never_looks_at_the_method(server):
    app = server('chapter11/wsgi_app.py', '-p', '0')
    assert ask(app, encode_path('x'), 'POST', 'mystring=y') == ask(app, encode_path('x'))


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_unknown_path_is_404(app, method):
    assert ask(app, '/nothing/here', method)[0] == 404


def test_the_two_apps_agree(server):
    wsgi, bottle = (server(script, '-p', '0') for script in APPS)
    for path in ['/', encode_path('<b>bold</b> & caf\u00e9'), encode_path('Python')]:
        assert ask(wsgi, path) == ask(bottle, path)   # the very same page
    for path in ['/encode', '/encode?mystring=', '/robots.txt']:
        assert ask(wsgi, path)[0] == ask(bottle, path)[0]


def test_bottle_renders_bottle_template_html_from_any_folder(server):
    # the server fixture runs in a temporary folder, not in chapter11/
    app = server('chapter11/bottle_app.py', '-p', '0')
    status, _, page = ask(app, encode_path('x'))
    assert status == 200
    template = (REPO / 'chapter11' / 'bottle_template.html').read_text()
    fixed = [line for line in template.splitlines() if '{{' not in line and '%' not in line]
    assert [line for line in page.splitlines() if line in fixed] == fixed


@pytest.mark.parametrize('script', APPS)
def test_usage(run, script):
    assert '--port' in run(script, '-h').ok()
    assert run(script, '-p', 'eighty').returncode == 2


@pytest.mark.parametrize('script', APPS)
def test_busy_port_is_one_clear_line(run, server, script):
    other = server('chapter11/wsgi_app.py', '-p', '0')
    name = script.split('/')[1][:-3]
    run(script, '-p', other.port).fails(f'{name}: 127.0.0.1:{other.port}: Address already in use')
