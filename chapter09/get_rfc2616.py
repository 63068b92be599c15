#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - get_rfc2616.py
# Fetch a text document through verbose_http's handler, to watch the HTTP exchange.

import argparse
import http.client
import sys
import urllib.error
import urllib.parse
import urllib.request

from verbose_http import VerboseHTTPHandler, VerboseHTTPSHandler

DEFAULT_URL = 'http://localhost:10080/rfc/rfc2616.txt'


def fetch(url):
    """Fetch url with an opener that prints every request and response head."""
    opener = urllib.request.build_opener(VerboseHTTPHandler, VerboseHTTPSHandler)
    with opener.open(url, timeout=10) as response:
        charset = response.headers.get_content_charset() or 'latin-1'
        return response.read().decode(charset, errors='replace')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch a document, showing '
                                     'the HTTP requests and responses.')
    parser.add_argument('url', nargs='?', default=DEFAULT_URL,
                        help='URL to fetch (default: %(default)s)')
    args = parser.parse_args()
    peer = urllib.parse.urlsplit(args.url).netloc or args.url
    try:
        text = fetch(args.url)
    except urllib.error.HTTPError as e:
        sys.exit(f'get_rfc2616.py: {peer} answered {e.code} {e.reason}')
    except urllib.error.URLError as e:
        sys.exit(f'get_rfc2616.py: cannot fetch from {peer}: {e.reason}')
    except (OSError, http.client.HTTPException) as e:
        sys.exit(f'get_rfc2616.py: cannot fetch from {peer}: {e}')
    except ValueError as e:  # not a URL at all
        sys.exit(f'get_rfc2616.py: {e}')
    print(text, end='')
