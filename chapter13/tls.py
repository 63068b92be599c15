#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - tls.py
# Upgrade the SMTP connection with STARTTLS when the server offers it, verifying its certificate.

import argparse
import email.utils
import smtplib
import ssl
import sys
import urllib.parse

SMTP_PORT = 25
MESSAGE = """\
To: {to}
From: {sender}
Subject: Test Message from tls.py
Date: {date}
Message-ID: {msgid}

Hello,

This is a test message sent to you from the tls.py program
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


def compose(fromaddr, toaddrs):
    """The message itself: header lines, a blank line, the body."""
    return MESSAGE.format(to=', '.join(toaddrs), sender=fromaddr,
                          date=email.utils.formatdate(localtime=True),
                          msgid=email.utils.make_msgid())


def reason(exc):
    """One line saying why the conversation failed."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f'certificate verify failed: {exc.verify_message}'
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return 'every recipient was refused: ' + '; '.join(
            f'{code} {text.decode()}' for code, text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f'the server said {exc.smtp_code} {exc.smtp_error.decode()}'
    return exc.strerror or str(exc)


def secure(server):
    """STARTTLS if offered; the default context checks the certificate and host name."""
    server.ehlo()
    if not server.has_extn('starttls'):
        print('Server does not support TLS; using normal connection.')
        return
    print('Negotiating TLS....')
    server.starttls(context=ssl.create_default_context())
    server.ehlo()  # the server forgets everything said before TLS: greet it again
    print(f'Using TLS connection ({server.sock.version()}).')


def main():
    parser = argparse.ArgumentParser(description='Send a message over SMTP, '
                                     'encrypted with STARTTLS when the server offers it.')
    parser.add_argument('server', type=parse_server, help='SMTP server as host[:port]')
    parser.add_argument('fromaddr', help='the sender, as in MAIL FROM')
    parser.add_argument('toaddrs', nargs='+', metavar='toaddr', help='the recipients')
    args = parser.parse_args()
    host, port = args.server
    message = compose(args.fromaddr, args.toaddrs)
    try:
        with smtplib.SMTP(host, port, timeout=10) as server:  # QUIT at the end
            secure(server)
            refused = server.sendmail(args.fromaddr, args.toaddrs, message)
    except OSError as exc:  # socket, TLS and SMTP errors alike
        sys.exit(f'{host}:{port}: {reason(exc)}')
    for address, (code, text) in refused.items():
        print(f'Refused {address}: {code} {text.decode()}')
    print(f'Message successfully sent to {len(args.toaddrs) - len(refused)} recipient(s)')


if __name__ == '__main__':
    main()
