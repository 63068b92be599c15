#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_parse_headers.py
# Read a message on standard input and decode its encoded headers (RFC 2047) back to text.

import argparse, email, sys
from email import policy
from email.header import decode_header

if __name__ == '__main__':
    argparse.ArgumentParser(description='Decode the headers of a message on stdin.').parse_args()
    msg = email.message_from_binary_file(sys.stdin.buffer, policy=policy.default)
    # raw_items() gives the headers as they arrived; items() the same ones, decoded.
    for (name, raw), (_, header) in zip(msg.raw_items(), msg.items()):
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
