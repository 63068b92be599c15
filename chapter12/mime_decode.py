#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_decode.py
# List the parts of a MIME message that hold data, then save the ones the user picks, decoded.

import argparse, email, mimetypes, os, sys
from email import policy


def ask(prompt):
    """Read one answer from the user; end of input (Ctrl-D) counts as an empty answer."""
    try:
        return input(prompt).strip()
    except EOFError:
        print()
        return ''


def save_part(part, number):
    """Ask for a file name and write the part's decoded bytes there, never clobbering."""
    # A file name comes from the sender: keep only its last component, so that
    # a name like '../../.bashrc' cannot write outside the current folder.
    extension = mimetypes.guess_extension(part.get_content_type()) or '.bin'
    suggested = os.path.basename(part.get_filename() or '') or f'part{number}{extension}'
    path = ask(f'Save part {number} as [{suggested}]: ') or suggested
    mode = 'xb'                             # 'x': fail rather than replace a file
    if os.path.exists(path):
        if ask(f'{path} exists; overwrite it? [y/N] ').lower() not in ('y', 'yes'):
            print('Not saved.')
            return
        mode = 'wb'
    data = part.get_payload(decode=True)    # undoes base64 or quoted-printable
    try:
        with open(path, mode) as f:
            f.write(data)
        print(f'Saved {len(data)} bytes to {path}')
    except OSError as e:
        print(f'Cannot write {path}: {e.strerror}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Save the decoded parts of a MIME message.')
    parser.add_argument('message', help='file holding the message')
    args = parser.parse_args()
    try:
        with open(args.message, 'rb') as f:
            msg = email.message_from_binary_file(f, policy=policy.default)
    except OSError as e:
        sys.exit(f'mime_decode: {args.message}: {e.strerror}')
    parts = [part for part in msg.walk() if not part.is_multipart()]   # the leaves
    for number, part in enumerate(parts, 1):
        size, name = len(part.get_payload(decode=True)), part.get_filename()
        print(f'{number:3}  {part.get_content_type():24} {size:8} bytes  '
              f'{name or "(no file name)"}')
    while answer := ask(f'Part to save (1-{len(parts)}, Enter to quit): '):
        if answer.isdigit() and 1 <= int(answer) <= len(parts):
            save_part(parts[int(answer) - 1], int(answer))
        else:
            print(f'Please type a number from 1 to {len(parts)}.')
