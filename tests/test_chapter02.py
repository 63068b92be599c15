"""Chapter 2: UDP locally, with backoff, by broadcast, and with a big datagram."""
import contextlib
import re
import socket
import subprocess
import sys


from harness import REPO, base_env, free_port

UDP = socket.SOCK_DGRAM


def test_udp_local_round_trip(run, server):
    srv = server('chapter02/udp_local.py', 'server', '-p', '0')
    out = run('chapter02/udp_local.py', 'client', '-p', srv.port).ok()
    assert 'The OS assigned me the address' in out
    said = srv.expect(r"The client at \('127.0.0.1', \d+\) says b'(The time is \d{4}-[^']+)'")[1]
    assert f"The server ('127.0.0.1', {srv.port}) replied b'Your data was {len(said)} bytes long'" \
        in out


def test_udp_local_without_a_server_gives_up_clearly(run):
    port = free_port(UDP)
    run('chapter02/udp_local.py', 'client', '-p', port, timeout=10).fails(
        f'udp_local: 127.0.0.1:{port}: timed out')


def test_udp_remote_gets_its_answer_despite_drops(run, server):
    srv = server('chapter02/udp_remote.py', 'server', '-p', '0')
    for _ in range(3):  # the server drops half at random: give it a few chances
        done = run('chapter02/udp_remote.py', 'client', '127.0.0.1', '-p', srv.port)
        if done.returncode == 0:
            break
    assert "The server says b'Your data was 23 bytes long'" in done.ok()
    srv.expect(r"says b'This is another message'")


def test_udp_remote_backs_off_then_gives_up(run):
    # A socket that listens but never answers: a server whose replies are all lost.
    with socket.socket(socket.AF_INET, UDP) as silent:
        silent.bind(('127.0.0.1', 0))
        port = silent.getsockname()[1]
        done = run('chapter02/udp_remote.py', 'client', '-p', port, timeout=15)  # host: 127.0.0.1
        waits = re.findall(r'Waiting up to ([\d.]+) seconds', done.out)
        assert waits == ['0.1', '0.2', '0.4', '0.8', '1.6'], done
        silent.settimeout(0)
        received = []
        with contextlib.suppress(BlockingIOError):
            while True:
                received.append(silent.recv(100))
        assert received == [b'This is another message'] * 5  # one try per wait
    done.fails(f'udp_remote: 127.0.0.1:{port}: I think the server is down')


def test_udp_remote_learns_that_nothing_listens(run):
    # A connected UDP socket hears the ICMP "port unreachable" as an error.
    port = free_port(UDP)
    run('chapter02/udp_remote.py', 'client', '127.0.0.1', '-p', port, timeout=10).fails(
        f'udp_remote: 127.0.0.1:{port}: Connection refused')


def test_udp_broadcast_is_heard_on_loopback(run, server):
    # 127.255.255.255 is the loopback network's broadcast address: no packet leaves.
    srv = server('chapter02/udp_broadcast.py', 'server', '127.255.255.255', '-p', '0')
    assert srv.host == '127.255.255.255'
    out = run('chapter02/udp_broadcast.py', 'client', '127.255.255.255', '-p', srv.port).ok()
    assert out == f'Sent a broadcast to 127.255.255.255:{srv.port}\n'
    srv.expect(r"The client at \('127.0.0.1', \d+\) says: b'Broadcast message!'")


def test_big_sender_on_loopback_fits_and_reports_the_mtu(run):
    out = run('chapter02/big_sender.py', '127.0.0.1', '-p', free_port(UDP)).ok()
    assert 'The 65000-byte datagram went out in one piece.' in out
    mtu = int(re.search(r'Path MTU: (\d+)', out)[1])
    assert 1280 <= mtu <= 65536


def test_big_sender_too_big_reports_the_actual_mtu(run):
    done = run('chapter02/big_sender.py', '127.0.0.1', '-p', free_port(UDP), '-s', '65508')
    assert done.returncode == 1, done
    assert 'Alas, the 65508-byte datagram did not make it: Message too long' in done.out
    assert re.search(r'Actual MTU: \d+', done.out)


def test_big_sender_says_what_happens_off_linux(tmp_path):
    code = ('import runpy, sys; sys.platform = "darwin"; '
            f'sys.argv = ["big_sender.py", "127.0.0.1"]; '
            f'runpy.run_path({str(REPO / "chapter02" / "big_sender.py")!r}, run_name="__main__")')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          env=base_env(), timeout=10)
    assert done.returncode == 1
    assert done.stderr == 'big_sender: darwin has no portable way to forbid fragmentation\n'


def test_big_sender_unknown_host(run):
    run('chapter02/big_sender.py', 'no-such-host.invalid', timeout=10).fails(
        'big_sender: no-such-host.invalid:1060: ')
