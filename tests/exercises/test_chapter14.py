"""Chapter 14 exercises: POP (the text of each is in chapter14/README.md, Exercises).

They read the worker's mail playground, whose INBOX other tests fill too: each
checker sends messages of its own, with subjects nobody else uses, and looks at those.
"""
import dataclasses
import email
import email.utils
import mailbox
import re
import smtplib
import ssl
import uuid

import pexpect
import pytest

from harness import ACCOUNT, wait_until
from playground.pop import uidl

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, SERVER, converse_on, exercise_lab, printed, tcp_segments)

USER, PASSWORD = ACCOUNT
ME = f'{USER}@example.com'
SLOW = 30   # seconds a prompt may take on a loaded machine (a hang guard, not a claim)


def inbox(pg):
    return mailbox.Maildir(pg.state / 'mail' / USER, create=False)


def subjects(pg):
    """{Subject: Maildir key} of the INBOX."""
    box = inbox(pg)
    return {email.message_from_bytes(box.get_bytes(key))['Subject']: key for key in box.keys()}


def send(pg, subject, date=None):
    """Deliver a message of our own through the playground's SMTP; return its key."""
    headers = f'From: tester@example.org\nTo: {ME}\nSubject: {subject}\n'
    if date:
        headers += f'Date: {date}\n'
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=str(pg.ca)))
        smtp.sendmail('tester@example.org', [ME], f'{headers}\nThis is {subject}.\n')
    return subjects(pg)[subject]


@dataclasses.dataclass
class Session:
    status: int      # the exit status (None when it never ended)
    text: str        # all it printed after the password prompt (all it printed, without one)
    asked: bool      # it asked for the password
    prompt: str      # the [ny] question it stopped at ('' if none); it then got a Ctrl-C
    hung: bool       # it never ended by itself

    def last(self):
        lines = [line for line in self.text.splitlines() if line.strip()]
        return repr(lines[-1]) if lines else 'nothing'


def converse(spawn, pg, solution, *args):
    """Run a POP listing, type the password; a [ny] question gets a Ctrl-C."""
    child = spawn(solution.script, 'localhost', USER, *args, '-p', pg.port(995),
                  env={**pg.env, **solution.env}, timeout=SLOW)
    asked = child.expect_exact(['Password: ', pexpect.EOF, pexpect.TIMEOUT]) == 0
    prompt, hung = '', False
    if asked:
        child.sendline(PASSWORD)
        found = child.expect([pexpect.EOF, r'[^\n]*\[ny\]\? ', pexpect.TIMEOUT])
        if found == 1:
            prompt = child.after.strip()
            child.sendintr()
        hung = found == 2
        if not hung:
            hung = child.expect([pexpect.EOF, pexpect.TIMEOUT]) == 1
    child.close(force=True)
    text = child.logfile_read.text.replace('\r\n', '\n')
    return Session(None if hung else child.exitstatus, text.split('Password: \n', 1)[-1],
                   asked, prompt, hung)


# ---------------------------------------------------------------- popconn.py: UIDL

@pytest.mark.exercise('chapter14/popconn.py', 'chapter14/popconn_new_messages.py')
def test_pop_new_messages(solution, check, spawn, playground, tmp_path):
    pg = playground('smtp', 'pop')
    subject = f'First {uuid.uuid4().hex[:8]}'
    first = send(pg, subject)
    done = converse(spawn, pg, solution)   # in tmp_path, where its files go
    check.that(done.status == 0 and re.search(r'^You have \d+ messages totaling \d+ bytes$',
                                               done.text, re.M),
               'it still logs in and says how many messages wait',
               f'it should still log in and print "You have N messages totaling B bytes"; '
               f'it printed {done.text.strip()!r}')
    count = re.findall(r'^Downloaded (\d+) new message\(s\)$', done.text, re.M)
    files = sorted(path.name for path in tmp_path.glob('*.eml'))
    check.that(count and files,
               'it downloads the messages and says how many',
               f'the first time, it should download every message, save each as ID.eml in '
               f'the current folder and print "Downloaded N new message(s)"; it printed '
               f'{done.last()} and saved {len(files)} .eml file(s)')
    check.that(int(count[0]) == len(files),
               f'the count it prints is the number of files it saved ({len(files)})',
               f'it said "Downloaded {count[0]} new message(s)" but saved {len(files)} '
               f'.eml file(s)')
    name = f'{uidl(first).decode()}.eml'
    check.that(name in files,
               'each file is named after the message\'s UIDL id',
               f'the message we sent has the UIDL id {name[:-4]}, so it should be saved as '
               f'{name}; the files are named {files[:3]}...')
    saved = email.message_from_bytes((tmp_path / name).read_bytes())
    check.that(saved['Subject'] == subject,
               'the file holds the message',
               f'{name} should hold the message itself (its Subject is {subject!r}); it '
               f'holds {(tmp_path / name).read_bytes()[:200]!r}')
    remembered = (tmp_path / 'seen-uids.txt')
    ids = remembered.read_text().split() if remembered.exists() else []
    check.that(sorted(f'{i}.eml' for i in ids) == files,
               'seen-uids.txt remembers the id of every message downloaded',
               f'seen-uids.txt should hold the UIDL id of each message downloaded, one a line '
               f'({len(files)} of them); it holds {len(ids)}')

    for path in tmp_path.glob('*.eml'):
        path.unlink()   # what comes back now was downloaded a second time
    second = send(pg, f'Second {uuid.uuid4().hex[:8]}')
    done = converse(spawn, pg, solution)
    files = sorted(path.name for path in tmp_path.glob('*.eml'))
    name = f'{uidl(second).decode()}.eml'
    check.that(done.status == 0 and name in files,
               'the second time, it downloads the message that came meanwhile',
               f'run again after a new message came, it should download that one ({name}); it '
               f'ended with {done.last()} and saved {files}')
    check.that(files == [name] and 'Downloaded 1 new message(s)' in done.text,
               'and only that one: the others it had seen before',
               f'run again after one new message came, it should download only that one and say '
               f'"Downloaded 1 new message(s)"; it downloaded {len(files)} ({files[:3]}...) and '
               f'said {done.last()}')


# ---------------------------------------------------------------- download-and-delete.py --before

@pytest.mark.exercise('chapter14/download-and-delete.py',
                      'chapter14/download-and-delete-before.py')
def test_pop_delete_before(solution, check, spawn, playground):
    pg = playground('smtp', 'pop')
    tag = uuid.uuid4().hex[:8]
    mine = {   # subject: (Date, to be deleted)
        f'Old {tag}': ('Mon, 01 Mar 1999 10:00:00 +0000', True),
        f'Older {tag}': ('Tue, 14 Jul 1998 08:30:00 -0500', True),
        f'Last day of 1999 {tag}': ('Fri, 31 Dec 1999 12:00:00 +0000', True),
        f'New Year {tag}': ('Sat, 01 Jan 2000 12:00:00 +0000', False),
        f'Recent {tag}': (email.utils.formatdate(localtime=True), False),
        f'Undated {tag}': (None, False)}
    for subject, (date, _) in mine.items():
        send(pg, subject, date)
    done = converse(spawn, pg, solution, '--before', '2000-01-01')
    check.that(done.asked,
               'it takes --before YYYY-MM-DD',
               f'it does not take --before yet: {done.last()}')
    check.that(not done.prompt,
               'with --before it asks nothing',
               f'with --before it should decide alone, but it asked {done.prompt!r}')
    check.that(done.status == 0,
               'with --before it goes through the mailbox and ends',
               f'with --before it should go through the mailbox and end; it ended with '
               f'{done.last()}' + (' (it did not end within 30 s)' if done.hung else ''))
    blocks = re.split(r'^(?=Message \d+ \(size is \d+ bytes\):$)', done.text, flags=re.M)
    shown = {subject: [block for block in blocks if f'Subject: {subject}\n' in block]
             for subject in mine}
    missing = [subject for subject, found in shown.items() if len(found) != 1]
    check.that(not missing,
               'it still shows the headers of each message',
               f'it should still show the headers of each message; it did not show {missing}')
    said = {subject: 'Deleted (when we QUIT).' in found[0] for subject, found in shown.items()}
    wrong = [f'{subject}, dated {mine[subject][0] or "nothing"}, '
             f'{"was" if said[subject] else "was not"} said to be deleted'
             for subject in mine if said[subject] != mine[subject][1]]
    check.that(not wrong,
               'it says "Deleted (when we QUIT)." under each message dated before 2000-01-01, '
               'and only under those',
               f'with --before 2000-01-01 it should say "Deleted (when we QUIT)." under each '
               f'message dated before that day, and leave the others; but {"; ".join(wrong)}')
    left = subjects(pg)
    wrong = [subject for subject, (_, old) in mine.items() if (subject in left) == old]
    check.that(not wrong,
               'the server deleted exactly those at QUIT',
               f'after it ended, the server should have deleted the old messages and kept the '
               f'others (DELE, then QUIT); it is wrong about: {", ".join(wrong)}')

    done = converse(spawn, pg, solution)
    check.that(done.prompt == 'Read this message [ny]?' and 'Interrupted' in done.text,
               'without --before it still asks, message by message',
               f'without --before it should still ask "Read this message [ny]?" (and stop at '
               f'Ctrl-C, deleting nothing); it printed {done.last()}')


# ---------------------------------------------------------------- on the lab

FIN = 0x01   # a TCP flag: the sender has sent all it will


@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter14/popconn.py', 'chapter14/popconn_stls.py')
def test_popconn_stls(solution, check, exercise_lab, tmp_path):
    lab, pcap = exercise_lab, tmp_path / 'isp.pcap'
    capture = lab.capture('-w', pcap, 'isp', 'tcp', 'port', 110)
    try:
        session = converse_on(lab, 'laptop', solution, SERVER, USER, '--stls', '-p', 110)
        if session.ok():   # once a side has ended the connection, all it sent is recorded
            wait_until(lambda: any(flags & FIN for *_, flags, _ in tcp_segments(pcap, 110)),
                       10, 'the capture never saw the POP connection end')
    finally:
        capture.stop()
    check.that(session.ok() and session.asked == 1
               and re.search(r'^You have \d+ messages totaling \d+ bytes$', session.text, re.M),
               'it logs in on the plain POP port, 110, and counts the messages',
               f'run on the laptop as `popconn.py example.com {USER} --stls -p 110` (the plain '
               'POP port; the server takes the password only over TLS), it should switch to '
               'TLS with STLS, then ask for the password, log in and print "You have N '
               f'messages totaling B bytes"; it printed {printed(session.text)}')
    check.that(re.search(r'^Switched to TLS \(TLSv1\.[23]\)$', session.text, re.M),
               'it says when it switched to TLS, and to which version',
               'after STLS it should print "Switched to TLS (TLSv1.3)" (the version from the '
               f'TLS socket\'s version()); it printed {printed(session.text)}')
    segments = tcp_segments(pcap, 110)
    sent = b''.join(payload for _, port, _, payload in segments if port != 110)
    readable = sent[:len(sent) - len(sent.lstrip(bytes(range(32, 127)) + b'\r\n'))]
    check.that(b'STLS\r\n' in readable and b'USER' not in sent and USER.encode() not in sent
               and not any(PASSWORD.encode() in payload for *_, payload in segments),
               'a capture of the provider\'s network shows STLS in clear, then only '
               'ciphertext: neither the user name nor the password crossed it readable',
               'in a capture of the provider\'s network, the client should send STLS in '
               'clear, and the user name and the password only after the switch to TLS, '
               f'unreadable; it sent {readable.decode()!r} in clear')
