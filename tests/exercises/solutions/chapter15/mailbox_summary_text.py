#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - mailbox_summary.py
# Fetch every message of a folder whole and summarize each: sender, subject, parts or text.
# Exercise solution: fetch only the header and the first text/plain part of each message.

import argparse, email.policy, getpass, sys

from imapclient import IMAPClient


def main(host, port, username, folder):
    with IMAPClient(host, port, timeout=10) as c:
        c.login(username, getpass.getpass())
        c.select_folder(folder, readonly=True)
        # The header and the structure of each message, computed by the server:
        # the bodies, attachments and all, stay where they are.
        msgdict = c.fetch(c.search('ALL'), ['BODY.PEEK[HEADER]', 'BODYSTRUCTURE'])
        for uid, data in msgdict.items():
            message = email.message_from_bytes(data[b'BODY[HEADER]'], policy=email.policy.default)
            print('-' * 72)
            print(f'Message {uid} from {message["From"]}')
            print(f'  Subject: {message["Subject"]}')
            number = first_text_part(data[b'BODYSTRUCTURE'])
            if number is None:
                print('  Text: (none)')
                continue
            # The part alone, and its own MIME header, which says how it is encoded.
            part = c.fetch([uid], [f'BODY.PEEK[{number}.MIME]', f'BODY.PEEK[{number}]'])[uid]
            text = email.message_from_bytes(part[f'BODY[{number}.MIME]'.encode()] +
                                            part[f'BODY[{number}]'.encode()],
                                            policy=email.policy.default).get_content()
            text = ' '.join(text.split())
            print('  Text:', text[:60] + ('...' if len(text) > 60 else ''))


def first_text_part(structure, number=''):
    """The number of the first text/plain part ('1', '1.2'...), or None if it has none."""
    if structure.is_multipart:
        for index, part in enumerate(structure[0], 1):
            found = first_text_part(part, f'{number}.{index}' if number else str(index))
            if found:
                return found
        return None
    if (structure[0] + b'/' + structure[1]).lower() == b'text/plain':
        return number or '1'  # a message that is not multipart has one part: 1
    return None


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
