"""Chapter 7 exercises: server architecture (the text of each is in chapter07/README.md,
Exercises)."""
import re
import socket
import threading
import time

import pytest

from harness import wait_until

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, CAFE, MODEM_OUTSIDE, SERVER, exercise_lab, printed, serve_on)

ANSWERS = ['What is your name? My name is Sir Lancelot of Camelot.',
           'What is your quest? To seek the Holy Grail.',
           'What is your favorite color? Blue.']
QUESTION, ANSWER = b'What is your name?', b'My name is Sir Lancelot of Camelot.'
PATIENCE = 3.0   # seconds a prompt client waits for answers that take milliseconds
IDLE_LIMIT = 5.0   # the exercise's 2 seconds of silence, and room to spare


def dialog(port, timeout=PATIENCE):
    """A prompt client: ask the three questions in turn -> (answers, seconds it took);
    the answers are None when one did not come within `timeout` seconds of the start."""
    start = time.monotonic()
    answers = []
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=timeout) as sock:
            for question in (b'What is your name?', b'What is your quest?',
                             b'What is your favorite color?'):
                sock.sendall(question)
                answer = b''
                while not answer.endswith(b'.'):
                    sock.settimeout(max(0.01, start + timeout - time.monotonic()))
                    data = sock.recv(1024)
                    if not data:
                        break
                    answer += data
                answers.append(answer)
    except OSError:   # timed out, or refused, or reset: no answers
        return None, time.monotonic() - start
    return answers, time.monotonic() - start


class Dribbler:
    """A slow client, in a thread of its own: it connects and sends QUESTION one byte
    every `pace` seconds, then reads the answer. After `slow` bytes (or once hurried)
    it sends the rest at once. .sent counts the bytes sent; .answer is what came back
    (None until it came, b'' if the server hung up, 'timeout' if nothing came)."""

    def __init__(self, port, pace=1.0, slow=len(QUESTION)):
        self.sent, self.answer = 0, None
        self.hurry = threading.Event()
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.thread = threading.Thread(target=self._talk, args=(pace, slow), daemon=True)
        self.thread.start()

    def _talk(self, pace, slow):
        try:
            while self.sent < slow and not self.hurry.is_set():
                if self.sent:
                    self.hurry.wait(pace)
                self.sock.sendall(QUESTION[self.sent:self.sent + 1])
                self.sent += 1
            self.sock.sendall(QUESTION[self.sent:])
            self.sent = len(QUESTION)
            answer = b''
            self.sock.settimeout(PATIENCE)
            while not answer.endswith(b'.'):
                data = self.sock.recv(1024)
                if not data:
                    break
                answer += data
            self.answer = answer
        except socket.timeout:
            self.answer = 'timeout'
        except OSError:   # the server hung up on it: say so, not a traceback
            self.answer = b''

    def finish(self, hurry=True, timeout=15):
        """Hurry it (or not), wait for its answer, and close; -> the answer."""
        if hurry:
            self.hurry.set()
        self.thread.join(timeout)
        self.sock.close()
        return self.answer


def got(answer):
    """What a Dribbler's answer was, in words."""
    if answer == 'timeout':
        return f'nothing in {PATIENCE:g} seconds'
    return 'no answer: the server hung up on it' if answer == b'' else repr(answer)


def no_traceback(check, srv):
    lines = srv.stop()
    check.that(not any('Traceback' in line or 'Exception' in line for line in lines),
               'the server printed no traceback',
               'the server printed a traceback (a thread or the loop died): '
               f'{printed(chr(10).join(lines))}')


def still_answers_client_py(check, run, srv):
    done = run('chapter07/client.py', '-p', srv.port, timeout=20)
    check.that(done.returncode == 0 and done.out.splitlines() == ANSWERS,
               'client.py still gets its three answers',
               'client.py, run against your server, should still print its three questions '
               f'and answers; it printed {printed(done.out + done.err)}')


@pytest.mark.exercise('chapter07/server_simple.py', 'chapter07/server_simple_threads.py')
def test_server_simple_threads(solution, check, run, server):
    srv = server(solution.script, '-p', '0', env=solution.env)
    still_answers_client_py(check, run, srv)

    slow = Dribbler(srv.port)   # "What is your name?", one byte a second
    try:
        wait_until(lambda: slow.sent >= 2, 10, 'the slow client never sent its first bytes')
        answers, took = dialog(srv.port)
        dribbled = slow.sent
        check.that(answers is not None,
                   'while a slow client spells out its question, another is answered at once',
                   'a slow client connected and began to send "What is your name?" one byte '
                   f'a second; then another client asked its three questions, and had no '
                   f'answer after {PATIENCE:g} seconds: your server still serves one client '
                   'at a time, and waits on the slow one. Serve each client in a thread of '
                   'its own')
        check.that(answers == [ANSWER, b'To seek the Holy Grail.', b'Blue.'],
                   f'it gets the three right answers, in {took:.2f} s, while the slow client '
                   f'had sent {dribbled} bytes of its {len(QUESTION)}',
                   f'the prompt client should get the three answers; it got {answers}')
        answer = slow.finish()
    finally:
        slow.finish()
    check.that(answer == ANSWER,
               'the slow client is not forgotten: when its question ends, it is answered',
               'once the prompt client had its answers, the slow client sent the rest of '
               f'"What is your name?"; it should then get {ANSWER!r}, but got {got(answer)}')
    no_traceback(check, srv)


@pytest.mark.exercise('chapter07/server_poll.py', 'chapter07/server_poll_idle.py')
def test_server_poll_idle(solution, check, run, server):
    srv = server(solution.script, '-p', '0', env=solution.env)
    still_answers_client_py(check, run, srv)

    silent = socket.create_connection(('127.0.0.1', srv.port), timeout=10)
    slow = None
    try:
        start = time.monotonic()
        port = silent.getsockname()[1]
        slow = Dribbler(srv.port, pace=1.0, slow=4)   # 'What' over 3 seconds, then the rest
        answers, took = dialog(srv.port)
        check.that(answers == [ANSWER, b'To seek the Holy Grail.', b'Blue.'],
                   'while a client says nothing, the others are served at once',
                   'a client connected and said nothing; then another asked its three '
                   f'questions and should have had its answers at once; it got {answers} '
                   f'(after {took:.1f} seconds)')
        silent.settimeout(IDLE_LIMIT)
        try:
            hung_up = silent.recv(1024) == b''
        except socket.timeout:
            hung_up = False
        except ConnectionResetError:
            hung_up = True
        waited = time.monotonic() - start
        check.that(hung_up,
                   f'the server hangs up on the silent client ({waited:.1f} s after it connected)',
                   'a client connected and said nothing; after '
                   f'{waited:.0f} seconds your server still had not hung up on it. Give '
                   'poll() a timeout (until the first client\'s time is up) and close the '
                   'clients from which nothing has come for 2 seconds')
        check.that(1.5 <= waited,
                   'it gave the silent client its 2 seconds',
                   f'the server hung up on the silent client {waited:.1f} seconds after it '
                   'connected; it should wait 2 seconds')
        try:
            said = srv.expect(rf"Hung up on \('127\.0\.0\.1', {port}\).*", timeout=5)[0]
        except AssertionError:
            said = None
        check.that(said is not None,
                   f'and it says so: "{said}"',
                   "the server should print a line saying so: \"Hung up on ('127.0.0.1', "
                   f"{port}) after 2 seconds of silence\" (the silent client's address); it "
                   f'printed {printed(chr(10).join(srv.lines[1:]))}')
        answer = slow.finish(hurry=False)   # it spends its 3 seconds
    finally:
        silent.close()
        if slow:
            slow.finish()
    check.that(answer == ANSWER,
               'a client that sends a byte a second is slow, not silent: it is still answered',
               'a client sent "What" one byte a second, then the rest of "What is your '
               'name?": it was never silent for 2 seconds, but it was connected for longer, '
               f'and it should get its answer; it got {got(answer)} (count the 2 seconds from '
               'the last bytes that came, not from the connection)')
    no_traceback(check, srv)


# ---------------------------------------------------------------- on the lab

SERVING = re.compile(r"Serving \('([\d.]+)', (\d+)\)(?: (\S+))?")
CLIENTS = {'laptop': 'the laptop', 'desktop': 'the desktop', 'cafe': 'the cafe host'}


@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter07/server_SocketServer.py',
                      'chapter07/server_SocketServer_peers.py')
def test_server_socketserver_peers(solution, check, exercise_lab):
    lab = exercise_lab
    srv = serve_on(lab, check, SERVER, solution, '0.0.0.0', '-p', 0)
    try:
        done = {host: lab.listing(host, 'chapter07/client.py', SERVER, '-p', srv.port)
                for host in CLIENTS}
    finally:
        lines = srv.stop()   # all it printed: each client was served before it ended
    for host, which in CLIENTS.items():
        check.that(done[host].returncode == 0 and done[host].out.splitlines() == ANSWERS,
                   f'client.py on {which} still gets its three answers from example.com',
                   f'client.py, run on {which} against your server on example.com, should '
                   f'print its three questions and answers; it printed '
                   f'{printed(done[host].out + done[host].err)}')
    seen = [found.groups() for found in map(SERVING.search, lines) if found]
    check.that(len(seen) == len(CLIENTS),
               'the server prints one "Serving" line for each client',
               'three clients came, one after the other (from the laptop, the desktop and '
               'the cafe host): the server should print a line for each, such as '
               "\"Serving ('198.51.100.50', 40312) cafe.example.net\" (the client's address, "
               'as the server\'s socket sees it, and its name); it printed '
               f'{printed(chr(10).join(lines[1:]))}')
    addresses = [address for address, port, name in seen]
    check.that(addresses[:2] == [MODEM_OUTSIDE] * 2,
               f'the laptop and the desktop both come from the modem\'s {MODEM_OUTSIDE}: NAT '
               'hides the home hosts behind it',
               'the laptop (203.0.113.11) and the desktop (203.0.113.12) reach example.com '
               f'through their modem\'s NAT, so the server should see them both as '
               f'{MODEM_OUTSIDE}; it printed {addresses[:2]}')
    check.that(addresses[2] == CAFE,
               f'the cafe host comes with an address of its own, {CAFE}',
               f'the cafe host has a public address of its own, so the server should see '
               f'{CAFE}; it printed {addresses[2]}')
    names = [name for address, port, name in seen]
    check.that(names == ['modem.example.net', 'modem.example.net', 'cafe.example.net'],
               'and their names: modem.example.net twice, then cafe.example.net',
               'after each address the server should print the name that the lab\'s DNS '
               'gives it (socket.gethostbyaddr()): modem.example.net twice, then '
               f'cafe.example.net; it printed {names}')
