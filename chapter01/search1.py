#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search1.py
# Geocode an address through a third-party client library: the highest level.

import argparse
import os
import sys

import googlemaps

ADDRESS = '207 N. Defiance St, Archbold, OH'
PLAYGROUND = '127.0.0.1:10080'
# googlemaps insists on a key that looks like Google's; the playground ignores it.
PLAYGROUND_KEY = 'AIza-playground-needs-no-real-key'


def geocode(address, server):
    """Return (lat, lng) of an address, asking Google or the playground."""
    real_key = os.environ.get('GOOGLE_MAPS_API_KEY')
    if real_key and server is None:
        client = googlemaps.Client(key=real_key)  # the real service, over HTTPS
    else:
        client = googlemaps.Client(key=PLAYGROUND_KEY, retry_timeout=5,
                                   base_url='http://' + (server or PLAYGROUND))
    results = client.geocode(address)
    if not results:
        raise LookupError(f'no place found for {address!r}')
    location = results[0]['geometry']['location']
    return location['lat'], location['lng']


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address with googlemaps.')
    parser.add_argument('server', nargs='?', help='host:port of a geocoding server '
                        f'(default: the playground, {PLAYGROUND}, or Google itself '
                        'when GOOGLE_MAPS_API_KEY is set)')
    parser.add_argument('-a', '--address', default=ADDRESS, help='default: %(default)s')
    args = parser.parse_args()
    try:
        print(geocode(args.address, args.server))
    except googlemaps.exceptions.TransportError:
        # The library wraps the socket error deep inside its own exceptions.
        sys.exit(f'search1: cannot connect to {args.server or PLAYGROUND} '
                 '(is the server running?)')
    except googlemaps.exceptions.Timeout:
        sys.exit(f'search1: {args.server or PLAYGROUND} did not answer in time')
    except (googlemaps.exceptions.ApiError, LookupError) as e:
        sys.exit(f'search1: {e}')
