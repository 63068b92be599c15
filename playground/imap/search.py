"""The SEARCH layer of the IMAP service: one parsed query, one message, true or false.

Twisted parses a SEARCH command into a nested list of tokens (a
parenthesised group is a list); Search walks it as RFC 3501 6.4.4 reads:
keys side by side must all match, OR and NOT take the keys that follow.
A message's bytes are read only when a key needs them (FLAGGED does not,
SUBJECT does), and let go when the message is done.
"""
import datetime
import email
import email.policy
import email.utils

from twisted.mail import imap4

from playground.imap.mime import Part, parse_day


class Search:
    """Evaluate a parsed SEARCH query (RFC 3501 6.4.4) against one message."""

    FLAGS = {'ANSWERED': 'R', 'DELETED': 'T', 'DRAFT': 'D', 'FLAGGED': 'F', 'SEEN': 'S'}
    HEADERS = {'FROM', 'TO', 'CC', 'BCC', 'SUBJECT'}
    DEPTH = 50     # NOT, OR and parentheses nest no deeper (a client's 3,000 would blow the stack)

    def __init__(self, tokens, number, message, last, loaded=None, depth=0):
        self.tokens, self.number, self.message, self.last = tokens, number, message, last
        self.loaded = loaded if loaded is not None else {}   # shared with nested groups
        self.depth = depth

    def data(self):
        if 'data' not in self.loaded:
            self.loaded['data'] = self.message.data()
        return self.loaded['data']

    def part(self):
        if 'part' not in self.loaded:
            self.loaded['part'] = Part(self.data())
        return self.loaded['part']

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
        self.depth += 1
        try:
            if self.depth > self.DEPTH:
                raise ValueError(f'search program nested deeper than {self.DEPTH}')
            return self.evaluate()
        finally:
            self.depth -= 1

    def evaluate(self):
        token = self.next()
        if isinstance(token, list):
            return Search(list(token), self.number, self.message, self.last, self.loaded,
                          self.depth).all()
        word, message, part = token.upper(), self.message, self.part
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
            haystack = part().body if word == 'BODY' else self.data()
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
        msg = email.message_from_bytes(self.data(), policy=email.policy.default)
        texts = [str(value) for value in msg.values()] if word == 'TEXT' else []
        for each in msg.walk():
            if each.get_content_maintype() == 'text':
                try:
                    texts.append(each.get_content())
                except (LookupError, ValueError):
                    pass
        return '\n'.join(texts).encode('utf-8', 'surrogateescape')


def search(messages, query, uid):
    """The sequence numbers of the messages (a folder's list, in order) that match."""
    last = (len(messages), messages[-1].uid if messages else 0)
    return [number for number, message in enumerate(messages, 1)
            if Search(list(query), number, message, last).all()]
