#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_gen_simple.py
# Build a plain-text e-mail message (headers, a blank line, a body) and print it.

import argparse
from email.message import EmailMessage

BODY = """Hello,

This message was built by a Python program for Chapter 12.  It has no
attachments and no fancy formatting: just headers and plain text.

-- The example script"""


def build_message():
    """Return a plain-text message with To, From and Subject headers."""
    message = EmailMessage()
    message['To'] = 'recipient@example.com'
    message['From'] = 'Test Sender <sender@example.com>'
    message['Subject'] = 'Test Message, Chapter 12'
    message.set_content(BODY)
    return message


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Print a simple plain-text e-mail message.')
    parser.parse_args()
    print(build_message().as_string(), end='')
