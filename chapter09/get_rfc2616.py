#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - get_rfc2616.py
# Fetch a text document through verbose_http's handler, to watch the HTTP exchange.
# Not one of the book's printed listings: it puts verbose_http.py to work.

import argparse, http.client, sys, urllib.request

from verbose_http import VerboseHTTPHandler, VerboseHTTPSHandler

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch a document, showing the HTTP '
                                     'requests and responses.')
    parser.add_argument('url', nargs='?', default='http://localhost:10080/rfc/rfc2616.txt',
                        help='URL to fetch (default: %(default)s)')
    args = parser.parse_args()
    opener = urllib.request.build_opener(VerboseHTTPHandler, VerboseHTTPSHandler)
    try:
        with opener.open(args.url, timeout=10) as response:
            print(response.read().decode('utf-8', errors='replace'), end='')
    except (http.client.HTTPException, ValueError) as e:   # not HTTP; not a URL
        sys.exit(f'get_rfc2616: {args.url}: {e!r}')
    except OSError as e:                     # refused, bad certificate, silent, 404 ...
        sys.exit(f'get_rfc2616: {args.url}: {e}')
