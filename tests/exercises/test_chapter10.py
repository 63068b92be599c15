"""Chapter 10 exercises: screen scraping (the text of each is in chapter10/README.md,
Exercises)."""
import json

import pytest

from harness import REPO, closed_port

SEED = REPO / 'playground' / 'data' / 'weather.json'


def cities():
    """The weather site's seed cities, as weather.json has them."""
    return json.loads(SEED.read_text(encoding='utf-8'))


def celsius(fahrenheit):
    return round((fahrenheit - 32) * 5 / 9)


def words(line):
    return ' '.join(line.split())


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else '(nothing)'


@pytest.mark.exercise('chapter10/weather.py', 'chapter10/weather_fields.py')
def test_weather_fields(solution, check, run, playground):
    port = playground('web').port(80)
    for wanted, city in ('Phoenix, AZ', cities()[0]), ('99501', cities()[3]):
        done = run(solution.script, '-p', port, *wanted.split(), env=solution.env)
        lines = done.out.splitlines()
        check.that(done.returncode == 0 and len(lines) == 2,
                   f'for {wanted} it prints two lines, one for each parser',
                   f'for {wanted} it should print two lines, one for each parser; it printed '
                   f'{lines} and ended with status {done.returncode}: {last_line(done.err)}')
        known = (f"Condition: {city['condition']}, Temperature: {city['temp_f']}°F, "
                 f"Humidity: {city['humidity']} %")
        check.that(all(known in line for line in lines),
                   f'for {wanted} both still show the condition, temperature and humidity',
                   f'both lines should still show "{known}"; they say {lines}')
        more = (f"Wind Speed: {city['wind']}, Dewpoint: {city['dewpoint_f']}°F "
                f"({celsius(city['dewpoint_f'])}°C)")
        for parser, line in zip(('lxml:', 'BeautifulSoup:'), lines):
            expected = f'{parser:15}{known}, {more}'
            check.that(line == expected,
                       f'the {parser[:-1]} line for {wanted} adds "{more}"',
                       f'the {parser[:-1]} line for {wanted} should be "{expected}"; it is '
                       f'"{line}"')


@pytest.mark.exercise('chapter10/weather.py', 'chapter10/weather_all.py')
def test_weather_all(solution, check, run, playground, fresh_playground, tmp_path):
    taken = run(solution.script, '-p', closed_port(), '--all', env=solution.env)
    check.that(taken.returncode != 2,
               'it takes --all without a city',
               f'it should take --all without a city; it says: {last_line(taken.err)}')
    one = run(solution.script, '-p', playground('web').port(80), 'Phoenix,', 'AZ',
              env=solution.env)
    check.that(one.returncode == 0 and [words(line)[:24] for line in one.out.splitlines()]
               == ['lxml: Condition: Fair, T', 'BeautifulSoup: Condition'],
               'given a city, it still prints its two lines',
               f'given "Phoenix, AZ" it should still print the lxml and the BeautifulSoup lines; '
               f'it ended with status {one.returncode}: {last_line(one.err or one.out)}')
    # A site of our own, with a seventh city, so that only following the front page's
    # links finds them all.
    listed = cities() + [{
        'city': 'Truth or Consequences', 'state': 'NM', 'zip': '87901', 'condition': 'Hazy',
        'temp_f': 91, 'humidity': 18, 'wind': 'SE 8 MPH', 'barometer': '29.90 in',
        'dewpoint_f': 40, 'visibility': '7.00 mi', 'periods': [['Tonight', 'Clear.']]}]
    state = tmp_path / 'site'
    (state / 'web').mkdir(parents=True)
    (state / 'web' / 'weather.json').write_text(json.dumps(listed), encoding='utf-8')
    port = fresh_playground('web', state=state).port(80)
    every = run(solution.script, '-p', port, '--all', env=solution.env)
    check.that(every.returncode == 0,
               'with --all it runs to the end',
               f'with --all it should print every city; it ended with status '
               f'{every.returncode}: {last_line(every.err)}')
    expected = [f"{c['city']}, {c['state']}: Condition: {c['condition']}, "
                f"Temperature: {c['temp_f']}°F, Humidity: {c['humidity']} %" for c in listed]
    got = [words(line) for line in every.out.splitlines()]
    check.that(len(got) == len(expected),
               f'with --all it prints one line for each of the {len(expected)} cities of the '
               f'front page',
               f'this site\'s front page lists {len(expected)} cities (one more than the '
               f'playground\'s: follow its links); with --all it printed {len(got)} lines')
    wrong = [f'"{line}" instead of "{want}"' for line, want in zip(got, expected) if line != want]
    check.that(not wrong,
               'each line names the city and gives its conditions, in the order of the page',
               f'each line should name the city and give its conditions, in the order of the '
               f'front page: it printed {"; ".join(wrong[:2])}')
