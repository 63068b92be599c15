"""Service 'pop': POP3 (with STLS) and POP3 over TLS, serving each user's INBOX from the mail store.

twisted.mail speaks the protocol; this module gives it a mailbox over the
stdlib's mailbox.Maildir (Twisted's own Maildir mailbox is broken on Python
3) and fixes what POP clients rely on: sizes are the octets sent on the
wire (CRLF line ends), dots are stuffed at the start of every line, deleted
messages leave LIST, STAT and UIDL at once but leave the disk only at QUIT,
overlong lines and garbage get an -ERR, and STLS upgrades port 110.  The
password never crosses the network in clear: on port 110 USER and PASS are
refused until STLS (as SMTP refuses AUTH and IMAP refuses LOGIN before
their STARTTLS).  TOP costs at most the size of the message, whatever line
count it is asked for.
Messages are numbered by delivery time, then by key, so numbers are stable.
Run alone: python -m playground.pop [--port-offset N].
"""
import hashlib
import inspect
import io

from twisted.cred import checkers, credentials, error, portal
from twisted.internet import defer, protocol
from twisted.logger import Logger
from twisted.mail import pop3
from zope.interface import implementer

from playground import mailstore
from playground.common import port, run_quietly
from playground.twisted_service import connection_of, serve

POP3_PORT, POP3S_PORT = 110, 995
log = Logger()


def canonical(data):
    """A stored message (LF line ends) as it travels: CRLF line ends, before dot-stuffing."""
    return data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


def stuffed(data):
    """Double each dot that starts a line, so a lone '.' can end the reply."""
    data = data.replace(b'\r\n.', b'\r\n..')
    return b'.' + data if data.startswith(b'.') else data


def top(data, lines):
    """The header, the blank line, and the first `lines` lines of the body (CRLF data)."""
    head, blank, body = data.partition(b'\r\n\r\n')
    end = 0
    for _ in range(min(lines, body.count(b'\r\n') + 1)):   # never past the end: TOP 1 10**20
        found = body.find(b'\r\n', end)
        end = len(body) if found < 0 else found + 2
    return head + blank + body[:end]


def uidl(key):
    """A message's unique id: its Maildir key, unless too long for POP (70 characters)."""
    key = key.encode('ascii', 'replace')
    return key if len(key) <= 70 else hashlib.sha1(key).hexdigest().encode()


@implementer(pop3.IMailbox)
class MaildirInbox:
    """One POP session's view of a user's INBOX: numbered at login; DELE waits for QUIT."""

    def __init__(self, state, user):
        self.box = mailstore.maildir(state, user)
        found = []
        for key in self.box.keys():
            try:
                when = self.box.get_message(key).get_date()
                size = len(canonical(self.box.get_bytes(key)))
            except (KeyError, FileNotFoundError):
                continue  # removed meanwhile (an IMAP EXPUNGE, say)
            found.append((when, key, size))
        found.sort()
        self.keys = [key for _, key, _ in found]
        self.sizes = [size for _, _, size in found]
        self.deleted = set()

    def _check(self, i):
        if not 0 <= i < len(self.keys):
            raise ValueError(f'no message {i + 1}')

    def live(self):
        """[(number, size, key)] of the messages not marked for deletion."""
        return [(i + 1, self.sizes[i], self.keys[i])
                for i in range(len(self.keys)) if i not in self.deleted]

    def listMessages(self, i=None):
        if i is None:
            return [0 if n in self.deleted else size for n, size in enumerate(self.sizes)]
        self._check(i)
        return 0 if i in self.deleted else self.sizes[i]

    def getMessage(self, i):
        self._check(i)
        try:
            return io.BytesIO(self.box.get_bytes(self.keys[i]))
        except (KeyError, FileNotFoundError):
            raise ValueError(f'message {i + 1} was removed by another client') from None

    def getUidl(self, i):
        self._check(i)
        return uidl(self.keys[i])

    def deleteMessage(self, i):
        self._check(i)
        self.deleted.add(i)

    def undeleteMessages(self):
        self.deleted.clear()

    def sync(self):
        """QUIT: now the marked messages leave the disk."""
        for i in sorted(self.deleted):
            self.box.discard(self.keys[i])
        self.deleted.clear()


class PlaygroundPOP3(pop3.POP3):
    """Twisted's POP3 server with STLS, exact sizes, safe line handling and RFC 1939 listings."""

    AUTH_CMDS = pop3.POP3.AUTH_CMDS + [b'STLS']
    MAX_LENGTH = 1000   # RFC 2449 allows 255 octets a command; be generous
    timeOut = 600
    _discarding = False

    def __init__(self, tls_context, secure):
        self.tls_context, self.secure = tls_context, secure

    def connectionMade(self):
        # Twisted greets with an APOP timestamp, which makes clients such as curl try
        # APOP (an MD5 digest login) first; this server offers USER/PASS only.
        self.magic = b''
        self.successResponse(b'playground POP3 server ready')
        self.setTimeout(self.timeOut)

    def do_APOP(self, *args):
        self.failResponse(b'APOP is not offered here; use USER and PASS')

    # ---- lines: an overlong one gets -ERR and the session goes on
    def dataReceived(self, data):
        self._buffer += data
        while not self.transport.disconnecting:
            if self._discarding:
                end = self._buffer.find(self.delimiter)
                if end < 0:
                    self._buffer = self._buffer[-1:]  # keep a '\r' that may start '\r\n'
                    return
                self._buffer, self._discarding = self._buffer[end + 2:], False
                self.failResponse(b'line too long')
                continue
            line, found, rest = self._buffer.partition(self.delimiter)
            if not found:
                if len(self._buffer) > self.MAX_LENGTH:
                    self._discarding = True
                    continue
                return
            self._buffer = rest
            if len(line) > self.MAX_LENGTH:
                self.failResponse(b'line too long')
            else:
                self.lineReceived(line)

    def state_COMMAND(self, line):
        """Answer a client's mistakes with -ERR; log our own with a traceback."""
        command, *args = line.split(b' ')
        if not command.isascii():
            self.failResponse(b'command is not ASCII')
            return
        handler = getattr(self, 'do_' + command.upper().decode(), None)
        try:
            if handler:
                inspect.signature(handler).bind(*args)
        except TypeError:
            self.failResponse(b'wrong number of arguments for ' + command.upper())
            return
        try:
            return self.processCommand(command, *args)
        except pop3.POP3Error as exc:
            self.failResponse(exc.args[0])
        except Exception:
            log.failure('POP3 command {command!r} failed', command=command,
                        log_system=connection_of(self))
            self.failResponse(b'server error; see the server log')

    # ---- no password in clear: USER and PASS (and AUTH) only over TLS (RFC 2595 4)
    PLAINTEXT_REFUSED = (b'[AUTH] Plaintext login refused on an unencrypted connection: '
                         b'send STLS first')     # the AUTH response code: RFC 2449 8, RFC 3206

    def do_USER(self, user):
        if not self.secure:
            return self.failResponse(self.PLAINTEXT_REFUSED)
        return super().do_USER(user)

    def do_PASS(self, password, *words):
        if not self.secure:
            return self.failResponse(self.PLAINTEXT_REFUSED)
        return super().do_PASS(password, *words)

    def do_AUTH(self, args=None):
        if not self.secure:
            return self.failResponse(self.PLAINTEXT_REFUSED)
        return super().do_AUTH(args)

    # ---- STLS (RFC 2595): only before login, only once
    def listCapabilities(self):
        jokes = {b'CELERITY', b'AUSPEX', b'POTENCE'}  # Twisted's; no client knows them
        if not self.secure:     # USER only once it may be used (RFC 2449 6.5, RFC 2595 4)
            jokes.add(b'USER')
        capabilities = [c for c in super().listCapabilities() if c not in jokes]
        return capabilities + ([] if self.secure else [b'STLS'])

    def do_STLS(self):
        if self.secure or self.mbox:
            self.failResponse(b'STLS only once, before login')
            return
        self.successResponse(b'Begin TLS negotiation')
        self._buffer = b''  # nothing sent before the handshake may count after it
        self.transport.startTLS(self.tls_context)
        self.secure = True

    # ---- listings that leave out deleted messages (RFC 1939)
    def do_STAT(self):
        live = self.mbox.live()
        self.successResponse(b'%d %d' % (len(live), sum(size for _, size, _ in live)))

    def do_LIST(self, i=None):
        if i is not None:
            return self._one(i, lambda n, size, key: b'%d %d' % (n, size))
        live = self.mbox.live()
        self.successResponse(b'%d messages (%d octets)' % (len(live), sum(s for _, s, _ in live)))
        for n, size, _ in live:
            self.sendLine(b'%d %d' % (n, size))
        self.sendLine(b'.')

    def do_UIDL(self, i=None):
        if i is not None:
            return self._one(i, lambda n, size, key: b'%d %s' % (n, uidl(key)))
        self.successResponse(b'unique-id listing follows')
        for n, _, key in self.mbox.live():
            self.sendLine(b'%d %s' % (n, uidl(key)))
        self.sendLine(b'.')

    def _live_entry(self, i):
        """(number, size, key) of message number i (bytes), or None with -ERR sent."""
        wanted = [entry for entry in self.mbox.live() if i.isdigit() and entry[0] == int(i)]
        if not wanted:
            self.failResponse(b'no such message, or it is deleted: ' + i[:20])
        return wanted[0] if wanted else None

    def _one(self, i, format):
        entry = self._live_entry(i)
        if entry:
            self.successResponse(format(*entry))

    def do_DELE(self, i):
        entry = self._live_entry(i)
        if entry:
            self.mbox.deleteMessage(entry[0] - 1)
            self.successResponse(b'message %d marked for deletion at QUIT' % entry[0])

    # ---- message text: CRLF and dot-stuffing done here, once, over the whole message
    def do_RETR(self, i):
        return self._sendMessageContent(
            i, lambda fp: io.BytesIO(stuffed(canonical(fp.read()))),
            lambda size: '%d octets' % size)

    def do_TOP(self, i, lines):
        if not lines.isdigit():
            self.failResponse(b'TOP needs a message number and a line count')
            return
        return self._sendMessageContent(
            i, lambda fp: io.BytesIO(stuffed(top(canonical(fp.read()), int(lines)))),
            lambda size: 'top of message follows')

    def transformChunk(self, chunk):
        return chunk  # already in wire form (Twisted's version misses dots across chunks)


@implementer(checkers.ICredentialsChecker)
class AccountChecker:
    """USER/PASS against the playground account."""
    credentialInterfaces = (credentials.IUsernamePassword,)

    def requestAvatarId(self, given):
        user = given.username.decode('utf-8', 'replace')
        if mailstore.check_password(user, given.password.decode('utf-8', 'replace')):
            return defer.succeed(user)
        return defer.fail(error.UnauthorizedLogin())


@implementer(portal.IRealm)
class MailRealm:
    """A logged-in user gets their INBOX."""

    def __init__(self, state):
        self.state = state

    def requestAvatar(self, user, mind, *interfaces):
        if pop3.IMailbox not in interfaces:
            raise NotImplementedError('only POP3 mailboxes here')
        return pop3.IMailbox, MaildirInbox(self.state, user), lambda: None


class POP3Factory(protocol.ServerFactory):
    noisy = False  # no log line per connection

    def __init__(self, state, tls_context, secure):
        self.portal = portal.Portal(MailRealm(state), [AccountChecker()])
        self.tls_context, self.secure = tls_context, secure

    def buildProtocol(self, addr):
        server = PlaygroundPOP3(self.tls_context, self.secure)
        server.factory, server.portal = self, self.portal
        return server


def main():
    def listen(reactor, args, context):
        reactor.listenTCP(port(args.port_offset, POP3_PORT),
                          POP3Factory(args.state, context, secure=False), interface=args.host)
        reactor.listenSSL(port(args.port_offset, POP3S_PORT),
                          POP3Factory(args.state, context, secure=True), context,
                          interface=args.host)
    serve('pop', __doc__.splitlines()[0], listen, prepare=mailstore.prepare)


if __name__ == '__main__':
    run_quietly(main)
