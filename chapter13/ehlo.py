#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - ehlo.py
# Greet with EHLO (falling back to HELO), then respect the SIZE limit the server announces.

import argparse, io, smtplib, sys

message_template = """\
To: {}
From: {}
Subject: Test Message from ehlo.py

"""
body_text = """\
Hello,

This is a test message sent to you from the ehlo.py program
in Foundations of Python Network Programming.
"""


def main(server, port, fromaddr, toaddrs, body):
    message = message_template.format(', '.join(toaddrs), fromaddr) + body
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
            # (On the wire each \n becomes \r\n, a little more: the server has the last word.)
            if limit and len(message.encode()) > limit:
                sys.exit(f'ehlo: {server}:{port}: message too large; aborting')
        refused = connection.sendmail(fromaddr, toaddrs, message)
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
    args = parser.parse_args()
    with args.body:
        body = args.body.read()
    try:
        main(args.server, args.port, args.fromaddr, args.toaddrs, body)
    except smtplib.SMTPException as e:  # the server said no, or hung up
        sys.exit(f'ehlo: {args.server}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer in time
        sys.exit(f'ehlo: {args.server}:{args.port}: {e.strerror or e}')
