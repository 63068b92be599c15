#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - trad_gen_newhdrs.py
# Like trad_gen_simple.py, plus the Date and Message-ID headers that a real message carries.

import argparse
from email import utils
from email.message import EmailMessage

BODY = """Hello,

This message was built by a Python program for Chapter 12.  Besides
the usual headers it carries a Date and a unique Message-ID.

-- The example script"""


def build_message():
    """Return a plain-text message with Date and Message-ID added."""
    message = EmailMessage()
    message['To'] = 'recipient@example.com'
    message['From'] = 'Test Sender <sender@example.com>'
    message['Subject'] = 'Test Message, Chapter 12'
    # RFC 5322 wants a Date, in this exact format, with the local time zone.
    message['Date'] = utils.formatdate(localtime=True)
    # A Message-ID is unique worldwide: time, process, randomness, and the sender's domain.
    message['Message-ID'] = utils.make_msgid(domain='example.com')
    message.set_content(BODY)
    return message


if __name__ == '__main__':
    parser = argparse.ArgumentParser(
        description='Print a plain-text e-mail message with Date and Message-ID.')
    parser.parse_args()
    print(build_message().as_string(), end='')
