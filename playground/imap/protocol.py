"""The protocol layer of the IMAP service: Twisted's IMAP4Server, corrected, and main().

Twisted's IMAP4Server parses the commands and keeps the session's state;
the store layer (playground.imap.store) holds the mail, the MIME layer
(playground.imap.mime) cuts the bytes a FETCH sends.  Where Twisted gets
IMAP wrong, or can be made to fall over by one client, the class below
overrides it.  The ledger says which override works around what, so that
the next maintainer knows what may go when Twisted fixes it
(tests/test_playground_imap.py checks each behaviour; the Twisted names we
lean on are checked by test_twisted_names_we_rely_on_are_there):

  override                 Twisted defect (Twisted 26.10)                      RFC
  dataReceived,            an overlong line drops the connection, untagged    3501 7.1.3
    lineLengthExceeded     (LineReceiver's default): answer BAD, go on
  lineReceived             any exception: untagged "* BAD Server error: ..."   3501 7.1.3
                           and a traceback per command: tagged BAD, one log
                           line per connection
  lookupCommand            a non-ASCII command name raises UnicodeDecodeError 3501 9
                           (a traceback per line): BAD Unsupported command
  dispatchCommand          a command without arguments (SELECT, FETCH) hands  3501 7.1.3
                           the argument parsers None: AttributeError and a
                           traceback; now BAD Missing argument
  do_STARTTLS              commands pipelined after STARTTLS in the same       3501 6.2.1,
                           plaintext packet run inside the TLS session         2595 3.1
                           (CVE-2011-0411 class): the buffer is discarded
  capabilities             + UIDPLUS, implemented below (IDLE is Twisted's     4315
                           own entry, made true by do_IDLE)
  arg_literal              takes a literal of any size: refuse above 20 MiB    -
  (sturdy) the arg_*       the argument parsers raise anything on bad input   3501 7.1.3
    parsers of our tables  (None, MismatchedNesting, RecursionError on deep
                           parentheses): "Server error" and a traceback; BAD
  do_SELECT (EXAMINE)      omits PERMANENTFLAGS, UNSEEN, UIDNEXT; answers      3501 6.3.1
                           \\Noselect with a str (TypeError)
  do_NOOP, do_CHECK        report nothing that changed meanwhile              3501 6.1.2
  do_STATUS                an unknown item: __ebStatus adds str to bytes,     3501 6.3.10
                           so the client never gets an answer
  do_SEARCH                no [BADCHARSET]; evaluation errors logged as        3501 6.4.4
                           tracebacks
  do_STORE                 changes flags in a folder opened with EXAMINE;     3501 6.3.2,
                           takes any word for FLAGS                            6.4.6
  do_COPY, do_APPEND       no COPYUID / APPENDUID; APPEND's TRYCREATE answer   4315 3,
                           is a str (TypeError)                                3501 6.3.11
  do_EXPUNGE, do_UID       no UID EXPUNGE (do_UID refuses it)                  4315 2.1
  do_FETCH                 recurses once per message through already-fired    3501 6.4.5
                           Deferreds (__cbFetch): RecursionError near 240
                           messages and the client waits forever; no flow
                           control.  Streamed here by FetchStream, in batches,
                           as fast as the client reads
  do_IDLE, parse_idle      advertises IDLE but pushes nothing, and takes any   2177
                           line as DONE: new mail is pushed within a second
  (store) listMailboxes    wildcardToRegexp backtracks on many '*' (seconds   3501 6.3.8
                           of CPU per LIST): store.list_match is linear.
                           LIST "" "" must tell the delimiter (mutt takes '/'
                           without it); an IAccount's job, MemoryAccount skips it
  auth_/select_ tables     imap4._parseMbox logs a traceback for every name   3501 5.1.3
    of CREATE .. LSUB      that is not modified UTF-7: names decoded by our
                           MAILBOX parsers (then NO, and no log line)
  (twisted_service)        whatever Twisted still logs: one line per
                           connection, not a traceback

Run alone: python -m playground.imap [--port-offset N].
"""
import datetime
import functools
import os
import re

from twisted.cred import checkers, credentials, error as cred_error, portal
from twisted.internet import defer, interfaces, protocol
from twisted.logger import Logger
from twisted.mail import imap4
from twisted.python import failure as twisted_failure, log as legacy_log
from zope.interface import implementer

from playground import mailstore
from playground.common import port
from playground.imap import store
from playground.imap.mime import Part, bodystructure, encode, envelope, imap_date, literal, section
from playground.imap.store import COLON, FLAG_LETTERS
from playground.twisted_service import connection_of, serve

IMAP, IMAPS = 143, 993
MAX_LITERAL = 20 * 1024 * 1024        # the largest APPEND we take
MAX_LINE = 64 * 1024                  # the longest command line
FETCH_BATCH = 64 * 1024               # octets a FETCH writes before it lets others run
IDLE_INTERVAL = 0.25                  # seconds between looks at the folder during IDLE
log = Logger()


def mailbox_name(name):
    """A mailbox name from the wire (modified UTF-7, RFC 3501 5.1.3) -> str; NO when it is not."""
    if isinstance(name, str):
        return name
    try:
        return name.decode('imap4-utf-7')
    except (UnicodeError, ValueError):
        raise imap4.IllegalMailboxEncoding(name) from None


def astring(name):
    """A mailbox name as an atom when it can be one, else as a quoted string or literal."""
    if re.fullmatch(rb'[^\x00-\x20\x7f-\xff(){%*"\\\]]+', name):
        return name
    return encode(name)


def uid_set(numbers):
    """[3, 4, 5, 9] -> b'3:5,9', keeping the order (COPYUID pairs its two sets in order)."""
    runs = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return b','.join(b'%d' % a if a == b else b'%d:%d' % (a, b) for a, b in runs)


def sturdy(parse, required=True):
    """One of Twisted's argument parsers, whose surprises become BAD: a missing argument
    (None), unbalanced or very deep parentheses (MismatchedNesting, RecursionError) and
    the like would otherwise be "Server error" and a log line."""
    @functools.wraps(parse)
    def run(self, line):
        line = b'' if line is None else line
        if required and not line.strip():
            raise imap4.IllegalClientResponse('Missing argument')
        try:
            return parse(self, line)
        except (imap4.IllegalClientResponse, imap4.IllegalMailboxEncoding):
            raise
        except Exception as e:
            raise imap4.IllegalClientResponse(f'{type(e).__name__}: {e}'[:200]) from None
    return run


_twisted = imap4.IMAP4Server
ASTRING, FINAL_ASTRING, ATOM, PLIST, SEQSET, FLAGLIST, SEARCHKEYS, FETCHATT = map(sturdy, (
    _twisted.arg_astring, _twisted.arg_finalastring, _twisted.arg_atom, _twisted.arg_plist,
    _twisted.arg_seqset, _twisted.arg_flaglist, _twisted.arg_searchkeys, _twisted.arg_fetchatt))
LINE, OPT_PLIST, OPT_DATETIME, OPT_CHARSET = (sturdy(parse, required=False) for parse in (
    _twisted.arg_line, _twisted.opt_plist, _twisted.opt_datetime, _twisted.opt_charset))


def mailbox_parser(astring):
    """A parser of a mailbox name argument that decodes it (modified UTF-7) at once, so that
    a name that is not (b'&ZZZ-') is NO Illegal mailbox name, where Twisted's own
    _parseMbox writes a traceback to the log first."""
    def decode(result):
        name, rest = result
        return mailbox_name(name), rest

    def parse(self, line):
        parsed = astring(self, line)      # a Deferred when the name comes as a literal
        return parsed.addCallback(decode) if isinstance(parsed, defer.Deferred) else decode(parsed)
    return parse


MAILBOX, FINAL_MAILBOX = mailbox_parser(ASTRING), mailbox_parser(FINAL_ASTRING)


def guarded(handler):
    """A command handler that answers BAD or NO (and logs a line) instead of leaving the
    client waiting."""
    @functools.wraps(handler)
    def run(self, tag, *args, **kwargs):
        try:
            return handler(self, tag, *args, **kwargs)
        except (ValueError, IndexError, imap4.IllegalQueryError,
                imap4.IllegalIdentifierError, imap4.IllegalClientResponse) as e:
            self.sendBadResponse(tag, b'Bad request: ' + str(e).encode('utf-8', 'replace'))
        except imap4.IllegalMailboxEncoding as e:
            self.sendNegativeResponse(tag, b'Illegal mailbox name: ' + bytes(e.args[0])[:100])
        except imap4.MailboxException as e:
            self.sendNegativeResponse(tag, str(e).encode('utf-8', 'replace'))
        except Exception:
            self.report(f'IMAP command failed: {handler.__name__}')
            self.sendBadResponse(tag, b'Server error')
    return run


@implementer(interfaces.IPushProducer)
class FetchStream:
    """The answer to one FETCH, written a batch at a time, as fast as the client reads.

    Registered with the transport as a streaming producer: the transport pauses
    it when its buffer is full and resumes it when the client has read.  Each
    batch is one reactor call: the stack stays flat and other clients are served
    between batches, however many messages there are.
    """

    def __init__(self, server, tag, pending, query, uid):
        self.server, self.tag, self.pending, self.query, self.uid = server, tag, pending, query, uid
        self.paused = self.stopped = False
        self.failed = 0
        self.call = None
        server.transport.registerProducer(self, True)
        self.schedule()

    def schedule(self):
        if self.call is None and not (self.paused or self.stopped):
            self.call = self.server.reactor.callLater(0, self.step)

    def step(self):
        self.call = None
        written = 0
        while written < FETCH_BATCH and not (self.paused or self.stopped):
            try:
                number, message = next(self.pending)
            except StopIteration:
                return self.finish()
            try:
                answer = self.server.fetch_answer(number, message, self.query, self.uid)
            except Exception:
                self.failed += 1
                self.server.report(f'FETCH of message {number} failed')
                continue
            self.server.transport.write(answer)
            written += len(answer)
        self.server.resetTimeout()
        self.schedule()

    def finish(self):
        self.stopped = True
        server = self.server
        server.transport.unregisterProducer()
        if self.failed:
            server.sendNegativeResponse(self.tag, b'[SERVERBUG] %d message(s) could not be '
                                        b'fetched' % self.failed)
        else:
            server.sendPositiveResponse(self.tag, b'FETCH completed')
        # the commands that came meanwhile, in the connection's own log context
        legacy_log.callWithContext({'system': connection_of(server)}, server.resumeProducing)

    # IPushProducer
    def pauseProducing(self):
        self.paused = True

    def resumeProducing(self):
        self.paused = False
        self.schedule()

    def stopProducing(self):
        self.stopped = True
        if self.call is not None and self.call.active():
            self.call.cancel()
        self.call = None


class Server(imap4.IMAP4Server):
    """Twisted's IMAP4 server with the overrides of the ledger above."""

    MAX_LENGTH = MAX_LINE
    _overflow = False
    _leftover = b''
    idle_tag = idle_watch = None
    _reactor = None

    @property
    def reactor(self):
        if self._reactor is None:
            from twisted.internet import reactor
            self._reactor = reactor
        return self._reactor

    @reactor.setter
    def reactor(self, value):
        self._reactor = value

    def report(self, text):
        """Log an error of this connection (one line; see playground.twisted_service)."""
        log.failure('{text}', twisted_failure.Failure(), text=text,
                    log_system=connection_of(self))

    # -- lines that are too long: answer BAD, drop the rest of that line, go on serving
    def dataReceived(self, data):
        while True:
            if self._overflow:
                end = data.find(b'\n')
                if end < 0:
                    return
                self._overflow, data = False, data[end + 1:]
                self.sendBadResponse(self._overflow_tag, b'Command line too long')
            super().dataReceived(data)    # b'' too: it runs the lines that waited (FETCH)
            data, self._leftover = self._leftover, b''
            if not data:
                return

    def lineLengthExceeded(self, line):
        tag = line.split(b' ', 1)[0]
        self._overflow_tag = tag if 0 < len(tag) <= 64 and tag.isalnum() else None
        end = line.find(b'\n')
        if end < 0:
            self._overflow = True
        else:
            self.sendBadResponse(self._overflow_tag, b'Command line too long')
            self._leftover = line[end + 1:]

    # -- every line answered with its tag; a failure logs one line, not a traceback
    def lineReceived(self, line):
        self.resetTimeout()
        parse = getattr(self, 'parse_' + self.parseState)
        try:
            parse(line)
        except Exception:
            words = line.split(None, 1)
            tag = words[0][:64] if words and self.parseState == 'command' else None
            self.sendBadResponse(tag, b'Server error')
            self.report('IMAP command failed')

    def lookupCommand(self, cmd):
        if not cmd.isascii():
            return None    # -> BAD Unsupported command
        return getattr(self, self.state + '_' + cmd.upper().decode('ascii'), None)

    def dispatchCommand(self, tag, cmd, rest, uid=None):
        # a command with no arguments at all hands the parsers None, which they cannot take
        return super().dispatchCommand(tag, cmd, b'' if rest is None else rest, uid)

    # -- STARTTLS: nothing sent in plaintext before the handshake counts after it
    def do_STARTTLS(self, tag):
        was = self.startedTLS
        super().do_STARTTLS(tag)
        if self.startedTLS and not was:
            self.clearLineBuffer()
            self._leftover, self._overflow = b'', False

    unauth_STARTTLS = (do_STARTTLS,)

    def capabilities(self):
        cap = super().capabilities()
        cap[b'UIDPLUS'] = None
        return cap

    # -- arguments
    @sturdy
    def arg_literal(self, line):
        size = re.fullmatch(rb'\{(\d+)\+?\}', line or b'')
        if size and int(size[1]) > MAX_LITERAL:
            raise imap4.IllegalClientResponse(f'Literal too large (at most {MAX_LITERAL} octets)')
        return imap4.IMAP4Server.arg_literal(self, line)

    # -- Twisted's own folder commands, given names decoded by our parsers
    auth_CREATE = select_CREATE = (_twisted.do_CREATE, FINAL_MAILBOX)
    auth_DELETE = select_DELETE = (_twisted.do_DELETE, FINAL_MAILBOX)
    auth_RENAME = select_RENAME = (_twisted.do_RENAME, MAILBOX, FINAL_MAILBOX)
    auth_SUBSCRIBE = select_SUBSCRIBE = (_twisted.do_SUBSCRIBE, FINAL_MAILBOX)
    auth_UNSUBSCRIBE = select_UNSUBSCRIBE = (_twisted.do_UNSUBSCRIBE, FINAL_MAILBOX)
    auth_LIST = select_LIST = (_twisted._listWork, MAILBOX, MAILBOX, 0, b'LIST')
    auth_LSUB = select_LSUB = (_twisted._listWork, MAILBOX, MAILBOX, 1, b'LSUB')

    # -- SELECT and EXAMINE, with the data clients look for
    @guarded
    def do_SELECT(self, tag, name, rw, command):
        self.leave_folder()
        name = mailbox_name(name)
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
        unseen = next((n for n, m in enumerate(folder.messages, 1) if 'S' not in m.letters), 0)
        if unseen:
            self.sendPositiveResponse(None, b'[UNSEEN %d] First unseen' % unseen)
        self.sendPositiveResponse(None, b'[UIDVALIDITY %d] UIDs valid' % folder.getUIDValidity())
        self.sendPositiveResponse(None, b'[UIDNEXT %d] Predicted next UID' % folder.getUIDNext())
        mode = b'READ-WRITE' if folder.isWriteable() else b'READ-ONLY'
        folder.addListener(self)
        self.mbox, self.state = folder, 'select'
        self.sendPositiveResponse(tag, b'[' + mode + b'] ' + command + b' completed')

    auth_SELECT = select_SELECT = (do_SELECT, MAILBOX, 1, b'SELECT')
    auth_EXAMINE = select_EXAMINE = (do_SELECT, MAILBOX, 0, b'EXAMINE')

    def leave_folder(self):
        if self.mbox:
            self.mbox.removeListener(self)
            self.mbox, self.state = None, 'auth'

    # -- NOOP, CHECK and IDLE show what arrived (or left) meanwhile
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

    @guarded
    def do_IDLE(self, tag):
        """RFC 2177: push what changes in the folder until the client says DONE."""
        self.idle_tag, self.parseState = tag, 'idle'
        self.sendContinuationRequest(b'idling')
        if self.mbox is not None:
            # The stamp before the look: what changes in between is seen twice, never
            # not at all.
            _, self.idle_stamp = store.changed_since(self.mbox.path, None)
            self.idle_watch = self.reactor.callLater(IDLE_INTERVAL, self.idle_look)
        self.poll()

    auth_IDLE = select_IDLE = (do_IDLE,)

    def idle_look(self):
        self.idle_watch = None
        try:
            changed, self.idle_stamp = store.changed_since(self.mbox.path, self.idle_stamp)
            if changed:
                self.poll()     # (its own moves from new/ to cur/ cost one more look)
        except Exception:
            self.report('IDLE could not look at the folder')
        self.idle_watch = self.reactor.callLater(IDLE_INTERVAL, self.idle_look)

    def stop_idle(self):
        if self.idle_watch is not None and self.idle_watch.active():
            self.idle_watch.cancel()
        self.idle_watch = None

    def parse_idle(self, line):
        self.stop_idle()
        tag, self.idle_tag, self.parseState = self.idle_tag, None, 'command'
        if line.strip().upper() == b'DONE':
            self.sendPositiveResponse(tag, b'IDLE terminated')
        else:
            self.sendBadResponse(tag, b'Expected DONE; IDLE terminated')

    def connectionLost(self, reason):
        self.stop_idle()
        super().connectionLost(reason)

    # -- STATUS
    STATUS_ITEMS = {b'MESSAGES': 'getMessageCount', b'RECENT': 'getRecentCount',
                    b'UIDNEXT': 'getUIDNext', b'UIDVALIDITY': 'getUIDValidity',
                    b'UNSEEN': 'getUnseenCount'}

    @guarded
    def do_STATUS(self, tag, mailbox, names):
        wanted = [name.upper() if isinstance(name, bytes) else b'' for name in names]
        unknown = [name for name in wanted if name not in self.STATUS_ITEMS]
        if unknown or not wanted:
            raise ValueError(f'STATUS items are {b" ".join(self.STATUS_ITEMS).decode()}')
        name = mailbox_name(mailbox)
        folder = self.account.select(name)
        if folder is None:
            self.sendNegativeResponse(tag, b'[NONEXISTENT] No such mailbox')
            return
        values = b' '.join(b'%s %d' % (item, getattr(folder, self.STATUS_ITEMS[item])())
                           for item in wanted)
        self.sendUntaggedResponse(b'STATUS ' + astring(name.encode('imap4-utf-7'))
                                  + b' (' + values + b')')
        self.sendPositiveResponse(tag, b'STATUS completed')

    auth_STATUS = select_STATUS = (do_STATUS, MAILBOX, PLIST)

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

    select_SEARCH = (do_SEARCH, OPT_CHARSET, SEARCHKEYS)

    # -- STORE, refused on a folder opened with EXAMINE
    @guarded
    def do_STORE(self, tag, messages, mode, flags, uid=0):
        if not re.fullmatch(rb'[+-]?FLAGS(\.SILENT)?', mode.upper()):
            raise ValueError('STORE takes FLAGS, +FLAGS or -FLAGS (and .SILENT)')
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

    select_STORE = (do_STORE, SEQSET, ATOM, FLAGLIST)

    # -- COPY and APPEND: deliver into the target folder, keeping flags and date (UIDPLUS)
    @guarded
    def do_COPY(self, tag, messages, mailbox, uid=0):
        target = self.account.select(mailbox_name(mailbox))
        if target is None:
            self.sendNegativeResponse(tag, b'[TRYCREATE] No such mailbox')
            return
        sources, keys = [], []
        for _, message in self.mbox.resolve(messages, uid):
            letters = message.letters
            key = self.account.deliver(message.data(), target.name, letters)
            name = key + (f'{COLON}2,{letters}' if letters else '')
            os.utime(target.path / ('cur' if letters else 'new') / name,
                     (message.mtime, message.mtime))
            sources.append(message.uid)
            keys.append(key)
        if not keys:
            self.sendPositiveResponse(tag, b'COPY completed (nothing to copy)')
            return
        uids = target.uids_of(keys)
        self.sendPositiveResponse(tag, b'[COPYUID %d %s %s] COPY completed' % (
            target.getUIDValidity(), uid_set(sources), uid_set(uids[k] for k in keys)))

    select_COPY = (do_COPY, SEQSET, FINAL_MAILBOX)

    @guarded
    def do_APPEND(self, tag, mailbox, flags, date, message):
        target = self.account.select(mailbox_name(mailbox))
        if target is None:
            self.sendNegativeResponse(tag, b'[TRYCREATE] No such mailbox')
            return
        key = target.addMessage(message, [f.decode() for f in flags or ()], date)
        uid = target.uids_of([key])[key]
        if self.mbox is not None and self.mbox.path == target.path:
            self.poll()
        self.sendPositiveResponse(tag, b'[APPENDUID %d %d] APPEND completed' % (
            target.getUIDValidity(), uid))

    auth_APPEND = select_APPEND = (do_APPEND, MAILBOX, OPT_PLIST, OPT_DATETIME,
                                   arg_literal)

    # -- EXPUNGE and UID EXPUNGE
    @guarded
    def do_EXPUNGE(self, tag, uids=None, uid=0):
        if not self.mbox.isWriteable():
            self.sendNegativeResponse(tag, b'Mailbox is read-only (EXAMINE)')
            return
        only = None
        if uid:
            only, rest = self.arg_seqset(uids or b'')
            if rest:
                raise ValueError('UID EXPUNGE takes one set of UIDs')
        for number in self.mbox.expunge(only, uid):
            self.sendUntaggedResponse(b'%d EXPUNGE' % number)
        self.sendPositiveResponse(tag, b'EXPUNGE completed')

    select_EXPUNGE = (do_EXPUNGE,)

    def do_UID(self, tag, command, line):
        if command.upper() == b'EXPUNGE':
            return self.do_EXPUNGE(tag, line, uid=1)
        return imap4.IMAP4Server.do_UID(self, tag, command, line)

    select_UID = (do_UID, ATOM, LINE)

    # -- FETCH: streamed (FetchStream); every item from the exact bytes
    @guarded
    def do_FETCH(self, tag, messages, query, uid=0):
        if not query:
            raise ValueError('FETCH needs data items, such as FLAGS or BODY.PEEK[]')
        pending = iter(self.mbox.fetch(messages, uid))
        self.pauseProducing()     # read no further command until this one is answered
        FetchStream(self, tag, pending, query, uid)

    select_FETCH = (do_FETCH, SEQSET, FETCHATT)

    def fetch_answer(self, number, msg, query, uid):
        """The '* n FETCH (...)' line of one message; BODY[] (not PEEK) sets \\Seen."""
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
        loaded = {}

        def data():
            if 'data' not in loaded:
                loaded['data'] = msg.data()
            return loaded['data']

        def part():
            if 'part' not in loaded:
                loaded['part'] = Part(data())
            return loaded['part']

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
                size = len(data()) if loaded or msg.size is None else msg.size
                items.append(b'RFC822.SIZE %d' % size)
            elif kind == 'envelope':
                items.append(b'ENVELOPE ' + encode(envelope(part())))
            elif kind == 'bodystructure':
                items.append(b'BODYSTRUCTURE ' + encode(bodystructure(part())))
            elif kind == 'rfc822':
                items.append(b'RFC822 ' + literal(data()))
            elif kind == 'rfc822header':
                items.append(b'RFC822.HEADER ' + literal(part().header))
            elif kind == 'rfc822text':
                items.append(b'RFC822.TEXT ' + literal(part().body))
            elif kind == 'body' and not (item.empty or item.header or item.text or item.mime):
                items.append(b'BODY ' + encode(bodystructure(part(), extended=False)))
            elif kind == 'body' and item.empty and not item.part:   # BODY[]: no parsing
                label, content = section(None, item, whole=data())
                items.append(label + b' ' + literal(content))
            elif kind == 'body':
                label, content = section(part(), item)
                items.append(label + b' ' + literal(content))
        if uid and not any(item.type == 'uid' for item in query):
            items.insert(0, b'UID %d' % msg.uid)    # UID FETCH always tells the UID
        if seen and not wants_flags:
            items.append(b'FLAGS (' + ' '.join(msg.getFlags()).encode() + b')')
        return b'* %d FETCH (' % number + b' '.join(items) + b')\r\n'


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
    def __init__(self, state):
        self.state = state

    def requestAvatar(self, avatar_id, mind, *interfaces):
        if imap4.IAccount not in interfaces:
            raise NotImplementedError('only IMAP accounts here')
        return imap4.IAccount, store.Account(self.state, avatar_id), lambda: None


class ServerFactory(protocol.Factory):
    """Builds a Server per connection; STARTTLS when given a context, LOGIN/PLAIN after TLS."""

    noisy = False

    def __init__(self, state, tls_context=None, implicit_tls=False):
        self.state, self.tls_context, self.implicit_tls = state, tls_context, implicit_tls
        self.portal = portal.Portal(Realm(state), [PasswordChecker()])

    def buildProtocol(self, addr):
        challengers = {b'LOGIN': imap4.LOGINCredentials, b'PLAIN': imap4.PLAINCredentials}
        server = Server(chal=challengers if self.implicit_tls else {},
                        contextFactory=self.tls_context)
        server.portal, server.factory = self.portal, self
        return server


def main():
    from playground import imap

    def listen(reactor, args, context):
        reactor.listenTCP(port(args.port_offset, IMAP), ServerFactory(args.state, context),
                          interface=args.host)
        reactor.listenSSL(port(args.port_offset, IMAPS),
                          ServerFactory(args.state, implicit_tls=True), context,
                          interface=args.host)
    serve('imap', imap.__doc__.splitlines()[0], listen, prepare=mailstore.prepare)
