#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_headers.py
# Headers must be ASCII: a From name like "Michael Müller" travels as an RFC 2047 encoded word.

import argparse
from email.headerregistry import Address
from email.message import EmailMessage

BODY = """Hallo,

dieser Text enthält Umlaute (ä, ö, ü) und ein ß.
Quoted-printable lässt ihn fast lesbar.

-- Michael"""


def build_message():
    """Return a message whose From name, Subject and body are not ASCII."""
    message = EmailMessage()
    message['To'] = Address('Test Recipient', 'recipient', 'example.com')
    # policy.default encodes the display name for us; the address itself stays ASCII.
    message['From'] = Address('Michael Müller', 'michael', 'example.com')
    message['Subject'] = 'Grüße aus Köln'
    message.set_content(BODY, cte='quoted-printable')
    return message


if __name__ == '__main__':
    parser = argparse.ArgumentParser(
        description='Print a message whose headers carry non-ASCII text.')
    parser.parse_args()
    print(build_message().as_string(), end='')
