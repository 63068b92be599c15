"""Chapter 13: SMTP clients against the playground's mail server, and against odd servers."""
import email
import email.policy
import logging
import mailbox
import re
import socketserver
import threading
import uuid

import pexpect
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from harness import ACCOUNT, closed_port, free_port
from playground.common import server_ssl_context

USER, PASSWORD = ACCOUNT
ME = f'{USER}@example.com'
SIZE_LIMIT = 1024 * 1024
SENDERS = ['simple', 'debug', 'ehlo', 'tls']
SLOW = 30  # seconds a prompt may take on a loaded machine (a hang guard, not a claim)


@pytest.fixture
def pg(playground):
    return playground('smtp', 'pop')


def sender():
    """A From address nobody else uses, to find the message in the store."""
    return f'reader-{uuid.uuid4().hex[:10]}@example.org'


def delivered(pg, fromaddr):
    """The stored messages whose envelope sender was fromaddr, parsed."""
    box = mailbox.Maildir(pg.state / 'mail' / USER, create=False)
    found = [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
             for key in box.keys()]
    return [m for m in found if m['Return-Path'] == f'<{fromaddr}>']


@pytest.fixture
def odd_server():
    """odd_server(handler=Recorder(), **aiosmtpd options) -> (port, handler):
    an SMTP server run by the test."""
    started = []

    def start(handler=None, **options):
        handler = handler or Recorder()
        controller = Controller(handler, hostname='127.0.0.1', port=free_port(),
                                authenticator=handler.authenticate, **options)
        controller.start()
        started.append(controller)
        return controller.port, handler
    yield start
    for controller in started:
        controller.stop()


class Recorder:
    """Keeps what the client sent: messages and login attempts."""

    def __init__(self):
        self.messages, self.logins = [], []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(auth_data)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return '250 OK'


class OldServer(Recorder):
    """A server from before ESMTP: it answers EHLO with an error and knows only HELO."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        return ['502 5.5.1 EHLO not implemented']


class Latin1Smtp(socketserver.StreamRequestHandler):
    """An SMTP server whose replies are Latin-1, not UTF-8 (as some old servers' are):
    it refuses every recipient whose address starts with 'nobody'."""

    def handle(self):
        self.wfile.write(b'220 vieux.example.org ESMTP pr\xeat\r\n')
        for line in self.rfile:
            command = line[:4].upper()
            if command == b'EHLO':
                self.wfile.write(b'250-vieux.example.org \xe0 votre service\r\n250 8BITMIME\r\n')
            elif command == b'RCPT' and b'<nobody' in line.lower():
                self.wfile.write(b'550 5.1.1 destinataire inconnu ici: \xe9chec\r\n')
            elif command == b'DATA':
                self.wfile.write(b'354 allez-y\r\n')
                while self.rfile.readline() not in (b'.\r\n', b''):
                    pass
                self.wfile.write(b'250 2.0.0 re\xe7u\r\n')
            elif command == b'QUIT':
                self.wfile.write(b'221 2.0.0 au revoir\r\n')
                return
            else:
                self.wfile.write(b'250 2.0.0 d\xe9j\xe0 fait\r\n')


@pytest.fixture
def latin1_server():
    with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Latin1Smtp) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield server.server_address[1]
        server.shutdown()


# ---------------------------------------------------------------- each sender delivers

@pytest.mark.parametrize('script', SENDERS)
def test_message_is_delivered_into_the_inbox(pg, run, script):
    fromaddr = sender()
    out = run(f'chapter13/{script}.py', 'localhost', fromaddr, ME, '-p', pg.port(25),
              env=pg.env).ok()
    assert out.splitlines()[-1] == 'Message successfully sent to 1 recipient(s)'
    [message] = delivered(pg, fromaddr)
    assert message['Subject'] == f'Test Message from {script}.py'
    assert message['From'] == fromaddr and message['To'] == ME
    assert f'from the {script}.py program' in message.get_content()


def test_several_recipients_and_a_refused_one(pg, run):
    fromaddr = sender()
    out = run('chapter13/simple.py', 'localhost', fromaddr, ME, 'nobody@example.com',
              f'{USER}@localhost', '-p', pg.port(25), env=pg.env).ok()
    assert 'Refused nobody@example.com: 550 5.1.1' in out
    assert 'Message successfully sent to 2 recipient(s)' in out
    assert len(delivered(pg, fromaddr)) == 1  # both addresses are brandon's INBOX


def test_debug_prints_the_conversation(pg, run):
    fromaddr = sender()
    done = run('chapter13/debug.py', 'localhost', fromaddr, ME, '-p', pg.port(25), env=pg.env)
    done.ok()
    for line in ("send: 'ehlo ", f"send: 'mail from:<{fromaddr}> size=",
                 f"send: 'rcpt to:<{ME}>", "reply: b'354 ", "reply: b'250 2.0.0 ok",
                 "send: 'quit", "reply: b'221 "):
        assert line in done.err.lower()  # Python 3.13 says 'mail from', 3.12 'mail FROM'
    assert delivered(pg, fromaddr)


def test_ehlo_reports_the_size_limit_and_refuses_a_big_message(pg, run, tmp_path):
    fromaddr = sender()
    out = run('chapter13/ehlo.py', 'localhost', fromaddr, ME, '-p', pg.port(25), env=pg.env).ok()
    assert out.splitlines()[0] == f'Maximum message size is {SIZE_LIMIT}'
    big = tmp_path / 'big.txt'
    big.write_text('All work and no play makes Jack a dull boy.\n' * 30000)
    done = run('chapter13/ehlo.py', 'localhost', fromaddr, ME, '-p', pg.port(25),
               '--body', big, env=pg.env)
    assert done.out == f'Maximum message size is {SIZE_LIMIT}\n'
    assert done.fails() == f'ehlo: localhost:{pg.port(25)}: message too large; aborting'
    assert len(delivered(pg, fromaddr)) == 1  # only the first one
    small = tmp_path / 'small.txt'
    small.write_text('A body read from a file.\n')
    run('chapter13/ehlo.py', 'localhost', fromaddr, ME, '-p', pg.port(25), '--body', small,
        env=pg.env).ok()
    assert any(m.get_content() == 'A body read from a file.\n' for m in delivered(pg, fromaddr))


@pytest.mark.parametrize('script', ['ehlo', 'tls'])
def test_helo_when_the_server_refuses_ehlo(run, odd_server, script):
    port, handler = odd_server(OldServer())
    out = run(f'chapter13/{script}.py', 'localhost', 'me@example.org', ME, '-p', port).ok()
    # no extensions without EHLO: no SIZE to report, no STARTTLS to use
    assert out.splitlines()[0] == {
        'ehlo': 'Message successfully sent to 1 recipient(s)',
        'tls': 'Server does not support TLS; using normal connection.'}[script]
    assert [m.rcpt_tos for m in handler.messages] == [[ME]]


@pytest.mark.parametrize('script', SENDERS)
def test_a_server_that_does_not_speak_utf8(run, latin1_server, script):
    out = run(f'chapter13/{script}.py', 'localhost', 'me@example.org', ME, 'nobody@example.com',
              '-p', latin1_server).ok()
    assert out.splitlines()[-2:] == [
        'Refused nobody@example.com: 550 5.1.1 destinataire inconnu ici: \ufffdchec',
        'Message successfully sent to 1 recipient(s)']
    done = run(f'chapter13/{script}.py', 'localhost', 'me@example.org', 'nobody@example.com',
               '-p', latin1_server)
    if script == 'debug':  # the conversation is on stderr too, and the verdict last
        assert done.returncode == 1 and 'Traceback' not in done.err
        line = done.err.splitlines()[-1]
    else:
        line = done.fails()
    assert line == (f"{script}: localhost:{latin1_server}: {{'nobody@example.com': "
                    "(550, b'5.1.1 destinataire inconnu ici: \\xe9chec')}")


# ---------------------------------------------------------------- TLS

def test_tls_negotiates_and_verifies(pg, run):
    out = run('chapter13/tls.py', 'localhost', sender(), ME, '-p', pg.port(25), env=pg.env).ok()
    assert out.splitlines()[:2] == ['Negotiating TLS....', 'Using TLS connection (TLSv1.3).']
    # by address too: the playground certificate names 127.0.0.1
    run('chapter13/tls.py', '127.0.0.1', sender(), ME, '-p', pg.port(25), env=pg.env).ok()


def test_tls_refuses_an_unknown_certificate_authority(pg, run):
    fromaddr = sender()
    done = run('chapter13/tls.py', 'localhost', fromaddr, ME, '-p', pg.port(25))  # no CA
    line = done.fails('certificate verify failed', 'unable to get local issuer certificate')
    assert line.startswith(f'tls: localhost:{pg.port(25)}: ')
    assert done.out == 'Negotiating TLS....\n'
    assert not delivered(pg, fromaddr)


def test_tls_refuses_a_certificate_for_another_name(pg, run, odd_server):
    port, handler = odd_server(tls_context=server_ssl_context(pg.state, wrong_name=True))
    done = run('chapter13/tls.py', 'localhost', sender(), ME, '-p', port, env=pg.env)
    line = done.fails('certificate verify failed', 'Hostname mismatch')
    assert line.startswith(f'tls: localhost:{port}: ')
    assert handler.messages == []


def test_tls_falls_back_to_plain_when_starttls_is_not_offered(run, odd_server):
    port, handler = odd_server()
    out = run('chapter13/tls.py', '127.0.0.1', 'me@example.org', ME, '-p', port).ok()
    assert out.splitlines()[0] == 'Server does not support TLS; using normal connection.'
    assert [m.rcpt_tos for m in handler.messages] == [[ME]]


# ---------------------------------------------------------------- login

def log_in(spawn, port, env, fromaddr, password):
    """Run login.py, answer its prompts; return (status, the lines after the password)."""
    child = spawn('chapter13/login.py', 'localhost', fromaddr, ME, '-p', port, env=env,
                  timeout=SLOW)
    child.expect_exact('Enter username: ')
    child.sendline(USER)
    child.expect_exact('Enter password: ')
    child.sendline(password)
    child.expect(pexpect.EOF)
    child.close()
    after = str(child.logfile_read).split('Enter password: ', 1)[1]
    return child.exitstatus, [line for line in after.splitlines() if line.strip()]


def test_login_sends_after_logging_in(pg, spawn):
    fromaddr = sender()
    status, lines = log_in(spawn, pg.port(25), pg.env, fromaddr, PASSWORD)
    assert (status, lines) == (0, ['Message successfully sent to 1 recipient(s)'])
    [message] = delivered(pg, fromaddr)
    assert 'with ESMTPSA' in message['Received']  # S: over TLS, A: authenticated


def test_login_reports_a_wrong_password_in_one_line(pg, spawn):
    fromaddr = sender()
    status, lines = log_in(spawn, pg.port(25), pg.env, fromaddr, 'wrong')
    assert status == 1
    assert lines == [f"login: localhost:{pg.port(25)}: "
                     "(535, b'5.7.8 Authentication credentials invalid')"], lines
    assert not delivered(pg, fromaddr)


def test_login_never_asks_for_a_password_without_tls(run, odd_server, caplog):
    # This server offers AUTH without STARTTLS, and logs every line it receives.
    caplog.set_level(logging.INFO, logger='mail.log')
    port, handler = odd_server(auth_require_tls=False)
    done = run('chapter13/login.py', 'localhost', 'me@example.org', ME, '-p', port)
    assert done.fails() == (f'login: localhost:{port}: '
                            'no STARTTLS: not sending a password unencrypted')
    assert 'Enter' not in done.out + done.err  # it stopped before asking
    received = [record.getMessage() for record in caplog.records if '>>' in record.getMessage()]
    assert any("b'ehlo" in line for line in received)  # the log does show client lines
    assert not any('auth' in line.lower() for line in received), received
    assert handler.logins == [] and handler.messages == []


# ---------------------------------------------------------------- failures and usage

@pytest.mark.parametrize('script', SENDERS + ['login'])
def test_closed_port_is_one_clear_line(run, script):
    port = closed_port()
    line = run(f'chapter13/{script}.py', 'localhost', 'me@example.org', ME, '-p', port).fails()
    assert line == f'{script}: localhost:{port}: Connection refused'


def test_unknown_host_is_one_clear_line(run):
    line = run('chapter13/simple.py', 'no-such-host.invalid', 'me@example.org', ME).fails()
    assert line.startswith('simple: no-such-host.invalid:10025: ')  # the default port


def test_all_recipients_refused_is_one_clear_line(pg, run):
    line = run('chapter13/tls.py', 'localhost', 'me@example.org', 'someone@example.org',
               '-p', pg.port(25), env=pg.env).fails("'someone@example.org': (550, b'5.7.1",
                                                    'relaying denied')
    assert line.startswith(f'tls: localhost:{pg.port(25)}: ')


@pytest.mark.parametrize('script', SENDERS + ['login'])
def test_usage(run, script):
    # the default port, in the help (Python 3.13 prints '-p, --port PORT', older '-p PORT, --port PORT')
    assert re.search(r'--port PORT +default: 10025\n', run(f'chapter13/{script}.py', '-h').ok())
    done = run(f'chapter13/{script}.py', 'localhost', 'a@b')
    assert done.returncode == 2 and 'usage:' in done.err
    done = run(f'chapter13/{script}.py', 'localhost', 'a@b', 'c@d', '-p', 'notaport')
    assert done.returncode == 2 and "argument -p/--port: invalid int value: 'notaport'" in done.err
