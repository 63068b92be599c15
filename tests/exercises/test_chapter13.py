"""Chapter 13 exercises: SMTP (the text of each is in chapter13/README.md, Exercises).

They send into the worker's mail playground, whose INBOX other tests fill too: each
run sends from an address of its own and looks only at the messages sent from it.
"""
import datetime
import email
import email.policy
import email.utils
import mailbox
import os
import re
import uuid

import pytest

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, exercise_lab, printed, run_on)

ME = 'brandon@example.com'
LIMIT = 1024 * 1024   # the playground's SIZE


def sender():
    """A From address nobody else uses, to find the messages in the store."""
    return f'student-{uuid.uuid4().hex[:10]}@example.org'


def delivered(pg, fromaddr):
    """The stored messages whose envelope sender was fromaddr, parsed."""
    box = mailbox.Maildir(pg.state / 'mail' / 'brandon', create=False)
    found = []
    for key in box.keys():
        data = box.get_bytes(key)
        if f'Return-Path: <{fromaddr}>'.encode() in data.split(b'\n', 1)[0]:
            found.append(email.message_from_bytes(data, policy=email.policy.default))
    return found


def last_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return repr(lines[-1]) if lines else 'nothing'


# ---------------------------------------------------------------- ehlo.py --attach

BODY = 'This is a test message sent to you from the ehlo.py program'


def parts_of(message):
    """'multipart/mixed [multipart/alternative [text/plain, text/html], ...]', to show."""
    if not message.is_multipart():
        return message.get_content_type()
    inner = ', '.join(parts_of(part) for part in message.iter_parts())
    return f'{message.get_content_type()} [{inner}]'


@pytest.mark.exercise('chapter13/ehlo.py', 'chapter13/ehlo_attachment.py')
def test_ehlo_attachment(solution, check, run, playground, tmp_path):
    pg = playground('smtp', 'pop')
    env = {**pg.env, **solution.env}

    def send(*options):
        fromaddr = sender()
        done = run(solution.script, 'localhost', fromaddr, ME, '-p', pg.port(25), *options,
                   env=env)
        return done, delivered(pg, fromaddr)

    done, stored = send()
    check.that(done.returncode == 0 and len(stored) == 1 and BODY in stored[0].get_body(
                   ('plain',)).get_content(),
               'without --attach it still sends its text message',
               f'without --attach it should still send its text message; it ended with '
               f'{last_line(done.err or done.out)} and {len(stored)} message(s) arrived')

    data = os.urandom(20000)
    small = tmp_path / 'files' / 'data.bin'
    small.parent.mkdir()
    small.write_bytes(data)
    done, stored = send('--attach', small)
    check.that(done.returncode != 2 or '--attach' not in done.err,
               'it takes --attach FILE',
               f'it does not take --attach FILE yet: {last_line(done.err)}')
    check.that(done.returncode == 0 and len(stored) == 1
               and done.out.splitlines()[-1:] == ['Message successfully sent to 1 recipient(s)'],
               'with --attach it sends one message',
               f'with --attach of a 20000-byte file it should send one message and say '
               f'"Message successfully sent to 1 recipient(s)"; it ended with '
               f'{last_line(done.err or done.out)} and {len(stored)} message(s) arrived')
    [message] = stored
    shape = parts_of(message)
    alternative = [part for part in message.walk()
                   if part.get_content_type() == 'multipart/alternative']
    inside = [part.get_content_type() for part in alternative[0].iter_parts()] \
        if alternative else []
    check.that(inside == ['text/plain', 'text/html'],
               'its text comes as text/plain with a text/html alternative after it',
               f'the message should hold a multipart/alternative with the text/plain first and '
               f'the text/html after it (the part a mail reader prefers comes last); '
               f'its parts are: {shape}')
    plain = alternative[0].get_body(('plain',)).get_content()
    html = alternative[0].get_body(('html',)).get_content()
    check.that(BODY in plain and 'Hello' in html and '<' in html,
               'the text part holds the body, and the HTML part says it in HTML',
               f'the text/plain part should hold the usual body ({BODY!r}...) and the '
               f'text/html part the same words in HTML; they hold {plain[:80]!r} and '
               f'{html[:80]!r}')
    attachments = list(message.iter_attachments())
    names = [part.get_filename() for part in attachments]
    check.that(names == ['data.bin'],
               'the file is attached under its own name',
               f'the message should carry one attachment named "data.bin" (the file\'s name, '
               f'without its folders); its attachments are named {names} ({shape})')
    check.that(attachments[0].get_content() == data,
               'the attachment arrives byte for byte',
               'the attachment did not arrive as the file was: its bytes differ (read the file '
               'in binary mode, and attach it as bytes)')

    big = tmp_path / 'files' / 'big.bin'
    big.write_bytes(os.urandom(850_000))
    done, stored = send('--attach', big)
    refused = f'ehlo: localhost:{pg.port(25)}: message too large; aborting'
    errors = [line for line in done.err.splitlines() if line.strip()]
    check.that(done.returncode != 0 and errors == [refused] and not stored,
               'a file of 850000 bytes, which base64 makes larger than the SIZE limit, is '
               'refused before sending',
               f'a file of 850000 bytes fits the server\'s limit of {LIMIT} bytes, but base64 '
               f'makes the message about 1150000 bytes: ehlo.py should count the message as it '
               f'will be sent and stop with "{refused}" before sending; it ended with '
               f'{last_line(done.err or done.out)} and {len(stored)} message(s) arrived')


# ---------------------------------------------------------------- simple.py: Date, Message-ID

@pytest.mark.exercise('chapter13/simple.py', 'chapter13/simple_date_message_id.py')
def test_simple_date_message_id(solution, check, run, playground):
    pg = playground('smtp', 'pop')
    fromaddr = sender()
    before = datetime.datetime.now(datetime.timezone.utc)
    runs = [run(solution.script, 'localhost', fromaddr, ME, '-p', pg.port(25),
                env={**pg.env, **solution.env}) for _ in range(2)]
    stored = delivered(pg, fromaddr)
    check.that(all(done.returncode == 0 and 'Message successfully sent to 1 recipient(s)'
                   in done.out for done in runs) and len(stored) == 2,
               'it still sends its message',
               f'sent twice, it should say "Message successfully sent to 1 recipient(s)" each '
               f'time, and two messages should arrive; it ended with '
               f'{last_line(runs[0].err or runs[0].out)}, and {len(stored)} arrived')
    dates = [message.get_all('Date', []) for message in stored]
    check.that(all(len(found) == 1 for found in dates),
               'each message carries one Date header',
               f'each message should carry one Date header, the moment it was sent; '
               + (f'they arrived without one' if not any(dates) else f'they carry {dates}'))
    stamps = [found[0].datetime for found in dates]
    check.that(all(stamp is not None and stamp.tzinfo is not None for stamp in stamps),
               'the Date says a time with its time zone',
               f'the Date header should be a date as email.utils.formatdate() writes it, with '
               f'its time zone ("Tue, 01 Dec 2026 16:50:02 +0100"); it says {dates[0][0]!r}')
    after = datetime.datetime.now(datetime.timezone.utc)
    slack = datetime.timedelta(minutes=2)
    check.that(all(before - slack <= stamp <= after + slack for stamp in stamps),
               'the Date is the moment the message was sent',
               f'the Date should be the moment the message was sent (about '
               f'{email.utils.format_datetime(before)}); it says {dates[0][0]!r}')
    ids = [message.get_all('Message-ID', []) for message in stored]
    check.that(all(len(found) == 1 for found in ids),
               'each message carries one Message-ID header',
               f'each message should carry one Message-ID header; '
               + (f'they arrived without one' if not any(ids) else f'they carry {ids}'))
    ids = [str(found[0]).strip() for found in ids]
    check.that(all(re.fullmatch(r'<[^<>@\s]+@example\.org>', i) for i in ids),
               'the Message-ID looks like <...@example.org>, the sender\'s domain',
               f'the Message-ID should look like <unique-part@example.org>, the domain of the '
               f'sender {fromaddr}; it is {ids[0]!r}')
    check.that(ids[0] != ids[1],
               'each message gets a Message-ID of its own',
               f'two messages sent one after the other got the same Message-ID {ids[0]}: '
               f'each message needs one of its own')
    printed = [re.findall(r'^Message-ID: (\S+)$', done.out, re.M) for done in runs]
    check.that(sorted(printed) == sorted([i] for i in ids),
               'it prints the Message-ID of the message it sent',
               f'after sending it should print a line "Message-ID: {ids[0]}"; '
               f'it printed {runs[0].out.strip()!r}')


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter13/tls.py', 'chapter13/tls_mx.py')
def test_tls_mx(solution, check, exercise_lab):
    lab, fromaddr = exercise_lab, sender()
    done = run_on(lab, check, 'laptop', solution, fromaddr, ME, '-p', 25)
    lines = done.out.splitlines()
    check.that(lines[:1] == ['Mail for example.com goes to mail.example.com (preference 10)'],
               'it finds example.com\'s mail server in DNS: mail.example.com, preference 10',
               f'run on the laptop as `tls.py {fromaddr} {ME} -p 25`, it should look up the '
               'MX records of example.com (the recipient\'s domain) and first print "Mail for '
               'example.com goes to mail.example.com (preference 10)"; it printed '
               f'{printed(done.out + done.err)}')
    check.that(done.returncode == 0 and 'Using TLS connection (TLS' in done.out
               and lines[-1:] == ['Message successfully sent to 1 recipient(s)'],
               'it delivers there, with STARTTLS, and the certificate checks out for that name',
               'then it should deliver to mail.example.com as before, over STARTTLS ("Using '
               'TLS connection ...") and end with "Message successfully sent to 1 '
               f'recipient(s)"; it printed {printed(done.out + done.err)}')
    stored = delivered(lab, fromaddr)
    check.that(len(stored) == 1 and stored[0]['Subject'] == 'Test Message from tls.py',
               'the message is in brandon\'s mailbox on example.com',
               f'the server on example.com should have stored one message from {fromaddr}, '
               f'"Test Message from tls.py"; it has {len(stored)}')
    nowhere = run_on(lab, check, 'laptop', solution, fromaddr, 'someone@example.net')
    errors = [line for line in nowhere.err.splitlines() if line.strip()]
    check.that(nowhere.returncode != 0 and len(errors) == 1 and 'example.net' in errors[0]
               and 'Traceback' not in nowhere.err,
               'a domain without MX records ends in one line that names it',
               'example.net has no MX records: `tls.py ... someone@example.net` should end '
               'with one line on stderr that names example.net, and a non-zero exit status; '
               f'it printed {printed(nowhere.out + nowhere.err)}')
