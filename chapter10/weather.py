#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - weather.py
# Scrape a city's current conditions twice: with lxml (a CSS selector and an
# XPath expression) and with BeautifulSoup 4.

import argparse
import sys
import urllib.error
import urllib.parse
import urllib.request

import bs4
import lxml.html

DEFAULT_SITE = 'http://localhost:10080/weather/'
NAMES = ('Condition', 'Temperature', 'Humidity')


def fetch_forecast(site, city):
    """POST the city to the site's zipcity page; return the final URL and the page text."""
    url = urllib.parse.urljoin(site, 'zipcity.php')
    data = urllib.parse.urlencode({'inputstring': city}).encode('ascii')
    with urllib.request.urlopen(url, data, timeout=10) as response:
        charset = response.headers.get_content_charset() or 'utf-8'
        return response.geturl(), response.read().decode(charset)


def parse_with_lxml(page):
    """Condition and temperature from the td.big cell; humidity by XPath."""
    tree = lxml.html.fromstring(page)
    big = tree.cssselect('td.big')[0]                    # CSS selector
    condition, temperature = [t.strip() for t in big.itertext() if t.strip()][:2]
    cell = tree.xpath('//td[b="Humidity"]/following-sibling::td[1]')[0]   # XPath
    return condition, temperature, cell.text_content().strip()


def parse_with_soup(page):
    """The same three values, found by walking BeautifulSoup's tree."""
    soup = bs4.BeautifulSoup(page, 'html.parser')
    big = soup.find('td', class_='big')
    condition, temperature = list(big.stripped_strings)[:2]
    label = soup.find('b', string='Humidity')
    cell = label.find_parent('td').find_next_sibling('td')
    return condition, temperature, cell.get_text(strip=True)


def report(title, values):
    print(title)
    for name, value in zip(NAMES, values):
        print(f'  {name}: {value}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Print the current weather '
                                     'of a city, scraped from the weather site.')
    parser.add_argument('city', nargs='+', help='"City, ST" (as in: Phoenix, AZ) or a ZIP code')
    parser.add_argument('--url', default=DEFAULT_SITE,
                        help='front page of the weather site (default: %(default)s)')
    args = parser.parse_args()
    city = ' '.join(args.city)
    peer = urllib.parse.urlsplit(args.url).netloc or args.url
    try:
        url, page = fetch_forecast(args.url, city)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            sys.exit(f'weather.py: {peer} has no forecast for {city!r} (404 Not Found)')
        sys.exit(f'weather.py: {peer} answered {e.code} {e.reason}')
    except urllib.error.URLError as e:
        sys.exit(f'weather.py: cannot fetch from {peer}: {e.reason}')
    except OSError as e:
        sys.exit(f'weather.py: cannot fetch from {peer}: {e}')
    try:
        first, second = parse_with_lxml(page), parse_with_soup(page)
    except (IndexError, AttributeError, ValueError):
        sys.exit(f'weather.py: {url} does not look like a forecast page')
    print('Forecast page:', url)
    report('With lxml (a CSS selector and an XPath expression):', first)
    report('With BeautifulSoup 4 (a walk through the tree):', second)
