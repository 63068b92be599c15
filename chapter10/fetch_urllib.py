#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - fetch_urllib.py
# Submit the weather site's form by hand with urllib, and save the page it leads to.

import argparse
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_SITE = 'http://localhost:10080/weather/'


def fetch_forecast(site, city):
    """POST the form's one field to its zipcity page; urllib follows the redirect."""
    url = urllib.parse.urljoin(site, 'zipcity.php')  # the form's action
    data = urllib.parse.urlencode({'inputstring': city}).encode('ascii')
    with urllib.request.urlopen(url, data, timeout=10) as response:
        return response.read()


def save(content, path, overwrite):
    """Write the page to a file; mode 'x' refuses to replace an existing one."""
    with open(path, 'wb' if overwrite else 'xb') as f:
        f.write(content)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch a forecast page by '
                                     'posting the weather form with urllib.')
    parser.add_argument('--url', default=DEFAULT_SITE,
                        help='front page of the weather site (default: %(default)s)')
    parser.add_argument('--city', default='Phoenix, AZ',
                        help='"City, ST" or a ZIP code (default: %(default)s)')
    parser.add_argument('-o', '--output', default='phoenix.html',
                        help='file to save the page in (default: %(default)s)')
    parser.add_argument('-f', '--force', action='store_true',
                        help='overwrite the output file if it exists')
    args = parser.parse_args()
    if os.path.exists(args.output) and not args.force:
        sys.exit(f'fetch_urllib.py: {args.output} exists; use --force to overwrite it')
    peer = urllib.parse.urlsplit(args.url).netloc or args.url
    try:
        page = fetch_forecast(args.url, args.city)
        save(page, args.output, args.force)
    except urllib.error.HTTPError as e:
        sys.exit(f'fetch_urllib.py: {peer} answered {e.code} {e.reason} for {args.city!r}')
    except urllib.error.URLError as e:
        sys.exit(f'fetch_urllib.py: cannot fetch from {peer}: {e.reason}')
    except OSError as e:
        sys.exit(f'fetch_urllib.py: {e}')
    print(f'Saved the forecast for {args.city} to {args.output} ({len(page)} bytes)')
