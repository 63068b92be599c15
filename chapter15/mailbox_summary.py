#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - mailbox_summary.py
# Fetch every message of a folder whole and summarize each: sender, subject, parts or text.

import argparse
import email
import email.policy
import getpass
import ssl
import sys

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

IMAPS_PORT = 993
TEXT_WIDTH = 60  # characters of text shown for a simple message


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
        client.select_folder(folder, readonly=True)
        # IMAPClient refuses the range '1:*' (4.x): ask SEARCH for the UIDs of
        # every message, then fetch those.  BODY.PEEK[] leaves \\Seen alone.
        uids = client.search('ALL')
        for uid, data in client.fetch(uids, ['BODY.PEEK[]']).items():
            message = email.message_from_bytes(data[b'BODY[]'], policy=email.policy.default)
            summarize(uid, message)
    finally:
        client.logout()


def summarize(uid, message):
    """Print who sent a message, then its part types or the start of its text."""
    print('-' * 72)
    print(f'Message {uid} from {message["From"]}')
    print(f'  Subject: {message["Subject"]}')
    if message.is_multipart():
        print('  Parts:', ' '.join(part.get_content_type() for part in message.walk()))
    else:
        text = ' '.join(message.get_content().split())
        print('  Text:', text[:TEXT_WIDTH] + ('...' if len(text) > TEXT_WIDTH else ''))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Summarize every message of a folder.')
    parser.add_argument('server', type=parse_address, help='IMAP server as host[:port] '
                        '(implicit TLS, port 993 by default)')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('folder', help='folder to summarize, such as INBOX')
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
