#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_parse.py
# Parse a message from a file and show its headers (the rarer ones, then the popular ones) and body.

import argparse
import pathlib
import sys
from email import policy
from email.parser import BytesParser

DEFAULT_FILE = pathlib.Path(__file__).with_name('message.txt')
POPULAR = ('From', 'To', 'Subject', 'Date')


def read_message(path):
    """Parse the message stored in a file (read as bytes: mail is bytes on the wire)."""
    with open(path, 'rb') as f:
        return BytesParser(policy=policy.default).parse(f)


def show(message):
    """Print the other headers, then the popular ones, then the body."""
    print('Other headers:')
    for name, value in message.items():
        if name not in POPULAR:
            print(f'    {name}: {value}')
    print('Popular headers:')
    for name in POPULAR:
        print(f'    {name}: {message.get(name, "(not present)")}')
    print('Body:')
    print(message.get_content(), end='')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Parse an e-mail message and print its parts.')
    parser.add_argument('file', nargs='?', default=DEFAULT_FILE,
                        help='message to parse (default: message.txt beside this script)')
    args = parser.parse_args()
    try:
        message = read_message(args.file)
    except OSError as exc:
        sys.exit(f'trad_parse.py: cannot read {args.file}: {exc.strerror}')
    show(message)
