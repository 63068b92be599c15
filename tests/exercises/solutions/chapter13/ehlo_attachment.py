#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - ehlo.py
# Greet with EHLO (falling back to HELO), then respect the SIZE limit the server announces.
# Exercise solution: --attach FILE sends a MIME message (the text, an HTML alternative,
# the file), and the SIZE check counts the message as it will travel, base64 and all.

import argparse, html, io, mimetypes, pathlib, smtplib, sys
from email.message import EmailMessage

body_text = """\
Hello,

This is a test message sent to you from the ehlo.py program
in Foundations of Python Network Programming.
"""


def build(fromaddr, toaddrs, body, attach):
    """The message: text, then (with a file to attach) an HTML alternative and the file."""
    message = EmailMessage()
    message['To'] = ', '.join(toaddrs)
    message['From'] = fromaddr
    message['Subject'] = 'Test Message from ehlo.py'
    message.set_content(body)
    if attach:
        paragraphs = ''.join(f'<p>{html.escape(p)}</p>\n' for p in body.split('\n\n'))
        message.add_alternative(f'<html><body>\n{paragraphs}</body></html>\n', subtype='html')
        kind = mimetypes.guess_type(attach.name)[0] or 'application/octet-stream'
        maintype, subtype = kind.split('/')
        # Binary data travels as base64: 3 bytes become 4, plus a line end every 76.
        message.add_attachment(attach.read_bytes(), maintype=maintype, subtype=subtype,
                               filename=attach.name)
    return message


def main(server, port, fromaddr, toaddrs, body, attach):
    message = build(fromaddr, toaddrs, body, attach)
    with smtplib.SMTP(server, port, timeout=10) as connection:
        # An ESMTP server answers EHLO with its extensions; an old one knows only HELO.
        code = connection.ehlo()[0]
        uses_esmtp = 200 <= code <= 299
        if not uses_esmtp:
            code, text = connection.helo()
            if not 200 <= code <= 299:
                raise smtplib.SMTPHeloError(code, text)
        # SIZE is an extension: only an ESMTP server can tell us its limit (0: none).
        if uses_esmtp and connection.has_extn('size'):
            limit = int(connection.esmtp_features['size'])
            print('Maximum message size is', limit)
            # The size that counts is the encoded message's, not the file's.
            if limit and len(message.as_bytes()) > limit:
                sys.exit(f'ehlo: {server}:{port}: message too large; aborting')
        refused = connection.send_message(message, fromaddr, toaddrs)
    for address, (code, text) in refused.items():
        print(f'Refused {address}: {code} {text.decode(errors="replace")}')
    print(f'Message successfully sent to {len(toaddrs) - len(refused)} recipient(s)')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description="Send a message within the server's SIZE limit.")
    parser.add_argument('server', help='host name of the SMTP server')
    parser.add_argument('fromaddr', help='the sender, as in MAIL FROM')
    parser.add_argument('toaddrs', nargs='+', metavar='toaddr', help='the recipients')
    parser.add_argument('-p', '--port', type=int, default=10025, help='default: %(default)s')
    parser.add_argument('--body', type=argparse.FileType('r'), default=io.StringIO(body_text),
                        help='a text file to send as the body (try a big one)')
    parser.add_argument('--attach', type=pathlib.Path, help='a file to attach')
    args = parser.parse_args()
    with args.body:
        body = args.body.read()
    try:
        main(args.server, args.port, args.fromaddr, args.toaddrs, body, args.attach)
    except smtplib.SMTPException as e:  # the server said no, or hung up
        sys.exit(f'ehlo: {args.server}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer in time, no such file
        sys.exit(f'ehlo: {args.server}:{args.port}: {e.strerror or e}')
