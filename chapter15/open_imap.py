#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - open_imap.py
# The same with IMAPClient: capabilities, then every folder with its LIST flags.

import argparse, getpass, sys

from imapclient import IMAPClient


def main(host, port, username):
    # IMAPClient speaks TLS from the first byte and checks the certificate by default.
    with IMAPClient(host, port, timeout=10) as c:  # LOGOUT when the block ends
        c.login(username, getpass.getpass())
        print('Capabilities:', ' '.join(cap.decode() for cap in c.capabilities()))
        # \Noselect marks a folder that only holds others, \HasChildren one with
        # folders below it; the names come decoded from IMAP's modified UTF-7.
        folders = c.list_folders()
        print('Folders (flags, name):')
        for flags, delimiter, name in folders:
            print(f"  {' '.join(flag.decode() for flag in flags):28} {name}")


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List capabilities and folders with IMAPClient.')
    parser.add_argument('host', help='host name of the IMAP server')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username)
    except IMAPClient.Error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'open_imap: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'open_imap: {args.host}:{args.port}: {e.strerror or e}')
