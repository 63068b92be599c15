"""Service 'web': the geocoding API (and, in later chapters, more pages) over HTTP and HTTPS.

The geocoder answers at the path and in the JSON shape of Google's Geocoding
API, from a small gazetteer kept in <state>/web/gazetteer.json, so that the
googlemaps client library, urllib, http.client and a bare socket all work
against it.  The Flask application is served by Twisted's web server (its
WSGI container): HTTP/1.1 with persistent connections and chunked request
bodies, and TLS handshakes that cannot hold up anyone else.
Run alone: python -m playground.web [--port-offset N].
"""
import hashlib
import json
import re
import shutil

import flask

from playground import twisted_service, web_http, web_weather
from playground.common import REPO, port, run_quietly

DATA = REPO / 'playground' / 'data'
HTTP, HTTPS, HTTPS_WRONG_NAME = 80, 443, 444
IDLE_TIMEOUT = 30       # seconds: an idle connection, or an unfinished TLS handshake, is closed
THREADS = 20            # the application runs in these; waiting connections cost none
# What an HTTP request can start with: a method name (a token, RFC 9110 5.6.2), or
# the empty lines some clients send before it.
METHOD_START = frozenset(b'!#$%&\'*+-.^_`|~0123456789'
                         b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\r\n')

# Spellings that people (and the book) use interchangeably in addresses.
ABBREVIATIONS = {
    'north': 'n', 'south': 's', 'east': 'e', 'west': 'w', 'northwest': 'nw',
    'street': 'st', 'avenue': 'ave', 'av': 'ave', 'road': 'rd',
    'ohio': 'oh', 'district of columbia': 'dc', 'usa': '', 'united states': '',
}


def prepare(state, reset):
    """Copy the seed gazetteer into the state folder (again, when reset)."""
    target = state / 'web' / 'gazetteer.json'
    if reset or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / 'gazetteer.json', target)
    web_weather.prepare(state, reset)


def normalize(address):
    """Lower-case, drop punctuation, shorten common words: 'N. Defiance Street' -> 'n defiance st'."""
    words = re.sub(r'[^\w\s]', ' ', address.lower())
    words = ' '.join(words.split())
    for long, short in ABBREVIATIONS.items():
        words = re.sub(rf'\b{long}\b', short, words)
    return ' '.join(words.split())


def geocode_result(place):
    """One entry of the 'results' list, shaped like Google's."""
    lat, lng = place['lat'], place['lng']
    return {
        'address_components': [
            {'long_name': long, 'short_name': short, 'types': [kind]}
            for long, short, kind in place['components']],
        'formatted_address': place['formatted_address'],
        'geometry': {
            'location': {'lat': lat, 'lng': lng},
            'location_type': 'ROOFTOP',
            'viewport': {
                'northeast': {'lat': round(lat + 0.0013, 7), 'lng': round(lng + 0.0013, 7)},
                'southwest': {'lat': round(lat - 0.0013, 7), 'lng': round(lng - 0.0013, 7)},
            },
        },
        'place_id': 'PG' + hashlib.sha1(place['formatted_address'].encode()).hexdigest()[:20],
        'types': ['street_address'],
    }


def geocoder(state):
    """A blueprint answering /maps/api/geocode/json from the state's gazetteer."""
    blueprint = flask.Blueprint('geocoder', __name__)

    @blueprint.route('/maps/api/geocode/json')
    def geocode():
        address = flask.request.args.get('address', '').strip()
        key = flask.request.args.get('key')
        if key is not None and not key.startswith('AIza'):
            return answer('REQUEST_DENIED', error_message='The provided API key is invalid.')
        if not address:
            return answer('INVALID_REQUEST', error_message="Invalid request. Missing the 'address' parameter.")
        places = json.loads((state / 'web' / 'gazetteer.json').read_text(encoding='utf-8'))
        wanted = normalize(address)
        found = [geocode_result(place) for place in places
                 if wanted in (normalize(place['address']),
                               normalize(place['formatted_address']))]
        return answer('OK' if found else 'ZERO_RESULTS', results=found)

    return blueprint


def answer(status, results=(), error_message=None):
    body = {'results': list(results), 'status': status}
    if error_message:
        body['error_message'] = error_message
    return flask.Response(json.dumps(body, indent=3) + '\n',
                          content_type='application/json; charset=UTF-8')


def create_app(state):
    """The whole web service as one Flask application."""
    app = flask.Flask(__name__)
    app.register_blueprint(geocoder(state))
    app.register_blueprint(web_http.http_pages())
    app.register_blueprint(web_weather.weather(state))
    web_http.mount_httpbin(app)
    return app


def whole_body(app):
    """Tell the application that wsgi.input ends where the request body ends.

    Twisted reads the whole body (chunked or not) before the application runs;
    without this flag werkzeug takes a body that came without Content-Length
    (a chunked upload) for an empty one.
    """
    def application(environ, start_response):
        environ['wsgi.input_terminated'] = True
        return app(environ, start_response)
    return application


def site(app):
    """The application as a Twisted web site: HTTP/1.1 with persistent connections."""
    from twisted.internet import reactor
    from twisted.internet.interfaces import IHalfCloseableProtocol
    from twisted.web import http, server, wsgi
    from zope.interface import implementer

    @implementer(IHalfCloseableProtocol)
    class Channel(http.HTTPChannel):
        """One client connection: Twisted's, with four corrections (see each method)."""

        started = False

        def dataReceived(self, data):
            # A request starts with a method name.  Anything else at the start (a TLS
            # ClientHello on the plain port) gets its 400 at once: Twisted would wait
            # for a line end that may never come, and the client would time out.
            if not self.started:
                self.started = True
                if data[0] not in METHOD_START:
                    return self.refuse(b'400 Bad Request', b'not an HTTP request')
            return super().dataReceived(data)

        def lineLengthExceeded(self, line):
            # Twisted's line reader hangs up without a word on a line over its limit.
            return self.refuse(b'400 Bad Request', b'request line or header too long')

        def refuse(self, status, why):
            self.transport.write(b'HTTP/1.1 %s\r\nContent-Type: text/plain\r\n'
                                 b'Content-Length: %d\r\nConnection: close\r\n\r\n%s\n'
                                 % (status, len(why) + 1, why))
            self.transport.loseConnection()

        def writeHeaders(self, version, code, reason, headers):
            # Twisted answers in the client's version (HTTP/1.0 to a 1.0 request); a
            # server names the version it speaks (RFC 9110 6.2), and says when it will
            # close the connection after the answer.
            if not self.persistent or headers.hasHeader(b'Connection'):
                headers.removeHeader(b'Connection')  # and put it last, where people look
                headers.setRawHeaders(b'Connection', [b'close'])
            return super().writeHeaders(b'HTTP/1.1', code, reason, headers)

        def readConnectionLost(self):
            # The client is done sending (a half-close, as 'nc -N' does after its
            # request).  Twisted took that for a lost connection and dropped the
            # answer: answer what was asked, then close.
            self.persistent = False
            if not self.requests:
                self.transport.loseConnection()

        def writeConnectionLost(self):
            self.transport.loseConnection()

    class Site(server.Site):
        protocol = Channel  # plain HTTP/1.1 (Twisted's default also negotiates HTTP/2)

    resource = wsgi.WSGIResource(reactor, reactor.getThreadPool(), whole_body(app))
    return Site(resource, timeout=IDLE_TIMEOUT)


def main():
    # Twisted's web server, not werkzeug's: werkzeug's threaded server did the TLS
    # handshake in accept() on its one serving thread (one idle client stopped all
    # HTTPS), refused chunked request bodies and closed every connection.
    def listen(reactor, args, tls_context):
        web = site(create_app(args.state))
        reactor.suggestThreadPoolSize(THREADS)
        reactor.listenTCP(port(args.port_offset, HTTP), web, interface=args.host)
        # Each TLS handshake runs in the reactor beside every other connection; one that
        # never finishes is closed with the idle connections (IDLE_TIMEOUT).
        reactor.listenSSL(port(args.port_offset, HTTPS), web, tls_context, interface=args.host)
        # The same site with a certificate for another name (wrong.host.example), so
        # that a client's host name check has something to refuse (chapter 6).
        reactor.listenSSL(port(args.port_offset, HTTPS_WRONG_NAME), web,
                          twisted_service.tls_context(args.state, wrong_name=True),
                          interface=args.host)
    twisted_service.serve('web', __doc__.splitlines()[0], listen, prepare=prepare)


if __name__ == '__main__':
    run_quietly(main)
