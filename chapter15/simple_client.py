#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 15 - simple_client.py
# An interactive IMAP browser: pick a folder, then a message, then any of its MIME parts.

import argparse, email.parser, email.policy, getpass, sys

from imapclient import IMAPClient


def main(host, port, username):
    # TLS from the first byte, the certificate checked; LOGOUT when the block ends.
    with IMAPClient(host, port, timeout=10) as client:
        client.login(username, getpass.getpass())
        explore_account(client)


def explore_account(client):
    """List the folders; open the one the user names, until a blank answer."""
    while True:
        folders = client.list_folders()
        print('\nFolders:')
        for flags, delimiter, name in folders:
            note = '  (holds folders only: \\Noselect)' if b'\\Noselect' in flags else ''
            print(f'  {name}{note}')
        name = input('Folder (Enter to quit): ').strip()
        if not name:
            return
        try:
            # EXAMINE rather than SELECT: browsing should not mark anything \Seen.
            info = client.select_folder(name, readonly=True)
        except IMAPClient.Error as e:
            print(f'Cannot open {name!r}: {e}')
            continue
        explore_folder(client, name, info[b'EXISTS'])


def explore_folder(client, name, count):
    """List a folder's messages by UID; show the one the user names."""
    while True:
        print(f'\n{name}: {count} message(s)')
        uids = client.search('ALL')
        header = 'BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]'
        fetched = client.fetch(uids, ['INTERNALDATE', 'RFC822.SIZE', 'FLAGS', header])
        for uid, data in sorted(fetched.items()):
            fields = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(
                data[b'BODY[HEADER.FIELDS (FROM SUBJECT)]'])
            flags = ' '.join(flag.decode() for flag in data[b'FLAGS']) or '-'
            print(f'{uid:>5}  {data[b"INTERNALDATE"]:%Y-%m-%d %H:%M}  '
                  f'{data[b"RFC822.SIZE"]:>6} bytes  {flags}')
            print(f'       From: {fields["From"]}')
            print(f'       Subject: {fields["Subject"]}')
        answer = input('Message UID (Enter for the folder list): ').strip()
        if not answer:
            return
        if not answer.isdigit() or int(answer) not in fetched:
            print(f'No message with UID {answer!r} here')
            continue
        explore_message(client, int(answer))


def explore_message(client, uid):
    """Show a message's MIME structure; print each part the user names."""
    while True:
        structure = client.fetch([uid], ['BODYSTRUCTURE'])[uid][b'BODYSTRUCTURE']
        print(f'\nMessage {uid}, its parts as the server describes them (BODYSTRUCTURE):')
        show_structure(structure)
        answer = input('Part number (Enter for the message list): ').strip()
        if not answer:
            return
        # The server cuts the part out for us: only those bytes cross the
        # network, still in their transfer encoding (base64 for the PNG).
        section = f'BODY[{answer}]'
        data = client.fetch([uid], [f'BODY.PEEK[{answer}]']).get(uid, {})
        if not data.get(section.encode()):
            print(f'No part {answer!r} in message {uid}')
            continue
        print(f'--- part {answer} of message {uid}, as sent by the server ---')
        text = data[section.encode()].decode('utf-8', 'replace')
        print(text.replace('\r\n', '\n').rstrip('\n'))
        print('--- end of part ---')


def show_structure(structure, number=''):
    """Print one line per part: its number for BODY[number], its type, size and encoding."""
    if structure.is_multipart:
        parts, subtype = structure[0], structure[1].decode().lower()
        print(f'  {number or "(all)":8} multipart/{subtype}')
        for index, part in enumerate(parts, 1):
            show_structure(part, f'{number}.{index}' if number else str(index))
    else:
        kind = f'{structure[0].decode()}/{structure[1].decode()}'.lower()
        print(f'  {number or "1":8} {kind:24} {structure[6]:>6} bytes  '
              f'{structure[5].decode().lower()}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Browse folders, messages and parts over IMAP.')
    parser.add_argument('host', help='host name of the IMAP server')
    parser.add_argument('username', help='account to log in as')
    parser.add_argument('-p', '--port', type=int, default=10993, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username)
    except IMAPClient.Error as e:  # the server said NO or BAD (a wrong password too)
        sys.exit(f'simple_client: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'simple_client: {args.host}:{args.port}: {e.strerror or e}')
