#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - get_rfc2616.py
# Fetch a text document through verbose_http's handler, to watch the HTTP exchange.
# Not one of the book's printed listings: it puts verbose_http.py to work.
# Exercise solution: follow redirects by hand, at most five of them.

import argparse, http.client, sys, urllib.error, urllib.parse, urllib.request

from verbose_http import VerboseHTTPHandler, VerboseHTTPSHandler

MAX_REDIRECTS = 5


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Replaces urllib's own redirect handler: follow nothing, let the 3xx through."""

    def redirect_request(self, *args):
        return None      # urllib then raises HTTPError, which carries the Location


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch a document, showing the HTTP '
                                     'requests and responses.')
    parser.add_argument('url', nargs='?', default='http://localhost:10080/rfc/rfc2616.txt',
                        help='URL to fetch (default: %(default)s)')
    args = parser.parse_args()
    opener = urllib.request.build_opener(VerboseHTTPHandler, VerboseHTTPSHandler, NoRedirects)
    url = args.url
    try:
        for hop in range(MAX_REDIRECTS + 1):
            try:
                with opener.open(url, timeout=10) as response:
                    print(response.read().decode('utf-8', errors='replace'), end='')
                break
            except urllib.error.HTTPError as e:
                e.close()
                if e.code not in (301, 302, 303, 307, 308) or 'Location' not in e.headers:
                    raise
                if hop == MAX_REDIRECTS:
                    raise OSError('too many redirects')
                # The Location may be relative ('/rfc/rfc2616.txt', 'get'): resolve it.
                url = urllib.parse.urljoin(url, e.headers['Location'])
                print('Redirected to', url)
    except (http.client.HTTPException, ValueError) as e:   # not HTTP; not a URL
        sys.exit(f'get_rfc2616: {args.url}: {e!r}')
    except OSError as e:                     # refused, bad certificate, silent, 404 ...
        sys.exit(f'get_rfc2616: {args.url}: {e}')
