#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search2.py
# Geocode an address by building the URL ourselves and decoding the JSON reply.

import argparse, http.client, json, os, sys, urllib.parse, urllib.request

ADDRESS = '207 N. Defiance St, Archbold, OH'

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address with urllib and json.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10080, help='default: %(default)s')
    args = parser.parse_args()
    # With a key of your own in GOOGLE_MAPS_API_KEY, ask Google itself; the playground
    # accepts any key that looks like Google's.
    key = os.environ.get('GOOGLE_MAPS_API_KEY')
    url = 'https://maps.googleapis.com' if key else f'http://{args.host}:{args.port}'
    params = {'address': ADDRESS, 'key': key or 'AIza-playground'}
    try:
        with urllib.request.urlopen(url + '/maps/api/geocode/json?'
                                    + urllib.parse.urlencode(params), timeout=10) as rawreply:
            reply = json.load(rawreply)
        if reply['status'] != 'OK':    # the API's own verdict, such as ZERO_RESULTS
            sys.exit(f'search2: {url}: {reply["status"]}')
        print(reply['results'][0]['geometry']['location'])
    # The reply was not HTTP, or not JSON, or held no place.
    except (http.client.HTTPException, ValueError, LookupError) as e:
        sys.exit(f'search2: {url}: {e!r}')
    except OSError as e:    # refused, timed out; urllib wraps most in a URLError
        sys.exit(f'search2: {url}: {getattr(e, "reason", e)}')
