#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_headers.py
# Headers must be ASCII: a From name like "Michael Müller" travels as an RFC 2047 encoded word.
# Exercise solution: a Latin-1 text attachment whose file name is not ASCII either (RFC 2231).

import argparse
from email.headerregistry import Address
from email.message import EmailMessage

TEXT = """Hallo,

dieser Text enthält Umlaute (ä, ö, ü) und ein ß.
Quoted-printable lässt ihn fast lesbar.

-- Michael"""

if __name__ == '__main__':
    argparse.ArgumentParser(description='Print a message with non-ASCII headers.').parse_args()
    msg = EmailMessage()
    msg['To'] = Address('Test Recipient', 'recipient', 'example.com')
    # policy.default encodes the display name for us; the address itself stays ASCII.
    msg['From'] = Address('Michael Müller', 'michael', 'example.com')
    msg['Subject'] = 'Grüße aus Köln'
    msg.set_content(TEXT, cte='quoted-printable')
    # Its text is sent in ISO-8859-1, and says so in its charset; its file name, a
    # parameter of Content-Disposition, is encoded as filename*=utf-8''Gr%C3%BC...
    msg.add_attachment('Viele Grüße vom Rhein!', filename='Grüße aus Köln.txt',
                       charset='iso-8859-1')
    print(msg.as_string(), end='')
