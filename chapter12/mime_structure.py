#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_structure.py
# Read a message on standard input and print its tree of MIME parts, with each part's headers.

import argparse
import sys
from email import policy
from email.parser import BytesParser

INDENT = '    '


def show_part(part, depth=0):
    """Print one part (type, headers, size or children), then its children, indented."""
    margin = INDENT * depth
    print(f'{margin}{part.get_content_type()}')
    for name, value in part.items():
        print(f'{margin}  | {name}: {" ".join(str(value).split())}')
    if part.is_multipart():
        for child in part.iter_parts():
            show_part(child, depth + 1)
    else:
        size = len(part.get_payload(decode=True))
        print(f'{margin}  = {size} bytes once decoded')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(
        description='Print the MIME structure of a message read on standard input.')
    parser.parse_args()
    show_part(BytesParser(policy=policy.default).parse(sys.stdin.buffer))
