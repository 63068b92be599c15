"""Chapter 15 exercises: IMAP (the text of each is in chapter15/README.md, Exercises).

They use the worker's mail playground: a folder of their own, or mail of their own.
"""
import dataclasses
import email.message
import imaplib
import os
import re
import selectors
import smtplib
import socket
import ssl
import threading
import time
import uuid

import pexpect
import pytest

from harness import ACCOUNT

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, converse_on, exercise_lab, printed, run_on)

USER, PASSWORD = ACCOUNT
ME = f'{USER}@example.com'
SLOW = 30   # seconds a prompt may take on a loaded machine (a hang guard, not a claim)
RULE = '-' * 72


@dataclasses.dataclass
class Session:
    status: int      # the exit status (None when it never ended)
    text: str        # all it printed after the password prompt (all it printed, without one)
    asked: bool      # it asked for the password

    def lines(self):
        return [line for line in self.text.splitlines() if line.strip() and line != RULE]

    def last(self):
        return repr(self.lines()[-1]) if self.lines() else 'nothing'


def start(spawn, pg, solution, *args, port=None):
    """Start an IMAP listing and type the password; return (child, asked)."""
    child = spawn(solution.script, 'localhost', USER, *args, '-p', port or pg.port(993),
                  env={**pg.env, **solution.env}, timeout=SLOW)
    asked = child.expect_exact(['Password: ', pexpect.EOF, pexpect.TIMEOUT]) == 0
    if asked:
        child.sendline(PASSWORD)
    return child, asked


def finish(child, asked):
    """Wait for its end; return a Session."""
    hung = child.expect([pexpect.EOF, pexpect.TIMEOUT]) == 1
    child.close(force=True)
    text = child.logfile_read.text.replace('\r\n', '\n')
    return Session(None if hung else child.exitstatus, text.split('Password: \n', 1)[-1], asked)


def summarize(spawn, pg, solution, *args, port=None):
    return finish(*start(spawn, pg, solution, *args, port=port))


def messages(session):
    """{'Message N from ...': [the lines under it]} of a mailbox_summary output."""
    found, current = {}, None
    for line in session.lines():
        if line.startswith('Message '):
            current = found.setdefault(line, [])
        elif current is not None:
            current.append(line.strip())
    return found


# ---------------------------------------------------------------- mailbox_summary.py: SEARCH

def note(sender, subject, text):
    letter = email.message.EmailMessage()
    letter['From'], letter['Subject'] = sender, subject
    letter.set_content(text)
    return letter


NOTES = [   # (flags, message): a folder of the checker's own
    ('(\\Seen)', note('Ann <ann@example.org>', 'Lunch?', 'Lunch at noon, as usual?\n')),
    ('()', note('Bob <bob@example.net>', 'Minutes', 'We met, we talked, we agreed.\n')),
    ('(\\Seen \\Flagged)', note('Cam <cam@example.net>', 'Deadline', 'Friday, not Monday.\n')),
    ('()', note('Dee <dee@example.org>', 'Hello', 'Hello from Dee.\n'))]
SHOWN = {n: f'Message {n} from {letter["From"]}' for n, (_, letter) in enumerate(NOTES, 1)}


@pytest.mark.exercise('chapter15/mailbox_summary.py', 'chapter15/mailbox_summary_search.py')
def test_imap_search(solution, check, spawn, playground):
    pg = playground('smtp', 'pop', 'imap')
    folder = make_folder(pg, 'Search', NOTES)   # 1 and 3 are \Seen, 3 is \Flagged
    everything = summarize(spawn, pg, solution, folder)
    check.that(everything.status == 0 and list(messages(everything)) == list(SHOWN.values()),
               'without criteria it still summarizes every message of the folder',
               f'without criteria it should still summarize the four messages of the folder; it '
               f'printed {everything.lines()[:6]}')
    searches = {('UNSEEN',): [2, 4], ('OR', 'FLAGGED', 'FROM', 'ann@'): [1, 3]}
    found = {}
    for criteria, expected in searches.items():
        done = found[criteria] = summarize(spawn, pg, solution, folder, *criteria)
        words = ' '.join(criteria)
        if len(found) == 1:
            check.that(done.status != 2 or 'usage' not in done.text,
                       'it takes search criteria after the folder',
                       f'it does not take search criteria after the folder yet: {done.last()}')
        shown = list(messages(done))
        check.that(done.status == 0 and shown == [SHOWN[n] for n in expected],
                   f'{words} finds messages {", ".join(map(str, expected))}',
                   f'with the criteria {words} it should summarize messages '
                   f'{", ".join(map(str, expected))}; it showed {shown or done.last()}')
    counts = {('ALL',): everything, **found}
    wrong = {' '.join(criteria): done.lines()[:1] for criteria, done in counts.items()
             if done.lines()[:1] != [f'{len(messages(done))} message(s) match '
                                     f'{" ".join(criteria)}']}
    check.that(not wrong,
               'it first says how many messages match ("2 message(s) match UNSEEN")',
               f'before the summaries it should say how many messages match, as in "2 message(s) '
               f'match UNSEEN" or "4 message(s) match ALL"; its first lines were: {wrong}')


# ---------------------------------------------------------------- mailbox_summary.py: text part

class CountingProxy:
    """A TCP relay to 127.0.0.1:target that counts the bytes the server sends back."""

    def __init__(self, target):
        self.target, self.received, self.running = target, 0, True
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            relay = threading.Thread(target=self._relay, args=(client,), daemon=True)
            self.threads.append(relay)
            relay.start()

    def _relay(self, client):
        with client, socket.create_connection(('127.0.0.1', self.target)) as server, \
                selectors.DefaultSelector() as selector:
            client.setblocking(True)
            selector.register(client, selectors.EVENT_READ, server)
            selector.register(server, selectors.EVENT_READ, client)
            while self.running:
                for key, _ in selector.select(timeout=0.1):
                    try:
                        data = key.fileobj.recv(65536)
                        if data:
                            key.data.sendall(data)
                    except OSError:
                        data = b''
                    if not data:
                        return
                    if key.fileobj is server:
                        self.received += len(data)

    def close(self):
        self.running = False
        for thread in self.threads:
            thread.join(5)
        self.listener.close()


def make_folder(pg, prefix, letters):
    """A new folder of the mail playground holding these (flags, message); its name."""
    folder = f'{prefix}-{uuid.uuid4().hex[:8]}'
    client = imaplib.IMAP4_SSL('localhost', pg.port(993), timeout=10,
                               ssl_context=ssl.create_default_context(cafile=str(pg.ca)))
    try:
        client.login(USER, PASSWORD)
        assert client.create(folder)[0] == 'OK'
        for flags, letter in letters:
            assert client.append(folder, flags, None, letter.as_bytes())[0] == 'OK'
    finally:
        client.logout()
    return folder


def letters():
    """Three messages: text with an HTML alternative and a big attachment; text alone,
    base64-encoded; and a picture attached to no text at all."""
    photos = email.message.EmailMessage()
    photos['From'], photos['Subject'] = 'Ann Example <ann@example.org>', 'Photos from the hills'
    photos.set_content('Grüße from the hills!\n\nThe photos are attached: the weather was\n'
                       'perfect, every single day of the week.\n', cte='quoted-printable')
    photos.add_alternative('<p>Grüße from the hills!</p><p>The photos are attached.</p>\n',
                           subtype='html')
    photos.add_attachment(os.urandom(300_000), 'application', 'octet-stream',
                          filename='photos.zip')
    minutes = email.message.EmailMessage()
    minutes['From'], minutes['Subject'] = 'Bob <bob@example.org>', 'Minutes'
    minutes.set_content('We met, we talked, we agreed.\n', cte='base64')
    picture = email.message.EmailMessage()
    picture['From'], picture['Subject'] = 'Cam <cam@example.org>', 'A picture'
    picture.add_attachment(os.urandom(2000), 'image', 'png', filename='cat.png')
    return [photos, minutes, picture]


@pytest.mark.exercise('chapter15/mailbox_summary.py', 'chapter15/mailbox_summary_text.py')
def test_imap_text_part(solution, check, spawn, playground):
    pg = playground('smtp', 'pop', 'imap')
    folder = make_folder(pg, 'Text', [(None, letter) for letter in letters()])
    proxy = CountingProxy(pg.port(993))
    try:
        done = summarize(spawn, pg, solution, folder, port=proxy.port)
    finally:
        proxy.close()
    shown = messages(done)
    check.that(done.status == 0 and list(shown) == [
                   'Message 1 from Ann Example <ann@example.org>',
                   'Message 2 from Bob <bob@example.org>',
                   'Message 3 from Cam <cam@example.org>'],
               'it still has a line for each message, with its sender',
               f'it should still print "Message N from SENDER" for each of the three messages '
               f'of the folder, and end without an error; it printed {list(shown)} and ended '
               f'with {done.last()}')
    photos, minutes, picture = shown.values()
    text = 'Text: Grüße from the hills! The photos are attached: the weather w...'
    check.that(photos == ['Subject: Photos from the hills', text],
               'for a message with an HTML alternative and an attachment it shows the start of '
               'its text part',
               f'for a message with a text/plain part, an HTML alternative and an attachment it '
               f'should print the subject and "Text: " with the first 60 characters of the text '
               f'part, decoded; it printed {photos}')
    check.that(minutes == ['Subject: Minutes', 'Text: We met, we talked, we agreed.'],
               'for a message that is all text it shows the text, decoded',
               f'for a message that is text alone (sent in base64) it should print the subject '
               f'and "Text: We met, we talked, we agreed."; it printed {minutes}')
    check.that(picture == ['Subject: A picture', 'Text: (none)'],
               'for a message with no text it says "Text: (none)"',
               f'for a message that is an attached picture and no text it should print the '
               f'subject and "Text: (none)"; it printed {picture}')
    check.that(proxy.received < 100_000,
               f'it received only {proxy.received} bytes: the attachment stayed on the server',
               f'to print these lines it received {proxy.received} bytes from the server, the '
               f'300000-byte attachment among them (400000 in base64): it should fetch only '
               f'the header and the text part of each message')


# ---------------------------------------------------------------- folder_info.py --wait: IDLE

@pytest.mark.exercise('chapter15/folder_info.py', 'chapter15/folder_info_idle.py')
def test_imap_idle(solution, check, spawn, playground):
    pg = playground('smtp', 'pop', 'imap')
    child, asked = start(spawn, pg, solution, '--wait')
    waiting = child.expect([r'Waiting for new mail \(IDLE\)\.\.\.', pexpect.EOF,
                            pexpect.TIMEOUT]) == 0 if asked else False
    if not waiting:
        done = finish(child, asked)
        check.that(asked, 'it takes --wait', f'it does not take --wait yet: {done.last()}')
        check.that(False, '', f'with --wait it should print what it prints now, then '
                   f'"Waiting for new mail (IDLE)..." and wait; it ended with {done.last()}')
    before = child.before.replace('\r\n', '\n')
    check.that(re.search(r'^  EXISTS: \d+$', before, re.M) and
               re.search(r'^  UIDNEXT: \d+$', before, re.M),
               'it still shows what EXAMINE says, then waits',
               f'it should still print what EXAMINE says about INBOX before it waits; it '
               f'printed {before.strip()!r}')
    uidnext = int(re.search(r'^  UIDNEXT: (\d+)$', before, re.M)[1])
    subject = f'Wake up {uuid.uuid4().hex[:8]}'
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.sendmail('tester@example.org', [ME], f'From: Tess Tester <tester@example.org>\n'
                      f'To: {ME}\nSubject: {subject}\n\nNew mail, pushed.\n')
    sent = time.monotonic()
    news = child.expect([r'New message (\d+) from ([^\r\n]*)\r\n', pexpect.EOF,
                         pexpect.TIMEOUT], timeout=10) == 0
    late = time.monotonic() - sent
    line, uid = (child.after, child.match[1]) if news else ('', '0')
    done = finish(child, asked)
    check.that(news,
               'when a message comes, it says so',
               f'a message came 10 seconds ago, and it has not said "New message UID from '
               f'SENDER: SUBJECT"; it printed {done.last()}')
    check.that(line.strip() == f'New message {uid} from Tess Tester '
                               f'<tester@example.org>: {subject}',
               f'it names the new message: its UID, sender and subject ({late:.1f} s after '
               f'it came)',
               f'for the new message it should print "New message UID from Tess Tester '
               f'<tester@example.org>: {subject}"; it printed {line.strip()!r}')
    check.that(int(uid) >= uidnext,
               'its UID is at least the UIDNEXT that EXAMINE gave',
               f'the new message\'s UID should be at least the UIDNEXT ({uidnext}) that EXAMINE '
               f'gave: UIDs only grow; it printed UID {uid}')
    check.that(done.status == 0,
               'then it ends',
               f'after the new message it should end (exit status 0); it ended with {done.last()}'
               + (' (it did not end within 30 s)' if done.status is None else ''))


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter15/open_imaplib.py', 'chapter15/open_imaplib_guess.py')
def test_open_imaplib_guess(solution, check, exercise_lab):
    session = converse_on(exercise_lab, 'laptop', solution, ME)
    lines = session.text.splitlines()
    # (the reasons are the C library's words: glibc's here)
    check.that(len(lines) > 2 and lines[0].startswith('imap.example.com: ')
               and lines[1] == 'Using mail.example.com (192.0.2.10)',
               'for brandon@example.com it tries imap.example.com (no such name), then uses '
               'mail.example.com',
               f'run on the laptop as `open_imaplib.py {ME}`, it should first try the name '
               'imap.example.com, which DNS does not know ("imap.example.com: Name or service '
               'not known", the strerror of socket.gaierror), then mail.example.com, which '
               'it knows ("Using mail.example.com (192.0.2.10)"); it printed '
               f'{printed(session.text)}')
    check.that(session.ok() and session.asked == 1
               and "b'(\\\\HasNoChildren) \".\" \"INBOX\"'" in session.text,
               'then it logs in there as brandon, the part of the address before the @, and '
               'lists the folders',
               'then it should connect to mail.example.com (the certificate names it), ask '
               'for the password, log in as brandon (the address less its @example.com) and '
               f'list the folders as before; it printed {printed(session.text)}')
    nowhere = run_on(exercise_lab, check, 'laptop', solution, f'{USER}@example.net')
    errors = [line for line in nowhere.err.splitlines() if line.strip()]
    tried = [line.partition(': ')[0] for line in nowhere.out.splitlines()]
    check.that(tried == ['imap.example.net', 'mail.example.net', 'example.net']
               and nowhere.returncode != 0 and len(errors) == 1
               and 'no IMAP server found' in errors[0],
               'for brandon@example.net, where no guess has an address, it says so in one line',
               f'run as `open_imaplib.py {USER}@example.net`, where none of imap.example.net, '
               'mail.example.net and example.net has an address, it should print one line for '
               'each ("example.net: No address associated with hostname") and end with one '
               'line on stderr saying "no IMAP server found", and a non-zero exit status; it '
               f'printed {printed(nowhere.out + nowhere.err)}')
