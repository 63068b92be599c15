"""Chapter 2 exercises: UDP (the text of each is in chapter02/README.md, Exercises)."""
import contextlib
import re
import socket

import pytest


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
