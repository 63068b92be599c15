#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - fetch_urllib.py
# Submit the weather site's form by hand with urllib, and save the page it leads to.

import argparse, http.client, sys, urllib.parse, urllib.request

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Post the weather form, save phoenix.html.')
    parser.add_argument('host', nargs='?', default='localhost', help='the weather site')
    parser.add_argument('-p', '--port', type=int, default=10080, help='its HTTP port')
    args = parser.parse_args()
    # The field name and the action URL, read off the front page's <form>:
    url = f'http://{args.host}:{args.port}/weather/zipcity.php'
    data = urllib.parse.urlencode({'inputstring': 'Phoenix, AZ'}).encode('ascii')
    try:
        with urllib.request.urlopen(url, data, timeout=10) as info:   # POST, follow redirect
            content = info.read()
        with open('phoenix.html', 'xb') as f:     # 'x': never replace a page saved before
            f.write(content)
    except http.client.HTTPException as e:      # an answer that is not HTTP
        sys.exit(f'fetch_urllib: {args.host}:{args.port}: {e!r}')
    except OSError as e:                        # refused, silent, 404, file exists ...
        sys.exit(f'fetch_urllib: {args.host}:{args.port}: {e}')
