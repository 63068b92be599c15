"""The web service's HTTP teaching pages: chapter 9's document, httpbin, and the index at /.

- /rfc/rfc2616.txt: a plain-text document (playground/data/rfc2616.txt) with a
  real ETag and Last-Modified, answered by 304 when the client's copy is
  current, gzipped when the client asks for it (Accept-Encoding); the old
  address /rfc2616.txt redirects to it with 301.
- /httpbin/...: the generic teaching endpoints (redirects, cookies, basic auth,
  status codes, an echo of the request...) are httpbin's, mounted under a
  prefix so that they cannot clash with the rest of the site.
- /peer: the client's address and port as the server sees them (its end of
  the TCP connection): on a persistent connection, the same port every time.
- /: a page listing every endpoint of the site with an example URL, in HTML
  for browsers and in plain text for curl (Accept: text/plain).
"""
import datetime
import gzip
import hashlib
import html
import logging

import flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from playground.common import ACCOUNT, REPO

DOCUMENT = REPO / 'playground' / 'data' / 'rfc2616.txt'
HTTPBIN = '/httpbin'
USER, PASSWORD = ACCOUNT

# A guided tour: (topic, [(method, example URL, what to look for)]).
TOUR = [
    ('Documents', [
        ('GET', '/rfc/rfc2616.txt', 'chapter 9: get_rfc2616.py fetches this text'),
        ('GET', '/rfc2616.txt', 'its old address: 301 Moved Permanently to the new one'),
    ]),
    ('Redirects', [
        ('GET', f'{HTTPBIN}/redirect-to?url={HTTPBIN}/get&status_code=301', '301 Moved Permanently'),
        ('GET', f'{HTTPBIN}/redirect-to?url={HTTPBIN}/get&status_code=302', '302 Found'),
        ('GET', f'{HTTPBIN}/redirect-to?url={HTTPBIN}/get&status_code=303', '303 See Other'),
        ('GET', f'{HTTPBIN}/redirect-to?url={HTTPBIN}/anything&status_code=307',
         '307 Temporary Redirect (a POST stays a POST)'),
        ('GET', f'{HTTPBIN}/redirect/3', 'a chain of three 302 redirects'),
    ]),
    ('Cookies', [
        ('GET', f'{HTTPBIN}/cookies/set?flavor=oatmeal', 'Set-Cookie, then a redirect to the echo'),
        ('GET', f'{HTTPBIN}/cookies', 'echoes the cookies the client sent'),
    ]),
    ('Authentication', [
        ('GET', f'{HTTPBIN}/basic-auth/{USER}/{PASSWORD}',
         f'HTTP basic auth: 401 until you send {USER} / {PASSWORD}'),
    ]),
    ('Caching and validation', [
        ('GET', '/rfc/rfc2616.txt', 'ETag and Last-Modified; send If-None-Match or '
         'If-Modified-Since to get 304 Not Modified'),
        ('GET', f'{HTTPBIN}/etag/lesson9', 'ETag "lesson9": If-None-Match: lesson9 gives 304'),
        ('GET', f'{HTTPBIN}/cache/60', 'Cache-Control: public, max-age=60'),
    ]),
    ('Content negotiation and compression', [
        ('GET', '/rfc/rfc2616.txt', 'gzipped only when asked: Accept-Encoding: gzip'),
        ('GET', f'{HTTPBIN}/gzip', 'always gzipped'),
        ('GET', f'{HTTPBIN}/image', 'picks PNG, JPEG, WebP or SVG from your Accept header'),
        ('GET', '/', 'this page: HTML, or plain text with Accept: text/plain'),
    ]),
    ('Methods, status codes and echoes', [
        ('HEAD', '/rfc/rfc2616.txt', 'the head of the answer without its body (curl -I)'),
        ('GET', f'{HTTPBIN}/status/418', 'any status code you choose'),
        ('GET', f'{HTTPBIN}/anything', 'echoes the method, headers, query and body you sent'),
        ('GET', f'{HTTPBIN}/headers', 'echoes the request headers'),
    ]),
    ('Persistent connections', [
        ('GET', '/peer', 'your address and port as the server sees them: the same port '
         'for every request on one connection'),
    ]),
]

# What a route does, for views without a docstring.
ABOUT = {
    '/maps/api/geocode/json': "Chapter 1's geocoder, in the JSON shape of Google's Geocoding API.",
}

# Example URLs for routes that take parameters (or need a query to be useful).
EXAMPLES = {
    '/maps/api/geocode/json': '/maps/api/geocode/json?address=207+N.+Defiance+St,+Archbold,+OH',
    '/weather/forecast/<city>': '/weather/forecast/phoenix-az',
    '/weather/zipcity.php': '/weather/zipcity.php?inputstring=Phoenix,+AZ',
    '/static/<path:filename>': '/static/favicon.ico',
    '/anything/<path:anything>': '/anything/any/path',
    '/redirect/<int:n>': '/redirect/3',
    '/redirect-to': f'/redirect-to?url={HTTPBIN}/get&status_code=307',
    '/relative-redirect/<int:n>': '/relative-redirect/2',
    '/absolute-redirect/<int:n>': '/absolute-redirect/2',
    '/stream/<int:n>': '/stream/3',
    '/status/<codes>': '/status/418',
    '/response-headers': '/response-headers?X-Lesson=chapter9',
    '/cookies/set/<name>/<value>': '/cookies/set/flavor/oatmeal',
    '/cookies/set': '/cookies/set?flavor=oatmeal',
    '/cookies/delete': '/cookies/delete?flavor',
    '/basic-auth/<user>/<passwd>': f'/basic-auth/{USER}/{PASSWORD}',
    '/hidden-basic-auth/<user>/<passwd>': f'/hidden-basic-auth/{USER}/{PASSWORD}',
    '/digest-auth/<qop>/<user>/<passwd>': f'/digest-auth/auth/{USER}/{PASSWORD}',
    '/digest-auth/<qop>/<user>/<passwd>/<algorithm>': f'/digest-auth/auth/{USER}/{PASSWORD}/SHA-256',
    '/digest-auth/<qop>/<user>/<passwd>/<algorithm>/<stale_after>':
        f'/digest-auth/auth/{USER}/{PASSWORD}/MD5/never',
    '/delay/<delay>': '/delay/1',
    '/drip': '/drip?duration=1&numbytes=5&delay=0',
    '/base64/<value>': '/base64/SFRUUCBpcyBmdW4=',
    '/etag/<etag>': '/etag/lesson9',
    '/cache/<int:value>': '/cache/60',
    '/bytes/<int:n>': '/bytes/16',
    '/stream-bytes/<int:n>': '/stream-bytes/16',
    '/range/<int:numbytes>': '/range/26',
    '/links/<int:n>/<int:offset>': '/links/5/1',
    '/links/<int:n>': '/links/5',
}


def load_httpbin():
    """httpbin's Flask application (imported on first use: it is a module-level app)."""
    # Without flasgger (its Swagger UI) httpbin logs a warning at import; we
    # list its endpoints ourselves at /, so that warning is only noise.
    logging.getLogger('httpbin.core').setLevel(logging.ERROR)
    import httpbin
    import httpbin.core
    # httpbin answers a chunked request body with 501 unless the server is gunicorn,
    # the only one it knows to end wsgi.input with the body.  Ours does so too (see
    # web.whole_body), so that check goes: chunked uploads reach /httpbin/post.
    hooks = httpbin.app.before_request_funcs.get(None, [])
    if httpbin.core.before_request in hooks:
        hooks.remove(httpbin.core.before_request)
    return httpbin.app


def mount_httpbin(app):
    """Serve httpbin's endpoints under /httpbin, beside the app's own pages."""
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {HTTPBIN: load_httpbin()})


def document_response(request):
    """The document, validated (ETag, Last-Modified, 304) and gzipped when asked."""
    body = DOCUMENT.read_bytes()
    response = flask.Response(body, content_type='text/plain; charset=utf-8')
    response.last_modified = datetime.datetime.fromtimestamp(
        int(DOCUMENT.stat().st_mtime), datetime.timezone.utc)
    tag = hashlib.sha256(body).hexdigest()[:20]
    response.vary.add('Accept-Encoding')
    if request.accept_encodings['gzip']:
        response.set_data(gzip.compress(body, mtime=0))
        response.content_encoding = 'gzip'
        tag += '-gzip'  # each representation has its own tag
    response.set_etag(tag)
    response.make_conditional(request)
    del response.headers['Date']  # the server sends its own
    return response


def endpoints(app):
    """Every route of the site: (methods, example URL, description), ours then httpbin's."""
    rows = []
    for prefix, each in (('', app), (HTTPBIN, load_httpbin())):
        for rule in sorted(each.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint == 'static' and prefix == '':
                continue  # the Flask app's own (empty) static folder
            view = each.view_functions[rule.endpoint]
            about = (view.__doc__ or '').strip().splitlines()
            methods = ','.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))
            rows.append((methods, prefix + EXAMPLES.get(rule.rule, rule.rule),
                         about[0] if about else ABOUT.get(rule.rule, '')))
    return rows


def index_text(rows, base):
    """The index as plain text: one endpoint a line, full URLs, for curl and grep."""
    lines = ['FOPNP playground web service: every endpoint, with an example URL.', '']
    for topic, entries in TOUR:
        lines.append(f'{topic}:')
        lines += [f'  {method:4}  {base}{url}  ({what})' for method, url, what in entries]
        lines.append('')
    lines.append('Every endpoint (methods, example URL, what it does):')
    lines += [f'{methods:7} {base}{url}  {about}' for methods, url, about in rows]
    return '\n'.join(lines) + '\n'


def index_html(rows):
    """The index as an HTML page with links."""
    esc = html.escape
    parts = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
             '<title>FOPNP playground web service</title></head><body>',
             '<h1>FOPNP playground web service</h1>',
             '<p>Every endpoint of this site, with an example to try in a browser, '
             'with curl, or with the listings of chapters 9 and 10. '
             '<code>curl -H "Accept: text/plain"</code> gets this page as plain text.</p>']
    for topic, entries in TOUR:
        parts.append(f'<h2>{esc(topic)}</h2><ul>')
        parts += [f'<li>{method} <a href="{esc(url)}">{esc(url)}</a>: {esc(what)}</li>'
                  for method, url, what in entries]
        parts.append('</ul>')
    parts.append('<h2>Every endpoint</h2><table>')
    parts += [f'<tr><td>{esc(methods)}</td><td><a href="{esc(url)}">{esc(url)}</a></td>'
              f'<td>{esc(about)}</td></tr>' for methods, url, about in rows]
    parts.append('</table></body></html>\n')
    return '\n'.join(parts)


def http_pages():
    """A blueprint with the index at / and chapter 9's document."""
    blueprint = flask.Blueprint('http_pages', __name__)

    @blueprint.route('/')
    def index():
        """This list of endpoints (HTML, or plain text with Accept: text/plain)."""
        request = flask.request
        rows = endpoints(flask.current_app)
        best = request.accept_mimetypes.best_match(['text/html', 'text/plain'], 'text/html')
        if best == 'text/plain':
            text = index_text(rows, request.host_url.rstrip('/'))
            response = flask.Response(text, content_type='text/plain; charset=utf-8')
        else:
            response = flask.Response(index_html(rows), content_type='text/html; charset=utf-8')
        response.vary.add('Accept')
        return response

    @blueprint.route('/peer')
    def peer():
        """Your end of this TCP connection (address:port), as the server sees it."""
        host, number = flask.request.remote_addr, flask.request.environ.get('REMOTE_PORT')
        address = f'[{host}]' if ':' in host else host
        return flask.Response(f'{address}:{number}\n', content_type='text/plain; charset=utf-8')

    @blueprint.route('/rfc/rfc2616.txt')
    def rfc2616():
        """Chapter 9's plain-text document (ETag, Last-Modified, 304, gzip when asked)."""
        return document_response(flask.request)

    @blueprint.route('/rfc2616.txt')
    def old_rfc2616():
        """The document's old address: a permanent redirect to the new one."""
        return flask.redirect('/rfc/rfc2616.txt', code=301)

    return blueprint
