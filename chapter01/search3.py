#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search3.py
# Geocode an address speaking HTTP ourselves with http.client: one GET, one reply.

import argparse
import http.client
import json
import os
import sys
import urllib.parse

ADDRESS = '207 N. Defiance St, Archbold, OH'
PLAYGROUND = '127.0.0.1:10080'
GOOGLE = 'maps.googleapis.com'
PATH = '/maps/api/geocode/json'


def geocode(address, server):
    """Return the location dict of the first result for an address."""
    params = {'address': address}
    real_key = os.environ.get('GOOGLE_MAPS_API_KEY')
    if real_key and server is None:
        params['key'] = real_key
        connection = http.client.HTTPSConnection(GOOGLE, timeout=10)
    else:
        connection = http.client.HTTPConnection(server or PLAYGROUND, timeout=10)
    connection.request('GET', PATH + '?' + urllib.parse.urlencode(params))
    reply = connection.getresponse()
    answer = json.loads(reply.read().decode('utf-8'))
    connection.close()
    if answer['status'] != 'OK':
        raise LookupError(f'{answer["status"]} for {address!r}')
    return answer['results'][0]['geometry']['location']


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address with http.client.')
    parser.add_argument('server', nargs='?', help='host:port of a geocoding server '
                        f'(default: the playground, {PLAYGROUND}, or Google itself '
                        'when GOOGLE_MAPS_API_KEY is set)')
    parser.add_argument('-a', '--address', default=ADDRESS, help='default: %(default)s')
    args = parser.parse_args()
    try:
        print(geocode(args.address, args.server))
    except OSError as e:
        sys.exit(f'search3: cannot reach {args.server or PLAYGROUND}: {e.strerror or e}')
    except LookupError as e:
        sys.exit(f'search3: {e}')
