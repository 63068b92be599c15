"""Chapter 2 exercises: UDP (the text of each is in chapter02/README.md, Exercises)."""
import contextlib
import re
import socket
import threading

import pytest

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, SERVER, exercise_lab, printed, run_on)


@pytest.mark.exercise('chapter02/udp_remote.py', 'chapter02/udp_remote_deadline.py')
def test_udp_remote_deadline(solution, check, run, server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:   # replies all lost
        silent.bind(('127.0.0.1', 0))
        port = silent.getsockname()[1]
        done = run(solution.script, 'client', '-p', port, timeout=20, env=solution.env)
        silent.settimeout(0)
        tries = 0
        with contextlib.suppress(BlockingIOError):
            while silent.recv(100):
                tries += 1
    waits = [float(w) for w in re.findall(r'Waiting up to ([\d.]+) seconds', done.out)]
    lines = [line for line in done.err.splitlines() if line.strip()]
    check.that(done.returncode != 0 and len(lines) == 1
               and 'I think the server is down' in lines[0],
               'against a server that never answers, the client gives up with one line',
               f'against a server that never answers, the client should end with one line '
               f'saying "I think the server is down"; it printed: {done.err.strip()!r}')
    check.that(waits[:3] == [0.1, 0.2, 0.4],
               'it still starts with 0.1 s and doubles its wait',
               f'it should still wait 0.1, 0.2, 0.4... seconds; it printed waits of {waits}')
    check.that(tries == len(waits),
               'it sends one request for each wait',
               f'it printed {len(waits)} waits but sent {tries} requests')
    check.that(1.9 <= sum(waits) <= 2.05,
               f'it gives up after 2 seconds in all ({" + ".join(map(str, waits))})',
               f'its waits add up to {sum(waits):.2f} seconds ({" + ".join(map(str, waits))}); '
               'the exercise asks it to give up 2 seconds after its first request')
    srv = server('chapter02/udp_remote.py', 'server', '-p', '0')
    for _ in range(5):   # the server drops half the requests on purpose
        answered = run(solution.script, 'client', '-p', srv.port, timeout=20, env=solution.env)
        if answered.returncode == 0:
            break
    check.that("The server says b'Your data was 23 bytes long'" in answered.out,
               'against the chapter\'s server it still gets its answer',
               f'against the chapter\'s server it no longer gets an answer: {answered}')


def run_to_end(run, check, script, *args, timeout, env):
    """run(...) the student's script; a script that does not end in time is a not-yet."""
    try:
        return run(script, *args, timeout=timeout, env=env)
    except AssertionError:   # the harness's "command timed out"
        check.that(False, '', f'{" ".join(map(str, args))}: your script was still running '
                   f'after {timeout} seconds; it should end by itself')


def udp_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', 0))
    return sock


@contextlib.contextmanager
def udp_server(answer):
    """A UDP server of our own on 127.0.0.1, which calls answer(sock, data, address) for
    each datagram that reaches it; yields its socket."""
    stop = threading.Event()
    with udp_socket() as sock:
        sock.settimeout(0.05)

        def serve():
            while not stop.is_set():
                try:
                    data, address = sock.recvfrom(65535)
                except socket.timeout:
                    continue
                answer(sock, data, address)
        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield sock
        finally:
            stop.set()
            thread.join()


@pytest.mark.exercise('chapter02/udp_remote.py', 'chapter02/udp_request_id.py')
def test_udp_request_id(solution, check, run, server):
    srv = server(solution.script, 'server', '-p', '0', env=solution.env)
    for _ in range(5):   # the server drops half the requests on purpose
        answered = run(solution.script, 'client', '-p', srv.port, timeout=20, env=solution.env)
        if answered.returncode == 0:
            break
    check.that("The server says b'Your data was 23 bytes long'" in answered.out,
               'against its own server, the client still gets its answer',
               'against its own server the client no longer gets its answer (both sides '
               'change: does the server repeat the ID at the start of its reply?); it '
               f'printed {answered.out.strip()[-200:]!r} {answered.err.strip()!r}')

    # A server of ours answers the first request twice: first as if to another request
    # (a late reply to an earlier one), then properly.
    requests = []

    def answer(sock, data, address):
        requests.append(data)
        request_id, space, message = data.partition(b' ')
        if not (request_id.isdigit() and space):   # the old format: answer the old way
            return sock.sendto(b'Your data was %d bytes long' % len(data), address)
        if len(requests) == 1:
            sock.sendto(b'%d Your data was 99 bytes long' % (int(request_id) + 1), address)
        sock.sendto(request_id + b' Your data was %d bytes long' % len(message), address)
    with udp_server(answer) as fake:
        done = run_to_end(run, check, solution.script, 'client', '-p', fake.getsockname()[1],
                          timeout=15, env=solution.env)
    first = requests[0] if requests else b''
    check.that(re.fullmatch(rb'\d+ This is another message', first),
               'each request starts with its ID and a space',
               'each request should start with its ID, in digits, and a space: '
               f"b'48203 This is another message'; your client sent {first!r}")
    ids = {data.partition(b' ')[0] for data in requests}
    check.that(len(ids) == 1,
               'every try of the request carries the same ID',
               f'every try of one request should carry the same ID; your client sent {requests}')
    check.that(re.search(r"Ignoring a reply to another request: b'\d+ Your data was 99", done.out),
               'it ignores a reply that carries another ID, and says so',
               'a reply with another ID came first; your client should print "Ignoring a '
               'reply to another request: " and that reply, and go on waiting; it printed '
               f'{done.out.strip()!r} {done.err.strip()!r}')
    check.that(done.returncode == 0
               and done.out.endswith("The server says b'Your data was 23 bytes long'\n"),
               'then it takes the reply with its own ID, and prints it without the ID',
               "after ignoring the other reply it should end with The server says b'Your "
               "data was 23 bytes long' (the reply with its own ID, without the ID); it "
               f'printed {done.out.strip()[-200:]!r} {done.err.strip()!r}')

    with udp_socket() as me:
        me.settimeout(0.2)
        reply = None
        for _ in range(20):   # the server drops half of them
            me.sendto(b'31337 Hello, server', ('127.0.0.1', srv.port))
            with contextlib.suppress(socket.timeout):
                reply = me.recv(65535)
                break
    check.that(reply == b'31337 Your data was 13 bytes long',
               'its server repeats the ID at the start of its reply',
               "asked b'31337 Hello, server', the server should answer b'31337 Your data was "
               f"13 bytes long' (the ID, a space, and the length of the rest); it answered {reply!r}")


@pytest.mark.exercise('chapter02/udp_local.py', 'chapter02/udp_local_server_only.py')
def test_udp_local_server_only(solution, check, run, server):
    srv = server(solution.script, 'server', '-p', '0', env=solution.env)
    answered = run(solution.script, 'client', '-p', srv.port, timeout=20, env=solution.env)
    check.that(re.search(rf"The server \('127.0.0.1', {srv.port}\) replied "
                         r"b'Your data was \d+ bytes long'", answered.out),
               'against its own server, the client still gets its answer',
               'against its own server the client should still print the server\'s reply; '
               f'it printed {answered.out.strip()!r} {answered.err.strip()!r}')

    # Our server, and an intruder who answers first.
    def answer(sock, data, address):
        intruder.sendto(b'I am the server, honest', address)
        sock.sendto(b'Your data was %d bytes long' % len(data), address)
    with udp_socket() as intruder, udp_server(answer) as fake:
        done = run_to_end(run, check, solution.script, 'client', '-p', fake.getsockname()[1],
                          timeout=15, env=solution.env)
        there, other = fake.getsockname(), intruder.getsockname()
    check.that('honest' not in done.out,
               'it does not take a datagram from another address for the reply',
               f'a datagram from {other}, not the server\'s address, came first, and your '
               f'client took it for the reply: {done.out.strip().splitlines()[-1]!r}; the '
               f'server is at {there}')
    check.that(f'Ignoring a datagram from {other}' in done.out,
               'it says which datagram it ignores',
               f'it should print "Ignoring a datagram from {other}"; it printed '
               f'{done.out.strip()!r}')
    check.that(done.returncode == 0 and re.search(
                   rf"The server {re.escape(str(there))} replied b'Your data was \d+ bytes long'",
                   done.out),
               'then it prints the server\'s own reply',
               'after ignoring the other datagram it should go on waiting and print the '
               f'server\'s reply; it printed {done.out.strip()!r} {done.err.strip()!r}')


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter02/big_sender.py', 'chapter02/big_sender_path_mtu.py')
def test_big_sender_path_mtu(solution, check, exercise_lab):
    lab, host = exercise_lab, 'phone'   # no other checker sends big datagrams from the phone
    lab.run(host, 'ip', 'route', 'flush', 'cache').ok()   # forget any path MTU learned
    try:
        far = run_on(lab, check, host, solution, SERVER)
        near = run_on(lab, check, host, solution, '203.0.113.12')   # the desktop, at home
    finally:
        lab.run(host, 'ip', 'route', 'flush', 'cache').ok()
    lines = far.out.splitlines()
    check.that('Alas, the 65000-byte datagram did not make it: Message too long' in lines[:1]
               and 'Actual MTU: 1500' in lines[1:2],
               'the 65,000 bytes are still refused at once, by the phone\'s own kernel',
               'run on the phone as `big_sender.py example.com`, it should first say, as '
               'before, "Alas, the 65000-byte datagram did not make it: Message too long" '
               f'and "Actual MTU: 1500"; it printed {printed(far.out + far.err)}')
    check.that(far.returncode == 0 and 'Traceback' not in far.err,
               'it goes on trying until a datagram gets through, and ends with exit status 0',
               'after "Actual MTU: 1500" it should try again with a datagram that fits '
               '(1500 - 28 = 1472 bytes), and so on until one gets through, ending with exit '
               f'status 0; it ended with status {far.returncode}, having printed '
               f'{printed(far.out + far.err)}')
    check.that('Alas, the 1472-byte datagram did not make it: Message too long\n'
               'Actual MTU: 1280\n' in far.out,
               'it waits for news from the path: the router reports the MTU of 1280 for '
               'the 1472 bytes that left the phone',
               'the 1472 bytes leave the phone, and the router on the way, whose next link '
               'takes only 1280, sends back ICMP "fragmentation needed": wait on the socket '
               '(recv() with a timeout) after each send, and when it reports "Message too '
               'long", print "Alas, the 1472-byte datagram did not make it: Message too '
               f'long" and "Actual MTU: 1280"; it printed {printed(far.out)}')
    check.that(lines[-2:] == ['The 1252-byte datagram went out in one piece.', 'Path MTU: 1280'],
               'then 1252 bytes (1280 - 28) reach example.com whole: "Path MTU: 1280"',
               'after the router\'s news it should send 1280 - 28 = 1252 bytes, which reach '
               'example.com whole, and end with "The 1252-byte datagram went out in one '
               f'piece." and "Path MTU: 1280"; it ended with {printed(chr(10).join(lines[-2:]))}')
    check.that(near.returncode == 0 and near.out.splitlines()[-2:] == [
                   'The 1472-byte datagram went out in one piece.', 'Path MTU: 1500'],
               'to the desktop, on the phone\'s own LAN, the path MTU is the LAN\'s 1500',
               'run as `big_sender.py 203.0.113.12` (the desktop, on the same LAN), it should '
               'end with "The 1472-byte datagram went out in one piece." and "Path MTU: 1500"; '
               f'it printed {printed(near.out + near.err)}')
