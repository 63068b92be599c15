#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - weather.py
# Scrape a city's current conditions twice: with lxml (a CSS selector and an
# XPath expression) and with BeautifulSoup 4.
# Exercise solution: the wind speed and the dewpoint too, from cells whose <td> is never closed.

import argparse, http.client, sys, urllib.parse, urllib.request

import bs4, lxml.html

REPORT = '{:15}Condition: {}, Temperature: {}, Humidity: {}, Wind Speed: {}, Dewpoint: {}'

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description="Scrape a city's current weather.")
    parser.add_argument('city', nargs='+', help='a city and state, as in: Phoenix, AZ')
    parser.add_argument('-p', '--port', type=int, default=10080,
                        help='HTTP port of the weather site on localhost')
    args = parser.parse_args()
    city = ' '.join(args.city)
    url = f'http://localhost:{args.port}/weather/zipcity.php'
    data = urllib.parse.urlencode({'inputstring': city}).encode('ascii')
    try:
        with urllib.request.urlopen(url, data, timeout=10) as info:
            content = info.read().decode('utf-8')

        # lxml: the condition and temperature are the first two texts of the cell of class
        # "big" (a CSS selector); the humidity is in the cell after the one whose bold
        # label says Humidity (an XPath expression).
        tree = lxml.html.fromstring(content)
        big = tree.cssselect('td.big')[0]
        condition, temperature = [text.strip() for text in big.itertext() if text.strip()][:2]
        humidity, wind, dewpoint = [
            tree.xpath(f'//td[b="{label}"]/following-sibling::td[1]')[0].text_content().strip()
            for label in ('Humidity', 'Wind Speed', 'Dewpoint')]
        print(REPORT.format('lxml:', condition, temperature, humidity, wind, dewpoint))

        # BeautifulSoup: the same cells, found by walking the tree.
        soup = bs4.BeautifulSoup(content, 'html.parser')
        condition, temperature = list(soup.find('td', class_='big').stripped_strings)[:2]
        # The Wind Speed and Dewpoint rows never close their first <td>: lxml closes it
        # when the next one opens, html.parser puts the next cell inside it. So do not
        # look for a sibling: take the first <td> that comes after the bold label.
        humidity, wind, dewpoint = [
            soup.find('b', string=label).find_next('td').get_text(strip=True)
            for label in ('Humidity', 'Wind Speed', 'Dewpoint')]
        print(REPORT.format('BeautifulSoup:', condition, temperature, humidity, wind, dewpoint))
    except http.client.HTTPException as e:      # an answer that is not HTTP
        sys.exit(f'weather: localhost:{args.port}: {e!r}')
    except OSError as e:                        # refused, silent, 404 for an unknown city ...
        sys.exit(f'weather: localhost:{args.port}: {e}')
