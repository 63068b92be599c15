"""Chapter 7: every Launcelot server design answers the same client; which ones serve many at once."""
import contextlib
import importlib.util
import os
import pathlib
import re
import signal
import socket
import struct
import subprocess
import sys
import threading

import pytest

from harness import REPO, base_env, closed_port, script_path, terminate, wait_until

ANSWERS = ['What is your name? My name is Sir Lancelot of Camelot.',
           'What is your quest? To seek the Holy Grail.',
           'What is your favorite color? Blue.']
DESIGNS = {
    'simple': ['chapter07/server_simple.py', '127.0.0.1'],
    'SocketServer': ['chapter07/server_SocketServer.py', '127.0.0.1'],
    'multi-thread': ['chapter07/server_multi.py', '127.0.0.1', 'thread'],
    'multi-process': ['chapter07/server_multi.py', '127.0.0.1', 'process'],
    'poll': ['chapter07/server_poll.py', '127.0.0.1'],
    'async': ['chapter07/server_async.py', '127.0.0.1'],
    'twisted': ['chapter07/server_twisted.py', '127.0.0.1'],
}
SLOW_CLIENTS = 3


def ask(sock, question=b'What is your quest?'):
    sock.sendall(question)
    answer = b''
    while not answer.endswith(b'.'):
        data = sock.recv(1024)
        assert data, f'server hung up after {answer!r}'
        answer += data
    return answer


@pytest.mark.parametrize('design', DESIGNS)
def test_every_design_answers_the_client(design, server, run):
    srv = server(*DESIGNS[design], '-p', '0')
    assert srv.lines[0] == f"Listening at ('127.0.0.1', {srv.port})"
    out = run('chapter07/client.py', '127.0.0.1', '-p', srv.port).ok()
    assert out.splitlines() == ANSWERS
    out = run('chapter07/lancelot_tests.py', '127.0.0.1', '-p', srv.port).ok()
    assert out == '1 dialog, 10 questions, 10 right answers\n'


RESET = struct.pack('ii', 1, 0)  # SO_LINGER on, 0 seconds: close() sends a reset


def rude_clients(port, design):
    """Clients that misbehave in every way we could think of; each checks what it sees."""
    def connect():
        return socket.create_connection(('127.0.0.1', port), timeout=10)
    with connect() as sock:  # garbage that ends like a question gets an answer
        assert ask(sock, b'\x00\xffWhat is the air-speed velocity of a swallow?') \
            == b"I don't know that."
        assert ask(sock) == b'To seek the Holy Grail.'  # and the dialog goes on
    with connect() as sock:  # an endless "question": the server hangs up
        sock.sendall(b'x' * 5000)
        with contextlib.suppress(ConnectionResetError):  # (a reset, if it left bytes unread)
            assert sock.recv(1024) == b''
    with connect() as sock:  # a question, then a reset before the answer can be sent
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
        sock.sendall(b'What is your name?')
    with connect() as sock:  # half a question, then a reset
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
        sock.sendall(b'What is your')
    with connect() as sock:  # a question, then end of file: the answer still comes ...
        sock.sendall(b'What is your favorite color?')
        sock.shutdown(socket.SHUT_WR)
        # ... except from Twisted, which drops a connection whose reading side ends
        # (unless the protocol says it can handle a half-close), answer or no answer
        assert sock.recv(1024) in ((b'', b'Blue.') if design == 'twisted' else (b'Blue.',))
    socks = [connect() for _ in range(20)]  # many at once, hanging up without a word
    for sock in socks:
        sock.close()


@pytest.mark.parametrize('design', DESIGNS)
def test_every_design_survives_rude_clients(design, server, run):
    srv = server(*DESIGNS[design], '-p', '0')
    for _ in range(2):
        rude_clients(srv.port, design)
    assert run('chapter07/client.py', '-p', srv.port).ok().splitlines() == ANSWERS
    lines = srv.stop()  # and it said nothing about them: no traceback, no dead worker
    assert [line for line in lines if not line.startswith('Started ')] == srv.lines[:1]


@pytest.mark.parametrize('design', DESIGNS)
def test_who_serves_a_new_client_while_slow_ones_hold_on(design, server):
    srv = server(*DESIGNS[design], '-p', '0')
    slow = [socket.create_connection(('127.0.0.1', srv.port), timeout=10)
            for _ in range(SLOW_CLIENTS)]
    for sock in slow:
        sock.sendall(b'What is your')  # ... and then nothing: the question never ends
    new = socket.create_connection(('127.0.0.1', srv.port), timeout=15)
    try:
        if design == 'simple':
            # One client at a time: the server sits in recv() for the first slow client.
            new.settimeout(1.0)
            with pytest.raises(TimeoutError):
                ask(new)
            slow[0].close()  # once the slow clients go, the new one gets its turn
            for sock in slow[1:]:
                sock.close()
            new.settimeout(15)
            answer = b''
            while not answer.endswith(b'.'):
                data = new.recv(1024)
                assert data, f'server hung up after {answer!r}'
                answer += data
            assert answer == b'To seek the Holy Grail.'
        else:
            assert ask(new) == b'To seek the Holy Grail.'
            for sock in slow:  # and the slow ones were never forgotten
                assert ask(sock, b' name?') == b'My name is Sir Lancelot of Camelot.'
    finally:
        new.close()
        for sock in slow:
            sock.close()


def worker_pids(pid):
    """The child processes of a process (Linux), that is, server_multi's workers."""
    path = pathlib.Path(f'/proc/{pid}/task/{pid}/children')
    return set(map(int, path.read_text().split()))


def stop_and_read(srv):
    """Stop a server and return all it printed (the fixture still cleans up after)."""
    terminate(srv.process)
    while srv.readline(5) is not None:  # the rest of its output, up to end of file
        pass
    return srv.lines


def test_multi_replaces_a_dead_worker(server, run):
    srv = server('chapter07/server_multi.py', '127.0.0.1', 'process', '-w', '2', '-p', '0')
    wait_until(lambda: len(worker_pids(srv.process.pid)) == 2, 15, 'two workers never ran')
    victim = min(worker_pids(srv.process.pid))
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: len(worker_pids(srv.process.pid) - {victim}) == 2, 15,
               'the dead worker was never replaced')
    for _ in range(4):
        assert run('chapter07/client.py', '-p', srv.port).ok().splitlines() == ANSWERS
    lines = stop_and_read(srv)
    [died] = [line for line in lines if 'died' in line]
    number = re.fullmatch(r'Worker (\d) died; replacing it', died)[1]
    assert f'Started process worker {number} (pid {victim})' in lines
    assert len([line for line in lines if line.startswith('Started process worker')]) == 3


def test_multi_stopped_while_it_starts_its_workers_exits_cleanly(server):
    """SIGTERM as soon as it listens, while it still forks its fifty workers: it closed
    its listening socket all the same (no ResourceWarning), and no worker outlives it."""
    srv = server('chapter07/server_multi.py', '127.0.0.1', 'process', '-w', '50', '-p', '0')
    lines = stop_and_read(srv)
    assert [line for line in lines if not line.startswith('Started ')] == lines[:1], lines
    workers = [int(pid) for pid in re.findall(r'\(pid (\d+)\)', '\n'.join(lines))]
    wait_until(lambda: not any(pathlib.Path(f'/proc/{pid}').exists() for pid in workers),
               10, lambda: f'a worker outlived the server: {workers}')


def test_multi_thread_pool_size(server, run):
    srv = server('chapter07/server_multi.py', 'thread', '-w', '3', '-p', '0')
    assert run('chapter07/client.py', '-p', srv.port).ok().splitlines() == ANSWERS
    assert stop_and_read(srv)[1:] == [f'Started thread worker {n}' for n in range(3)]


def test_inetd_serves_the_socket_it_is_handed(tmp_path):
    with socket.create_server(('127.0.0.1', 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=10)
        connection, _ = listener.accept()
    with client, connection:
        # what inetd does: the accepted connection becomes the program's stdin
        process = subprocess.Popen([sys.executable, script_path('chapter07/server_inetd.py')],
                                   stdin=connection, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                                   env=base_env())
        connection.close()
        for question, answer in [(b'What is your name?', b'My name is Sir Lancelot of Camelot.'),
                                 (b'What is your favorite color?', b'Blue.')]:
            assert ask(client, question) == answer
        client.shutdown(socket.SHUT_WR)
        assert client.recv(1024) == b''  # it hung up after our end-of-file
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert (out, err) == ('', '')


def test_inetd_refuses_a_terminal_or_file_as_stdin(run):
    result = run('chapter07/server_inetd.py', input='hello')
    result.fails('standard input is not a socket')



def test_my_trace_traces_recv_until_with_timestamps(server, run):
    srv = server('chapter07/server_poll.py', '-p', '0')
    result = run('chapter07/my_trace.py', 'recv_until', script_path('chapter07/client.py'),
                 '-p', srv.port)
    assert result.ok().splitlines() == ANSWERS  # the script ran as usual, with its arguments
    trace = result.err.splitlines()
    line = re.compile(r'^\d\d:\d\d:\d\d\.\d{6} (\S+):(\d+) +(.*)$')
    parsed = [line.match(each) for each in trace]
    assert all(parsed), trace
    assert {match[1] for match in parsed} == {'lancelot.py'}  # only recv_until's lines
    assert sum('data = sock.recv(4096)' in match[3] for match in parsed) >= 3  # once per answer
    assert 'return message' in parsed[-1][3]


def test_my_trace_usage(run):
    assert run('chapter07/my_trace.py', '-h').ok().startswith('usage:')
    assert run('chapter07/my_trace.py', 'main').returncode == 2
    assert run('chapter07/my_trace.py', 'main', 'nonexistent.py').returncode == 2


def test_lancelot_tests_catches_a_wrong_answer(run):
    """A server that has forgotten its favourite colour fails the ten-question test."""
    with socket.create_server(('127.0.0.1', 0)) as listener:
        def wrong_server():
            connection, _ = listener.accept()
            with connection:
                for answer in (b'My name is Sir Lancelot of Camelot.', b'To seek the Holy Grail.',
                               b'Yellow.'):
                    while not connection.recv(1024).endswith(b'?'):
                        pass
                    connection.sendall(answer)
        thread = threading.Thread(target=wrong_server, daemon=True)
        thread.start()
        port = listener.getsockname()[1]
        result = run('chapter07/lancelot_tests.py', '-p', port)
        thread.join(10)
    result.fails(f'lancelot_tests: 127.0.0.1:{port}: ',
                 "AssertionError: b'Yellow.' != b'Blue.'")


@pytest.mark.parametrize('script', ['chapter07/client.py', 'chapter07/lancelot_tests.py'])
def test_clients_fail_clearly_on_a_closed_port(script, run):
    port = closed_port()
    run(script, '127.0.0.1', '-p', port).fails(f'127.0.0.1:{port}', 'refused')


def test_servers_say_when_the_port_is_taken(server, run):
    srv = server('chapter07/server_async.py', '-p', '0')
    for design in ('simple', 'SocketServer', 'multi-process', 'twisted'):
        result = run(*DESIGNS[design], '-p', srv.port, timeout=20)
        if design == 'twisted':
            # Twisted holds a file open on /dev/null for the life of the process, to have
            # a descriptor in reserve (twisted.internet.tcp._reservedFD): under
            # PYTHONWARNINGS=error its ResourceWarning at exit follows our line.
            result.err = re.sub(r"Exception ignored in: <_io.FileIO name='/dev/null'.*\n"
                                r"ResourceWarning: unclosed file .*/dev/null.*\n", '', result.err)
        result.fails(f'cannot listen on 127.0.0.1:{srv.port}')
    assert run('chapter07/server_poll.py', '-p', 'x').returncode == 2


@pytest.fixture
def bench(monkeypatch):
    """chapter07/bench.py as a module (nothing runs on import), to test its parts."""
    monkeypatch.syspath_prepend(str(REPO / 'chapter07'))  # for its `import lancelot`
    spec = importlib.util.spec_from_file_location('bench', REPO / 'chapter07' / 'bench.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_says_who_held_a_trial_back(bench):
    assert bench.limit(0.95, 0.99) == 'server'  # a busy server is the limit, whatever else
    assert bench.limit(0.60, 0.95) == 'generator'  # only a busy generator beside an idle server
    assert bench.limit(0.60, 0.60) == 'round trips'


def test_bench_open_loop_verdicts(bench):
    row = dict(generator=0.5, late=0, offered=1000, skipped=0, errors=0, served=1000, done=995)
    assert bench.verdict(row) == 'kept up'
    assert bench.verdict({**row, 'generator': 0.95}) == 'generator-limited'
    assert bench.verdict({**row, 'late': 11}) == 'kept up'  # held up, but not by its limit
    assert bench.verdict({**row, 'done': 900}) == 'fell behind'  # (answered after the end)
    assert bench.verdict({**row, 'skipped': 1}) == 'fell behind'
    assert bench.verdict({**row, 'errors': 1}) == 'fell behind'


def test_bench_ranks_the_designs_that_kept_up_by_their_cost(bench):
    rows = {'slow': dict(limit='fell behind', cost=1e-6, rate=100),
            'slower': dict(limit='fell behind', cost=1e-6, rate=10),
            'dear': dict(limit='kept up', cost=3e-5, rate=1000),
            'cheap': dict(limit='kept up', cost=1e-5, rate=1000),
            'unknown': dict(limit='generator-limited', cost=1e-6, rate=900)}
    assert [design for design, row in bench.ranking(rows)] == [
        'cheap', 'dear', 'unknown', 'slow', 'slower']


def test_bench_ranks_the_designs_flat_out_by_their_cost(bench):
    def row(limit, cost):
        return dict(limit=limit, cost=cost)
    closed = {'threads': {'dialog': [row('round trips', 5e-6), row('server', 9e-6),
                                     row('server; 10 of 20 clients never answered', 8e-6)]},
              'loop': {'dialog': [row('server', 7e-6), row('generator', 1e-6)]},
              'one': {'dialog': [row('round trips', 3e-5)]}}
    assert bench.flat_out(closed, 'dialog') == [('loop', 7e-6), ('threads', 8e-6)]
    assert bench.flat_out(closed, 'persistent') == []


@pytest.mark.parametrize('workload, rate', [('dialog', None), ('persistent', None),
                                            ('dialog', 200), ('persistent', 1000)])
def test_bench_generator_drives_a_server(bench, server, workload, rate):
    srv = server('chapter07/server_poll.py', '-p', '0')
    clients = 0 if workload == 'dialog' and rate else 3
    result = bench.MODES[workload, bool(rate)](srv.port, clients, 0.3, rate).run()
    assert result['errors'] == 0 and result['starved'] == 0
    assert 0 < result['done'] <= len(result['latencies'])
    if workload == 'dialog' and rate:  # every dialog starts when due, answered or not
        assert len(result['latencies']) == pytest.approx(0.3 * rate, abs=2)
    elif rate:  # a connection asks when due, or once answered if that is later
        assert 0.3 * rate / 2 < len(result['latencies']) <= 0.3 * rate + 2


def test_bench_generator_sees_clients_starve_on_the_simple_server(bench, server):
    srv = server('chapter07/server_simple.py', '-p', '0')
    result = bench.ClosedQuestions(srv.port, 3, 0.3, None).run()
    assert result['starved'] == 2  # one client at a time: the first holds on to the server
    assert result['errors'] == 0  # (and the others are answered once it hangs up)


@pytest.mark.parametrize('kind', ['closing', 'garbage', 'silent'])
def test_bench_generator_counts_what_bad_servers_do(bench, bad_peer, monkeypatch, kind):
    monkeypatch.setattr(bench, 'DRAIN', 0.3)  # how long to wait for the silent one
    peer = bad_peer(kind)
    result = bench.ClosedQuestions(peer.port, 2, 0.2, None).run()
    assert result['done'] == 0 and not result['latencies']
    assert result['errors'] >= 2 and result['starved'] == 2


@pytest.mark.bench
def test_bench_runs_a_short_benchmark(run, tmp_path):
    result = run('chapter07/bench.py', '--designs', 'simple,async', '--clients', '1,3',
                 '--seconds', '0.3', '--trials', '1', '--chart', tmp_path / 'chart.png',
                 timeout=120)
    out = result.ok()
    assert re.search(r'^Launcelot servers over loopback, \d+ CPUs: ', out, re.M)
    rows = re.findall(r'^(simple|async) +(\d+) +(\d+) +[\d.]+ +[\d.]+ +0 ', out, re.M)
    assert [(design, clients) for design, clients, _ in rows] == [
        ('simple', '1'), ('simple', '3'), ('async', '1'), ('async', '3')] * 2
    assert all(int(rate) > 0 for _, _, rate in rows)
    assert re.search(r'its ceiling is about \d+ dialogs/s', out)
    ranked = re.findall(r'^([12]) +(simple|async) +\d+ ', out, re.M)
    assert sorted(design for _, design in ranked) == ['async', 'async', 'simple', 'simple']
    assert (tmp_path / 'chart.png').read_bytes().startswith(b'\x89PNG')
