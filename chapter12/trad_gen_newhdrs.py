#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_gen_newhdrs.py
# Like trad_gen_simple.py, plus the Date and Message-ID headers that a real message carries.

import argparse
from email import utils
from email.message import Message

TEXT = """Hello,

This message was built by a Python program for Chapter 12.  Besides
the usual headers it carries a Date and a unique Message-ID.

-- The example script"""

if __name__ == '__main__':
    argparse.ArgumentParser(description='Print a message with Date and Message-ID.').parse_args()
    msg = Message()
    msg['To'] = 'recipient@example.com'
    msg['From'] = 'Test Sender <sender@example.com>'
    msg['Subject'] = 'Test Message, Chapter 12'
    # RFC 5322 wants a Date, in this exact format, with the local time zone.
    msg['Date'] = utils.formatdate(localtime=True)
    # A Message-ID is unique worldwide: time, process, randomness, and a domain
    # (given here, since looking up this machine's own name can be slow or wrong).
    msg['Message-ID'] = utils.make_msgid(domain='example.com')
    msg.set_payload(TEXT)
    print(msg.as_string())
