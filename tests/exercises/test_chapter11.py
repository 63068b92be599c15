"""Chapter 11 exercises: web applications (the text of each is in chapter11/README.md,
Exercises)."""
import base64
import html
import http.client
import json
import re
import socket
import urllib.parse

import pytest

SCRIPT = '<script>alert("hi")</script>'


def ask(app, path, method='GET', body=None, timeout=10):
    """One request to the running app: (status, headers, body text)."""
    connection = http.client.HTTPConnection(app.host, app.port, timeout=timeout)
    try:
        headers = {'Content-Type': 'application/x-www-form-urlencoded'} if body is not None else {}
        connection.request(method, path, body, headers)
        reply = connection.getresponse()
        return reply.status, reply.headers, reply.read().decode('utf-8', 'replace')
    finally:
        connection.close()


def raw_head(app, path):
    """Everything the server sends back for a HEAD request, up to its close: (head, body)."""
    with socket.create_connection((app.host, app.port), timeout=10) as sock:
        sock.sendall(f'HEAD {path} HTTP/1.0\r\nHost: localhost\r\n\r\n'.encode())
        data = b''
        while more := sock.recv(65536):
            data += more
    head, _, body = data.partition(b'\r\n\r\n')
    return head.decode('latin-1'), body


def encoding(text):
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def encode_path(text, route='/encode'):
    return f'{route}?' + urllib.parse.urlencode({'mystring': text})


def start(server, solution, check):
    try:
        app = server(solution.script, '-p', '0', env=solution.env)
    except AssertionError as e:
        check.that(False, '', f'it should start and print its ready line, '
                              f'"Listening at (\'127.0.0.1\', PORT)": {e}')
    check.that(True, 'it starts, on the port that -p 0 gives it', '')
    return app


def shows(body, text):
    """Does the page show the base64 encoding of text, as the listing does?"""
    return f'<q>{html.escape(text)}</q> is <code>{encoding(text)}</code>' in body


@pytest.mark.exercise('chapter11/wsgi_app.py', 'chapter11/wsgi_app_methods.py')
def test_wsgi_app_methods(solution, check, server):
    app = start(server, solution, check)
    status, _, body = ask(app, encode_path('hi'))
    check.that(status == 200 and shows(body, 'hi'),
               'GET /encode?mystring=hi still shows aGk=',
               f'GET /encode?mystring=hi should still show the encoding aGk=; it answered '
               f'{status}: {body[:200]!r}')
    answers = {f'{method} {path}': ask(app, path, method, None if method == 'DELETE' else '')
               for method in ('POST', 'PUT', 'DELETE') for path in ('/', encode_path('hi'))}
    wrong = [f'{request} got {status}' for request, (status, _, _) in answers.items()
             if status != 405]
    check.that(not wrong,
               'POST, PUT and DELETE get 405 Method Not Allowed, on both pages',
               f'POST, PUT and DELETE should get 405 Method Not Allowed on both pages, but '
               f'{", ".join(wrong)}')
    allows = {headers['Allow'] for _, headers, _ in answers.values()}
    check.that(all({name.strip().upper() for name in (allow or '').split(',')} == {'GET', 'HEAD'}
                   for allow in allows),
               'with the header Allow: GET, HEAD',
               f'a 405 answer should say which methods the page takes, with the header '
               f'Allow: GET, HEAD; it sent Allow: {" / ".join(map(str, allows))}')
    status, _, _ = ask(app, '/favicon.ico', 'DELETE')
    check.that(status == 404,
               'a page that does not exist is still 404, whatever the method',
               f'DELETE /favicon.ico should still get 404 Not Found (there is no such page); '
               f'it got {status}')
    status, get_headers, get_body = ask(app, '/')
    head, body = raw_head(app, '/')
    lengths = re.findall(r'^Content-Length: *(\d+)', head, re.M | re.I)
    kinds = re.findall(r'^Content-Type: *(.*?)\s*$', head, re.M | re.I)
    check.that(head.startswith('HTTP/1.0 200') and not body,
               'HEAD / gets 200 and the head alone, without a body',
               f'HEAD / should get 200 and no body (wsgiref sends whatever the app returns); '
               f'it got {head.splitlines()[0]!r} and {len(body)} bytes of body')
    check.that(lengths == [str(len(get_body.encode('utf-8')))],
               'its Content-Length is that of the page GET would get',
               f'the head for HEAD / should carry the Content-Length of the page GET gets '
               f'({len(get_body.encode("utf-8"))}); it carries {lengths or "none"}')
    check.that(kinds == [get_headers['Content-Type']],
               'and so is its Content-Type',
               f'the head for HEAD / should carry the Content-Type GET gets '
               f'({get_headers["Content-Type"]}); it carries {kinds or "none"}')


@pytest.mark.exercise('chapter11/wsgi_app.py', 'chapter11/wsgi_app_post.py')
def test_wsgi_app_post(solution, check, server):
    app = start(server, solution, check)
    status, _, page = ask(app, '/')
    form = re.search(r'<form\b[^>]*>', page, re.I)
    check.that(status == 200 and form,
               'the front page still has its form',
               f'GET / should still answer the page with its form; it answered {status}: '
               f'{page[:200]!r}')
    check.that(re.search(r'method="post"', form[0], re.I)
               and re.search(r'action="/encode"', form[0], re.I),
               'its form posts to /encode',
               f'the front page\'s form should say action="/encode" method="post"; it says '
               f'{form[0]}')
    status, _, body = ask(app, encode_path('hi'))
    check.that(status == 200 and shows(body, 'hi'),
               'GET /encode?mystring=hi still works',
               f'GET /encode?mystring=hi should still show aGk=; it answered {status}')
    for text in SCRIPT, 'caf\u00e9 \u2615':
        try:
            status, _, body = ask(app, '/encode', 'POST',
                                  urllib.parse.urlencode({'mystring': text}), timeout=5)
        except TimeoutError:
            status, body = 'nothing within 5 seconds', ''
        check.that(status == 200 and shows(body, text),
                   f'a POSTed form with {text!r} gets its encoding, the text escaped',
                   f'POST /encode with the form body mystring={text!r} should show '
                   f'<code>{encoding(text)}</code> and the text, escaped; it answered {status}'
                   + ('. Is it reading wsgi.input to the end? The client sends '
                      'CONTENT_LENGTH bytes, then waits, with the connection open'
                      if not body else f': {body[:300]!r}'))
    status, _, body = ask(app, '/encode', 'POST', 'mystring=', timeout=5)
    check.that(status == 400,
               'an empty POSTed string is still 400 Bad Request',
               f'POST /encode with an empty mystring should be 400 Bad Request; it got {status}')


@pytest.mark.exercise('chapter11/bottle_app.py', 'chapter11/bottle_app_api.py')
def test_bottle_app_api(solution, check, server):
    app = start(server, solution, check)
    status, _, body = ask(app, encode_path('hi'))
    check.that(status == 200 and shows(body, 'hi'),
               'its page /encode?mystring=hi still works',
               f'GET /encode?mystring=hi should still show the page with aGk=; it answered '
               f'{status}')
    status, headers, body = ask(app, encode_path(SCRIPT, '/api/encode'))
    check.that(status == 200,
               'GET /api/encode?mystring=... answers 200',
               f'GET /api/encode?mystring=... should answer 200; it answered {status}')
    kind = (headers['Content-Type'] or '').split(';')[0]
    check.that(kind == 'application/json',
               'as application/json',
               f'its Content-Type should be application/json; it is {headers["Content-Type"]}')
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    expected = {'mystring': SCRIPT, 'encoded': encoding(SCRIPT)}
    check.that(answer == expected,
               'with the string, as given (no HTML escaping in JSON), and its encoding',
               f'for mystring={SCRIPT} it should answer {json.dumps(expected)}; it answered '
               f'{body[:300]}')
    status, headers, body = ask(app, '/api/encode')
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    check.that(status == 400 and isinstance(answer, dict) and 'error' in answer,
               'without a string it answers 400, and says why in JSON',
               f'GET /api/encode without mystring should answer 400 with a JSON object such '
               f'as {{"error": "give a string to encode as ?mystring=..."}}; it answered '
               f'{status}: {body[:200]!r}')
