#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_decode.py
# List the parts of a MIME message that hold data, then save the ones the user picks, decoded.

import argparse
import mimetypes
import os
import sys
from email import policy
from email.parser import BytesParser


def read_message(path):
    """Parse the message stored in a file."""
    with open(path, 'rb') as f:
        return BytesParser(policy=policy.default).parse(f)


def leaf_parts(message):
    """Return the parts that hold data (walk() also yields the multipart containers)."""
    return [part for part in message.walk() if not part.is_multipart()]


def list_parts(parts):
    """Print a numbered line per part: type, file name, decoded size."""
    for number, part in enumerate(parts, 1):
        data = part.get_payload(decode=True)
        name = part.get_filename() or '(no file name)'
        print(f'{number:3}  {part.get_content_type():24} {len(data):8} bytes  {name}')


def ask(prompt):
    """Read one answer from the user; end of input counts as an empty answer."""
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
    except OSError as exc:
        print(f'Cannot write {path}: {exc.strerror}')
        return
    print(f'Saved {len(data)} bytes to {path}')


def interact(parts):
    """Let the user pick parts to save until an empty answer."""
    list_parts(parts)
    while True:
        answer = ask(f'Part to save (1-{len(parts)}, Enter to quit): ')
        if not answer:
            return
        if not answer.isdigit() or not 1 <= int(answer) <= len(parts):
            print(f'Please type a number from 1 to {len(parts)}.')
            continue
        save_part(parts[int(answer) - 1], int(answer))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Save the decoded parts of a MIME message.')
    parser.add_argument('message', help='file holding the message')
    args = parser.parse_args()
    try:
        message = read_message(args.message)
    except OSError as exc:
        sys.exit(f'mime_decode.py: cannot read {args.message}: {exc.strerror}')
    interact(leaf_parts(message))
