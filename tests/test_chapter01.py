"""Chapter 1: the same geocoding query at four levels of the stack, and getname."""
import json

import pytest

from harness import closed_port

BOOK = (41.521954, -84.306691)
SEARCHES = ['search1.py', 'search2.py', 'search3.py', 'search4.py']


@pytest.fixture
def web(playground):
    return playground('web').port(80)


def test_search1_prints_the_coordinates_through_googlemaps(run, web):
    assert run('chapter01/search1.py', '-p', web).ok() == f'{BOOK}\n'


def test_search1_refuses_a_key_that_is_not_googles_in_one_line(run):
    done = run('chapter01/search1.py', env={'GOOGLE_MAPS_API_KEY': 'not-a-key'})
    assert done.returncode == 2 and 'Traceback' not in done.err, done.err
    assert done.err.splitlines()[-1] == ('search1.py: error: GOOGLE_MAPS_API_KEY is not a '
                                         'Google Maps key (they start with AIza)')


@pytest.mark.parametrize('script', ['search2.py', 'search3.py'])
def test_search2_and_3_print_the_location_dict(run, web, script):
    out = run(f'chapter01/{script}', '127.0.0.1', '-p', web).ok()
    assert out == "{'lat': 41.521954, 'lng': -84.306691}\n"


def test_search4_prints_the_raw_http_reply(run, web):
    out = run('chapter01/search4.py', '-p', web).ok()
    head, _, body = out.partition('\n\n')    # (text mode has turned CRLF into LF)
    status, *headers = head.splitlines()
    assert status == 'HTTP/1.1 200 OK'
    assert 'Content-Type: application/json; charset=UTF-8' in headers
    location = json.loads(body)['results'][0]['geometry']['location']
    assert (location['lat'], location['lng']) == BOOK


def test_an_address_the_geocoder_does_not_know_is_one_clear_line(run, fresh_playground):
    pg = fresh_playground('web')
    # The geocoder reads its gazetteer at every request: take the book's address out.
    gazetteer = pg.state / 'web' / 'gazetteer.json'
    places = json.loads(gazetteer.read_text(encoding='utf-8'))
    gazetteer.write_text(json.dumps([p for p in places if 'Archbold' not in p['address']]),
                         encoding='utf-8')
    where = f'127.0.0.1:{pg.port(80)}'
    run('chapter01/search1.py', '-p', pg.port(80)).fails(f'search1: http://{where}: ',
                                                         'no location in the reply')
    run('chapter01/search2.py', '-p', pg.port(80)).fails(f'search2: http://{where}: ZERO_RESULTS')
    run('chapter01/search3.py', '-p', pg.port(80)).fails(f'search3: {where}: ZERO_RESULTS')


@pytest.mark.parametrize('script', SEARCHES)
def test_closed_port_is_one_clear_line(run, script):
    port = closed_port()
    run(f'chapter01/{script}', '-p', port, timeout=10).fails(
        f'{script[:-3]}: ', f'127.0.0.1:{port}', 'Connection refused')


@pytest.mark.parametrize('script', SEARCHES[:3])
def test_an_api_key_sends_the_query_to_google(run, script):
    # Offline the name does not resolve; online Google refuses the fake key: either
    # way the one line names Google's server, not the playground's.
    run(f'chapter01/{script}', env={'GOOGLE_MAPS_API_KEY': 'AIza-not-a-real-key'},
        timeout=30).fails(f'{script[:-3]}: ', 'maps.googleapis.com')


def test_getname_resolves_localhost(run):
    assert run('chapter01/getname.py').ok() == 'The IP address of localhost is 127.0.0.1\n'


def test_getname_reports_an_unknown_name(run):
    run('chapter01/getname.py', 'no-such-host.invalid', timeout=10).fails(
        'getname: no-such-host.invalid: ')
