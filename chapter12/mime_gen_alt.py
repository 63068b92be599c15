#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_gen_alt.py
# Build a multipart/alternative message: one body as plain text and as HTML, the reader picks.

import argparse
from email.message import EmailMessage

PLAIN = """Hello,

This is the plain-text version of the message, for mail readers that
do not show HTML.

-- The example script"""

HTML = """<html><body>
<p>Hello,</p>
<p>This is the <b>HTML</b> version of the message, for mail readers
that show <i>rich</i> text.</p>
<p>-- The example script</p>
</body></html>"""

if __name__ == '__main__':
    argparse.ArgumentParser(description='Print a plain-text and HTML message.').parse_args()
    msg = EmailMessage()
    msg['To'] = 'recipient@example.com'
    msg['From'] = 'Test Sender <sender@example.com>'
    msg['Subject'] = 'Test Message, Chapter 12'
    msg.set_content(PLAIN)
    # Alternatives go from the simplest to the richest: readers show the last they understand.
    msg.add_alternative(HTML, subtype='html')
    print(msg.as_string(), end='')
