#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - open_imaplib.py
# Log in with the standard library's imaplib and print the capabilities and the raw LIST answer.

import argparse, getpass, imaplib, ssl, sys


def main(host, port, username):
    # Implicit TLS: the connection is encrypted, and the certificate checked against
    # the trusted CAs, before the server says a word.  (IMAP4_SSL without a context
    # would check nothing.)  Leaving the with-block sends LOGOUT.
    context = ssl.create_default_context()
    with imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=10) as m:
        print('Capabilities:', m.capabilities)
        m.login(username, getpass.getpass())
        print('Listing mailboxes')
        status, data = m.list()
        print('Status:', repr(status))
        print('Data:')
        for datum in data:
            print(repr(datum))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Show capabilities and folders with imaplib.')
    parser.add_argument('host', help='host name of the IMAP server')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username)
    except imaplib.IMAP4.error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'open_imaplib: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'open_imaplib: {args.host}:{args.port}: {e.strerror or e}')
