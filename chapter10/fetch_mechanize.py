#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - fetch_mechanize.py
# Let mechanize play the browser: open the front page, fill in its form, submit, save.

import argparse
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import mechanize

DEFAULT_SITE = 'http://localhost:10080/weather/'


def fetch_forecast(site, city):
    """Find the form whose action mentions 'zipcity', fill it in and submit it."""
    browser = mechanize.Browser()  # it reads /robots.txt first, as a polite robot should
    browser.open(site, timeout=10)
    browser.select_form(predicate=lambda form: 'zipcity' in (form.action or ''))
    browser['inputstring'] = city
    response = browser.submit()
    return response.read()


def robots_trouble(site):
    """Why mechanize refused: it says 'disallowed by robots.txt' also when it cannot read it."""
    robots = urllib.parse.urljoin(site, '/robots.txt')
    try:
        urllib.request.urlopen(robots, timeout=10).close()
    except urllib.error.HTTPError as e:
        return f'{robots} answered {e.code}: robots are not welcome'
    except urllib.error.URLError as e:
        return f'cannot read {robots}: {e.reason}'
    return f'{robots} forbids robots to fetch it'


def save(content, path, overwrite):
    """Write the page to a file; mode 'x' refuses to replace an existing one."""
    with open(path, 'wb' if overwrite else 'xb') as f:
        f.write(content)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch a forecast page by '
                                     'filling in the weather form with mechanize.')
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
        sys.exit(f'fetch_mechanize.py: {args.output} exists; use --force to overwrite it')
    peer = urllib.parse.urlsplit(args.url).netloc or args.url
    try:
        page = fetch_forecast(args.url, args.city)
        save(page, args.output, args.force)
    except mechanize.RobotExclusionError:
        sys.exit(f'fetch_mechanize.py: {peer}: {robots_trouble(args.url)}')
    except mechanize.FormNotFoundError:
        sys.exit(f'fetch_mechanize.py: {args.url} has no form whose action mentions zipcity')
    except urllib.error.HTTPError as e:
        sys.exit(f'fetch_mechanize.py: {peer} answered {e.code} {e.reason} for {args.city!r}')
    except urllib.error.URLError as e:
        sys.exit(f'fetch_mechanize.py: cannot fetch from {peer}: {e.reason}')
    except OSError as e:
        sys.exit(f'fetch_mechanize.py: {e}')
    print(f'Saved the forecast for {args.city} to {args.output} ({len(page)} bytes)')
