"""Service 'imap': IMAP4rev1 over the playground's Maildir store, STARTTLS on 143, TLS on 993.

Twisted's IMAP4Server speaks the protocol; the mailboxes below map it onto
the Maildir store of playground.mailstore, which SMTP delivers into and POP
reads.  Folders are Maildir++ folders ('.' separates the levels; 'Archive'
only holds 'Archive.2010' and 'Archive.2011', so it is \\Noselect).  Flags
live in the Maildir file names, so they survive restarts.  UIDs are kept in
a small JSON file in each folder (imap-uidlist.json, with its UIDVALIDITY):
a message keeps its UID across restarts and a UID is never given twice.

Twisted leaves much of the fetch side to the mailbox (and gets some of it
wrong on Python 3), so the server class below answers FETCH, SEARCH,
SELECT, STORE, COPY and APPEND itself, from the exact bytes on disk.
Run alone: python -m playground.imapserver [--port-offset N].
"""
import datetime
import email.header
import email.parser
import email.policy
import email.utils
import functools
import io
import json
import mailbox
import os
import re
import signal
import sys
import time

from twisted.cred import checkers, credentials, error as cred_error, portal
from twisted.internet import defer, protocol
from twisted.mail import imap4
from twisted.mail._cred import LOGINCredentials, PLAINCredentials
from twisted.python import log
from zope.interface import implementer

from playground import mailstore, tls
from playground.common import parse_service_args, port, run_quietly, tls_files

IMAP, IMAPS = 143, 993
UIDLIST = 'imap-uidlist.json'
SEPARATOR = mailstore.SEPARATOR
FLAG_LETTERS = {'\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S',
                '\\Deleted': 'T'}     # the Maildir "info" letters, in their sorted order
LETTER_FLAGS = {letter: flag for flag, letter in FLAG_LETTERS.items()}
MAX_LITERAL = 20 * 1024 * 1024        # the largest APPEND we take
MAX_LINE = 64 * 1024                  # the longest command line
COLON = mailbox.Maildir.colon         # between a Maildir file's key and its info ('2,FS')


# ---------------------------------------------------------------- MIME, byte-exact

def header_fields(header):
    """Split a header block into (lower-case name, raw field bytes with its folded lines)."""
    if not header.endswith(b'\r\n'):
        header += b'\r\n'
    fields = re.findall(rb'[^\r\n]+\r\n(?:[ \t][^\r\n]*\r\n)*', header)
    return [(field.split(b':', 1)[0].strip().lower().decode('ascii', 'replace'), field)
            for field in fields]


def split_multipart(body, boundary):
    """The raw bytes of each part between the boundary lines of a multipart body."""
    delimiter = re.compile(rb'(?:\A|\r\n)--' + re.escape(boundary)
                           + rb'(--)?[ \t]*(?:\r\n|\Z)')
    parts, start = [], None
    for match in delimiter.finditer(body):
        if start is not None:
            parts.append(body[start:match.start()])
        if match.group(1):
            break
        start = match.end()
    return parts


class Part:
    """One MIME entity, cut from the CRLF bytes of a message so that every offset is exact."""

    def __init__(self, data):
        if data.startswith(b'\r\n'):
            header, body = b'\r\n', data[2:]
        elif (end := data.find(b'\r\n\r\n')) >= 0:
            header, body = data[:end + 4], data[end + 4:]
        else:
            header, body = data, b''
        self.data, self.header, self.body = data, header, body
        self.fields = header_fields(header)
        self.meta = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(header)
        self.type = self.meta.get_content_type()
        self.children = []
        if self.type.startswith('multipart/'):
            boundary = self.meta.get_boundary()
            if boundary:
                raw = boundary.encode('ascii', 'surrogateescape')
                self.children = [Part(piece) for piece in split_multipart(body, raw)]
        elif self.type == 'message/rfc822':
            self.children = [Part(body)]

    def value(self, name):
        """The unfolded value of the first field with this name, as str, or None."""
        for field_name, field in self.fields:
            if field_name == name:
                value = re.sub(rb'\r\n(?=[ \t])', b'', field.split(b':', 1)[1]).strip()
                return value.decode('utf-8', 'surrogateescape')
        return None

    def text(self, name):
        """A header decoded from RFC 2047 words into plain text (for SEARCH)."""
        raw = self.value(name)
        if raw is None:
            return ''
        try:
            return str(email.header.make_header(email.header.decode_header(raw)))
        except (ValueError, LookupError):
            return raw


def subpart(part, numbers):
    """Follow IMAP part numbers (0-based here) down the tree; None when there is no such part."""
    for number in numbers:
        if part.type == 'message/rfc822':
            part = part.children[0]
        if part.type.startswith('multipart/'):
            if number >= len(part.children):
                return None
            part = part.children[number]
        elif number != 0:
            return None
    return part


def section(message_part, body):
    """The bytes a BODY[...] fetch item asks for, and its name in the response."""
    numbers = list(body.part or ())
    names = [str(n + 1).encode() for n in numbers]
    part = subpart(message_part, numbers)
    if body.header is not None:
        target = part if not numbers or part is None else (
            part.children[0] if part.type == 'message/rfc822' else None)
        wanted = {f.decode('ascii', 'replace').lower() for f in body.header.fields or ()}
        if body.header.fields:
            kind = b'HEADER.FIELDS' + (b'.NOT' if body.header.negate else b'')
            names.append(kind + b' (' + b' '.join(body.header.fields) + b')')
            content = b'' if target is None else b''.join(
                field for name, field in target.fields
                if (name in wanted) != body.header.negate) + b'\r\n'
        else:
            names.append(b'HEADER')
            content = b'' if target is None else target.header
    elif body.text is not None:
        names.append(b'TEXT')
        target = part if not numbers or part is None else (
            part.children[0] if part.type == 'message/rfc822' else None)
        content = b'' if target is None else target.body
    elif body.mime is not None:
        names.append(b'MIME')
        content = b'' if part is None or not numbers else part.header
    else:
        content = b'' if part is None else (part.data if not numbers else part.body)
    label = b'BODY[' + b'.'.join(names) + b']'
    if body.partialBegin is not None:
        label += b'<%d>' % body.partialBegin
        content = content[body.partialBegin:body.partialBegin + body.partialLength]
    return label, content


# ---------------------------------------------------------------- IMAP data formats

class Atom(bytes):
    """Bytes sent as they are (NIL, a number, a flag), never quoted."""


NIL = Atom(b'NIL')


class Juxtaposed(list):
    """Items sent side by side with no space: the parts of a multipart BODYSTRUCTURE."""


def encode(item):
    """Python data -> IMAP syntax: None NIL, int number, str/bytes string, list parenthesised."""
    if item is None:
        return NIL
    if isinstance(item, Atom):
        return item
    if isinstance(item, int):
        return b'%d' % item
    if isinstance(item, Juxtaposed):
        return b''.join(encode(each) for each in item)
    if isinstance(item, (list, tuple)):
        return b'(' + b' '.join(encode(each) for each in item) + b')'
    if isinstance(item, str):
        item = item.encode('utf-8', 'surrogateescape')
    if re.search(rb'[\r\n\x00\x80-\xff]', item) or len(item) > 1000:
        return b'{%d}\r\n' % len(item) + item
    return b'"' + item.replace(b'\\', b'\\\\').replace(b'"', b'\\"') + b'"'


def addresses(value):
    """An address header -> the ENVELOPE list of (name adl mailbox host), or None."""
    if not value:
        return None
    result = []
    for name, address in email.utils.getaddresses([value]):
        local, _, host = address.rpartition('@') if '@' in address else (address, '', '')
        result.append([name or None, None, local or None, host or None])
    return result or None


def envelope(part):
    """The ENVELOPE of a message (RFC 3501 7.4.2): raw header values, encoded words kept."""
    sender = part.value('from')
    return [part.value('date'), part.value('subject'), addresses(sender),
            addresses(part.value('sender') or sender),
            addresses(part.value('reply-to') or sender), addresses(part.value('to')),
            addresses(part.value('cc')), addresses(part.value('bcc')),
            part.value('in-reply-to'), part.value('message-id')]


def params(pairs):
    """MIME parameters -> IMAP's flat list ("NAME" "value" ...), or None."""
    flat = []
    for name, value in pairs:
        if isinstance(value, tuple):
            value = email.utils.collapse_rfc2231_value(value)
        flat += [name.upper(), value]
    return flat or None


def disposition(part):
    value = part.meta.get('content-disposition')
    if not value:
        return None
    pairs = part.meta.get_params(header='content-disposition') or []
    return [pairs[0][0].upper(), params(pairs[1:])] if pairs else None


def bodystructure(part, extended=True):
    """The BODYSTRUCTURE (or BODY, when not extended) of a MIME entity, as a list."""
    main, sub = (word.upper() for word in part.type.split('/', 1))
    if main == 'MULTIPART':
        children = part.children or [Part(b'\r\n')]   # at least one part, says the RFC
        result = [Juxtaposed(bodystructure(child, extended) for child in children), sub]
        if extended:
            result += [params((part.meta.get_params() or [])[1:]), disposition(part),
                       part.value('content-language'), part.value('content-location')]
        return result
    pairs = (part.meta.get_params() or [])[1:]
    if main == 'TEXT' and not any(name.lower() == 'charset' for name, _ in pairs):
        pairs = [('charset', 'us-ascii')] + pairs
    result = [main, sub, params(pairs), part.value('content-id'),
              part.value('content-description'),
              (part.value('content-transfer-encoding') or '7bit').upper(), len(part.body)]
    if main == 'MESSAGE' and sub == 'RFC822':
        inner = part.children[0]
        result += [envelope(inner), bodystructure(inner, extended), part.body.count(b'\n')]
    elif main == 'TEXT':
        result.append(part.body.count(b'\n'))
    if extended:
        result += [part.value('content-md5'), disposition(part),
                   part.value('content-language'), part.value('content-location')]
    return result


def parse_day(text):
    """An IMAP date (1-Feb-1994) -> datetime.date."""
    text = text.decode('ascii') if isinstance(text, bytes) else text
    return datetime.datetime.strptime(text.strip('"'), '%d-%b-%Y').date()


def parse_internaldate(text):
    """An APPEND date-time ("17-Jul-1996 02:44:25 -0700") -> POSIX time."""
    text = text.decode('ascii').strip()
    return datetime.datetime.strptime(text, '%d-%b-%Y %H:%M:%S %z').timestamp()


# ---------------------------------------------------------------- the store

@implementer(imap4.IMessage, imap4.IMessageFile)
class Message:
    """One message of a selected folder: a Maildir file, its UID and its flags."""

    def __init__(self, folder, key, uid, entry):
        self.folder, self.key, self.uid = folder, key, uid
        self.recent = entry[0] == 'new'
        self._data = self._part = None
        self.update(entry)

    def update(self, entry):
        """Take the file's current place and flags: (subdir, file name, letters, mtime)."""
        self.subdir, self.filename, self.letters, self.mtime = entry

    @property
    def path(self):
        return self.folder.path / self.subdir / self.filename

    def data(self):
        """The message as it goes over the wire: CRLF line ends."""
        if self._data is None:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                self.folder.refresh_entry(self)
                raw = self.path.read_bytes() if self.path.exists() else b''
            self._data = raw.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
        return self._data

    def part(self):
        if self._part is None:
            self._part = Part(self.data())
        return self._part

    def set_letters(self, letters):
        """Store new flags the Maildir way: rename the file into cur/ with a new info."""
        letters = ''.join(sorted(set(letters)))
        name = f'{self.key}{COLON}2,{letters}'
        if (self.subdir, self.filename) != ('cur', name):
            try:
                os.rename(self.path, self.folder.path / 'cur' / name)
            except FileNotFoundError:
                self.folder.refresh_entry(self)
                os.rename(self.path, self.folder.path / 'cur' / name)
        self.subdir, self.filename, self.letters = 'cur', name, letters

    # IMessage
    def getUID(self):
        return self.uid

    def getFlags(self):
        flags = [LETTER_FLAGS[letter] for letter in self.letters if letter in LETTER_FLAGS]
        return flags + ['\\Recent'] if self.recent else flags

    def getInternalDate(self):
        return email.utils.formatdate(self.mtime, usegmt=True)

    def getSize(self):
        return len(self.data())

    def open(self):
        return io.BytesIO(self.data())

    # IMessagePart, for Twisted's own code paths
    def getHeaders(self, negate, *names):
        return MessagePart(self.part()).getHeaders(negate, *names)

    def getBodyFile(self):
        return io.BytesIO(self.part().body)

    def isMultipart(self):
        return bool(self.part().type.startswith('multipart/'))

    def getSubPart(self, number):
        return MessagePart(self.part()).getSubPart(number)


@implementer(imap4.IMessagePart)
class MessagePart:
    """A MIME part as Twisted's IMessagePart."""

    def __init__(self, part):
        self.part = part

    def getHeaders(self, negate, *names):
        wanted = {name.decode('ascii').lower() if isinstance(name, bytes) else name.lower()
                  for name in names}
        return {name: self.part.value(name) for name, _ in self.part.fields
                if (name in wanted) != negate}

    def getBodyFile(self):
        return io.BytesIO(self.part.body)

    def getSize(self):
        return len(self.part.body)

    def isMultipart(self):
        return self.part.type.startswith('multipart/')

    def getSubPart(self, number):
        if number >= len(self.part.children):
            raise IndexError(number)
        return MessagePart(self.part.children[number])


def scan(path):
    """The messages of a Maildir folder: {key: (subdir, file name, flag letters, mtime)}."""
    found = {}
    for subdir in ('new', 'cur'):
        with os.scandir(path / subdir) as entries:
            for entry in entries:
                if entry.name.startswith('.') or not entry.is_file():
                    continue
                key, _, info = entry.name.partition(COLON)
                letters = info[2:] if info.startswith('2,') else ''
                found[key] = (subdir, entry.name, letters, entry.stat().st_mtime)
    return found


def sync_uids(path, found):
    """Give each new message the next UID, in delivery order, and save the list atomically."""
    file = path / UIDLIST
    try:
        saved = json.loads(file.read_text(encoding='utf-8'))
        if not {'uidvalidity', 'uidnext', 'uids'} <= set(saved):
            raise ValueError('not a UID list')
    except (FileNotFoundError, ValueError, TypeError):
        saved = {'uidvalidity': int(time.time()), 'uidnext': 1, 'uids': {}}
    uids = {key: uid for key, uid in saved['uids'].items() if key in found}
    new = sorted((key for key in found if key not in uids), key=lambda k: (found[k][3], k))
    for key in new:
        uids[key] = saved['uidnext']
        saved['uidnext'] += 1
    if new or len(uids) != len(saved['uids']):
        saved['uids'] = uids
        temporary = path / (UIDLIST + '.tmp')
        with open(temporary, 'w', encoding='utf-8') as f:
            json.dump(saved, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, file)
    return saved


@implementer(imap4.IMailbox, imap4.ISearchableMailbox)
class Folder:
    """A folder as one session sees it: a snapshot of its messages in UID order."""

    def __init__(self, account, name, path, writable):
        self.account, self.name, self.path, self.writable = account, name, path, writable
        self.messages, self.listeners = [], []
        self.refresh()

    def refresh(self):
        """Re-read the folder: returns (sequence numbers gone, descending; count of new ones)."""
        found = scan(self.path)
        saved = sync_uids(self.path, found)
        self.uidvalidity, self.uidnext = saved['uidvalidity'], saved['uidnext']
        gone = []
        for number in range(len(self.messages), 0, -1):
            message = self.messages[number - 1]
            if message.key in found:
                message.update(found[message.key])
            else:
                del self.messages[number - 1]
                gone.append(number)
        known = {message.key for message in self.messages}
        new = sorted((Message(self, key, saved['uids'][key], entry)
                      for key, entry in found.items() if key not in known),
                     key=lambda message: message.uid)
        for message in new:
            if self.writable and message.subdir == 'new':
                message.set_letters(message.letters)  # seen by a client now: new/ -> cur/
        self.messages += new
        return gone, len(new)

    def refresh_entry(self, message):
        """Find a message again after another session renamed its file."""
        entry = scan(self.path).get(message.key)
        if entry:
            message.update(entry)

    def resolve(self, messages, uid):
        """A MessageSet (with '*' in it) -> [(sequence number, Message)]."""
        if messages.last is imap4.MessageSet._empty:
            last = self.messages[-1] if self.messages else None
            messages.last = (last.uid if uid else len(self.messages)) if last else 0
        return [(number, message) for number, message in enumerate(self.messages, 1)
                if (message.uid if uid else number) in messages]

    # IMailboxInfo
    def getFlags(self):
        return list(FLAG_LETTERS)

    def getHierarchicalDelimiter(self):
        return SEPARATOR

    # IMailbox
    def getUIDValidity(self):
        return self.uidvalidity

    def getUIDNext(self):
        return self.uidnext

    def getUID(self, number):
        return self.messages[number - 1].uid

    def getMessageCount(self):
        return len(self.messages)

    def getRecentCount(self):
        return sum(message.recent for message in self.messages)

    def getUnseenCount(self):
        return sum('S' not in message.letters for message in self.messages)

    def isWriteable(self):
        return self.writable

    def destroy(self):
        raise imap4.MailboxException('folders are not deleted in the playground')

    def requestStatus(self, names):
        return imap4.statusRequestHelper(self, names)

    def addListener(self, listener):
        self.listeners.append(listener)

    def removeListener(self, listener):
        if listener in self.listeners:
            self.listeners.remove(listener)

    def addMessage(self, message, flags=(), date=None):
        """APPEND: deliver into this folder the way SMTP does (durably, tmp/ then new/ or cur/)."""
        letters = ''.join(sorted({FLAG_LETTERS[f] for f in map(canonical_flag, flags)
                                  if f in FLAG_LETTERS}))
        key = self.account.deliver(message.read(), self.name, letters)
        if date:
            when = parse_internaldate(date)
            name = key + (f'{COLON}2,{letters}' if letters else '')
            os.utime(self.path / ('cur' if letters else 'new') / name, (when, when))
        return defer.succeed(key)

    def expunge(self):
        """Remove the messages flagged \\Deleted; return their sequence numbers, descending."""
        gone = []
        for number in range(len(self.messages), 0, -1):
            message = self.messages[number - 1]
            if 'T' in message.letters:
                try:
                    os.unlink(message.path)
                except FileNotFoundError:
                    pass
                del self.messages[number - 1]
                gone.append(number)
        sync_uids(self.path, scan(self.path))
        return gone

    def fetch(self, messages, uid):
        return self.resolve(messages, uid)

    def store(self, messages, flags, mode, uid):
        letters = {FLAG_LETTERS[f] for f in map(canonical_flag, flags) if f in FLAG_LETTERS}
        changed = {}
        for number, message in self.resolve(messages, uid):
            old = set(message.letters)
            new = old | letters if mode > 0 else old - letters if mode < 0 else letters
            try:
                message.set_letters(new)
            except FileNotFoundError:
                continue   # expunged by another session meanwhile: NOOP will say so
            changed[number] = message.getFlags()
        return changed

    # ISearchableMailbox
    def search(self, query, uid):
        last = (len(self.messages), self.messages[-1].uid if self.messages else 0)
        return [number for number, message in enumerate(self.messages, 1)
                if Search(list(query), number, message, last).all()]


def canonical_flag(flag):
    """'\\seen' -> '\\Seen'; keywords stay as they are."""
    flag = flag.decode('ascii', 'replace') if isinstance(flag, bytes) else flag
    return {name.lower(): name for name in FLAG_LETTERS}.get(flag.lower(), flag)


class Search:
    """Evaluate a parsed SEARCH query (RFC 3501 6.4.4) against one message."""

    FLAGS = {'ANSWERED': 'R', 'DELETED': 'T', 'DRAFT': 'D', 'FLAGGED': 'F', 'SEEN': 'S'}
    HEADERS = {'FROM', 'TO', 'CC', 'BCC', 'SUBJECT'}

    def __init__(self, tokens, number, message, last):
        self.tokens, self.number, self.message, self.last = tokens, number, message, last

    def next(self):
        if not self.tokens:
            raise ValueError('search key expected')
        token = self.tokens.pop(0)
        return token.decode('utf-8', 'replace') if isinstance(token, bytes) else token

    def all(self):
        """Every key must match (the implicit AND of a search program)."""
        results = []
        while self.tokens:
            results.append(self.key())
        return all(results)

    def key(self):
        token = self.next()
        if isinstance(token, list):
            return Search(list(token), self.number, self.message, self.last).all()
        word, message = token.upper(), self.message
        part = message.part
        if word[:1].isdigit() or word[:1] == '*':
            return self.number in imap4.parseIdList(word.encode(), self.last[0])
        if word == 'ALL':
            return True
        if word in self.FLAGS:
            return self.FLAGS[word] in message.letters
        if word.startswith('UN') and word[2:] in self.FLAGS:
            return self.FLAGS[word[2:]] not in message.letters
        if word in ('RECENT', 'NEW', 'OLD'):
            return {'RECENT': message.recent, 'OLD': not message.recent,
                    'NEW': message.recent and 'S' not in message.letters}[word]
        if word in self.HEADERS:
            return self.next().lower() in part().text(word.lower()).lower()
        if word == 'HEADER':
            name = self.next().lower()
            return self.next().lower() in part().text(name).lower()
        if word in ('BODY', 'TEXT'):
            wanted = self.next().lower().encode('utf-8')
            haystack = part().body if word == 'BODY' else part().data
            return wanted in haystack.lower() or wanted in self.decoded(word).lower()
        if word in ('LARGER', 'SMALLER'):
            size = int(self.next())
            return message.getSize() > size if word == 'LARGER' else message.getSize() < size
        if word in ('BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE'):
            day = parse_day(self.next())
            if word.startswith('SENT'):
                try:
                    have = email.utils.parsedate_to_datetime(part().value('date')).date()
                except (TypeError, ValueError):
                    have = None
                word = word[4:]
            else:
                have = datetime.datetime.fromtimestamp(message.mtime, datetime.timezone.utc).date()
            if have is None:
                return False
            return {'BEFORE': have < day, 'ON': have == day, 'SINCE': have >= day}[word]
        if word == 'UID':
            return message.uid in imap4.parseIdList(self.next().encode(), self.last[1])
        if word == 'NOT':
            return not self.key()
        if word == 'OR':
            first, second = self.key(), self.key()
            return first or second
        if word in ('KEYWORD', 'UNKEYWORD'):
            self.next()
            return word == 'UNKEYWORD'
        raise ValueError(f'unknown search key {token}')

    def decoded(self, word):
        """The text of the message's text parts (and headers, for TEXT), decoded, as UTF-8."""
        msg = email.message_from_bytes(self.message.data(), policy=email.policy.default)
        texts = [str(value) for value in msg.values()] if word == 'TEXT' else []
        for each in msg.walk():
            if each.get_content_maintype() == 'text':
                try:
                    texts.append(each.get_content())
                except (LookupError, ValueError):
                    pass
        return '\n'.join(texts).encode('utf-8', 'surrogateescape')


class ListEntry:
    """What LIST shows of a folder: its attributes and the hierarchy separator."""

    def __init__(self, flags):
        self.flags = flags

    def getFlags(self):
        return self.flags

    def getHierarchicalDelimiter(self):
        return SEPARATOR


@implementer(imap4.IAccount, imap4.INamespacePresenter)
class Account:
    """A user's mailbox: INBOX is the Maildir itself, other folders are Maildir++ '.Name' dirs."""

    def __init__(self, store, user):
        self.store, self.user = store, user
        self.root = mailstore.root(store) / user

    def deliver(self, data, folder, letters):
        return mailstore.deliver(self.store, self.user, data,
                                 folder=None if folder == 'INBOX' else folder, flags=letters)

    def path(self, name):
        """The folder's directory, or None when the name is no folder of ours."""
        if name.upper() == 'INBOX':
            return self.root
        parts = name.split(SEPARATOR)
        if '/' in name or '\x00' in name or not all(parts) or name.upper().startswith('INBOX.'):
            return None
        path = self.root / ('.' + name)
        return path if (path / 'cur').is_dir() else None

    def folders(self):
        """{name: LIST attributes} for every folder, including \\Noselect parents."""
        names = {'INBOX'} | {entry.name[1:] for entry in os.scandir(self.root)
                             if entry.name.startswith('.') and len(entry.name) > 1
                             and (self.root / entry.name / 'cur').is_dir()}
        parents = {SEPARATOR.join(name.split(SEPARATOR)[:i]) for name in names
                   for i in range(1, name.count(SEPARATOR) + 1)} - names
        result = {}
        for name in names | parents:
            children = any(other.startswith(name + SEPARATOR) for other in names)
            flags = ['\\HasChildren' if children else '\\HasNoChildren']
            result[name] = (['\\Noselect'] if name in parents else []) + flags
        return result

    # IAccount
    def listMailboxes(self, ref, wildcard):
        pattern = imap4.wildcardToRegexp(ref + wildcard, SEPARATOR)
        folders = self.folders()
        order = sorted(folders, key=lambda name: (name != 'INBOX', name))
        return [(name, ListEntry(folders[name])) for name in order if pattern.fullmatch(name)]

    def select(self, name, rw=False):
        path = self.path(name)
        if path is None:
            return None
        return Folder(self, 'INBOX' if path == self.root else name, path, bool(rw))

    def create(self, pathspec):
        name = pathspec.rstrip(SEPARATOR)
        if self.path(name) is not None:
            raise imap4.MailboxCollision(name)
        if name.upper() == 'INBOX' or not all(name.split(SEPARATOR)) or '/' in name:
            raise imap4.MailboxException(f'invalid folder name {name!r}')
        mailstore.maildir(self.store, self.user).add_folder(name)
        return True

    def delete(self, name):
        raise imap4.MailboxException('folders are not deleted in the playground')

    def rename(self, oldname, newname):
        raise imap4.MailboxException('folders are not renamed in the playground')

    def isSubscribed(self, name):
        return name in self.folders()

    def subscribe(self, name):
        return True

    def unsubscribe(self, name):
        return True

    def addMailbox(self, name, mbox=None):
        return self.create(name)

    # INamespacePresenter
    def getPersonalNamespaces(self):
        return [[b'', SEPARATOR.encode()]]

    def getSharedNamespaces(self):
        return None

    def getOtherNamespaces(self):
        return None

    def getUserNamespaces(self):
        return None


# ---------------------------------------------------------------- logging in

@implementer(checkers.ICredentialsChecker)
class PasswordChecker:
    """The playground's users and passwords, from playground.mailstore."""
    credentialInterfaces = (credentials.IUsernamePassword,)

    def requestAvatarId(self, creds):
        user = creds.username.decode('utf-8', 'replace') if creds.username else ''
        password = mailstore.USERS.get(user)
        if password is not None and creds.checkPassword(password.encode('utf-8')):
            return defer.succeed(user)
        return defer.fail(cred_error.UnauthorizedLogin())


@implementer(portal.IRealm)
class Realm:
    def __init__(self, store):
        self.store = store

    def requestAvatar(self, avatar_id, mind, *interfaces):
        if imap4.IAccount not in interfaces:
            raise NotImplementedError('only IMAP accounts here')
        return imap4.IAccount, Account(self.store, avatar_id), lambda: None


# ---------------------------------------------------------------- the protocol

def guarded(handler):
    """A command handler that answers BAD (and logs) instead of leaving the client hanging."""
    @functools.wraps(handler)
    def run(self, tag, *args, **kwargs):
        try:
            return handler(self, tag, *args, **kwargs)
        except (ValueError, IndexError, imap4.IllegalQueryError,
                imap4.IllegalIdentifierError) as e:
            self.sendBadResponse(tag, b'Bad request: ' + str(e).encode('utf-8', 'replace'))
        except imap4.MailboxException as e:
            self.sendNegativeResponse(tag, str(e).encode('utf-8', 'replace'))
        except Exception:
            log.err(None, f'IMAP command failed: {handler.__name__}')
            self.sendBadResponse(tag, b'Server error')
    return run


class Server(imap4.IMAP4Server):
    """Twisted's IMAP4 server with the fetch side answered from exact bytes, and sturdier."""

    MAX_LENGTH = MAX_LINE
    _overflow = False
    _leftover = b''

    # -- lines that are too long: answer BAD, drop the rest of that line, go on serving
    def dataReceived(self, data):
        while data:
            if self._overflow:
                end = data.find(b'\n')
                if end < 0:
                    return
                self._overflow, data = False, data[end + 1:]
                self.sendBadResponse(self._overflow_tag, b'Command line too long')
                continue
            super().dataReceived(data)
            data, self._leftover = self._leftover, b''

    def lineLengthExceeded(self, line):
        tag = line.split(b' ', 1)[0]
        self._overflow_tag = tag if 0 < len(tag) <= 64 and tag.isalnum() else None
        end = line.find(b'\n')
        if end < 0:
            self._overflow = True
        else:
            self.sendBadResponse(self._overflow_tag, b'Command line too long')
            self._leftover = line[end + 1:]

    def arg_literal(self, line):
        size = re.fullmatch(rb'\{(\d+)\+?\}', line or b'')
        if size and int(size[1]) > MAX_LITERAL:
            raise imap4.IllegalClientResponse(f'Literal too large (at most {MAX_LITERAL} octets)')
        return imap4.IMAP4Server.arg_literal(self, line)

    def arg_fetchatt(self, line):
        try:
            return imap4.IMAP4Server.arg_fetchatt(self, line)
        except imap4.IllegalClientResponse:
            raise
        except Exception as e:
            raise imap4.IllegalClientResponse(f'bad fetch item: {e}') from None

    select_FETCH = (imap4.IMAP4Server.do_FETCH, imap4.IMAP4Server.arg_seqset, arg_fetchatt)
    auth_APPEND = select_APPEND = (imap4.IMAP4Server.do_APPEND, imap4.IMAP4Server.arg_astring,
                                   imap4.IMAP4Server.opt_plist, imap4.IMAP4Server.opt_datetime,
                                   arg_literal)

    # -- logging in
    def authenticateLogin(self, user, passwd):
        return self.portal.login(credentials.UsernamePassword(user, passwd), None, imap4.IAccount)

    # -- SELECT and EXAMINE, with the data clients look for
    @guarded
    def do_SELECT(self, tag, name, rw, command):
        if self.mbox:
            self.mbox.removeListener(self)
            self.mbox, self.state = None, 'auth'
        name = imap4._parseMbox(name)
        folder = self.account.select(name, rw)
        if folder is None:
            if '\\Noselect' in self.account.folders().get(name, []):
                self.sendNegativeResponse(tag, b'Mailbox cannot be selected (\\Noselect)')
            else:
                self.sendNegativeResponse(tag, b'[NONEXISTENT] No such mailbox')
            return
        flags = ' '.join(FLAG_LETTERS).encode()
        self.sendUntaggedResponse(b'%d EXISTS' % folder.getMessageCount())
        self.sendUntaggedResponse(b'%d RECENT' % folder.getRecentCount())
        self.sendUntaggedResponse(b'FLAGS (' + flags + b')')
        permanent = flags if folder.isWriteable() else b''
        self.sendPositiveResponse(None, b'[PERMANENTFLAGS (' + permanent + b')] Limited')
        unseen = [n for n, m in enumerate(folder.messages, 1) if 'S' not in m.letters]
        if unseen:
            self.sendPositiveResponse(None, b'[UNSEEN %d] First unseen' % unseen[0])
        self.sendPositiveResponse(None, b'[UIDVALIDITY %d] UIDs valid' % folder.getUIDValidity())
        self.sendPositiveResponse(None, b'[UIDNEXT %d] Predicted next UID' % folder.getUIDNext())
        mode = b'READ-WRITE' if folder.isWriteable() else b'READ-ONLY'
        folder.addListener(self)
        self.mbox, self.state = folder, 'select'
        self.sendPositiveResponse(tag, b'[' + mode + b'] ' + command + b' completed')

    auth_SELECT = select_SELECT = (do_SELECT, imap4.IMAP4Server.arg_astring, 1, b'SELECT')
    auth_EXAMINE = select_EXAMINE = (do_SELECT, imap4.IMAP4Server.arg_astring, 0, b'EXAMINE')

    # -- NOOP and CHECK show what arrived (or left) meanwhile
    def poll(self):
        if self.mbox is not None:
            gone, new = self.mbox.refresh()
            for number in gone:
                self.sendUntaggedResponse(b'%d EXPUNGE' % number)
            if gone or new:
                self.sendUntaggedResponse(b'%d EXISTS' % self.mbox.getMessageCount())
                self.sendUntaggedResponse(b'%d RECENT' % self.mbox.getRecentCount())

    @guarded
    def do_NOOP(self, tag):
        self.poll()
        self.sendPositiveResponse(tag, b'NOOP completed')

    select_NOOP = (do_NOOP,)

    @guarded
    def do_CHECK(self, tag):
        self.poll()
        self.sendPositiveResponse(tag, b'CHECK completed')

    select_CHECK = (do_CHECK,)

    # -- SEARCH
    @guarded
    def do_SEARCH(self, tag, charset, query, uid=0):
        if charset and charset.upper() not in (b'US-ASCII', b'UTF-8'):
            self.sendNegativeResponse(tag, b'[BADCHARSET (US-ASCII UTF-8)] Unsupported charset')
            return
        numbers = self.mbox.search(query, uid)
        found = [self.mbox.getUID(n) if uid else n for n in numbers]
        self.sendUntaggedResponse(b' '.join([b'SEARCH'] + [b'%d' % n for n in found]))
        self.sendPositiveResponse(tag, b'SEARCH completed')

    select_SEARCH = (do_SEARCH, imap4.IMAP4Server.opt_charset, imap4.IMAP4Server.arg_searchkeys)

    # -- STORE, refused on a folder opened with EXAMINE
    @guarded
    def do_STORE(self, tag, messages, mode, flags, uid=0):
        if not self.mbox.isWriteable():
            self.sendNegativeResponse(tag, b'Mailbox is read-only (EXAMINE)')
            return
        silent = mode.upper().endswith(b'.SILENT')
        sign = {b'+': 1, b'-': -1}.get(mode[:1], 0)
        changed = self.mbox.store(messages, [f.decode() for f in flags], sign, uid)
        if not silent:
            for number, new in sorted(changed.items()):
                extra = b' UID %d' % self.mbox.getUID(number) if uid else b''
                self.sendUntaggedResponse(b'%d FETCH (FLAGS (%s)%s)' % (
                    number, ' '.join(new).encode(), extra))
        self.sendPositiveResponse(tag, b'STORE completed')

    select_STORE = (do_STORE, imap4.IMAP4Server.arg_seqset, imap4.IMAP4Server.arg_atom,
                    imap4.IMAP4Server.arg_flaglist)

    # -- COPY and APPEND: deliver into the target folder, keeping flags and date
    @guarded
    def do_COPY(self, tag, messages, mailbox, uid=0):
        target = self.account.select(imap4._parseMbox(mailbox))
        if target is None:
            self.sendNegativeResponse(tag, b'[TRYCREATE] No such mailbox')
            return
        for _, message in self.mbox.resolve(messages, uid):
            letters = message.letters
            key = self.account.deliver(message.data(), target.name, letters)
            name = key + (f'{COLON}2,{letters}' if letters else '')
            os.utime(target.path / ('cur' if letters else 'new') / name,
                     (message.mtime, message.mtime))
        self.sendPositiveResponse(tag, b'COPY completed')

    select_COPY = (do_COPY, imap4.IMAP4Server.arg_seqset, imap4.IMAP4Server.arg_finalastring)

    def _cbAppendGotMailbox(self, mbox, tag, flags, date, message):
        try:
            if not mbox:
                self.sendNegativeResponse(tag, b'[TRYCREATE] No such mailbox')
                return
            mbox.addMessage(message, [f.decode() for f in flags or ()], date)
            if self.mbox is not None and self.mbox.path == mbox.path:
                self.poll()
            self.sendPositiveResponse(tag, b'APPEND completed')
        except ValueError as e:
            self.sendBadResponse(tag, b'APPEND failed: ' + str(e).encode())
        except Exception:
            log.err(None, 'APPEND failed')
            self.sendBadResponse(tag, b'APPEND failed: server error')

    # -- FETCH: every item from the exact bytes; BODY[] (not PEEK) sets \Seen
    def spewMessage(self, id, msg, query, uid):
        items, wants_flags = [], False
        seen = any((item.type == 'body' and not item.peek and (
            item.empty or item.header or item.text or item.mime))
            or item.type in ('rfc822', 'rfc822text') for item in query)
        try:
            if seen and self.mbox.isWriteable() and 'S' not in msg.letters:
                msg.set_letters(msg.letters + 'S')
            else:
                seen = False
        except FileNotFoundError:
            seen = False   # expunged by another session meanwhile
        for item in query:
            kind = item.type
            if kind == 'flags':
                wants_flags = True
                items.append(b'FLAGS (' + ' '.join(msg.getFlags()).encode() + b')')
            elif kind == 'uid':
                items.append(b'UID %d' % msg.uid)
            elif kind == 'internaldate':
                when = datetime.datetime.fromtimestamp(msg.mtime, datetime.timezone.utc)
                items.append(b'INTERNALDATE "' + imap_date(when) + b'"')
            elif kind == 'rfc822size':
                items.append(b'RFC822.SIZE %d' % msg.getSize())
            elif kind == 'envelope':
                items.append(b'ENVELOPE ' + encode(envelope(msg.part())))
            elif kind == 'bodystructure':
                items.append(b'BODYSTRUCTURE ' + encode(bodystructure(msg.part())))
            elif kind == 'rfc822':
                items.append(b'RFC822 ' + literal(msg.data()))
            elif kind == 'rfc822header':
                items.append(b'RFC822.HEADER ' + literal(msg.part().header))
            elif kind == 'rfc822text':
                items.append(b'RFC822.TEXT ' + literal(msg.part().body))
            elif kind == 'body' and not (item.empty or item.header or item.text or item.mime):
                items.append(b'BODY ' + encode(bodystructure(msg.part(), extended=False)))
            elif kind == 'body':
                label, content = section(msg.part(), item)
                items.append(label + b' ' + literal(content))
        if uid and not any(item.type == 'uid' for item in query):
            items.insert(0, b'UID %d' % msg.uid)    # UID FETCH always tells the UID
        if seen and not wants_flags:
            items.append(b'FLAGS (' + ' '.join(msg.getFlags()).encode() + b')')
        self.transport.write(b'* %d FETCH (' % id + b' '.join(items) + b')\r\n')
        return defer.succeed(None)


def literal(data):
    return b'{%d}\r\n' % len(data) + data


def imap_date(when):
    """A datetime -> '02-Nov-2026 09:15:00 +0000' (English month names, whatever the locale)."""
    month = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[when.month - 1]
    return f'{when.day:02d}-{month}-{when:%Y %H:%M:%S} +0000'.encode()


class ServerFactory(protocol.Factory):
    """Builds a Server per connection; STARTTLS when given a context, LOGIN/PLAIN after TLS."""

    def __init__(self, store, tls_context=None, implicit_tls=False):
        self.store, self.tls_context, self.implicit_tls = store, tls_context, implicit_tls
        self.portal = portal.Portal(Realm(store), [PasswordChecker()])

    def buildProtocol(self, addr):
        challengers = {b'LOGIN': LOGINCredentials, b'PLAIN': PLAINCredentials}
        server = Server(chal=challengers if self.implicit_tls else {},
                        contextFactory=self.tls_context)
        server.portal, server.factory = self.portal, self
        return server


def log_errors_to_stderr():
    """Twisted logs nothing by default: show warnings and errors (with tracebacks) on stderr."""
    from twisted.logger import (FilteringLogObserver, LogLevel, LogLevelFilterPredicate,
                                globalLogBeginner, textFileLogObserver)
    observer = FilteringLogObserver(textFileLogObserver(sys.stderr),
                                    [LogLevelFilterPredicate(defaultLogLevel=LogLevel.warn)])
    globalLogBeginner.beginLoggingTo([observer], redirectStandardIO=False)


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    tls.ensure(args.state)
    mailstore.prepare(args.state, reset=False)
    log_errors_to_stderr()
    from twisted.internet import reactor, ssl
    files = tls_files(args.state)
    context = ssl.DefaultOpenSSLContextFactory(str(files['key']), str(files['cert']))
    reactor.listenTCP(port(args.port_offset, IMAP), ServerFactory(args.state, context),
                      interface=args.host)
    reactor.listenSSL(port(args.port_offset, IMAPS),
                      ServerFactory(args.state, implicit_tls=True), context,
                      interface=args.host)
    stopping = []

    def stop(signum, frame):
        """Stop once, however many signals come (Ctrl-C, SIGTERM, the launcher's closed stdin)."""
        if not stopping:
            stopping.append(signum)
            reactor.callFromThread(reactor.stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    reactor.run(installSignalHandlers=False)
    # The --watch-stdin thread may still sit in a read of stdin: end here, before
    # interpreter shutdown trips over its lock ("Fatal Python error: ... <stdin>").
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == '__main__':
    run_quietly(main)
