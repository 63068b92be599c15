#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - login.py
# Log in to the SMTP server (AUTH) before sending, and only once STARTTLS protects the password.

import argparse, getpass, smtplib, ssl, sys

message_template = """\
To: {}
From: {}
Subject: Test Message from login.py

Hello,

This is a test message sent to you from the login.py program
in Foundations of Python Network Programming.
"""


def main(server, port, fromaddr, toaddrs):
    message = message_template.format(', '.join(toaddrs), fromaddr)
    with smtplib.SMTP(server, port, timeout=10) as connection:
        connection.ehlo()
        # A password must never cross the network in the clear: no STARTTLS, no login.
        if not connection.has_extn('starttls'):
            raise smtplib.SMTPNotSupportedError('no STARTTLS: not sending a password unencrypted')
        connection.starttls(context=ssl.create_default_context())  # certificate checked
        connection.ehlo()
        username = input('Enter username: ')
        password = getpass.getpass('Enter password: ')
        connection.login(username, password)  # AUTH PLAIN or LOGIN, as the server offers
        refused = connection.sendmail(fromaddr, toaddrs, message)
    for address, (code, text) in refused.items():
        print(f'Refused {address}: {code} {text.decode(errors="replace")}')
    print(f'Message successfully sent to {len(toaddrs) - len(refused)} recipient(s)')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Log in over TLS, then send a message.')
    parser.add_argument('server', help='host name of the SMTP server')
    parser.add_argument('fromaddr', help='the sender, as in MAIL FROM')
    parser.add_argument('toaddrs', nargs='+', metavar='toaddr', help='the recipients')
    parser.add_argument('-p', '--port', type=int, default=10025, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.server, args.port, args.fromaddr, args.toaddrs)
    except smtplib.SMTPException as e:  # the server said no (a wrong password too), or hung up
        sys.exit(f'login: {args.server}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'login: {args.server}:{args.port}: {e.strerror or e}')
