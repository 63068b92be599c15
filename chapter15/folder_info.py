#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - folder_info.py
# Open a folder read-only (EXAMINE) and print everything the server tells about it.

import argparse
import getpass
import ssl
import sys

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

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


def connect(address, username):
    """Open an implicit-TLS connection (certificate checked), ask the password, log in."""
    host, port = address
    client = imapclient.IMAPClient(host, port, ssl=True, timeout=10,
                                   ssl_context=ssl.create_default_context())
    try:
        client.login(username, getpass.getpass(f'Password for {username}@{host}: '))
    except BaseException:   # a refused login, or Ctrl-C at the prompt
        client.shutdown()
        raise
    return client


def main(address, username, folder):
    client = connect(address, username)
    try:
        # select_folder(readonly=True) sends EXAMINE: we may look, but nothing
        # we do changes the folder (not even the \\Seen flags).
        info = client.select_folder(folder, readonly=True)
        print(f'Folder {folder!r} (opened read-only):')
        for key, value in sorted(info.items()):
            print(f'  {key.decode()}: {show(value)}'.rstrip())
    finally:
        client.logout()


def show(value):
    """Flags as (a b c), other bytes and numbers as they are."""
    if isinstance(value, tuple):
        return '(' + ' '.join(show(each) for each in value) + ')'
    if isinstance(value, list):
        return ' '.join(show(each) for each in value)
    return value.decode() if isinstance(value, bytes) else str(value)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Show what SELECT (EXAMINE) says about a folder.')
    parser.add_argument('server', type=parse_address, help='IMAP server as host[:port] '
                        '(implicit TLS, port 993 by default)')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('folder', nargs='?', default='INBOX', help='folder (default INBOX)')
    args = parser.parse_args()
    where = '{}:{}'.format(*args.server)
    try:
        main(args.server, args.username, args.folder)
    except ssl.SSLCertVerificationError as e:
        sys.exit(f'{where}: certificate verification failed: {e.verify_message}')
    except LoginError:
        sys.exit(f'{where}: login refused for {args.username}')
    except IMAPClientError as e:
        sys.exit(f'{where}: {e}')
    except OSError as e:
        sys.exit(f'{where}: {e.strerror or e}')
    except (KeyboardInterrupt, EOFError):
        sys.exit(1)
