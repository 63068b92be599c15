#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 1 - search3.py
# Geocode an address speaking HTTP ourselves with http.client: one GET, one reply.

import argparse, http.client, json, os, sys, urllib.parse

ADDRESS = '207 N. Defiance St, Archbold, OH'

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Geocode an address with http.client.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10080, help='default: %(default)s')
    args = parser.parse_args()
    # With a key of your own in GOOGLE_MAPS_API_KEY, ask Google itself; the playground
    # accepts any key that looks like Google's.
    key = os.environ.get('GOOGLE_MAPS_API_KEY')
    connection = (http.client.HTTPSConnection('maps.googleapis.com', timeout=10) if key
                  else http.client.HTTPConnection(args.host, args.port, timeout=10))
    params = {'address': ADDRESS, 'key': key or 'AIza-playground'}
    try:
        connection.request('GET', '/maps/api/geocode/json?' + urllib.parse.urlencode(params))
        reply = json.loads(connection.getresponse().read())
        if reply['status'] != 'OK':    # the API's own verdict, such as ZERO_RESULTS
            sys.exit(f'search3: {connection.host}:{connection.port}: {reply["status"]}')
        print(reply['results'][0]['geometry']['location'])
    # The reply was not HTTP, or not JSON, or held no place.
    except (http.client.HTTPException, ValueError, LookupError) as e:
        sys.exit(f'search3: {connection.host}:{connection.port}: {e!r}')
    except OSError as e:    # refused, reset, timed out
        sys.exit(f'search3: {connection.host}:{connection.port}: {e.strerror or e}')
    finally:
        connection.close()
