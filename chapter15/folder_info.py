#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - folder_info.py
# Open a folder read-only (EXAMINE) and print everything the server tells about it.

import argparse, getpass, sys

from imapclient import IMAPClient


def main(host, port, username, folder):
    with IMAPClient(host, port, timeout=10) as c:
        c.login(username, getpass.getpass())
        # readonly=True sends EXAMINE: we may look, but nothing we do changes the
        # folder (not even the \Seen flags).
        select_info = c.select_folder(folder, readonly=True)
        print(f'Folder {folder!r} (opened read-only):')
        for key, value in sorted(select_info.items()):
            print(f'  {key.decode()}: {value!r}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Show what SELECT (EXAMINE) says about a folder.')
    parser.add_argument('host', help='host name of the IMAP server')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('folder', nargs='?', default='INBOX', help='default: %(default)s')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username, args.folder)
    except IMAPClient.Error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'folder_info: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'folder_info: {args.host}:{args.port}: {e.strerror or e}')
