"""The store layer of the IMAP service: folders, messages, UIDs and flags over Maildir.

Folders are the Maildir++ folders of playground.mailstore ('.' separates
the levels; 'Archive' only holds 'Archive.2010' and 'Archive.2011', so it
is \\Noselect).  Flags live in the Maildir file names, so they survive
restarts.  UIDs are kept in a small JSON file in each folder
(imap-uidlist.json, with its UIDVALIDITY, written when the folder is first
seen, empty or not): a message keeps its UID across restarts, a UID is
never given twice, and UIDVALIDITY stays the same for the folder's life
(RFC 3501 2.3.1.1).

A session holds no message bodies: a message is read from disk when a
command needs it and let go afterwards, so a FETCH of 5,000 messages costs
the memory of one.  The classes implement Twisted's IMAP interfaces
(IAccount, IMailbox, IMessage) where the protocol layer still calls them.
"""
import email.utils
import io
import json
import mailbox
import os
import time

from twisted.mail import imap4
from zope.interface import implementer

from playground import mailstore
from playground.imap.mime import Part, parse_internaldate
from playground.imap.search import search

UIDLIST = 'imap-uidlist.json'
SEPARATOR = mailstore.SEPARATOR
FLAG_LETTERS = {'\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S',
                '\\Deleted': 'T'}     # the Maildir "info" letters, in their sorted order
LETTER_FLAGS = {letter: flag for flag, letter in FLAG_LETTERS.items()}
COLON = mailbox.Maildir.colon         # between a Maildir file's key and its info ('2,FS')


def crlf(data):
    """Stored bytes (LF line ends) as they go over the wire (CRLF)."""
    return data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


# ---------------------------------------------------------------- messages

@implementer(imap4.IMessage, imap4.IMessageFile)
class Message:
    """One message of a selected folder: a Maildir file, its UID and its flags."""

    def __init__(self, folder, key, uid, entry):
        self.folder, self.key, self.uid = folder, key, uid
        self.recent = entry[0] == 'new'
        self.size = None               # octets on the wire, known once read
        self.update(entry)

    def update(self, entry):
        """Take the file's current place and flags: (subdir, file name, letters, mtime)."""
        self.subdir, self.filename, self.letters, self.mtime = entry

    @property
    def path(self):
        return self.folder.path / self.subdir / self.filename

    def data(self):
        """The message as it goes over the wire (CRLF line ends), read from disk now."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.folder.refresh_entry(self)    # renamed by another session: find it again
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                raw = b''                      # expunged by another session meanwhile
        data = crlf(raw)
        self.size = len(data)
        return data

    def part(self):
        return Part(self.data())

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
        if self.size is None:
            self.data()
        return self.size

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


# ---------------------------------------------------------------- folders and UIDs

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


def sync_uids(path, found, first=()):
    """Give each new message the next UID and save the list atomically; return it.

    New messages are numbered in delivery order, except those named in `first`,
    which come first and in that order (a COPY's messages, in the order copied).
    The list is saved the first time a folder is seen even when it is empty, so
    that its UIDVALIDITY holds for the folder's life (RFC 3501 2.3.1.1).
    """
    file = path / UIDLIST
    try:
        saved = json.loads(file.read_text(encoding='utf-8'))
        if not {'uidvalidity', 'uidnext', 'uids'} <= set(saved):
            raise ValueError('not a UID list')
        created = False
    except (FileNotFoundError, ValueError, TypeError):
        saved = {'uidvalidity': int(time.time()), 'uidnext': 1, 'uids': {}}
        created = True
    uids = {key: uid for key, uid in saved['uids'].items() if key in found}
    chosen = [key for key in dict.fromkeys(first) if key in found and key not in uids]
    rest = sorted((key for key in found if key not in uids and key not in set(chosen)),
                  key=lambda k: (found[k][3], k))
    for key in chosen + rest:
        uids[key] = saved['uidnext']
        saved['uidnext'] += 1
    if created or chosen or rest or len(uids) != len(saved['uids']):
        saved['uids'] = uids
        temporary = path / (UIDLIST + '.tmp')
        with open(temporary, 'w', encoding='utf-8') as f:
            json.dump(saved, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, file)
    return saved


def changed_since(path, stamp):
    """Has the folder's new/ or cur/ changed since `stamp`?  Returns (changed, new stamp).

    The stamp is the file names in new/ and cur/: a delivery adds one, a flag
    change renames one, an expunge removes one.  (Not the directories'
    modification times: two changes within one tick of the kernel's clock
    leave the time as it was, and IDLE missed a message delivered so.)
    """
    now = tuple(frozenset(os.listdir(path / subdir)) for subdir in ('new', 'cur'))
    return now != stamp, now


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
        last = self.messages[-1] if self.messages else None
        try:
            messages.last = (last.uid if uid else len(self.messages)) if last else 0
        except ValueError:
            pass    # '*' was given its value already
        return [(number, message) for number, message in enumerate(self.messages, 1)
                if (message.uid if uid else number) in messages]

    def uids_of(self, keys):
        """Number the messages just delivered here, in this order: {key: UID}."""
        saved = sync_uids(self.path, scan(self.path), first=keys)
        self.uidvalidity, self.uidnext = saved['uidvalidity'], saved['uidnext']
        return {key: saved['uids'][key] for key in keys if key in saved['uids']}

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
        """APPEND: deliver into this folder the way SMTP does (durably, tmp/ then new/ or cur/).

        Returns the new message's Maildir key."""
        letters = ''.join(sorted({FLAG_LETTERS[f] for f in map(canonical_flag, flags)
                                  if f in FLAG_LETTERS}))
        key = self.account.deliver(message.read(), self.name, letters)
        if date:
            when = parse_internaldate(date)
            name = key + (f'{COLON}2,{letters}' if letters else '')
            os.utime(self.path / ('cur' if letters else 'new') / name, (when, when))
        return key

    def expunge(self, only=None, uid=False):
        """Remove the messages flagged \\Deleted (of those in the MessageSet `only`, when
        given: UID EXPUNGE); return their sequence numbers, descending."""
        if only is not None:
            wanted = {id(message) for _, message in self.resolve(only, uid)}
        gone = []
        for number in range(len(self.messages), 0, -1):
            message = self.messages[number - 1]
            if 'T' in message.letters and (only is None or id(message) in wanted):
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

    def search(self, query, uid):
        return search(self.messages, query, uid)


def canonical_flag(flag):
    """'\\seen' -> '\\Seen'; keywords stay as they are."""
    flag = flag.decode('ascii', 'replace') if isinstance(flag, bytes) else flag
    return {name.lower(): name for name in FLAG_LETTERS}.get(flag.lower(), flag)


# ---------------------------------------------------------------- LIST patterns

def list_pattern(pattern):
    """An IMAP LIST pattern as tokens, runs of wildcards made one ('**' is '*', '*%' is '*')."""
    tokens = []
    for char in pattern:
        if char in '*%' and tokens and tokens[-1] in ('*', '%'):
            tokens[-1] = '*' if '*' in (char, tokens[-1]) else '%'
        else:
            tokens.append(char)
    return tokens


def list_match(tokens, name, separator=SEPARATOR):
    """Does a LIST pattern (from list_pattern) match a folder name?  (RFC 3501 6.3.8)

    '*' matches anything, '%' anything but the separator.  The set of pattern
    positions reachable so far is carried along the name: the work is at most
    len(name) squared, however many wildcards the pattern has (a regular
    expression with many '*' backtracks: Twisted's wildcardToRegexp).
    """
    def closure(positions):       # a wildcard may match nothing: also stand after it
        result = set()
        for i in positions:
            result.add(i)
            if i < len(tokens) and tokens[i] in ('*', '%'):
                result.add(i + 1)
        return result
    positions = closure({0})
    for char in name:
        following = set()
        for i in positions:
            if i == len(tokens):
                continue
            token = tokens[i]
            if token == '*' or (token == '%' and char != separator):
                following.add(i)          # the wildcard takes this character too
            elif token == char:
                following.add(i + 1)
        positions = closure(following)
        if not positions:
            return False
    return len(tokens) in positions


# ---------------------------------------------------------------- the account

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
        if not wildcard:     # LIST ref "": the hierarchy delimiter and the root (RFC 3501 6.3.8)
            root = ref.split(SEPARATOR, 1)[0] + SEPARATOR if SEPARATOR in ref else ''
            return [(root, ListEntry(['\\Noselect']))]
        tokens = list_pattern(ref + wildcard)
        inbox = list_pattern((ref + wildcard).upper())   # INBOX is INBOX in any case
        folders = self.folders()
        order = sorted(folders, key=lambda name: (name != 'INBOX', name))
        return [(name, ListEntry(folders[name])) for name in order
                if list_match(tokens, name) or (name == 'INBOX' and list_match(inbox, name))]

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
        path = self.path(name)
        sync_uids(path, scan(path))      # its UIDVALIDITY is fixed now, for its life
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
