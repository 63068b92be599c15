#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - folder_info.py
# Open a folder read-only (EXAMINE) and print everything the server tells about it.
# Exercise solution: --wait stays in IDLE until the server announces a new message.

import argparse, email.parser, email.policy, getpass, sys

from imapclient import IMAPClient


def main(host, port, username, folder, wait):
    with IMAPClient(host, port, timeout=10) as c:
        c.login(username, getpass.getpass())
        # readonly=True sends EXAMINE: we may look, but nothing we do changes the
        # folder (not even the \Seen flags).
        select_info = c.select_folder(folder, readonly=True)
        print(f'Folder {folder!r} (opened read-only):')
        for key, value in sorted(select_info.items()):
            print(f'  {key.decode()}: {value!r}')
        if wait:
            wait_for_mail(c, select_info[b'UIDNEXT'])


def wait_for_mail(c, uidnext):
    """IDLE until the server pushes an EXISTS; then show the messages from UIDNEXT on."""
    c.idle()  # from now on the server speaks first, when something happens
    print('Waiting for new mail (IDLE)...', flush=True)
    while not any(response[1:2] == (b'EXISTS',) for response in c.idle_check(timeout=60)):
        pass  # other news (or none for a minute): keep waiting
    c.idle_done()
    # Every new message has a UID of UIDNEXT or more, the number SELECT gave us.
    uids = c.search(['UID', f'{uidnext}:*'])
    fetched = c.fetch(uids, ['BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]'])
    for uid, data in sorted(fetched.items()):
        fields = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(
            data[b'BODY[HEADER.FIELDS (FROM SUBJECT)]'])
        print(f'New message {uid} from {fields["From"]}: {fields["Subject"]}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Show what SELECT (EXAMINE) says about a folder.')
    parser.add_argument('host', help='host name of the IMAP server')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('folder', nargs='?', default='INBOX', help='default: %(default)s')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    parser.add_argument('--wait', action='store_true', help='then wait for a new message (IDLE)')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username, args.folder, args.wait)
    except IMAPClient.Error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'folder_info: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'folder_info: {args.host}:{args.port}: {e.strerror or e}')
