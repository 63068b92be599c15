#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - get_rfc2616.py
# Fetch a text document through verbose_http's handler, to watch the HTTP exchange.
# Not one of the book's printed listings: it puts verbose_http.py to work.
# Exercise solution: keep a copy and its ETag, and ask again with If-None-Match (304).

import argparse, http.client, os, sys, urllib.error, urllib.parse, urllib.request

from verbose_http import VerboseHTTPHandler, VerboseHTTPSHandler

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch a document, showing the HTTP '
                                     'requests and responses.')
    parser.add_argument('url', nargs='?', default='http://localhost:10080/rfc/rfc2616.txt',
                        help='URL to fetch (default: %(default)s)')
    args = parser.parse_args()
    opener = urllib.request.build_opener(VerboseHTTPHandler, VerboseHTTPSHandler)
    # The copy lives in the current folder, named as the URL's last part, and the ETag
    # that names its version beside it.
    copy = os.path.basename(urllib.parse.urlsplit(args.url).path) or 'index.html'
    request = urllib.request.Request(args.url)
    if os.path.exists(copy) and os.path.exists(copy + '.etag'):
        with open(copy + '.etag') as f:
            request.add_header('If-None-Match', f.read())   # "send it only if it changed"
    try:
        try:
            with opener.open(request, timeout=10) as response:
                body = response.read()
            with open(copy, 'wb') as f:
                f.write(body)
            with open(copy + '.etag', 'w') as f:
                f.write(response.headers.get('ETag', ''))
        except urllib.error.HTTPError as e:
            if e.code != 304:            # 304 Not Modified: our copy is current, no body came
                raise
            e.close()
            with open(copy, 'rb') as f:
                body = f.read()
        print(body.decode('utf-8', errors='replace'), end='')
    except (http.client.HTTPException, ValueError) as e:   # not HTTP; not a URL
        sys.exit(f'get_rfc2616: {args.url}: {e!r}')
    except OSError as e:                     # refused, bad certificate, silent, 404 ...
        sys.exit(f'get_rfc2616: {args.url}: {e}')
