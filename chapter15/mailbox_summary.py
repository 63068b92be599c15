#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - mailbox_summary.py
# Fetch every message of a folder whole and summarize each: sender, subject, parts or text.

import argparse, email.policy, getpass, sys

from imapclient import IMAPClient


def main(host, port, username, folder):
    with IMAPClient(host, port, timeout=10) as c:
        c.login(username, getpass.getpass())
        c.select_folder(folder, readonly=True)
        # IMAPClient 4 refuses the range '1:*': ask SEARCH for the UIDs of every
        # message and fetch those.  BODY.PEEK[] leaves the \Seen flags alone.
        msgdict = c.fetch(c.search('ALL'), ['BODY.PEEK[]'])
        for uid, data in msgdict.items():
            message = email.message_from_bytes(data[b'BODY[]'], policy=email.policy.default)
            print('-' * 72)
            print(f'Message {uid} from {message["From"]}')
            print(f'  Subject: {message["Subject"]}')
            if message.is_multipart():
                print('  Parts:', ' '.join(part.get_content_type() for part in message.walk()))
            elif message.get_content_maintype() == 'text':
                text = ' '.join(message.get_content().split())
                print('  Text:', text[:60] + ('...' if len(text) > 60 else ''))
            else:  # one part, not text: a picture, say
                print('  Type:', message.get_content_type())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Summarize every message of a folder.')
    parser.add_argument('host', help='host name of the IMAP server')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('folder', help='the folder to summarize, such as INBOX')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username, args.folder)
    except IMAPClient.Error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'mailbox_summary: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'mailbox_summary: {args.host}:{args.port}: {e.strerror or e}')
