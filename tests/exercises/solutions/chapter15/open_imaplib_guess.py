#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - open_imaplib.py
# Log in with the standard library's imaplib and print the capabilities and the raw LIST answer.
# Exercise solution (on the lab): given only an e-mail address, find the IMAP server by
# trying the names that mail programs guess.

import argparse, getpass, imaplib, socket, ssl, sys

GUESSES = ['imap.{}', 'mail.{}', '{}']   # the usual names of a domain's IMAP server


def find_server(domain):
    """The first guess at the domain's IMAP server that has an address in DNS."""
    for guess in GUESSES:
        name = guess.format(domain)
        try:
            address = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)[0][4][0]
        except socket.gaierror as e:
            print(f'{name}: {e.strerror}')
            continue
        print(f'Using {name} ({address})')
        return name
    raise OSError('no IMAP server found')


def main(domain, port, username):
    host = find_server(domain)
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
    parser.add_argument('address', help='the e-mail address: the account @ its domain')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    args = parser.parse_args()
    username, _, domain = args.address.rpartition('@')
    try:
        main(domain, args.port, username)
    except imaplib.IMAP4.error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'open_imaplib: {domain}:{args.port}: {e}')
    except OSError as e:  # no server found, nobody listening, no answer, a bad certificate
        sys.exit(f'open_imaplib: {domain}:{args.port}: {e.strerror or e}')
