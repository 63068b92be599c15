#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_parse.py
# Parse a message from a file; show its headers (the rarer ones, then the popular ones), its body.

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
    print(msg.get_content(), end='')
