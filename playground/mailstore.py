"""The mail store that SMTP writes and POP and IMAP read: one Maildir per user.

Layout, under <state>/mail/:

    brandon/            a Maildir: its cur/ new/ tmp/ are the INBOX
    brandon/.Sent/      folders, Maildir++ style: a dot before each name,
    brandon/.Archive.2010/   and a dot between the levels of a nested one

'Archive' itself is no Maildir, only the parent of 'Archive.2010': an IMAP
server shows it as a folder that cannot be selected (\\Noselect).  Flags
live in the file names (Maildir "info": S seen, R replied, F flagged,
T trashed, D draft), so they survive restarts.

This module is light on purpose: the launcher imports it to seed the store.
"""
import email.message
import email.utils
import mailbox
import os
import pathlib
import shutil
import socket
import time

from playground.common import ACCOUNT

USERS = {ACCOUNT[0]: ACCOUNT[1]}
LOCAL_DOMAINS = ('example.com', 'localhost', '127.0.0.1', '[127.0.0.1]')
FOLDERS = ('Sent', 'Drafts', 'Archive.2010', 'Archive.2011')  # 'Archive' is \Noselect
SEPARATOR = '.'


def root(state):
    return pathlib.Path(state) / 'mail'


def maildir(state, user):
    """The user's mailbox.Maildir (INBOX); folders through .get_folder(name)."""
    return mailbox.Maildir(root(state) / user, create=False)


def user_for(address):
    """The local user an address delivers to, or None: 'brandon@example.com' -> 'brandon'."""
    local, _, domain = address.strip('<>').rpartition('@')
    if domain.lower() in LOCAL_DOMAINS and local.lower() in USERS:
        return local.lower()
    return None


def check_password(user, password):
    return USERS.get(user) == password


def deliver(state, user, data, folder=None, flags=''):
    """Store one message durably and return its key.

    The bytes are written into tmp/, flushed to disk with fsync, then renamed
    into new/ (cur/ when flags are given) and the folder itself is synced: once
    this returns, the message survives a crash.  This is Maildir's own protocol;
    stdlib mailbox.Maildir.add() does the same, minus the fsyncs.
    """
    path = root(state) / user
    if folder:
        path = path / f'.{folder}'
    key = f'{time.time():.6f}.P{os.getpid()}Q{time.monotonic_ns()}.{socket.gethostname()}'
    tmp = path / 'tmp' / key
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data.replace(b'\r\n', b'\n'))  # Maildir holds LF line ends
            f.flush()
            os.fsync(f.fileno())
        final = path / ('cur' if flags else 'new') / (key + (f':2,{flags}' if flags else ''))
        os.rename(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dirfd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)
    return key


def prepare(state, reset):
    """Create and seed the store, unless it exists (and reset is not asked)."""
    base = root(state)
    if reset and base.exists():
        shutil.rmtree(base)
    if base.exists():
        return
    base.mkdir(parents=True)
    for user in USERS:
        inbox = mailbox.Maildir(base / user, create=True)
        for folder in FOLDERS:
            inbox.add_folder(folder)
        for folder, message, flags, when in seed_messages(user):
            box = inbox.get_folder(folder) if folder else inbox
            entry = mailbox.MaildirMessage(message.as_bytes())
            entry.set_flags(flags)
            entry.set_subdir('cur' if flags else 'new')
            entry.set_date(when)
            box.add(entry)


def _when(text):
    return email.utils.parsedate_to_datetime(text).timestamp()


def _message(sender, to, subject, date, text, msgid):
    msg = email.message.EmailMessage()
    msg['From'], msg['To'], msg['Subject'] = sender, to, subject
    msg['Date'], msg['Message-ID'] = date, f'<{msgid}@playground.example.com>'
    msg.set_content(text)
    return msg


def seed_messages(user):
    """Yield (folder or None for INBOX, EmailMessage, flags, delivery time)."""
    me = f'Brandon Rhodes <{user}@example.com>'

    date = 'Mon, 02 Nov 2026 09:15:00 +0000'
    yield None, _message('Playground Postmaster <postmaster@example.com>', me,
                         'Welcome to the playground mail system', date,
                         'Hello Brandon,\n\nThis mailbox is yours to read over POP3 and IMAP,\n'
                         'and SMTP delivers new mail into it.\n\n-- the postmaster\n',
                         'welcome'), 'S', _when(date)

    date = 'Tue, 03 Nov 2026 14:02:00 +0000'
    msg = _message('John Goerzen <jgoerzen@example.com>', me, 'Chapter draft and figures',
                   date, 'Here are the draft and the figure we talked about.\n', 'draft')
    msg.add_attachment('Chapter 15: IMAP\n\nIMAP keeps your mail on the server.\n',
                       filename='chapter15-draft.txt')
    msg.add_attachment(_tiny_png(), maintype='image', subtype='png', filename='figure1.png')
    yield None, msg, '', _when(date)

    date = 'Wed, 04 Nov 2026 08:30:00 -0500'
    msg = _message('Newsletter <news@example.net>', me, 'This week: sockets and select()',
                   date, 'This week we look at select() and poll().\n', 'newsletter')
    msg.add_alternative('<html><body><h1>This week</h1>\n<p>We look at <b>select()</b> '
                        'and <i>poll()</i>.</p></body></html>\n', subtype='html')
    yield None, msg, '', _when(date)

    date = 'Thu, 05 Nov 2026 18:45:00 +0100'
    yield None, _message('Jürgen Müller <juergen@example.net>', me,
                         'Grüße aus Köln: Straßenfest am Samstag ☕', date,
                         'Hallo Brandon,\n\nkommst du am Samstag zum Straßenfest? '
                         'Es gibt Kölsch und Kaffee ☕.\n\nViele Grüße,\nJürgen\n',
                         'koeln'), 'F', _when(date)

    date = 'Fri, 06 Nov 2026 10:00:00 +0000'
    yield 'Sent', _message(me, 'John Goerzen <jgoerzen@example.com>', 'Re: Chapter draft and figures',
                           date, 'Thanks, John: the figure looks right.\n', 'reply'), 'S', _when(date)

    date = 'Fri, 15 Oct 2010 12:00:00 -0400'
    yield 'Archive.2010', _message('Apress <editors@example.com>', me,
                                   'The second edition is out', date,
                                   'Foundations of Python Network Programming, 2nd edition, '
                                   'is printed.\n', 'printed'), 'S', _when(date)
    date = 'Mon, 01 Nov 2010 09:00:00 -0400'
    yield 'Archive.2010', _message('A Reader <reader@example.org>', me, 'Errata for chapter 13',
                                   date, 'On page 232, the port should be 587.\n', 'errata'), \
        'SR', _when(date)
    date = 'Sat, 01 Jan 2011 00:00:01 +0000'
    yield 'Archive.2011', _message('Postmaster <postmaster@example.com>', me, 'Happy new year',
                                   date, 'Happy 2011!\n', 'newyear'), '', _when(date)


def _tiny_png():
    """A valid 1x1 PNG, made here rather than shipped."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack('!I', len(data)) + body + struct.pack('!I', zlib.crc32(body))
    header = struct.pack('!IIBBBBB', 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b'\x00\xff\x80\x00')
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', pixels)
            + chunk(b'IEND', b''))
