#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - weather.py
# Scrape a city's current conditions twice: with lxml (a CSS selector and an
# XPath expression) and with BeautifulSoup 4.
# Exercise solution: --all follows the front page's links to every city's forecast.

import argparse, http.client, sys, urllib.parse, urllib.request

import bs4, lxml.html

REPORT = '{:14} Condition: {}, Temperature: {}, Humidity: {}'


def lxml_conditions(content):
    """The condition, temperature and humidity of a forecast page, found with lxml."""
    tree = lxml.html.fromstring(content)
    big = tree.cssselect('td.big')[0]
    condition, temperature = [text.strip() for text in big.itertext() if text.strip()][:2]
    humidity = tree.xpath('//td[b="Humidity"]/following-sibling::td[1]')[0].text_content()
    return condition, temperature, humidity.strip()


def fetch(url, data=None):
    with urllib.request.urlopen(url, data, timeout=10) as info:
        return info.read().decode('utf-8')

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description="Scrape a city's current weather.")
    parser.add_argument('city', nargs='*', help='a city and state, as in: Phoenix, AZ')
    parser.add_argument('--all', action='store_true', help='every city of the front page')
    parser.add_argument('-p', '--port', type=int, default=10080,
                        help='HTTP port of the weather site on localhost')
    args = parser.parse_args()
    if not args.city and not args.all:
        parser.error('give a city, or --all')
    city = ' '.join(args.city)
    url = f'http://localhost:{args.port}/weather/zipcity.php'
    data = urllib.parse.urlencode({'inputstring': city}).encode('ascii')
    try:
        if args.all:
            # The front page links to every city's forecast page: follow each link.
            front = lxml.html.fromstring(fetch(f'http://localhost:{args.port}/weather/'))
            front.make_links_absolute(f'http://localhost:{args.port}/weather/')
            for link in front.xpath('//a[contains(@href, "/weather/forecast/")]'):
                name = link.text_content() + ':'
                print(REPORT.format(name, *lxml_conditions(fetch(link.get('href')))))
            sys.exit()
        content = fetch(url, data)

        # lxml: the condition and temperature are the first two texts of the cell of class
        # "big" (a CSS selector); the humidity is in the cell after the one whose bold
        # label says Humidity (an XPath expression).
        print(REPORT.format('lxml:', *lxml_conditions(content)))

        # BeautifulSoup: the same cells, found by walking the tree.
        soup = bs4.BeautifulSoup(content, 'html.parser')
        condition, temperature = list(soup.find('td', class_='big').stripped_strings)[:2]
        label = soup.find('b', string='Humidity')
        humidity = label.find_parent('td').find_next_sibling('td').get_text(strip=True)
        print(REPORT.format('BeautifulSoup:', condition, temperature, humidity))
    except http.client.HTTPException as e:      # an answer that is not HTTP
        sys.exit(f'weather: localhost:{args.port}: {e!r}')
    except OSError as e:                        # refused, silent, 404 for an unknown city ...
        sys.exit(f'weather: localhost:{args.port}: {e}')
