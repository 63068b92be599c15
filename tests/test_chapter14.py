"""Chapter 14: POP3 clients over TLS against the playground, driven through a terminal."""
import email
import mailbox
import re
import smtplib
import ssl
import uuid

import pexpect
import pytest

from harness import ACCOUNT, closed_port

USER, PASSWORD = ACCOUNT
ME = f'{USER}@example.com'
SCRIPTS = ['popconn.py', 'mailbox.py', 'download-and-delete.py']
SLOW = 30  # seconds a prompt may take on a loaded machine (a hang guard, not a claim)


@pytest.fixture
def pg(playground):
    return playground('smtp', 'pop')


def inbox(pg):
    return mailbox.Maildir(pg.state / 'mail' / USER, create=False)


def expected_listing(pg):
    """[(number, size, key)] as POP numbers the INBOX: by delivery time, then key;
    the size counts CRLF line ends, as they go over the wire."""
    box = inbox(pg)
    order = sorted(box.keys(), key=lambda key: (box.get_message(key).get_date(), key))
    return [(n, len(box.get_bytes(key).replace(b'\n', b'\r\n')), key)
            for n, key in enumerate(order, 1)]


def send(pg, subject, body):
    """Drop a message of our own into the INBOX through the playground's SMTP."""
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=str(pg.ca)))
        smtp.sendmail('tester@example.org', [ME],
                      f'From: tester@example.org\nTo: {ME}\nSubject: {subject}\n\n{body}')
    [key] = [k for k in inbox(pg).keys()
             if email.message_from_bytes(inbox(pg).get_bytes(k))['Subject'] == subject]
    return key


def start(spawn, pg, script, password=PASSWORD, env=None, port=None):
    child = spawn(f'chapter14/{script}', 'localhost', USER, '-p', port or pg.port(995),
                  env=pg.env if env is None else env, timeout=SLOW)
    child.expect_exact('Password: ')
    child.sendline(password)
    return child


def finish(child):
    """Wait for the end; return (exit status, non-blank lines printed after the password)."""
    child.expect(pexpect.EOF)
    child.close()
    after = str(child.logfile_read).split('Password: ', 1)[1]
    return child.exitstatus, [line.rstrip() for line in after.splitlines() if line.strip()]


# ---------------------------------------------------------------- popconn, mailbox

def test_popconn_counts_what_the_store_holds(pg, spawn):
    listing = expected_listing(pg)
    status, lines = finish(start(spawn, pg, 'popconn.py'))
    total = sum(size for _, size, _ in listing)
    assert (status, lines) == (0, [f'You have {len(listing)} messages totaling {total} bytes'])


def test_mailbox_lists_number_and_size_of_each_message(pg, spawn):
    send(pg, f'list {uuid.uuid4().hex}', 'Something to list.\n')
    listing = expected_listing(pg)
    status, lines = finish(start(spawn, pg, 'mailbox.py'))
    assert status == 0
    assert lines == [f'Message {n} has {size} bytes' for n, size, _ in listing]


@pytest.mark.parametrize('script', SCRIPTS)
def test_wrong_password_is_one_clear_line(pg, spawn, script):
    status, lines = finish(start(spawn, pg, script, password='wrong'))
    name = script.removesuffix('.py')
    assert (status, lines) == (1, [f"{name}: localhost:{pg.port(995)}: "
                                   "b'-ERR Authentication failed'"])


@pytest.mark.parametrize('script', SCRIPTS)
def test_certificate_is_verified_before_the_password_is_asked(pg, run, script):
    done = run(f'chapter14/{script}', 'localhost', USER, '-p', pg.port(995))  # no SSL_CERT_FILE
    line = done.fails('certificate verify failed', 'unable to get local issuer certificate')
    assert line.startswith(f"{script.removesuffix('.py')}: localhost:{pg.port(995)}: ")
    assert 'Password' not in done.out + done.err


def test_plain_pop3_port_is_not_mistaken_for_tls(pg, run):
    # POP3_SSL expects a TLS handshake; the plain port greets in clear text instead
    done = run('chapter14/popconn.py', 'localhost', USER, '-p', pg.port(110), env=pg.env)
    assert done.fails().startswith(f'popconn: localhost:{pg.port(110)}: ')


@pytest.mark.parametrize('script', SCRIPTS)
def test_closed_port_is_one_clear_line(run, script):
    port = closed_port()
    line = run(f'chapter14/{script}', 'localhost', USER, '-p', port).fails()
    assert line == f"{script.removesuffix('.py')}: localhost:{port}: Connection refused"


@pytest.mark.parametrize('script', SCRIPTS)
def test_usage(run, script):
    # the default port, in the help (Python 3.13 prints '-p, --port PORT', older '-p PORT, --port PORT')
    assert re.search(r'--port PORT +default: 10995\n', run(f'chapter14/{script}', '-h').ok())
    done = run(f'chapter14/{script}', 'localhost')
    assert done.returncode == 2 and 'the following arguments are required: user' in done.err
    done = run(f'chapter14/{script}', 'localhost', USER, '-p', '99999x')
    assert done.returncode == 2 and 'invalid int value' in done.err


# ---------------------------------------------------------------- download-and-delete

def answer_all(child, listing, choices):
    """Go through every message; choices maps a message number to (read, delete)."""
    for number, size, _ in listing:
        child.expect_exact(f'Message {number} (size is {size} bytes):')
        read, delete = choices.get(number, ('n', 'n'))
        child.expect_exact('Read this message [ny]? ')
        child.sendline(read)
        child.expect_exact('Delete this message [ny]? ')
        child.sendline(delete)


def test_reading_and_deleting_one_message_deletes_exactly_that_one(pg, spawn):
    subject = f'Read and delete me {uuid.uuid4().hex[:8]}'
    key = send(pg, subject, 'The secret word is "swordfish".\n')
    listing = expected_listing(pg)
    [target] = [n for n, _, k in listing if k == key]
    child = start(spawn, pg, 'download-and-delete.py')
    answer_all(child, listing, {target: ('y', 'y')})
    status, lines = finish(child)
    assert status == 0
    shown = '\n'.join(lines)
    assert f'Subject: {subject}' in shown
    assert 'Subject: Grüße aus Köln: Straßenfest am Samstag ☕' in shown  # decoded header
    assert shown.count('The secret word is "swordfish".') == 1  # only the one we read
    assert shown.count('Deleted (when we QUIT).') == 1
    assert [k for _, _, k in expected_listing(pg)] == [k for _, _, k in listing if k != key]


def test_interrupting_before_quit_deletes_nothing(pg, spawn):
    key = send(pg, f'Keep me {uuid.uuid4().hex[:8]}', 'Still here.\n')
    send(pg, f'And me {uuid.uuid4().hex[:8]}', 'Here too.\n')
    listing = expected_listing(pg)
    [target] = [n for n, _, k in listing if k == key]
    child = start(spawn, pg, 'download-and-delete.py')
    answer_all(child, listing[:target], {target: ('n', 'y')})
    child.expect_exact('Deleted (when we QUIT).')
    child.expect_exact('Read this message [ny]? ')  # the next message
    child.sendintr()  # Ctrl-C
    status, lines = finish(child)
    assert status == 1
    assert lines[-1] == 'Interrupted: no QUIT was sent, so no message was deleted.'
    assert expected_listing(pg) == listing


# ---------------------------------------------------------------- issue 5: done when

def test_mail_sent_by_login_py_is_listed_by_mailbox_py_and_survives_a_restart(
        fresh_playground, spawn):
    pg = fresh_playground('smtp', 'pop')
    fromaddr = f'reader-{uuid.uuid4().hex[:8]}@example.org'
    child = spawn('chapter13/login.py', 'localhost', fromaddr, ME, '-p', pg.port(25), env=pg.env,
                  timeout=SLOW)
    child.expect_exact('Enter username: ')
    child.sendline(USER)
    child.expect_exact('Enter password: ')
    child.sendline(PASSWORD)
    child.expect_exact('Message successfully sent to 1 recipient(s)')
    assert finish_plain(child) == 0
    listing = expected_listing(pg)
    newest = inbox(pg).get_bytes(listing[-1][2])
    assert f'Return-Path: <{fromaddr}>'.encode() in newest
    status, lines = finish(start(spawn, pg, 'mailbox.py'))
    assert lines[-1] == f'Message {len(listing)} has {listing[-1][1]} bytes'

    pg.stop()
    again = fresh_playground('smtp', 'pop', state=pg.state)
    status, after = finish(start(spawn, again, 'mailbox.py'))
    assert (status, after) == (0, lines)


def finish_plain(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus

