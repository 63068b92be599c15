"""Chapter 15: the IMAP listings against the playground's IMAP service (implicit TLS, 993)."""
import base64
import imaplib
import json
import re
import ssl

import pexpect
import pytest

from harness import ACCOUNT, closed_port
from playground import mailstore

LISTINGS = ['open_imaplib.py', 'open_imap.py', 'folder_info.py', 'mailbox_summary.py',
            'simple_client.py']
FOLDERS = {'INBOX': '\\HasNoChildren', 'Archive': '\\Noselect \\HasChildren',
           'Archive.2010': '\\HasNoChildren', 'Archive.2011': '\\HasNoChildren',
           'Drafts': '\\HasNoChildren', 'Sent': '\\HasNoChildren'}


SLOW = 30  # seconds a prompt may take on a loaded machine (a hang guard, not a claim)
STRICT = {'PYTHONWARNINGS': 'error'}   # listings must not leak sockets or use deprecated APIs


def session(spawn, pg, script, *args, password=ACCOUNT[1]):
    """Start a listing, answer its password prompt; return the child."""
    child = spawn(f'chapter15/{script}', 'localhost', ACCOUNT[0], *args, '-p', pg.port(993),
                  env={**pg.env, **STRICT}, timeout=SLOW)
    child.expect_exact('Password: ')
    child.sendline(password)
    return child


def finish(child):
    """Wait for the end; return (exit status, all it printed but the password prompt)."""
    child.expect(pexpect.EOF)
    child.close()
    text = child.logfile_read.text.replace('Password: \r\n', '')
    return child.exitstatus, text.replace('\r\n', '\n')


def stored_part(pg, subject, number):
    """The bytes of a MIME part as stored in the INBOX Maildir, CRLF line ends."""
    for key, message in mailstore.maildir(pg.state, ACCOUNT[0]).items():
        if message['Subject'] == subject:
            part = message.get_payload()[number - 1]
            return part.get_payload().replace('\n', '\r\n').encode('ascii')
    raise AssertionError(f'no stored message {subject!r}')


def test_open_imaplib_prints_capabilities_and_the_raw_list(spawn, playground):
    pg = playground('imap')
    status, out = finish(session(spawn, pg, 'open_imaplib.py'))
    assert status == 0, out
    assert re.search(r"^Capabilities: \('IMAP4REV1', .*'AUTH=PLAIN'", out, re.M)
    assert "Status: 'OK'" in out
    assert """b'(\\\\Noselect \\\\HasChildren) "." "Archive"'""" in out
    assert """b'(\\\\HasNoChildren) "." "INBOX"'""" in out


def test_open_imap_lists_folders_with_their_flags(spawn, playground):
    pg = playground('imap')
    status, out = finish(session(spawn, pg, 'open_imap.py'))
    assert status == 0, out
    assert out.startswith('Capabilities: IMAP4REV1 ')
    found = re.findall(r'^  (\S.*?)\s+(\S+)$', out.split('Folders (flags, name):')[1], re.M)
    assert {name: flags for flags, name in found} == FOLDERS


def test_folder_info_shows_the_select_data(spawn, playground):
    pg = playground('imap')
    status, out = finish(session(spawn, pg, 'folder_info.py', 'Archive.2010'))
    assert status == 0, out
    uidlist = mailstore.root(pg.state) / ACCOUNT[0] / '.Archive.2010' / 'imap-uidlist.json'
    validity = json.loads(uidlist.read_text())['uidvalidity']
    assert "Folder 'Archive.2010' (opened read-only):" in out
    for line in ['  EXISTS: 2', '  RECENT: 0', '  UIDNEXT: 3', f'  UIDVALIDITY: {validity}',
                 "  READ-ONLY: [b'']", '  PERMANENTFLAGS: ()']:
        assert line in out.splitlines(), line
    assert re.search(r"^  FLAGS: \(.*b'\\\\Seen'.*\)$", out, re.M)


def test_folder_info_defaults_to_inbox(spawn, playground):
    pg = playground('imap')
    status, out = finish(session(spawn, pg, 'folder_info.py'))
    assert status == 0 and "Folder 'INBOX'" in out and '  EXISTS: 4' in out.splitlines()


def test_mailbox_summary_has_a_line_for_every_seeded_message(spawn, playground):
    pg = playground('imap')
    status, out = finish(session(spawn, pg, 'mailbox_summary.py', 'INBOX'))
    assert status == 0, out
    expected = [
        'Message 1 from Playground Postmaster <postmaster@example.com>',
        '  Subject: Welcome to the playground mail system',
        '  Text: Hello Brandon, This mailbox is yours to read over POP3 and I...',
        'Message 2 from John Goerzen <jgoerzen@example.com>',
        '  Subject: Chapter draft and figures',
        '  Parts: multipart/mixed text/plain text/plain image/png',
        'Message 3 from Newsletter <news@example.net>',
        '  Subject: This week: sockets and select()',
        '  Parts: multipart/alternative text/plain text/html',
        'Message 4 from Jürgen Müller <juergen@example.net>',
        '  Subject: Grüße aus Köln: Straßenfest am Samstag ☕',
        '  Text: Hallo Brandon, kommst du am Samstag zum Straßenfest? Es gibt...']
    lines = [line for line in out.splitlines() if not line.startswith('---')]
    assert lines == expected
    # BODY.PEEK[] read everything and marked nothing \Seen
    client = imaplib.IMAP4_SSL('localhost', pg.port(993), timeout=10,
                               ssl_context=ssl.create_default_context(cafile=str(pg.ca)))
    client.login(*ACCOUNT)
    client.select('INBOX', readonly=True)
    assert client.search(None, 'UNSEEN') == ('OK', [b'2 3 4'])
    client.logout()


def test_mailbox_summary_names_the_type_of_a_message_that_is_one_picture(spawn,
                                                                          fresh_playground):
    pg = fresh_playground('imap')
    mailstore.deliver(pg.state, ACCOUNT[0], b'From: Camera <camera@example.com>\n'
                      b'Subject: Snapshot\nMIME-Version: 1.0\nContent-Type: image/png\n'
                      b'Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n')
    status, out = finish(session(spawn, pg, 'mailbox_summary.py', 'INBOX'))
    assert status == 0 and 'Traceback' not in out, out
    assert out.splitlines()[-3:] == ['Message 5 from Camera <camera@example.com>',
                                     '  Subject: Snapshot', '  Type: image/png'], out


def test_mailbox_summary_of_another_folder(spawn, playground):
    pg = playground('imap')
    status, out = finish(session(spawn, pg, 'mailbox_summary.py', 'Archive.2010'))
    assert status == 0, out
    assert 'Message 1 from Apress <editors@example.com>' in out
    assert 'Message 2 from A Reader <reader@example.org>' in out
    assert '  Text: On page 232, the port should be 587.' in out


def test_simple_client_browses_folders_messages_and_parts(spawn, playground):
    pg = playground('imap')
    child = session(spawn, pg, 'simple_client.py')
    child.expect_exact('Archive  (holds folders only: \\Noselect)')
    child.expect_exact('Folder (Enter to quit): ')
    child.sendline('Archive')
    child.expect_exact("Cannot open 'Archive'")
    child.expect_exact('Folder (Enter to quit): ')
    child.sendline('INBOX')
    child.expect_exact('INBOX: 4 message(s)')
    child.expect(r'    2  2026-11-03 \d\d:\d\d    1056 bytes  \\Recent')
    child.expect_exact('       Subject: Chapter draft and figures')
    child.expect_exact('       Subject: Grüße aus Köln: Straßenfest am Samstag ☕')
    child.expect_exact('Message UID (Enter for the folder list): ')
    child.sendline('2')
    child.expect_exact('(all)    multipart/mixed')
    child.expect(r'  3 +image/png +96 bytes  base64')
    parts = {}
    for number in ('3', '2'):
        child.expect_exact('Part number (Enter for the message list): ')
        child.sendline(number)
        child.expect_exact(f'--- part {number} of message 2, as sent by the server ---\r\n')
        child.expect_exact('--- end of part ---')
        parts[number] = child.before.encode('ascii')
    assert parts['3'] == stored_part(pg, 'Chapter draft and figures', 3)
    assert base64.b64decode(parts['3']) == mailstore._tiny_png()
    assert parts['2'] == stored_part(pg, 'Chapter draft and figures', 2)
    assert parts['2'].startswith(b'Chapter 15: IMAP\r\n')
    child.expect_exact('Part number (Enter for the message list): ')
    child.sendline('9')
    child.expect_exact("No part '9' in message 2")
    child.expect_exact('Part number (Enter for the message list): ')
    child.sendline('')
    child.expect_exact('Message UID (Enter for the folder list): ')
    child.sendline('77')
    child.expect_exact("No message with UID '77' here")
    child.expect_exact('Message UID (Enter for the folder list): ')
    child.sendline('')
    child.expect_exact('Folder (Enter to quit): ')
    child.sendline('')
    status, _ = finish(child)
    assert status == 0


@pytest.mark.parametrize('script', LISTINGS)
def test_wrong_password_gives_one_clear_line(spawn, playground, script):
    pg = playground('imap')
    args = ['INBOX'] if script == 'mailbox_summary.py' else []
    status, out = finish(session(spawn, pg, script, *args, password='not-my-password'))
    assert status == 1
    lines = [line for line in out.splitlines() if line.strip()]
    if script == 'open_imaplib.py':   # it shows the capabilities before it logs in
        assert lines.pop(0).startswith('Capabilities: ')
    name = script.removesuffix('.py')
    assert lines == [f"{name}: localhost:{pg.port(993)}: b'LOGIN failed'"], out


@pytest.mark.parametrize('script', LISTINGS)
def test_closed_port_gives_one_clear_line_without_asking_a_password(run, script):
    port = closed_port()
    args = ['INBOX'] if script == 'mailbox_summary.py' else []
    result = run(f'chapter15/{script}', 'localhost', 'brandon', *args, '-p', port, timeout=15,
                 env=STRICT)
    assert result.fails() == f"{script.removesuffix('.py')}: localhost:{port}: Connection refused"
    assert 'Password' not in result.out + result.err


@pytest.mark.parametrize('script', LISTINGS)
def test_untrusted_certificate_is_refused(run, playground, script):
    pg = playground('imap')
    args = ['INBOX'] if script == 'mailbox_summary.py' else []
    result = run(f'chapter15/{script}', 'localhost', 'brandon', *args, '-p', pg.port(993),
                 env=STRICT)  # the playground's CA is not trusted
    line = result.fails('certificate verify failed', 'unable to get local issuer certificate')
    assert line.startswith(f"{script.removesuffix('.py')}: localhost:{pg.port(993)}: ")
    assert 'Password' not in result.out + result.err


@pytest.mark.parametrize('script', LISTINGS)
def test_usage(run, script):
    # the default port, in the help (Python 3.13 prints '-p, --port PORT', older '-p PORT, --port PORT')
    assert re.search(r'--port PORT +default: 10993\n', run(f'chapter15/{script}', '-h').ok())
    bad = run(f'chapter15/{script}', 'localhost', 'brandon', 'INBOX', '-p', 'notaport')
    assert bad.returncode == 2 and 'invalid int value' in bad.err
    assert run(f'chapter15/{script}').returncode == 2
