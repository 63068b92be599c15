"""Chapter 3: sixteen-octet TCP messages, and a deadlock on purpose."""
import re
import socket

from harness import closed_port


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


def test_tcp_deadlock_large_transfer_stalls_until_the_timeout(run, server):
    srv = server('chapter03/tcp_deadlock.py', 'server', '-p', '0')
    # 1 GB will never fit into the two sides' socket buffers: both block in send(),
    # until the client's ten-second timeout gives up.
    done = run('chapter03/tcp_deadlock.py', 'client', '1073741824', '-p', srv.port, timeout=60)
    done.fails(f'tcp_deadlock: 127.0.0.1:{srv.port}: timed out')
    sent = [int(n) for n in re.findall(r'(\d+) bytes sent', done.out)]
    assert sent and max(sent) < 1073741824, done.out[-200:]
    assert 'Receiving' not in done.out
    # The server was stuck too, part way through; it survives the client's end.
    srv.expect(r'Client went away')
    srv.expect(r'Socket closed')
    processed = [int(n) for n in re.findall(r'(\d+) bytes processed', '\n'.join(srv.lines))]
    assert processed and max(processed) < 1073741824
    assert 'bytes received' in run('chapter03/tcp_deadlock.py', 'client', '32',
                                   '-p', srv.port).ok()


def test_tcp_deadlock_closed_port(run):
    port = closed_port()
    run('chapter03/tcp_deadlock.py', 'client', '16', '-p', port, timeout=10).fails(
        f'tcp_deadlock: 127.0.0.1:{port}: Connection refused')

