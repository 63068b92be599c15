"""Chapter 1 exercises: the levels of the stack (the text of each is in chapter01/README.md,
Exercises)."""
import contextlib
import json
import socket
import threading
import time

import pytest

from harness import OneConnectionServer

BOOK = {'lat': 41.521954, 'lng': -84.306691}


class Relay:
    """A TCP relay between a client and the playground's web service that writes down
    what passes: each connection's request bytes, the reply bytes, and which side closed
    first. It passes the reply on in small pieces, as a slow network would, so that a
    client that takes one recv() for the whole reply is found out."""

    PIECE = 256
    GRACE = 2.0   # seconds the relay keeps a server's close from the client (see _back)

    def __init__(self, target):
        self.target = target
        self.connections = []
        self.threads = []
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        self._start(self._accept)

    def _start(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:   # closed
                return
            record = {'request': b'', 'reply': b'', 'client_closed': threading.Event()}
            self.connections.append(record)
            self._start(self._serve, client, record)

    def _serve(self, client, record):
        with client, socket.create_connection(('127.0.0.1', self.target), timeout=30) as up:
            back = threading.Thread(target=self._back, args=(up, client, record))
            back.start()
            try:
                while data := client.recv(65536):
                    record['request'] += data
                    up.sendall(data)
                record.setdefault('closed_first', 'client')
            except OSError:
                record.setdefault('closed_first', 'client')
            record['client_closed'].set()
            with contextlib.suppress(OSError):
                up.shutdown(socket.SHUT_RDWR)
            back.join()

    def _back(self, up, client, record):
        try:
            while data := up.recv(65536):
                record['reply'] += data
                for start in range(0, len(data), self.PIECE):
                    client.sendall(data[start:start + self.PIECE])
                    time.sleep(0.002)
            # The server closed. A client that reads to the end of the body closes on
            # its own; one that waits for the end of file needs it passed on. Wait a
            # little before passing it on, so that a server that closes right after its
            # reply (it may, even in HTTP/1.1) does not pass for a client that waited.
            if not record['client_closed'].wait(self.GRACE):
                record.setdefault('closed_first', 'server')
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for thread in self.threads:
            thread.join(10)


@pytest.fixture
def relay(playground):
    """relay() -> a Relay in front of the shared playground's web service."""
    relays = []

    def start():
        relays.append(Relay(playground('web').port(80)))
        return relays[-1]
    yield start
    for each in relays:
        each.close()


class OneReply(OneConnectionServer):
    """A server of our own for one connection: it reads a request and sends `reply`,
    then closes."""

    def __init__(self, reply):
        self.reply = reply
        super().__init__()

    def handle(self, connection):
        connection.settimeout(10)
        request = b''
        while b'\r\n\r\n' not in request:
            data = connection.recv(4096)
            if not data:
                return
            request += data
        connection.sendall(self.reply)


@pytest.mark.exercise('chapter01/search4.py', 'chapter01/search4_content_length.py')
def test_search4_content_length(solution, check, run, relay):
    via = relay()
    done = run(solution.script, '-p', via.port, timeout=25, env=solution.env)
    head, _, body = done.out.partition('\n\n')   # (text mode has turned CRLF into LF)
    try:
        location = json.loads(body)['results'][0]['geometry']['location']
    except (ValueError, LookupError):
        location = None
    check.that(done.returncode == 0 and head.startswith('HTTP/1.1 200 OK'),
               'it prints the reply from its status line on, and exits with status 0',
               f'it should still print the raw reply, status line, headers and JSON, and exit '
               f'with status 0; it exited with status {done.returncode}, and printed '
               f'{done.out[:50]!r}... {done.err.strip()!r}'
               + (' (did it wait for the server to close the connection? With HTTP/1.1 '
                  'the server keeps it open: stop reading after Content-Length bytes of '
                  'body)' if 'timed out' in done.err else ''))
    check.that(location == BOOK,
               'after the headers it prints the whole JSON document',
               f'after the headers it printed {len(body)} characters of a JSON document '
               'that is not complete: the body can arrive in several pieces; read until '
               'you have Content-Length bytes of it')
    [conversation] = via.connections
    check.that(b'connection: close' not in conversation['request'].lower(),
               'its request no longer asks the server to close the connection',
               'its request still says "Connection: close", so the server closes the '
               'connection after its reply; the exercise asks for a request without that '
               'header, where the server keeps the connection open')
    check.that(conversation.get('closed_first') == 'client',
               'it closes the connection itself once it has the whole body',
               'the server closed the connection first; your client should close it '
               'itself, as soon as it has read Content-Length bytes of body')
    sent = conversation['reply'].decode('utf-8').replace('\r\n', '\n')
    check.that(done.out == sent,
               'what it prints is exactly the reply, no more and no less',
               f'the server sent {len(sent)} characters (headers and body), and your '
               f'client printed {len(done.out)} of them: it should print the whole reply, '
               'even when the body arrives in several pieces')


@pytest.mark.exercise('chapter01/search4.py', 'chapter01/search4_json.py')
def test_search4_json(solution, check, run, playground):
    pg = playground('web')
    done = run(solution.script, '-p', pg.port(80), timeout=25, env=solution.env)
    check.that(done.returncode == 0 and 'Traceback' not in done.err,
               'it runs and gets an answer from the playground',
               f'it should get the answer and exit with status 0; it exited with status '
               f'{done.returncode}: {done.err.strip()[-300:]!r}')
    check.that(done.out == f'{BOOK}\n',
               f'it prints only the location, {BOOK}, as search2.py and search3.py do',
               f'it should print only the location, {BOOK}, on one line; it printed '
               f'{done.out[:120]!r}' + ('...' if len(done.out) > 120 else ''))
    body = b'The geocoder is resting.\r\n'
    resting = OneReply(b'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain'
                       b'\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s'
                       % (len(body), body))
    refused = run(solution.script, '-p', resting.port, timeout=25, env=solution.env)
    resting.join(10)
    lines = [line for line in refused.err.splitlines() if line.strip()]
    check.that(refused.returncode != 0 and len(lines) == 1 and 'Traceback' not in lines[0]
               and lines[0].endswith('503 Service Unavailable'),
               'a reply whose status is not 200 ends in one line with that status',
               'against a server that answers "HTTP/1.1 503 Service Unavailable" it should '
               'end with one line ending in "503 Service Unavailable" and a non-zero exit '
               f'status; it exited with status {refused.returncode}, and printed '
               f'{(refused.err or refused.out).strip()[-200:]!r}')


@pytest.mark.exercise('chapter01/search3.py', 'chapter01/search3_two_places.py')
def test_search3_two_places(solution, check, run, relay, playground):
    places = json.loads((playground('web').state / 'web' / 'gazetteer.json').read_text('utf-8'))
    london = next(place for place in places if place['address'] == '10 Downing St, London')
    london = {'lat': london['lat'], 'lng': london['lng']}
    via = relay()
    done = run(solution.script, '-p', via.port, timeout=25, env=solution.env)
    check.that(done.returncode == 0 and done.out.startswith(f'{BOOK}\n'),
               f'it still prints the location of the book\'s address first, {BOOK}',
               f'it should print the location of the book\'s address, {BOOK}, on its first '
               f'line; it exited with status {done.returncode} and printed '
               f'{done.out.strip()!r} {done.err.strip()!r}')
    check.that(done.out == f'{BOOK}\n{london}\n',
               f'then the location of 10 Downing St, London, {london}',
               f'its second line should be the location of 10 Downing St, London, {london}; '
               f'it printed {done.out.strip()!r}')
    requests = sum(c['request'].count(b'GET ') for c in via.connections)
    check.that(requests == 2,
               'it sends one request for each place',
               f'it should send two requests, one for each place; it sent {requests}')
    check.that(len(via.connections) == 1,
               'it asks both questions over one connection',
               f'it opened {len(via.connections)} connections for its two requests: send '
               'both over the same HTTPConnection, which HTTP/1.1 keeps open')
