"""Chapter 10: scraping the playground's weather site with urllib, mechanize, lxml and BeautifulSoup."""
import lxml.html
import pytest

from harness import closed_port

CITIES = [
    ('Phoenix, AZ', 'Fair', '102°F', '12 %'),
    ('Seattle, WA', 'Light Rain', '54°F', '87 %'),
]
FETCHERS = ['chapter10/fetch_urllib.py', 'chapter10/fetch_mechanize.py']


def site(pg, scheme='http'):
    port = pg.port(443 if scheme == 'https' else 80)
    return f'{scheme}://localhost:{port}/weather/'


def conditions(out, title):
    """The three values printed under one heading of weather.py."""
    block = out.split(title, 1)[1].splitlines()[1:4]
    return dict(line.strip().split(': ', 1) for line in block)


@pytest.mark.parametrize('city, condition, temperature, humidity', CITIES)
def test_both_parsers_print_the_same_conditions(playground, run, city, condition,
                                                temperature, humidity):
    pg = playground('web')
    out = run('chapter10/weather.py', '--url', site(pg), *city.split()).ok()
    slug = city.lower().replace(', ', '-')
    assert f'Forecast page: http://localhost:{pg.port(80)}/weather/forecast/{slug}' in out
    expected = {'Condition': condition, 'Temperature': temperature, 'Humidity': humidity}
    assert conditions(out, 'With lxml') == expected
    assert conditions(out, 'With BeautifulSoup 4') == expected


def test_weather_over_https_and_by_zip_code(playground, run):
    pg = playground('web')
    out = run('chapter10/weather.py', '--url', site(pg, 'https'), '02108', env=pg.env).ok()
    assert conditions(out, 'With lxml')['Condition'] == 'Partly Cloudy'
    assert conditions(out, 'With BeautifulSoup 4')['Temperature'] == '67°F'


def test_unknown_city_is_a_clear_message(playground, run):
    pg = playground('web')
    result = run('chapter10/weather.py', '--url', site(pg), 'Atlantis,', 'XX')
    result.fails("no forecast for 'Atlantis, XX'", f'localhost:{pg.port(80)}')


def test_weather_refused_is_one_clear_line(run):
    port = closed_port()
    run('chapter10/weather.py', '--url', f'http://localhost:{port}/weather/',
        'Phoenix, AZ').fails(f'localhost:{port}', 'Connection refused')


def test_weather_needs_a_city(run):
    assert run('chapter10/weather.py').returncode == 2


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_saves_a_page_that_parses(playground, run, tmp_path, script):
    pg = playground('web')
    out = run(script, '--url', site(pg)).ok()
    assert 'Saved the forecast for Phoenix, AZ to phoenix.html' in out
    tree = lxml.html.parse(str(tmp_path / 'phoenix.html')).getroot()
    big = [t.strip() for t in tree.cssselect('td.big')[0].itertext() if t.strip()]
    assert big[:2] == ['Fair', '102°F']
    assert tree.xpath('//td[b="Humidity"]/following-sibling::td[1]')[0].text_content() == '12 %'


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_refuses_to_overwrite_unless_forced(playground, run, tmp_path, script):
    pg = playground('web')
    saved = tmp_path / 'phoenix.html'
    saved.write_text('my notes\n')
    run(script, '--url', site(pg)).fails('phoenix.html exists', '--force')
    assert saved.read_text() == 'my notes\n'
    run(script, '--url', site(pg), '--force', '--city', 'Anchorage, AK').ok()
    assert 'Light Snow' in saved.read_text(encoding='utf-8')


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_other_city_other_file_and_https(playground, run, tmp_path, script):
    pg = playground('web')
    run(script, '--url', site(pg, 'https'), '--city', '96813', '-o', 'honolulu.html',
        env=pg.env).ok()
    assert 'Forecast for Honolulu, HI' in (tmp_path / 'honolulu.html').read_text(encoding='utf-8')


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_unknown_city_fails_cleanly(playground, run, tmp_path, script):
    pg = playground('web')
    run(script, '--url', site(pg), '--city', 'Atlantis, XX').fails('404', "'Atlantis, XX'")
    assert not (tmp_path / 'phoenix.html').exists()


@pytest.mark.parametrize('script, cause', [
    (FETCHERS[0], 'Connection refused'), (FETCHERS[1], 'Connection refused')])
def test_fetch_refused_is_one_clear_line(run, tmp_path, script, cause):
    port = closed_port()
    run(script, '--url', f'http://localhost:{port}/weather/').fails(f'localhost:{port}', cause)
    assert not (tmp_path / 'phoenix.html').exists()


@pytest.mark.parametrize('script', FETCHERS)
def test_fetch_untrusted_certificate_fails(playground, run, script):
    pg = playground('web')
    run(script, '--url', site(pg, 'https')).fails('CERTIFICATE_VERIFY_FAILED')


def test_mechanize_needs_the_zipcity_form(playground, run):
    pg = playground('web')
    run('chapter10/fetch_mechanize.py', '--url',
        f'http://localhost:{pg.port(80)}/httpbin/forms/post').fails('no form', 'zipcity')


@pytest.mark.parametrize('script', FETCHERS + ['chapter10/weather.py'])
def test_usage_and_bad_arguments(run, script):
    assert '--url' in run(script, '-h').ok()
    assert run(script, '--no-such-option').returncode == 2
