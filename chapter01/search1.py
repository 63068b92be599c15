#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search1.py
# Geocode an address through a third-party client library: the highest level.

import argparse, os, sys

import googlemaps
from googlemaps.exceptions import ApiError, Timeout, TransportError

ADDRESS = '207 N. Defiance St, Archbold, OH'

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address with googlemaps.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10080, help='default: %(default)s')
    args = parser.parse_args()
    # With a key of your own in GOOGLE_MAPS_API_KEY, ask Google itself. The playground
    # ignores the key, but the library insists on one that looks like Google's.
    key = os.environ.get('GOOGLE_MAPS_API_KEY')
    if key and not key.startswith('AIza'):   # googlemaps.Client refuses any other
        parser.error('GOOGLE_MAPS_API_KEY is not a Google Maps key (they start with AIza)')
    url = 'https://maps.googleapis.com' if key else f'http://{args.host}:{args.port}'
    gmaps = googlemaps.Client(key=key or 'AIza-playground', base_url=url, timeout=10)
    try:
        location = gmaps.geocode(ADDRESS)[0]['geometry']['location']
        print((location['lat'], location['lng']))
    except (ApiError, Timeout, TransportError) as e:    # the library's errors
        sys.exit(f'search1: {url}: {str(e) or "timed out"}')
    except (LookupError, ValueError) as e:    # no place found; a reply that is not JSON
        sys.exit(f'search1: {url}: no location in the reply ({e})')
