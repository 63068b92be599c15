"""Chapter 3: sixteen-octet TCP messages, and a deadlock on purpose."""
import re
import socket
import subprocess
import sys

import pytest

from harness import REPO, closed_port, listing_env, terminate, wait_until, waiting_in


def test_tcp_sixteen_exchanges_exactly_sixteen_octets(run, server):
    srv = server('chapter03/tcp_sixteen.py', 'server', '-p', '0')
    out = run('chapter03/tcp_sixteen.py', 'client', '-p', srv.port).ok()
    assert re.search(r"Client has been assigned socket name \('127.0.0.1', (\d+)\)", out)
    client_port = re.search(r"socket name \('127.0.0.1', (\d+)\)", out)[1]
    assert out.endswith("The server said b'Farewell, client'\n")
    srv.expect(r"Reply sent, socket closed")
    log = '\n'.join(srv.lines)
    assert f"Socket peer: ('127.0.0.1', {client_port})" in log
    assert f"Socket name: ('127.0.0.1', {srv.port})" in log
    assert "Incoming sixteen-octet message: b'Hi there, server'" in log


def test_tcp_sixteen_server_survives_a_short_message(server, run):
    srv = server('chapter03/tcp_sixteen.py', 'server', '-p', '0')
    with socket.create_connection(('127.0.0.1', srv.port)) as sock:
        sock.sendall(b'short')
    srv.expect(r'Client went away: was expecting 16 bytes but only received 5')
    assert "The server said b'Farewell, client'" in run(
        'chapter03/tcp_sixteen.py', 'client', '-p', srv.port).ok()


def test_tcp_sixteen_closed_port(run):
    port = closed_port()
    run('chapter03/tcp_sixteen.py', 'client', '-p', port, timeout=10).fails(
        f'tcp_sixteen: 127.0.0.1:{port}: Connection refused')


def test_tcp_deadlock_small_transfer_completes(run, server):
    srv = server('chapter03/tcp_deadlock.py', 'server', '-p', '0')
    out = run('chapter03/tcp_deadlock.py', 'client', '64', '-p', srv.port).ok()
    assert "The first data received says b'CAPITALIZE THIS!" in out
    assert out.rstrip().endswith('64 bytes received')


@pytest.mark.timeout(150)   # some megabytes, 16 bytes and a progress line at a time
def test_tcp_deadlock_large_transfer_stalls(server, tmp_path):
    srv = server('chapter03/tcp_deadlock.py', 'server', '-p', '0')
    # 1 GB never fits into the two sides' socket buffers. The client's running count
    # goes to a file: a pipe that nobody reads would stop it for the wrong reason.
    with open(tmp_path / 'client.out', 'wb') as out:
        client = subprocess.Popen([sys.executable, str(REPO / 'chapter03' / 'tcp_deadlock.py'),
                                   'client', '1073741824', '-p', str(srv.port)],
                                  stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path,
                                  env=listing_env(), start_new_session=True)
    try:
        if waiting_in(client.pid) is None:   # cannot see into it: wait for its timeout
            assert client.wait(60) != 0
        else:   # the deadlock itself: each side asleep in send(), on a full buffer (the
            # client's socket has a timeout, so Python waits for room in poll() instead),
            # and the client's count standing still while they sleep
            seen = []

            def deadlocked():
                asleep = ((waiting_in(client.pid) or ('',))[0] in ('sendto', 'poll')
                          and (waiting_in(srv.process.pid) or ('',))[0] == 'sendto')
                seen.append((tmp_path / 'client.out').stat().st_size if asleep else None)
                return len(seen) >= 3 and seen[-1] is not None and len(set(seen[-3:])) == 1
            wait_until(deadlocked, 90, 'the client and the server never both blocked in send()',
                       interval=0.2)
    finally:
        terminate(client)
    shown = (tmp_path / 'client.out').read_text()
    sent = [int(n) for n in re.findall(r'(\d+) bytes sent', shown)]
    assert sent and max(sent) < 1073741824, shown[-200:]
    assert 'Receiving' not in shown
    # The server was stuck too, part way through; it survives the client's end.
    srv.expect(r'Client went away')
    srv.expect(r'Socket closed')
    processed = [int(n) for n in re.findall(r'(\d+) bytes processed', '\n'.join(srv.lines))]
    assert processed and max(processed) < 1073741824
    small = subprocess.run([sys.executable, str(REPO / 'chapter03' / 'tcp_deadlock.py'),
                            'client', '32', '-p', str(srv.port)], capture_output=True,
                           text=True, timeout=30, env=listing_env())
    assert '32 bytes received' in small.stdout, small


def test_tcp_deadlock_closed_port(run):
    port = closed_port()
    run('chapter03/tcp_deadlock.py', 'client', '16', '-p', port, timeout=10).fails(
        f'tcp_deadlock: 127.0.0.1:{port}: Connection refused')

