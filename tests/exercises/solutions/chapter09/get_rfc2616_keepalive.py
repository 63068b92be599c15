#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - get_rfc2616.py
# Fetch a text document through verbose_http's handler, to watch the HTTP exchange.
# Not one of the book's printed listings: it puts verbose_http.py to work.
# Exercise solution: fetch several URLs of one host over one persistent connection.

import argparse, http.client, sys, urllib.parse

from verbose_http import VerboseHTTPConnection, VerboseHTTPSConnection

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch documents of one host over one '
                                     'connection, showing the HTTP requests and responses.')
    parser.add_argument('urls', nargs='*', default=['http://localhost:10080/rfc/rfc2616.txt'],
                        metavar='url', help='URLs on one host (default: %(default)s)')
    args = parser.parse_args()
    url = args.urls[0]
    first = urllib.parse.urlsplit(url)
    # urllib opens a connection for each request and asks the server to close it; with
    # http.client we keep one open: HTTP/1.1 keeps it alive unless told otherwise.
    kind = VerboseHTTPSConnection if first.scheme == 'https' else VerboseHTTPConnection
    try:
        connection = kind(first.hostname, first.port, timeout=10)
        try:
            for url in args.urls:
                parts = urllib.parse.urlsplit(url)
                if parts.netloc != first.netloc:
                    raise ValueError('every URL must be on the same host and port')
                connection.request('GET', parts.path + (f'?{parts.query}' * bool(parts.query)))
                response = connection.getresponse()
                body = response.read()    # all of it, before the next request can go out
                if response.status != 200:
                    raise OSError(f'HTTP Error {response.status}: {response.reason}')
                print(body.decode('utf-8', errors='replace'), end='')
        finally:
            connection.close()
    except (http.client.HTTPException, ValueError) as e:   # not HTTP; not a URL
        sys.exit(f'get_rfc2616: {url}: {e!r}')
    except OSError as e:                     # refused, bad certificate, silent, 404 ...
        sys.exit(f'get_rfc2616: {url}: {e}')
