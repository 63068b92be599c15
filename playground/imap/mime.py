"""The MIME layer of the IMAP service: byte-exact parts, ENVELOPE, BODYSTRUCTURE, IMAP syntax.

Everything here works on the bytes of one message as they go over the wire
(CRLF line ends), so that every size and offset a client is told is exact.
It knows nothing of folders, sessions or Twisted: give it bytes, get bytes
or Python lists back.

    Part(data)                 the MIME tree of a message, cut from its bytes
    section(part, item)        what a BODY[...] fetch item asks for, and its label
    envelope(part), bodystructure(part)
                               the ENVELOPE and BODYSTRUCTURE lists (RFC 3501 7.4.2)
    encode(item)               Python data -> IMAP syntax (NIL, numbers, strings, lists)
"""
import datetime
import email.header
import email.parser
import email.policy
import email.utils
import functools
import re


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
    """One MIME entity, cut from the CRLF bytes of a message so that every offset is exact.

    The header is split into fields at once (cheap); the email package parses it, and
    the body is cut into child parts, only when a FETCH item needs the MIME structure."""

    def __init__(self, data):
        if data.startswith(b'\r\n'):
            header, body = b'\r\n', data[2:]
        elif (end := data.find(b'\r\n\r\n')) >= 0:
            header, body = data[:end + 4], data[end + 4:]
        else:
            header, body = data, b''
        self.data, self.header, self.body = data, header, body
        self.fields = header_fields(header)

    @functools.cached_property
    def meta(self):
        """The header as an email.message.Message: content type and parameters."""
        return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
            self.header)

    @functools.cached_property
    def type(self):
        return self.meta.get_content_type()

    @functools.cached_property
    def children(self):
        """The parts of a multipart, or the message inside a message/rfc822."""
        if self.type.startswith('multipart/'):
            boundary = self.meta.get_boundary()
            if boundary:
                raw = boundary.encode('ascii', 'surrogateescape')
                return [Part(piece) for piece in split_multipart(self.body, raw)]
        elif self.type == 'message/rfc822':
            return [Part(self.body)]
        return []

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


def section(message_part, body, whole=None):
    """The bytes a BODY[...] fetch item asks for, and its name in the response.

    For BODY[] itself (or a <partial> of it), give the message's bytes as `whole` and
    None for the part: nothing needs parsing."""
    numbers = list(body.part or ())
    names = [str(n + 1).encode() for n in numbers]
    part = None if whole is not None else subpart(message_part, numbers)
    if whole is not None:
        content = whole
    elif body.header is not None:
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


# ---------------------------------------------------------------- dates and literals

def parse_day(text):
    """An IMAP date (1-Feb-1994) -> datetime.date."""
    text = text.decode('ascii') if isinstance(text, bytes) else text
    return datetime.datetime.strptime(text.strip('"'), '%d-%b-%Y').date()


def parse_internaldate(text):
    """An APPEND date-time ("17-Jul-1996 02:44:25 -0700") -> POSIX time."""
    text = text.decode('ascii').strip()
    return datetime.datetime.strptime(text, '%d-%b-%Y %H:%M:%S %z').timestamp()


def literal(data):
    """Bytes as an IMAP literal: {size}, CRLF, then the bytes as they are."""
    return b'{%d}\r\n' % len(data) + data


def imap_date(when):
    """A datetime -> '02-Nov-2026 09:15:00 +0000' (English month names, whatever the locale)."""
    month = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[when.month - 1]
    return f'{when.day:02d}-{month}-{when:%Y %H:%M:%S} +0000'.encode()

