#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search2.py
# Geocode an address by building the URL ourselves and decoding the JSON reply.

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

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
        url = f'https://{GOOGLE}{PATH}?' + urllib.parse.urlencode(params)
    else:
        url = f'http://{server or PLAYGROUND}{PATH}?' + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as reply:
        answer = json.load(reply)
    if answer['status'] != 'OK':
        raise LookupError(f'{answer["status"]} for {address!r}')
    return answer['results'][0]['geometry']['location']


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address with urllib and json.')
    parser.add_argument('server', nargs='?', help='host:port of a geocoding server '
                        f'(default: the playground, {PLAYGROUND}, or Google itself '
                        'when GOOGLE_MAPS_API_KEY is set)')
    parser.add_argument('-a', '--address', default=ADDRESS, help='default: %(default)s')
    args = parser.parse_args()
    try:
        print(geocode(args.address, args.server))
    except urllib.error.URLError as e:
        sys.exit(f'search2: cannot reach {args.server or PLAYGROUND}: '
                 f'{getattr(e.reason, "strerror", None) or e.reason}')
    except LookupError as e:
        sys.exit(f'search2: {e}')
