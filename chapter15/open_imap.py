#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - open_imap.py
# The same with IMAPClient: capabilities, then every folder with its LIST flags.

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


def main(address, username):
    client = connect(address, username)
    try:
        print('Capabilities:', ' '.join(c.decode() for c in client.capabilities()))
        # Each folder comes with its attributes: \\Noselect marks one that only
        # holds other folders, \\HasChildren one with folders below it.
        print('Folders (flags, name):')
        for flags, delimiter, name in client.list_folders():
            attributes = ' '.join(flag.decode() for flag in flags)
            print(f'  {attributes:28} {name}')
    finally:
        client.logout()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List capabilities and folders with IMAPClient.')
    parser.add_argument('server', type=parse_address, help='IMAP server as host[:port] '
                        '(implicit TLS, port 993 by default)')
    parser.add_argument('username', help='account to log in as')
    args = parser.parse_args()
    where = '{}:{}'.format(*args.server)
    try:
        main(args.server, args.username)
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
