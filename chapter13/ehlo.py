#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - ehlo.py
# Greet with EHLO (falling back to HELO), then respect the SIZE limit the server announces.

import argparse
import email.utils
import smtplib
import sys
import urllib.parse

SMTP_PORT = 25
MESSAGE = """\
To: {to}
From: {sender}
Subject: Test Message from ehlo.py
Date: {date}
Message-ID: {msgid}

{body}"""
BODY = """\
Hello,

This is a test message sent to you from the ehlo.py program
in Foundations of Python Network Programming.
"""


def parse_server(text):
    """'host', 'host:port' or '[ipv6]:port' -> (host, port); port 25 unless given."""
    try:
        parts = urllib.parse.urlsplit('//' + text)
        if not parts.hostname:
            raise ValueError
        return parts.hostname, parts.port or SMTP_PORT
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a host[:port]: {text!r}') from None


def compose(fromaddr, toaddrs, body):
    """The message itself: header lines, a blank line, the body."""
    return MESSAGE.format(to=', '.join(toaddrs), sender=fromaddr, body=body,
                          date=email.utils.formatdate(localtime=True),
                          msgid=email.utils.make_msgid())


def reason(exc):
    """One line saying why the conversation failed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return 'every recipient was refused: ' + '; '.join(
            f'{code} {text.decode()}' for code, text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f'the server said {exc.smtp_code} {exc.smtp_error.decode()}'
    return exc.strerror or str(exc)


def greet(server):
    """Say EHLO; if the server is too old for it, say HELO.  True when ESMTP is spoken."""
    code = server.ehlo()[0]
    if 200 <= code <= 299:
        return True
    code = server.helo()[0]
    if not 200 <= code <= 299:
        raise smtplib.SMTPHeloError(code, b'the server refused HELO too')
    return False


def send(server, fromaddr, toaddrs, message):
    """Check the size limit (an ESMTP extension) before sending; return the refused."""
    if greet(server) and server.has_extn('size'):
        limit = int(server.esmtp_features['size'])
        print('Maximum message size is', limit)
        size = len(message.encode('utf-8'))
        if limit and size > limit:
            raise ValueError(f'message too large ({size} bytes); aborting')
    return server.sendmail(fromaddr, toaddrs, message)


def main():
    parser = argparse.ArgumentParser(description='Send a message over ESMTP, '
                                     'within the size limit the server announces.')
    parser.add_argument('server', type=parse_server, help='SMTP server as host[:port]')
    parser.add_argument('fromaddr', help='the sender, as in MAIL FROM')
    parser.add_argument('toaddrs', nargs='+', metavar='toaddr', help='the recipients')
    parser.add_argument('--body', type=argparse.FileType('r', encoding='utf-8'),
                        help='a text file to send as the body (try a big one)')
    args = parser.parse_args()
    host, port = args.server
    message = compose(args.fromaddr, args.toaddrs, args.body.read() if args.body else BODY)
    try:
        with smtplib.SMTP(host, port, timeout=10) as server:  # QUIT at the end
            refused = send(server, args.fromaddr, args.toaddrs, message)
    except ValueError as exc:
        sys.exit(f'{host}:{port}: {exc}')
    except OSError as exc:
        sys.exit(f'{host}:{port}: {reason(exc)}')
    for address, (code, text) in refused.items():
        print(f'Refused {address}: {code} {text.decode()}')
    print(f'Message successfully sent to {len(args.toaddrs) - len(refused)} recipient(s)')


if __name__ == '__main__':
    main()
