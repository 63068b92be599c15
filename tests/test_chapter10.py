"""Chapter 10: scraping the playground's weather site with urllib, mechanize, lxml and BeautifulSoup."""
import functools
import http.server
import threading

import lxml.html
import pytest

from harness import closed_port

FETCHERS = ['chapter10/fetch_urllib.py', 'chapter10/fetch_mechanize.py']


def report(parser, condition, temperature, humidity):
    """The line weather.py prints for one parser."""
    return (f'{parser + ":":15}Condition: {condition}, Temperature: {temperature}, '
            f'Humidity: {humidity}')


@pytest.mark.parametrize('city, condition, temperature, humidity', [
    ('Phoenix, AZ', 'Fair', '102°F', '12 %'),
    ('Seattle, WA', 'Light Rain', '54°F', '87 %'),
    ('02108', 'Partly Cloudy', '67°F', '58 %'),        # Boston, by ZIP code
])
def test_both_parsers_print_the_same_conditions(playground, run, city, condition,
                                                temperature, humidity):
    pg = playground('web')
    out = run('chapter10/weather.py', '-p', pg.port(80), *city.split()).ok()
    assert out.splitlines() == [report('lxml', condition, temperature, humidity),
                                report('BeautifulSoup', condition, temperature, humidity)]


def test_unknown_city_is_one_clear_line(playground, run):
    pg = playground('web')
    run('chapter10/weather.py', '-p', pg.port(80), 'Atlantis,', 'XX').fails(
        f'weather: localhost:{pg.port(80)}: HTTP Error 404')


def test_weather_refused_is_one_clear_line(run):
    port = closed_port()
    run('chapter10/weather.py', '-p', port, 'Phoenix,', 'AZ').fails(
        f'weather: localhost:{port}', 'Connection refused')


def test_weather_needs_a_city(run):
    assert run('chapter10/weather.py').returncode == 2


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_saves_a_page_that_parses(playground, run, tmp_path, script):
    pg = playground('web')
    assert run(script, 'localhost', '-p', pg.port(80)).ok() == ''
    tree = lxml.html.parse(str(tmp_path / 'phoenix.html')).getroot()
    assert 'Forecast for Phoenix, AZ' in tree.findtext('.//title')
    big = [t.strip() for t in tree.cssselect('td.big')[0].itertext() if t.strip()]
    assert big[:2] == ['Fair', '102°F']
    assert tree.xpath('//td[b="Humidity"]/following-sibling::td[1]')[0].text_content() == '12 %'


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_never_replaces_a_saved_page(playground, run, tmp_path, script):
    pg = playground('web')
    saved = tmp_path / 'phoenix.html'
    saved.write_text('my notes\n')
    name = script.split('/')[1][:-3]
    run(script, '-p', pg.port(80)).fails(f'{name}: localhost:{pg.port(80)}', 'File exists',
                                         'phoenix.html')
    assert saved.read_text() == 'my notes\n'


def test_fetch_urllib_refused_is_one_clear_line(run, tmp_path):
    port = closed_port()
    run('chapter10/fetch_urllib.py', '-p', port).fails(f'fetch_urllib: localhost:{port}',
                                                       'Connection refused')
    assert not (tmp_path / 'phoenix.html').exists()


def test_fetch_mechanize_refused_says_robots_txt(run, tmp_path):
    # mechanize reads /robots.txt first and, when it cannot, calls the page
    # "disallowed by robots.txt" (the README explains).
    port = closed_port()
    run('chapter10/fetch_mechanize.py', '-p', port).fails(
        f'fetch_mechanize: localhost:{port}', 'disallowed by robots.txt')
    assert not (tmp_path / 'phoenix.html').exists()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def formless_site(tmp_path):
    """A real web server whose /weather/ page has no zipcity form: its port."""
    root = tmp_path / 'site'
    (root / 'weather').mkdir(parents=True)
    (root / 'weather' / 'index.html').write_text(
        '<html><body><form action="/search"><input name="q"></form></body></html>')
    (root / 'robots.txt').write_text('User-agent: *\nAllow: /\n')
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_fetch_mechanize_without_the_form_is_one_clear_line(run, formless_site, tmp_path):
    run('chapter10/fetch_mechanize.py', '127.0.0.1', '-p', formless_site).fails(
        f'fetch_mechanize: 127.0.0.1:{formless_site}', 'FormNotFoundError')
    assert not (tmp_path / 'phoenix.html').exists()


@pytest.mark.parametrize('script', FETCHERS + ['chapter10/weather.py'])
def test_usage_and_bad_arguments(run, script):
    assert '--port' in run(script, '-h').ok()
    assert run(script, '--url', 'http://localhost/').returncode == 2
