#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - open_imaplib.py
# Log in with the standard library's imaplib and print the capabilities and the raw LIST answer.

import argparse
import getpass
import imaplib
import ssl
import sys

IMAPS_PORT = 993


def parse_address(text):
    """'host', 'host:port' or '[::1]:port' -> (host, port), for argparse."""
    host, port = text, IMAPS_PORT
    if text.startswith('['):                  # an IPv6 address in brackets
        host, _, rest = text[1:].partition(']')
        port = rest.removeprefix(':') or port
    elif text.count(':') == 1:
        host, port = text.split(':')
    try:
        return host, int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f'bad port in {text!r}') from None


def main(address, username):
    host, port = address
    # Implicit TLS: the connection is encrypted (and the certificate checked
    # against the trusted CAs) before the server says a word.
    context = ssl.create_default_context()
    client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=10)
    try:
        print('Capabilities:', client.capabilities)
        client.login(username, getpass.getpass(f'Password for {username}@{host}: '))
        print('Listing mailboxes')
        status, data = client.list()
        print('Status:', repr(status))
        print('Data:')
        for datum in data:
            print(repr(datum))
    finally:
        client.logout()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Show capabilities and folders with imaplib.')
    parser.add_argument('server', type=parse_address, help='IMAP server as host[:port] '
                        '(implicit TLS, port 993 by default)')
    parser.add_argument('username', help='account to log in as')
    args = parser.parse_args()
    where = '{}:{}'.format(*args.server)
    try:
        main(args.server, args.username)
    except ssl.SSLCertVerificationError as e:
        sys.exit(f'{where}: certificate verification failed: {e.verify_message}')
    except imaplib.IMAP4.abort as e:
        sys.exit(f'{where}: connection lost ({e})')
    except imaplib.IMAP4.error:
        sys.exit(f'{where}: login refused for {args.username}')
    except OSError as e:
        sys.exit(f'{where}: {e.strerror or e}')
    except KeyboardInterrupt:
        sys.exit(1)
