#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_parse_headers.py
# Read a message on standard input and decode its encoded headers (RFC 2047) back to text.

import argparse
import sys
from email import policy
from email.header import decode_header
from email.parser import BytesParser


def show_headers(message):
    """Print each header as it travelled, its encoded pieces, and the decoded text."""
    # raw_items() gives the headers as they arrived; items() the same ones, decoded.
    for (name, raw), (_, header) in zip(message.raw_items(), message.items()):
        raw = ' '.join(raw.split())              # unfold continuation lines
        print(f'{name}:')
        print(f'    raw:     {raw}')
        if '=?' in raw:
            # The low-level view: (bytes, charset) for each encoded word.
            for text, charset in decode_header(raw):
                print(f'    piece:   {text!r} in {charset or "us-ascii"}')
        print(f'    decoded: {header}')
        for address in getattr(header, 'addresses', ()):
            print(f'    address: name {address.display_name!r}, mailbox {address.addr_spec}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(
        description='Decode the headers of a message read on standard input.')
    parser.parse_args()
    show_headers(BytesParser(policy=policy.default).parse(sys.stdin.buffer))
