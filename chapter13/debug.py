#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - debug.py
# The same message as simple.py, with every line of the SMTP conversation printed.

import argparse, smtplib, sys

message_template = """\
To: {}
From: {}
Subject: Test Message from debug.py

Hello,

This is a test message sent to you from the debug.py program
in Foundations of Python Network Programming.
"""


def main(server, port, fromaddr, toaddrs):
    message = message_template.format(', '.join(toaddrs), fromaddr)
    with smtplib.SMTP(server, port, timeout=10) as connection:
        connection.set_debuglevel(1)  # print each command and each reply on stderr
        refused = connection.sendmail(fromaddr, toaddrs, message)
    for address, (code, text) in refused.items():
        print(f'Refused {address}: {code} {text.decode(errors="replace")}')
    print(f'Message successfully sent to {len(toaddrs) - len(refused)} recipient(s)')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Send a message, showing the SMTP conversation.')
    parser.add_argument('server', help='host name of the SMTP server')
    parser.add_argument('fromaddr', help='the sender, as in MAIL FROM')
    parser.add_argument('toaddrs', nargs='+', metavar='toaddr', help='the recipients')
    parser.add_argument('-p', '--port', type=int, default=10025, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.server, args.port, args.fromaddr, args.toaddrs)
    except smtplib.SMTPException as e:  # the server said no, or hung up: one line
        sys.exit(f'debug: {args.server}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer in time
        sys.exit(f'debug: {args.server}:{args.port}: {e.strerror or e}')
