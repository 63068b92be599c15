"""The web service's weather site: a stand-in for the 2010 National Weather Service pages.

Chapter 10's scrapers fill in the front page's form (its action contains
'zipcity', its field is 'inputstring'), get redirected to a forecast page,
and dig the condition, temperature and humidity out of untidy HTML with
nested tables.  The cities and their made-up forecasts live in
<state>/web/weather.json (seeded from playground/data/weather.json), so a
reader can add a city and restart.  /robots.txt welcomes the scrapers.
"""
import datetime
import json
import re
import shutil

import flask

from playground.common import REPO

SEED = REPO / 'playground' / 'data' / 'weather.json'
TEMPLATES = REPO / 'playground' / 'templates'

ROBOTS_TXT = """\
# The playground's web service welcomes the screen scrapers of chapter 10.
User-agent: *
Disallow: /httpbin/deny
Allow: /
"""


def prepare(state, reset):
    """Copy the seed cities into the state folder (again, when reset)."""
    target = state / 'web' / 'weather.json'
    if reset or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEED, target)


def words(text):
    """'Phoenix,  AZ.' -> 'phoenix az': lower case, no punctuation."""
    return ' '.join(re.sub(r'[^\w\s]', ' ', text.lower()).split())


def celsius(fahrenheit):
    return round((fahrenheit - 32) * 5 / 9)


def load_cities(state):
    """The cities of the state folder, each with its slug and Celsius values."""
    cities = json.loads((state / 'web' / 'weather.json').read_text(encoding='utf-8'))
    for city in cities:
        city['slug'] = words(f"{city['city']} {city['state']}").replace(' ', '-')
        city['temp_c'] = celsius(city['temp_f'])
        city['dewpoint_c'] = celsius(city['dewpoint_f'])
    return cities


def find_city(cities, wanted):
    """The city named 'City, ST', 'City' (if only one has that name) or a ZIP code."""
    wanted = words(wanted)
    exact = [c for c in cities if wanted in (words(f"{c['city']} {c['state']}"), c['zip'])]
    by_name = [c for c in cities if wanted == words(c['city'])]
    found = exact or by_name
    return found[0] if len(found) == 1 else None


def weather(state):
    """A blueprint with the weather site under /weather/ and the site's /robots.txt."""
    blueprint = flask.Blueprint('weather', __name__, template_folder=str(TEMPLATES))

    def message(status, title, text):
        page = flask.render_template('weather/message.html', title=title, message=text,
                                     cities=load_cities(state))
        return page, status

    @blueprint.route('/robots.txt')
    def robots():
        """Rules for robots: the scrapers are welcome."""
        return flask.Response(ROBOTS_TXT, content_type='text/plain; charset=utf-8')

    @blueprint.route('/weather/')
    def front():
        """The weather site's front page, with the 'zipcity' form."""
        return flask.render_template('weather/front.html', cities=load_cities(state))

    @blueprint.route('/weather/zipcity.php', methods=['GET', 'POST'])
    def zipcity():
        """Look up the form's 'inputstring': 303 to the city's forecast, or a 404 page."""
        wanted = flask.request.values.get('inputstring', '').strip()
        if not wanted:
            return message(400, 'No city given',
                           'Please type a city and state ("Phoenix, AZ") or a ZIP code.')
        city = find_city(load_cities(state), wanted)
        if city is None:
            return message(404, 'City not found',
                           f'No forecast found for "{wanted}". '
                           'Try one of the cities below, as "City, ST" or a ZIP code.')
        return flask.redirect(f"/weather/forecast/{city['slug']}", code=303)

    @blueprint.route('/weather/forecast/<city>')
    def forecast(city):
        """The forecast page of one city (nested tables, a td.big cell, untidy markup)."""
        found = [c for c in load_cities(state) if c['slug'] == city]
        if not found:
            return message(404, 'City not found', f'There is no forecast page for "{city}".')
        updated = datetime.datetime.now().strftime('%b %d, %Y %I:%M %p')
        return flask.render_template('weather/forecast.html', c=found[0], updated=updated)

    @blueprint.route('/weather/search')
    def search():
        """The site search: cities whose name, state or ZIP contains the query."""
        query = words(flask.request.args.get('q', ''))
        cities = [c for c in load_cities(state)
                  if query in words(f"{c['city']} {c['state']} {c['zip']}")]
        page = flask.render_template('weather/message.html', title='Search results',
                                     message=f'{len(cities)} cities match.', cities=cities)
        return page

    return blueprint
