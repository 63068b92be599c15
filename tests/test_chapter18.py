"""Chapter 18: RPC with XML-RPC, JSON-RPC (jsonrpclib-pelix) and RPyC.

Each server is started with -p 0 and each client pointed at the port its
ready line names; the assertions are on the answers a reader would read.
"""
import importlib.util
import socket
import time
import xmlrpc.client

import pytest

from harness import REPO, closed_port

CHAPTER = REPO / 'chapter18'
SERVERS = ['xmlrpc_server.py', 'jsonrpc_server.py', 'rpyc_server.py']
CLIENTS = ['xmlrpc_client.py', 'xmlrpc_introspect.py', 'xmlrpc_multicall.py',
           'jsonrpc_client.py', 'rpyc_client.py']
FAULT = '''Fault 1 "<class 'ValueError'>:math domain error"'''


@pytest.fixture
def xmlrpc_server(server):
    return server('chapter18/xmlrpc_server.py', '-p', '0')


def post_lines(srv):
    """Stop the server; return the request lines it logged (one per HTTP request)."""
    return [line for line in srv.stop() if '"POST ' in line]


# The slowest test first, so that it overlaps with the others.
def test_xmlrpc_client_against_a_silent_server_times_out(run):
    with socket.socket() as silent:                    # accepts, never answers
        silent.bind(('127.0.0.1', 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        run('chapter18/xmlrpc_client.py', '-p', port, timeout=30).fails(
            f'127.0.0.1:{port}', 'timed out')
        assert time.monotonic() - started < 20


# ---------------------------------------------------------------- every listing

@pytest.mark.parametrize('listing', SERVERS + CLIENTS)
def test_help_and_bad_arguments(run, listing):
    assert 'usage:' in run(f'chapter18/{listing}', '-h').ok()
    bad = run(f'chapter18/{listing}', '-p', 'seven')
    assert bad.returncode == 2 and 'usage:' in bad.err


@pytest.mark.parametrize('listing', SERVERS + CLIENTS)
def test_nothing_runs_on_import(listing, capsys):
    spec = importlib.util.spec_from_file_location(listing[:-3], CHAPTER / listing)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert capsys.readouterr() == ('', '')


@pytest.mark.parametrize('listing', SERVERS)
def test_server_binds_loopback_and_reports_its_port(server, listing):
    srv = server(f'chapter18/{listing}', '-p', '0')
    assert srv.host == '127.0.0.1' and srv.port > 0
    assert srv.lines[0] == f"Listening at ('127.0.0.1', {srv.port})"
    with socket.create_connection(('127.0.0.1', srv.port), timeout=5):
        pass


@pytest.mark.parametrize('listing', SERVERS)
def test_server_on_a_busy_port_is_one_clear_line(run, listing):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        run(f'chapter18/{listing}', '-p', port).fails(f'127.0.0.1:{port}',
                                                      'Address already in use')


@pytest.mark.parametrize('listing', CLIENTS)
def test_client_against_a_closed_port_is_one_clear_line(run, listing):
    port = closed_port()
    started = time.monotonic()
    result = run(f'chapter18/{listing}', '127.0.0.1', '-p', port)
    result.fails(f'127.0.0.1:{port}', 'Connection refused')
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------- XML-RPC

def test_xmlrpc_client_prints_each_answer_and_the_fault(run, xmlrpc_server):
    out = run('chapter18/xmlrpc_client.py', '127.0.0.1', '-p', xmlrpc_server.port).ok()
    assert out.splitlines() == [
        "addtogether('x', 'ÿ', 'z') -> 'xÿz'",
        'addtogether(20, 30, 4, 1) -> 55',
        'quadratic(2, -4, 0) -> [0.0, 2.0]',
        'quadratic(1, 2, 1) -> [-1.0]',
        "remote_repr((1, 2.0, 'three')) -> [1, 2.0, 'three']",      # the tuple became a list
        'remote_repr([True, None]) -> [True, None]',
        "remote_repr({'name': 'Arthur', 'data': {'age': 42}}) -> "
        "{'name': 'Arthur', 'data': {'age': 42}}",
        f'quadratic(1, 0, 1) -> {FAULT}']
    assert len(post_lines(xmlrpc_server)) == 8        # one HTTP request per call


def test_quadratic_without_real_roots_arrives_as_a_fault(xmlrpc_server):
    proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{xmlrpc_server.port}')
    with pytest.raises(xmlrpc.client.Fault) as caught:
        proxy.quadratic(1, 0, 1)
    assert caught.value.faultCode == 1
    assert 'ValueError' in caught.value.faultString
    assert proxy.quadratic(1, -3, 2) == [1.0, 2.0]    # and the server keeps serving


def test_xmlrpc_introspect_lists_functions_with_help(run, xmlrpc_server):
    out = run('chapter18/xmlrpc_introspect.py', '-p', xmlrpc_server.port).ok()
    assert out.splitlines() == [
        'Function addtogether',
        '    signature: signatures not supported',
        '    help: Add together everything it is given: numbers, strings or lists.',
        'Function quadratic',
        '    signature: signatures not supported',
        '    help: Return the real x that solve a*x*x + b*x + c == 0.',
        'Function remote_repr',
        '    signature: signatures not supported',
        '    help: Return the repr() of the argument as it arrived at the server.',
        'Also offered: system.listMethods, system.methodHelp, system.methodSignature, '
        'system.multicall']


def test_xmlrpc_multicall_sends_one_request_for_four_answers(run, xmlrpc_server):
    out = run('chapter18/xmlrpc_multicall.py', '127.0.0.1', '-p', xmlrpc_server.port).ok()
    assert out.splitlines() == [
        "answer 1: 'abc'",
        'answer 2: [0.0, 2.0]',
        '''answer 3: "[1, 2.0, 'three']"''',
        f'answer 4: {FAULT}']
    assert len(post_lines(xmlrpc_server)) == 1


# ---------------------------------------------------------------- JSON-RPC

def test_jsonrpc_client_prints_the_lengths(run, server):
    srv = server('chapter18/jsonrpc_server.py', '-p', '0')
    out = run('chapter18/jsonrpc_client.py', '127.0.0.1', '-p', srv.port).ok()
    assert out.splitlines() == [
        '[1, 2, 3] has length 3',                      # sent as a tuple, back as a list
        '27 has length None',
        "{'Sirius': -1.46, 'Rigel': 0.12} has length 2",
        "'Grüße' has length 5",
        'None has length None']
    assert len(post_lines(srv)) == 1


def test_jsonrpc_client_against_an_xmlrpc_server_says_so(run, xmlrpc_server):
    run('chapter18/jsonrpc_client.py', '-p', xmlrpc_server.port).fails(
        f'127.0.0.1:{xmlrpc_server.port}', 'does not speak JSON-RPC')


def test_xmlrpc_client_against_a_jsonrpc_server_says_so(run, server):
    srv = server('chapter18/jsonrpc_server.py', '-p', '0')
    run('chapter18/xmlrpc_client.py', '-p', srv.port).fails(
        f'127.0.0.1:{srv.port} is no XML-RPC server')


# ---------------------------------------------------------------- RPyC

def test_rpyc_callbacks_arrive_in_order_before_the_count(run, server):
    srv = server('chapter18/rpyc_server.py', '-p', '0')
    out = run('chapter18/rpyc_client.py', '127.0.0.1', '-p', srv.port).ok()
    lines = (CHAPTER / 'testfile.txt').read_text().splitlines(keepends=True)
    assert out.splitlines() == [f'Noisy: {line!r}' for line in lines] + [
        f'The number of lines in the file was {len(lines)}']


def test_rpyc_counts_a_file_of_our_choice(run, server, tmp_path):
    (tmp_path / 'three.txt').write_text('eins\nzwei\ndrei – ß\n', encoding='utf-8')
    srv = server('chapter18/rpyc_server.py', '-p', '0')
    out = run('chapter18/rpyc_client.py', '-p', srv.port, '-f', 'three.txt').ok()
    assert out.splitlines() == ["Noisy: 'eins\\n'", "Noisy: 'zwei\\n'",
                                "Noisy: 'drei – ß\\n'",
                                'The number of lines in the file was 3']
    # a second client is served too
    assert 'was 3' in run('chapter18/rpyc_client.py', '-p', srv.port, '-f', 'three.txt').ok()


def test_rpyc_client_missing_file_is_one_clear_line(run):
    run('chapter18/rpyc_client.py', '-p', closed_port(), '-f', 'nope.txt').fails(
        'nope.txt', 'No such file')
