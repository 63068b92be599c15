"""Chapter 18 exercises: RPC (the text of each is in chapter18/README.md, Exercises).

The servers start on a free port (-p 0); the checkers read it from the ready line.
"""
import http.client
import socket
import xmlrpc.client

import pytest

from harness import REPO

TESTFILE = REPO / 'chapter18' / 'testfile.txt'


def start(server, solution, *args):
    """Start a server solution with -p 0: (Server, None), or (None, what it said instead)."""
    try:
        return server(solution.script, '-p', '0', *args, env=solution.env), None
    except AssertionError as e:   # no ready line: it ended (a usage error) or hung
        return None, str(e).split(': got ', 1)[-1]


def printed(srv, pattern, timeout=5):
    """Has the server printed a line matching pattern (waiting up to timeout)?"""
    try:
        return srv.expect(pattern, timeout)
    except AssertionError:
        return None


def call_from(address, port, method, *params):
    """An XML-RPC call from a client at address: (answer, None), or (None, what went wrong)."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=10,
                                            source_address=(address, 0))
    try:
        connection.request('POST', '/RPC2', xmlrpc.client.dumps(params, method),
                           {'Content-Type': 'text/xml'})
        return xmlrpc.client.loads(connection.getresponse().read())[0][0], None
    except (OSError, http.client.HTTPException, xmlrpc.client.Error) as e:
        return None, repr(e)
    finally:
        connection.close()


# ---------------------------------------------------------------- xmlrpc_server.py

@pytest.mark.exercise('chapter18/xmlrpc_server.py', 'chapter18/xmlrpc_allow.py')
def test_xmlrpc_allow(solution, check, run, server):
    with socket.socket() as probe:   # Linux answers on all of 127/8; macOS only on 127.0.0.1
        try:
            probe.bind(('127.0.0.2', 0))
        except OSError:
            pytest.skip('this machine has no address 127.0.0.2 (on macOS: '
                        'sudo ifconfig lo0 alias 127.0.0.2)')
    srv, said = start(server, solution)
    check.that(srv, 'it starts with -p 0', f'started with -p 0 it should print its ready '
                                           f'line; it printed {said}')
    done = run('chapter18/xmlrpc_client.py', '-p', srv.port, timeout=20)
    check.that(done.out.splitlines()[:2] == ['xÿz', '55'],
               'without --allow it serves every client, as before',
               f'without --allow it should serve every client, as before; xmlrpc_client.py '
               f'got: {(done.out + done.err).strip()!r}')
    srv, said = start(server, solution, '--allow', '127.0.0.2')
    check.that(srv, 'it starts with --allow 127.0.0.2',
               f'started with `-p 0 --allow 127.0.0.2` it should print its ready line; '
               f'it printed {said}')
    done = run('chapter18/xmlrpc_client.py', '-p', srv.port, timeout=20)
    check.that(done.returncode != 0 and '55' not in done.out.splitlines(),
               'a client at 127.0.0.1 gets no answer',
               f'with --allow 127.0.0.2, a client at 127.0.0.1 should get no answer; '
               f'xmlrpc_client.py got: {done.out.strip()!r}')
    check.that(printed(srv, r'^Refused a request from 127\.0\.0\.1$'),
               'and the server prints `Refused a request from 127.0.0.1`',
               f'refusing it, the server should print `Refused a request from 127.0.0.1`; '
               f'it printed: {srv.lines[1:]}')
    answer, error = call_from('127.0.0.2', srv.port, 'addtogether', 20, 30, 4, 1)
    check.that(answer == 55,
               'a client at 127.0.0.2 is served: addtogether(20, 30, 4, 1) is 55',
               f'with --allow 127.0.0.2, a client at 127.0.0.2 should be served; calling '
               f'addtogether(20, 30, 4, 1) from there got {error or answer!r}')
    srv, said = start(server, solution, '--allow', '127.0.0.2', '--allow', '127.0.0.1')
    done = run('chapter18/xmlrpc_client.py', '-p', srv.port, timeout=20) if srv else None
    check.that(done and done.out.splitlines()[:2] == ['xÿz', '55'],
               'given --allow twice, it serves both addresses',
               f'with `--allow 127.0.0.2 --allow 127.0.0.1` it should serve 127.0.0.1 too; '
               + (f'xmlrpc_client.py got: {(done.out + done.err).strip()!r}' if done
                  else f'it did not start: {said}'))


@pytest.mark.exercise('chapter18/xmlrpc_server.py', 'chapter18/xmlrpc_stats.py')
def test_xmlrpc_stats(solution, check, run, server):
    srv, said = start(server, solution)
    check.that(srv, 'it starts with -p 0', f'started with -p 0 it should print its ready '
                                           f'line; it printed {said}')
    done = run('chapter18/xmlrpc_client.py', '-p', srv.port, timeout=20)
    check.that(done.out.splitlines()[:3] == ['xÿz', '55', '[0.0, 2.0]'],
               'its three functions still answer xmlrpc_client.py',
               f'its three functions should still answer xmlrpc_client.py; it got: '
               f'{(done.out + done.err).strip()!r}')
    proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{srv.port}')
    with proxy:
        try:
            answer = proxy.stats([3, 1, 4, 1, 5])
        except (OSError, xmlrpc.client.Error) as e:
            answer = e
        expected = {'count': 5, 'mean': 2.8, 'min': 1, 'max': 5}
        check.that(answer == expected,
                   f'stats([3, 1, 4, 1, 5]) answers {expected}',
                   f'stats([3, 1, 4, 1, 5]) should answer {expected}; it got {answer!r}')
        try:
            empty = proxy.stats([])
        except xmlrpc.client.Fault as e:
            empty = e
        except (OSError, xmlrpc.client.Error) as e:
            empty = f'no Fault but {e!r}'
        check.that(isinstance(empty, xmlrpc.client.Fault),
                   f'stats([]) gets a Fault: {empty}',
                   f'stats([]) should fail on the server, and the client get a Fault; '
                   f'it got {empty!r}')
    done = run('chapter18/xmlrpc_introspect.py', '-p', srv.port, timeout=20)
    lines = done.out.splitlines()
    listed = 'Function stats' in lines
    help_line = lines[lines.index('Function stats') + 2].strip() if listed else ''
    check.that(listed and help_line.startswith('help: ') and len(help_line) > 10
               and 'count' in help_line and 'mean' in help_line,
               f'xmlrpc_introspect.py lists it, with its {help_line}',
               f'xmlrpc_introspect.py should list `Function stats`, with a help text (its '
               f'docstring) that names what it returns, the count and the mean among them; '
               f'it printed: {done.out.strip()!r}')


# ---------------------------------------------------------------- jsonrpc_client.py

BATCH_ANSWERS = [
    "[[3, [1, 2, 3]], [None, 27], [2, {'Sirius': -1.46, 'Rigel': 0.12}], [5, 'Grüße'], "
    "[None, None]]",
    "[[3, 'one'], [5, 'three']]",
    '[]',
]


@pytest.mark.exercise('chapter18/jsonrpc_client.py', 'chapter18/jsonrpc_batch.py')
def test_jsonrpc_batch(solution, check, run, server):
    srv = server('chapter18/jsonrpc_server.py', '-p', '0')
    done = run(solution.script, '-p', srv.port, env=solution.env, timeout=20)
    posts = [line for line in srv.stop() if '"POST ' in line]
    lines = done.out.splitlines()
    check.that(done.returncode == 0 and lines[:1] == BATCH_ANSWERS[:1],
               'it still gets the lengths of its first five arguments',
               f'it should still print the answer to the first call, {BATCH_ANSWERS[0]}; '
               f'it ended with exit status {done.returncode}, printing: '
               f'{(done.out + done.err).strip()!r}')
    check.that(lines == BATCH_ANSWERS,
               'it prints the three answers in order, one a line',
               f'it should print three answers, one a line: the first as before, then '
               f'{BATCH_ANSWERS[1]} and {BATCH_ANSWERS[2]}; it printed {len(lines)} line(s), '
               f'after the first: {lines[1:]}')
    check.that(len(posts) == 1,
               'the server received the three calls in one request (one POST in its log)',
               f'the three calls should travel in one request, a batch; the server logged '
               f'{len(posts)} requests')


# ---------------------------------------------------------------- rpyc_client.py

@pytest.mark.exercise('chapter18/rpyc_client.py', 'chapter18/rpyc_word_count.py')
def test_rpyc_word_count(solution, check, run, server):
    srv = server('chapter18/rpyc_server.py', '-p', '0')
    done = run(solution.script, '-p', srv.port, env=solution.env, timeout=20)
    lines = done.out.splitlines()
    noisy = [f'Noisy: {line!r}' for line in TESTFILE.read_text().splitlines(keepends=True)]
    check.that(done.returncode == 0 and lines[:len(noisy)] == noisy
               and 'The number of lines in the file was 4' in lines,
               'the server still calls back once per line and counts 4 lines',
               f'it should still print a Noisy line for each line of testfile.txt, then `The '
               f'number of lines in the file was 4`; it ended with exit status '
               f'{done.returncode}, printing: {(done.out + done.err).strip()!r}')
    words = len(TESTFILE.read_text().split())
    expected = f'The number of words in the file was {words}'
    check.that(lines[-1:] == [expected],
               f'it prints `{expected}` last',
               f'it should print `{expected}` last, counted by the callback; its last line '
               f'was {lines[-1] if lines else None!r}')
