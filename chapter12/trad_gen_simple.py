#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_gen_simple.py
# Build a traditional (pre-MIME) e-mail message, headers, a blank line, a body, and print it.

import argparse
from email.message import Message

TEXT = """Hello,

This message was built by a Python program for Chapter 12.  It has no
attachments and no fancy formatting: just headers and plain text.

-- The example script"""

if __name__ == '__main__':
    argparse.ArgumentParser(description='Print a simple plain-text e-mail message.').parse_args()
    # email.message.Message is the traditional class: it writes only the headers we
    # set. (EmailMessage, used by the MIME listings, adds MIME headers of its own.)
    msg = Message()
    msg['To'] = 'recipient@example.com'
    msg['From'] = 'Test Sender <sender@example.com>'
    msg['Subject'] = 'Test Message, Chapter 12'
    msg.set_payload(TEXT)
    print(msg.as_string())
