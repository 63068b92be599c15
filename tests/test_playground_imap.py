"""The playground's IMAP service, checked with imaplib, IMAPClient, raw sockets and curl.

Tests that only read share one playground (EXAMINE and BODY.PEEK change
nothing); tests that change mail get a private one.
"""
import base64
import email
import email.header
import email.policy
import imaplib
import json
import socket
import ssl
import subprocess
import time

import imapclient
import pytest

from harness import ACCOUNT, require_binary
from playground import mailstore

SEEDED_INBOX = ['Welcome to the playground mail system', 'Chapter draft and figures',
                'This week: sockets and select()',
                'Grüße aus Köln: Straßenfest am Samstag ☕']
FOLDERS = {'INBOX': {'\\HasNoChildren'}, 'Archive': {'\\Noselect', '\\HasChildren'},
           'Archive.2010': {'\\HasNoChildren'}, 'Archive.2011': {'\\HasNoChildren'},
           'Drafts': {'\\HasNoChildren'}, 'Sent': {'\\HasNoChildren'}}


def context(pg):
    return ssl.create_default_context(cafile=str(pg.ca))


def imaps(pg, login=True):
    """An imaplib client over implicit TLS, logged in as the playground user."""
    client = imaplib.IMAP4_SSL('localhost', pg.port(993), ssl_context=context(pg), timeout=10)
    if login:
        client.login(*ACCOUNT)
    return client


def imapclient_for(pg):
    client = imapclient.IMAPClient('localhost', pg.port(993), ssl_context=context(pg), timeout=10)
    client.login(*ACCOUNT)
    return client


def stored_messages(pg, folder=None):
    """The seeded folder as it is on disk, in delivery order: [(path, CRLF bytes)]."""
    base = mailstore.root(pg.state) / ACCOUNT[0]
    if folder:
        base = base / f'.{folder}'
    paths = sorted((p for sub in ('new', 'cur') for p in (base / sub).iterdir()),
                   key=lambda p: (p.stat().st_mtime, p.name.split(':')[0]))
    return [(p, p.read_bytes().replace(b'\n', b'\r\n')) for p in paths]


def subjects(client, ids):
    fetched = client.fetch(ids, ['ENVELOPE'])
    return [str(email.header.make_header(email.header.decode_header(
        fetched[i][b'ENVELOPE'].subject.decode()))) for i in ids]


# ---------------------------------------------------------------- logging in

def test_plain_port_offers_starttls_and_refuses_login_before_it(playground):
    pg = playground('imap')
    with imaplib.IMAP4('127.0.0.1', pg.port(143), timeout=10) as client:
        assert {'STARTTLS', 'LOGINDISABLED'} <= set(client.capabilities)
        with pytest.raises(imaplib.IMAP4.error, match='disabled before STARTTLS'):
            client.login(*ACCOUNT)
        client.starttls(ssl_context=context(pg))
        assert 'STARTTLS' not in client.capabilities
        assert 'AUTH=PLAIN' in client.capabilities
        assert client.login(*ACCOUNT)[0] == 'OK'
        assert client.select('INBOX', readonly=True) == ('OK', [b'4'])
        client.logout()


def test_implicit_tls_port_verifies_and_lists_capabilities(playground):
    pg = playground('imap')
    client = imaps(pg, login=False)
    assert client.capabilities[0] == 'IMAP4REV1' and 'STARTTLS' not in client.capabilities
    assert client.sock.getpeercert()['subjectAltName']
    client.logout()
    untrusting = ssl.create_default_context(cafile=None, capath='/nonexistent')
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL('localhost', pg.port(993), timeout=10, ssl_context=untrusting)


def test_wrong_password_is_refused_on_both_ports_and_the_next_client_is_served(playground):
    pg = playground('imap')
    client = imaps(pg, login=False)
    with pytest.raises(imaplib.IMAP4.error, match='LOGIN failed'):
        client.login(ACCOUNT[0], 'not-my-password')
    with pytest.raises(imaplib.IMAP4.error, match='LOGIN failed'):
        client.login('nobody', ACCOUNT[1])
    client.logout()
    with imaplib.IMAP4('127.0.0.1', pg.port(143), timeout=10) as plain:
        plain.starttls(ssl_context=context(pg))
        with pytest.raises(imaplib.IMAP4.error, match='LOGIN failed'):
            plain.login(ACCOUNT[0], 'wrong')
    client = imaps(pg)
    assert client.noop()[0] == 'OK'
    client.logout()


def test_authenticate_plain_after_tls(playground):
    pg = playground('imap')
    client = imaps(pg, login=False)
    done = client.authenticate('PLAIN', lambda _: f'\0{ACCOUNT[0]}\0{ACCOUNT[1]}'.encode())
    assert done[0] == 'OK'
    client.logout()


# ---------------------------------------------------------------- folders

def test_list_shows_every_folder_with_its_flags(playground):
    pg = playground('imap')
    client = imapclient_for(pg)
    listed = {name: {f.decode() for f in flags} for flags, sep, name in client.list_folders()}
    assert all(sep == b'.' for _, sep, _ in client.list_folders())
    assert {name: listed[name] for name in FOLDERS} == FOLDERS
    assert [name for _, _, name in client.list_folders()][0] == 'INBOX'
    assert sorted(n for _, _, n in client.list_folders('', 'Archive.%')) == [
        'Archive.2010', 'Archive.2011']
    assert [n for _, _, n in client.list_folders('', '%')
            if n.startswith('Archive')] == ['Archive']
    assert 'Sent' in [name for _, _, name in client.list_sub_folders()]
    client.logout()


def test_select_and_examine_report_counts_uids_and_mode(playground):
    pg = playground('imap')
    client = imapclient_for(pg)
    info = client.select_folder('Archive.2010', readonly=True)
    assert info[b'EXISTS'] == 2 and b'READ-ONLY' in info
    assert set(info[b'FLAGS']) >= {b'\\Seen', b'\\Answered', b'\\Flagged', b'\\Deleted'}
    assert info[b'UIDNEXT'] == 3 and info[b'UIDVALIDITY'] > 0
    again = client.select_folder('Archive.2010', readonly=True)
    assert again[b'UIDVALIDITY'] == info[b'UIDVALIDITY']
    status = client.folder_status('INBOX', ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY'])
    assert status[b'MESSAGES'] == 4
    with pytest.raises(imapclient.exceptions.IMAPClientError, match='Noselect'):
        client.select_folder('Archive')
    with pytest.raises(imapclient.exceptions.IMAPClientError, match='No such mailbox'):
        client.select_folder('Nowhere')
    client.logout()


def test_select_read_write_says_so(playground):
    pg = playground('imap')
    client = imapclient_for(pg)
    info = client.select_folder('Sent')   # read-write, but nothing below changes mail
    assert info[b'EXISTS'] == 1 and b'READ-WRITE' in info and b'READ-ONLY' not in info
    assert set(info[b'PERMANENTFLAGS']) == {b'\\Seen', b'\\Answered', b'\\Flagged',
                                            b'\\Deleted', b'\\Draft'}
    client.logout()


# ---------------------------------------------------------------- FETCH

def test_fetch_flags_date_size_and_whole_message_match_the_store(playground):
    pg = playground('imap')
    client = imaps(pg)
    assert client.select('INBOX', readonly=True) == ('OK', [b'4'])
    stored = stored_messages(pg)
    typ, data = client.fetch('1:*', '(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])')
    assert typ == 'OK'
    answers = [item for item in data if isinstance(item, tuple)]
    assert len(answers) == 4
    for (path, crlf), (meta, body) in zip(stored, answers):
        assert body == crlf
        assert f'RFC822.SIZE {len(crlf)}'.encode() in meta
        assert imaplib.Internaldate2tuple(meta) is not None
        assert time.mktime(imaplib.Internaldate2tuple(meta)) == int(path.stat().st_mtime)
    flags = [imaplib.ParseFlags(meta) for meta, _ in answers]
    assert b'\\Seen' in flags[0] and b'\\Flagged' in flags[3] and b'\\Seen' not in flags[3]
    client.logout()


def test_fetch_sections_headers_and_parts(playground):
    pg = playground('imap')
    client = imapclient_for(pg)
    client.select_folder('INBOX', readonly=True)
    [uid] = client.search(['SUBJECT', 'Chapter draft'])
    fetched = client.fetch([uid], ['BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]', 'BODY.PEEK[1]',
                                   'BODY.PEEK[2.MIME]', 'BODY.PEEK[3]', 'BODY.PEEK[TEXT]<0.20>',
                                   'BODY.PEEK[HEADER]'])[uid]
    assert fetched[b'BODY[HEADER.FIELDS (FROM SUBJECT)]'] == (
        b'From: John Goerzen <jgoerzen@example.com>\r\n'
        b'Subject: Chapter draft and figures\r\n\r\n')
    assert fetched[b'BODY[1]'] == b'Here are the draft and the figure we talked about.\r\n'
    assert b'filename="chapter15-draft.txt"' in fetched[b'BODY[2.MIME]']
    assert fetched[b'BODY[2.MIME]'].endswith(b'\r\n\r\n')
    assert base64.b64decode(fetched[b'BODY[3]']) == mailstore._tiny_png()
    assert len(fetched[b'BODY[TEXT]<0>']) == 20
    assert fetched[b'BODY[HEADER]'].startswith(b'From: John Goerzen')
    assert b'\r\nContent-Type: multipart/mixed; boundary=' in fetched[b'BODY[HEADER]']
    assert fetched[b'BODY[HEADER]'].endswith(b'\r\n\r\n')
    assert b'\\Seen' not in client.get_flags([uid])[uid]  # PEEK left it alone
    whole = client.fetch([uid], ['RFC822', 'RFC822.HEADER', 'BODY.PEEK[]'])[uid]
    assert whole[b'RFC822'] == whole[b'BODY[]']
    assert whole[b'RFC822.HEADER'] == fetched[b'BODY[HEADER]']
    client.logout()


def test_bodystructure_and_envelope(playground):
    pg = playground('imap')
    client = imapclient_for(pg)
    client.select_folder('INBOX', readonly=True)
    ids = client.search()
    fetched = client.fetch(ids, ['BODYSTRUCTURE', 'ENVELOPE', 'BODY'])
    plain, mixed, alternative, koeln = (fetched[i] for i in ids)
    body = plain[b'BODYSTRUCTURE']
    assert not body.is_multipart and body[:2] == (b'TEXT', b'PLAIN')
    assert body[2] == (b'CHARSET', b'utf-8')
    parts, subtype = mixed[b'BODYSTRUCTURE'][:2]
    assert subtype == b'MIXED'
    assert [(p[0], p[1]) for p in parts] == [(b'TEXT', b'PLAIN'), (b'TEXT', b'PLAIN'),
                                            (b'IMAGE', b'PNG')]
    assert parts[2][5] == b'BASE64'
    assert parts[2][8] == (b'ATTACHMENT', (b'FILENAME', b'figure1.png'))
    parts, subtype = alternative[b'BODYSTRUCTURE'][:2]
    assert subtype == b'ALTERNATIVE' and [p[1] for p in parts] == [b'PLAIN', b'HTML']
    assert alternative[b'BODY'].is_multipart
    envelope = koeln[b'ENVELOPE']
    sender = envelope.from_[0]
    assert (sender.mailbox, sender.host) == (b'juergen', b'example.net')
    assert str(email.header.make_header(email.header.decode_header(sender.name.decode()))) == \
        'Jürgen Müller'
    assert envelope.message_id == b'<koeln@playground.example.com>'
    assert envelope.to[0].mailbox == b'brandon'
    assert subjects(client, ids) == SEEDED_INBOX
    client.logout()
    raw = imaps(pg)
    raw.select('INBOX', readonly=True)
    typ, data = raw.fetch('2', '(BODYSTRUCTURE)')
    assert b'NIL NIL NIL NIL)("TEXT" "PLAIN"' in data[0]   # parts side by side (RFC 3501 9)
    raw.logout()


def test_fetch_of_a_missing_part_is_empty_and_bad_items_get_bad(playground):
    pg = playground('imap')
    client = imaps(pg)
    client.select('INBOX', readonly=True)
    typ, data = client.fetch('1', '(BODY.PEEK[7])')
    assert typ == 'OK' and data[0][1] == b''
    with pytest.raises(imaplib.IMAP4.error, match='BAD'):
        client.fetch('1', '(NONSENSE)')
    with pytest.raises(imaplib.IMAP4.error, match='Bad message number'):
        client.fetch('x', '(FLAGS)')
    assert client.noop()[0] == 'OK'
    client.logout()


# ---------------------------------------------------------------- SEARCH

def test_search_keys(playground):
    pg = playground('imap')
    client = imaps(pg)
    client.select('INBOX', readonly=True)

    def search(*criteria, uid=False):
        typ, data = client.uid('SEARCH', *criteria) if uid else client.search(None, *criteria)
        assert typ == 'OK'
        return [int(n) for n in data[0].split()]
    assert search('ALL') == [1, 2, 3, 4]
    assert search('FROM', 'goerzen') == [2]
    assert search('SUBJECT', '"Grüße"'.encode()) == [4]
    assert search('CHARSET', 'UTF-8', 'BODY', '"Kölsch"'.encode()) == [4]
    assert search('TEXT', 'postmaster') == [1]
    assert search('HEADER', 'Message-ID', 'newsletter') == [3]
    assert search('SEEN') == [1] and search('UNSEEN') == [2, 3, 4]
    assert search('FLAGGED') == [4] and search('NOT', 'FLAGGED') == [1, 2, 3]
    assert search('OR', 'SEEN', 'FLAGGED') == [1, 4]
    assert search('LARGER', '800') == [2] and search('SMALLER', '500') == [1]
    assert search('SINCE', '04-Nov-2026') == [3, 4] and search('BEFORE', '03-Nov-2026') == [1]
    assert search('SENTON', '05-Nov-2026') == [4]
    assert search('2:*') == [2, 3, 4] and search('(FROM example.net SUBJECT week)') == [3]
    assert search('ALL', uid=True) == [1, 2, 3, 4]
    assert search('UID', '3:*', uid=True) == [3, 4]
    assert search('SUBJECT', 'nothing-like-this') == []
    with pytest.raises(imaplib.IMAP4.error, match='unknown search key'):
        client.search(None, 'WHATEVER')
    client.logout()


# ---------------------------------------------------------------- changes

def test_store_copy_append_expunge_and_uid_forms(fresh_playground):
    pg = fresh_playground('imap')
    client = imaps(pg)
    client.select('INBOX')
    assert client.store('2', '+FLAGS', '(\\Flagged \\Answered)')[0] == 'OK'
    typ, data = client.uid('STORE', '3', '+FLAGS', '(\\Seen)')
    assert typ == 'OK' and b'UID 3' in data[0]
    assert client.store('1', '-FLAGS.SILENT', '(\\Seen)') == ('OK', [None])
    flags = {n: imaplib.ParseFlags(d) for n, d in enumerate(client.fetch('1:4', 'FLAGS')[1], 1)}
    assert b'\\Seen' not in flags[1] and {b'\\Flagged', b'\\Answered'} <= set(flags[2])
    assert b'\\Seen' in flags[3]
    # flags are the Maildir "info" of each file: F flagged, R replied, S seen
    cur = mailstore.root(pg.state) / 'brandon' / 'cur'
    assert sorted(p.name.split(':2,')[1] for p in cur.iterdir()) == ['', 'F', 'FR', 'S']

    assert client.copy('1:2', 'Archive.2011')[0] == 'OK'
    assert client.uid('COPY', '4', 'Drafts')[0] == 'OK'
    assert client.copy('1', 'Nowhere') == ('NO', [b'[TRYCREATE] No such mailbox'])
    appended = b'From: reader@example.org\r\nSubject: Appended over IMAP\r\n\r\nHi!\r\n'
    assert client.append('INBOX', '(\\Seen)', imaplib.Time2Internaldate(1_700_000_000),
                         appended)[0] == 'OK'
    assert client.noop()[0] == 'OK'
    typ, data = client.uid('FETCH', '5:*', '(FLAGS INTERNALDATE BODY.PEEK[])')
    assert b'UID 5' in data[0][0] and data[0][1] == appended
    assert time.mktime(imaplib.Internaldate2tuple(data[0][0])) == 1_700_000_000

    assert client.store('1,5', '+FLAGS', '\\Deleted')[0] == 'OK'
    assert client.expunge() == ('OK', [b'5', b'1'])  # highest first: numbers stay right
    client.select('INBOX')
    assert subjects_of(client) == SEEDED_INBOX[1:]

    client.select('Archive.2011')
    assert subjects_of(client) == ['Happy new year'] + SEEDED_INBOX[:2]
    client.select('Drafts', readonly=True)
    assert subjects_of(client) == SEEDED_INBOX[3:]
    assert client.store('1', '+FLAGS', '\\Seen') == ('NO', [b'Mailbox is read-only (EXAMINE)'])

    assert client.create('Projects.2026')[0] == 'OK'
    assert client.create('Projects.2026')[0] == 'NO'
    listed = client.list('""', 'Projects*')[1]
    assert listed == [b'(\\Noselect \\HasChildren) "." "Projects"',
                      b'(\\HasNoChildren) "." "Projects.2026"']
    assert client.append('Projects.2026', None, None, b'Subject: plan\r\n\r\nplan\r\n')[0] == 'OK'
    assert client.status('Projects.2026', '(MESSAGES)') == (
        'OK', [b'Projects.2026 (MESSAGES 1)'])
    assert client.delete('Projects.2026')[0] == 'NO'   # nothing a user stored is lost
    client.logout()
    out, err = pg.stop()
    assert 'Traceback' not in err and 'Unhandled' not in err, err


def subjects_of(client):
    typ, data = client.fetch('1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    heads = [email.message_from_bytes(item[1], policy=email.policy.default)
             for item in data if isinstance(item, tuple)]
    return [str(head['Subject']) for head in heads]


def test_fetching_body_without_peek_sets_seen(fresh_playground):
    pg = fresh_playground('imap')
    client = imaps(pg)
    client.select('INBOX')
    typ, data = client.fetch('2', '(BODY[TEXT])')
    assert b'FLAGS (\\Seen' in data[-1] or b'\\Seen' in data[0][0]
    assert b'\\Seen' in imaplib.ParseFlags(client.fetch('2', 'FLAGS')[1][0])
    client.select('INBOX', readonly=True)   # EXAMINE: a plain BODY[] changes nothing
    client.fetch('3', '(BODY[])')
    assert b'\\Seen' not in imaplib.ParseFlags(client.fetch('3', 'FLAGS')[1][0])
    client.logout()


def test_flags_and_uids_survive_a_restart(fresh_playground, tmp_path):
    state = tmp_path / 'state'
    pg = fresh_playground('imap', state=state)
    client = imaps(pg)
    client.select('INBOX')
    client.store('3', '+FLAGS', '(\\Flagged \\Seen)')
    client.store('1', '+FLAGS', '\\Deleted')
    client.expunge()
    client.append('INBOX', None, None, b'Subject: one more\r\n\r\nbody\r\n')
    client.select('INBOX')
    validity = client.response('UIDVALIDITY')[1][0]
    uids = client.uid('SEARCH', 'ALL')[1][0]
    client.logout()
    assert uids == b'2 3 4 5'
    pg.stop()

    again = fresh_playground('imap', state=state)
    client = imaps(again)
    client.select('INBOX')
    assert client.response('UIDVALIDITY')[1][0] == validity
    assert client.uid('SEARCH', 'ALL')[1][0] == uids
    flags = imaplib.ParseFlags(client.uid('FETCH', '3', 'FLAGS')[1][0])
    assert {b'\\Flagged', b'\\Seen'} <= set(flags)
    client.append('INBOX', None, None, b'Subject: after the restart\r\n\r\nbody\r\n')
    client.noop()
    assert client.uid('SEARCH', 'ALL')[1][0] == b'2 3 4 5 6'  # UID 1 is never given again
    client.logout()


def test_mail_delivered_into_the_maildir_shows_up_while_running(fresh_playground):
    pg = fresh_playground('imap')
    client = imaps(pg)
    assert client.select('INBOX') == ('OK', [b'4'])
    mailstore.deliver(pg.state, 'brandon', b'From: a@example.com\nSubject: Fresh delivery\n\nhi\n')
    assert client.noop()[0] == 'OK'
    assert client.response('EXISTS')[1][-1] == b'5'   # NOOP tells of the new message
    typ, data = client.fetch('5', '(FLAGS)')
    assert b'\\Recent' in data[0]
    assert client.select('INBOX', readonly=True) == ('OK', [b'5'])
    assert client.search(None, 'SUBJECT', '"Fresh delivery"') == ('OK', [b'5'])
    client.logout()


# ---------------------------------------------------------------- sturdiness

def test_two_sessions_see_each_others_changes(fresh_playground):
    pg = fresh_playground('imap')
    first, second = imaps(pg), imaps(pg)
    first.select('INBOX')
    second.select('INBOX')
    first.store('1', '+FLAGS', '\\Deleted')
    assert first.expunge() == ('OK', [b'1'])
    # the second session still numbers the gone message 1 until it is told
    assert second.store('1', '+FLAGS', '\\Flagged')[0] == 'OK'
    typ, data = second.fetch('1', '(BODY.PEEK[])')
    assert typ == 'OK' and data[0][1] == b''
    second.store('2', '+FLAGS', '\\Flagged')
    assert second.noop()[0] == 'OK'
    assert second.response('EXPUNGE') == ('EXPUNGE', [b'1'])
    assert second.search(None, 'ALL') == ('OK', [b'1 2 3'])
    first.noop()
    assert b'\\Flagged' in imaplib.ParseFlags(first.fetch('1', 'FLAGS')[1][0])
    first.logout()
    second.logout()
    out, err = pg.stop()
    assert 'Traceback' not in err, err


def raw_session(pg, port):
    """A line-oriented raw connection: (send(bytes), readline())."""
    sock = socket.create_connection(('127.0.0.1', port), timeout=10)
    if port == pg.port(993):
        sock = context(pg).wrap_socket(sock, server_hostname='localhost')
    reader = sock.makefile('rb')
    assert reader.readline().startswith(b'* OK')
    return sock, reader


@pytest.mark.parametrize('relative', [143, 993])
def test_garbage_and_huge_lines_get_bad_and_service_goes_on(playground, relative):
    pg = playground('imap')
    sock, reader = raw_session(pg, pg.port(relative))
    with sock, reader:
        sock.sendall(b'\x00\xff\xfe binary garbage\r\n')
        assert b' BAD ' in reader.readline()
        sock.sendall(b'lonely\r\n')
        assert reader.readline() == b'lonely BAD Missing command\r\n'
        sock.sendall(b'a1 ' + b'x' * 1_000_000 + b'\r\n')
        assert reader.readline() == b'a1 BAD Command line too long\r\n'
        sock.sendall(b'a2 NOOP\r\n')
        assert reader.readline().startswith(b'a2 OK')
        sock.sendall(b'a4 FETCH 1 (FLAGS)\r\n')
        assert reader.readline().startswith(b'a4 BAD')  # not logged in
    client = imaps(pg)   # the next client is served
    assert client.select('INBOX', readonly=True)[0] == 'OK'
    client.logout()


def test_oversized_append_is_refused_before_any_data(playground):
    pg = playground('imap')
    client = imaps(pg)
    client.send(b'a1 APPEND Drafts {999999999}\r\n')
    assert client.readline().startswith(b'a1 BAD Illegal syntax: Literal too large')
    assert client.noop()[0] == 'OK'
    client.logout()


def test_abrupt_disconnects_do_not_hurt(playground):
    pg = playground('imap')
    for _ in range(3):
        sock, reader = raw_session(pg, pg.port(143))
        sock.sendall(b'a1 LOGIN brandon')   # no end of line, then gone
        reader.close()
        sock.close()
    client = imaps(pg)
    assert client.noop()[0] == 'OK'
    client.logout()


# ---------------------------------------------------------------- another client: curl

def test_curl_reads_lists_and_is_refused_a_wrong_password(fresh_playground, tmp_path):
    curl = require_binary('curl')
    pg = fresh_playground('imap')   # curl SELECTs and fetches BODY[]: that marks mail \Seen

    def run(*args):
        return subprocess.run([curl, '-sS', '--cacert', str(pg.ca), *args], capture_output=True,
                              text=True, timeout=30, cwd=tmp_path)
    user = f'{ACCOUNT[0]}:{ACCOUNT[1]}'
    done = run('--user', user, f'imaps://localhost:{pg.port(993)}/INBOX;UID=1')
    assert done.returncode == 0, done.stderr
    assert 'Subject: Welcome to the playground mail system' in done.stdout
    done = run('--ssl-reqd', '--user', user, f'imap://localhost:{pg.port(143)}/')
    assert done.returncode == 0, done.stderr
    assert '* LIST (\\Noselect \\HasChildren) "." "Archive"' in done.stdout
    done = run('--user', user, f'imaps://localhost:{pg.port(993)}/INBOX;UID=2/;SECTION=2')
    assert done.stdout.replace('\r\n', '\n') == (
        'Chapter 15: IMAP\n\nIMAP keeps your mail on the server.\n')
    done = run('--user', user, '-X', 'SEARCH FROM newsletter',
               f'imaps://localhost:{pg.port(993)}/INBOX')
    assert done.stdout.strip() == '* SEARCH 3'
    done = run('--user', f'{ACCOUNT[0]}:wrong', f'imaps://localhost:{pg.port(993)}/')
    assert done.returncode == 67 and 'Login denied' in done.stderr


def test_uid_list_is_kept_next_to_each_folder(playground):
    pg = playground('imap')
    client = imaps(pg)
    client.select('Archive.2010', readonly=True)
    client.logout()
    saved = mailstore.root(pg.state) / 'brandon' / '.Archive.2010' / 'imap-uidlist.json'
    data = json.loads(saved.read_text())
    assert sorted(data['uids'].values()) == [1, 2] and data['uidnext'] == 3
