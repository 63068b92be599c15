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
FAULT = '''<Fault 1: "<class 'ValueError'>:math domain error">'''


@pytest.fixture
def xmlrpc_server(server):
    return server('chapter18/xmlrpc_server.py', '-p', '0')


def post_lines(srv):
    """Stop the server; return the request lines it logged (one per HTTP request)."""
    return [line for line in srv.stop() if '"POST ' in line]


# (A silent server, one that speaks garbage and one that hangs up: tests/test_bad_peers.py.)

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
    # rpyc's Server leaves its listening socket open when bind() fails (rpyc 6.0.2,
    # rpyc/utils/server.py), where the listing cannot reach it: its ResourceWarning
    # is rpyc's, and ignored here only.
    env = {'PYTHONWARNINGS': 'error,ignore::ResourceWarning'} if 'rpyc' in listing else {}
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        run(f'chapter18/{listing}', '-p', port, env=env).fails(
            f'{listing[:-3]}: 127.0.0.1:{port}: Address already in use')


@pytest.mark.parametrize('listing', CLIENTS)
def test_client_against_a_closed_port_is_one_clear_line(run, listing):
    port = closed_port()
    started = time.monotonic()
    result = run(f'chapter18/{listing}', '-p', port)
    result.fails(f'{listing[:-3]}: 127.0.0.1:{port}: Connection refused')
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------- XML-RPC

def test_xmlrpc_client_prints_each_answer_and_the_fault(run, xmlrpc_server):
    done = run('chapter18/xmlrpc_client.py', '-p', xmlrpc_server.port)
    assert done.out.splitlines() == [
        'xÿz',
        '55',
        '[0.0, 2.0]',                                 # the book's precedence gave [0.0, 8.0]
        '[-1.0, -1.0]',
        "[1, 2.0, 'three']",                          # the tuple became a list
        '[True, None]',
        "{'name': 'Arthur', 'data': {'age': 42}}"]
    # The last call fails on the server; the Fault is raised in the client.
    done.fails(f'xmlrpc_client: 127.0.0.1:{xmlrpc_server.port}: {FAULT}')
    assert len(post_lines(xmlrpc_server)) == 8        # one HTTP request per call


def test_quadratic_without_real_roots_arrives_as_a_fault(xmlrpc_server):
    proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{xmlrpc_server.port}')
    with pytest.raises(xmlrpc.client.Fault) as caught:
        proxy.quadratic(1, 0, 1)
    assert caught.value.faultCode == 1
    assert 'ValueError' in caught.value.faultString
    assert proxy.quadratic(1, -3, 2) == [1.0, 2.0]    # and the server keeps serving
    assert proxy.quadratic(2, -4, 0) == [0.0, 2.0]
    assert proxy.remote_repr((1, 'two')) == "[1, 'two']"  # a string: the repr of a list


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
    out = run('chapter18/xmlrpc_multicall.py', '-p', xmlrpc_server.port).ok()
    assert out.splitlines() == ['abc', '[0.0, 2.0]', "[1, 2.0, 'three']"]
    assert len(post_lines(xmlrpc_server)) == 1


# ---------------------------------------------------------------- JSON-RPC

def test_jsonrpc_client_prints_the_lengths(run, server):
    srv = server('chapter18/jsonrpc_server.py', '-p', '0')
    out = run('chapter18/jsonrpc_client.py', '-p', srv.port).ok()
    # (1, 2, 3) was sent as a tuple, and comes back as a list
    assert out == ("[[3, [1, 2, 3]], [None, 27], [2, {'Sirius': -1.46, 'Rigel': 0.12}], "
                   "[5, 'Grüße'], [None, None]]\n")
    assert len(post_lines(srv)) == 1


def test_jsonrpc_client_against_an_xmlrpc_server_says_so(run, xmlrpc_server):
    run('chapter18/jsonrpc_client.py', '-p', xmlrpc_server.port).fails(
        f'jsonrpc_client: 127.0.0.1:{xmlrpc_server.port}: ')


def test_xmlrpc_client_against_a_jsonrpc_server_says_so(run, server):
    srv = server('chapter18/jsonrpc_server.py', '-p', '0')
    run('chapter18/xmlrpc_client.py', '-p', srv.port).fails(
        f'xmlrpc_client: 127.0.0.1:{srv.port}: ExpatError(')


# ---------------------------------------------------------------- RPyC

def test_rpyc_callbacks_arrive_in_order_before_the_count(run, server):
    srv = server('chapter18/rpyc_server.py', '-p', '0')
    lines = (CHAPTER / 'testfile.txt').read_text().splitlines(keepends=True)
    for _ in range(2):                                 # a second client is served too
        out = run('chapter18/rpyc_client.py', '-p', srv.port).ok()
        assert out.splitlines() == [f'Noisy: {line!r}' for line in lines] + [
            f'The number of lines in the file was {len(lines)}']
