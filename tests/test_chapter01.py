"""Chapter 1: the same geocoding query at four levels of the stack, and getname."""
import json

import pytest

from harness import closed_port

BOOK = (41.521954, -84.306691)


@pytest.fixture
def web(playground):
    pg = playground('web')
    return f'127.0.0.1:{pg.port(80)}'


def test_search1_prints_the_coordinates_through_googlemaps(run, web):
    assert run('chapter01/search1.py', web).ok() == f'{BOOK}\n'


@pytest.mark.parametrize('script', ['search2.py', 'search3.py'])
def test_search2_and_3_print_the_location_dict(run, web, script):
    assert run(f'chapter01/{script}', web).ok() == "{'lat': 41.521954, 'lng': -84.306691}\n"


def test_search4_prints_the_raw_http_reply(run, web):
    out = run('chapter01/search4.py', web).ok()
    head, _, body = out.partition('\n\n') if '\r' not in out else out.partition('\r\n\r\n')
    status, *headers = head.splitlines()
    assert status.startswith('HTTP/1.1 200')
    assert any(h.lower().startswith('content-type: application/json') for h in headers)
    location = json.loads(body)['results'][0]['geometry']['location']
    assert (location['lat'], location['lng']) == BOOK


@pytest.mark.parametrize('script', ['search1.py', 'search2.py', 'search3.py'])
def test_unknown_address_is_one_clear_line(run, web, script):
    line = run(f'chapter01/{script}', web, '-a', '1 Nowhere Lane, Atlantis').fails()
    assert 'Nowhere Lane' in line


@pytest.mark.parametrize('script', ['search1.py', 'search2.py', 'search3.py', 'search4.py'])
def test_closed_port_is_one_clear_line(run, script):
    server = f'127.0.0.1:{closed_port()}'
    run(f'chapter01/{script}', server, timeout=10).fails('cannot', server)


def test_getname_resolves_localhost(run):
    assert run('chapter01/getname.py').ok() == 'The IP address of localhost is 127.0.0.1\n'


def test_getname_reports_an_unknown_name(run):
    run('chapter01/getname.py', 'no-such-host.invalid', timeout=10).fails(
        "cannot resolve 'no-such-host.invalid'")
