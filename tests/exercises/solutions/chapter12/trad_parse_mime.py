#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_parse.py
# Parse a message from a file; show its headers (the rarer ones, then the popular ones), its body.
# Exercise solution: a MIME message too: its plain-text body, then a list of its attachments.

import argparse, email, pathlib, sys
from email import policy

POPULAR = ('From', 'To', 'Subject', 'Date')
SAMPLE = pathlib.Path(__file__).with_name('message.txt')

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Parse an e-mail message and print its parts.')
    parser.add_argument('file', nargs='?', default=SAMPLE,
                        help='message to parse (default: message.txt beside this script)')
    args = parser.parse_args()
    try:
        with open(args.file, 'rb') as f:       # mail is bytes on the wire: parse bytes
            msg = email.message_from_binary_file(f, policy=policy.default)
    except OSError as e:
        sys.exit(f'trad_parse: {args.file}: {e.strerror}')
    print('Other headers:')
    for name, value in msg.items():
        if name not in POPULAR:
            print(f'    {name}: {value}')
    print('Popular headers:')
    for name in POPULAR:
        print(f'    {name}: {msg.get(name, "(not present)")}')
    print('Body:')
    # get_body() picks the part a reader would read as the body; with ('plain',) the
    # plain-text alternative. A traditional message is its own body.
    print(msg.get_body(preferencelist=('plain',)).get_content(), end='')
    attachments = list(msg.iter_attachments())
    if attachments:
        print('Attachments:')
    for part in attachments:
        size = len(part.get_payload(decode=True))      # once base64 is undone
        print(f'    {part.get_filename()}: {part.get_content_type()}, {size} bytes')
