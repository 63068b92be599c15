"""Service 'web': the geocoding API (and, in later chapters, more pages) over HTTP and HTTPS.

The geocoder answers at the path and in the JSON shape of Google's Geocoding
API, from a small gazetteer kept in <state>/web/gazetteer.json, so that the
googlemaps client library, urllib, http.client and a bare socket all work
against it.  Run alone: python -m playground.web [--port-offset N].
"""
import hashlib
import json
import logging
import re
import shutil
import threading

import flask
from werkzeug.serving import make_server

from playground import tls, web_http, web_weather
from playground.common import (REPO, parse_service_args, port, run_quietly,
                               server_ssl_context)

DATA = REPO / 'playground' / 'data'
HTTP, HTTPS, HTTPS_WRONG_NAME = 80, 443, 444

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


def serve(app, host, number, ssl_context=None):
    """A threaded HTTP/1.1 server (werkzeug's), running in a background thread."""
    server = make_server(host, number, app, threaded=True, ssl_context=ssl_context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    tls.ensure(args.state)
    prepare(args.state, reset=False)
    logging.getLogger('werkzeug').setLevel(logging.ERROR)  # no line per request
    app = create_app(args.state)
    serve(app, args.host, port(args.port_offset, HTTP))
    serve(app, args.host, port(args.port_offset, HTTPS), server_ssl_context(args.state))
    # The same site with a certificate for another name (wrong.host.example), so
    # that a client's host name check has something to refuse (chapter 6).
    serve(app, args.host, port(args.port_offset, HTTPS_WRONG_NAME),
          server_ssl_context(args.state, wrong_name=True))
    threading.Event().wait()


if __name__ == '__main__':
    run_quietly(main)
