#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_structure.py
# Read a message on standard input and print its tree of MIME parts, with each part's headers.

import argparse, email, sys
from email import policy


def print_part(part, depth=0):
    """Print one part (type, headers, size or children), then its children, indented."""
    margin = '    ' * depth
    print(margin + part.get_content_type())
    for name, value in part.items():
        print(f'{margin}  | {name}: {" ".join(str(value).split())}')
    if part.is_multipart():
        for child in part.iter_parts():
            print_part(child, depth + 1)
    else:
        print(f'{margin}  = {len(part.get_payload(decode=True))} bytes once decoded')


if __name__ == '__main__':
    argparse.ArgumentParser(description='Print the MIME tree of a message on stdin.').parse_args()
    print_part(email.message_from_binary_file(sys.stdin.buffer, policy=policy.default))
