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


def build_message():
    """Return a message whose body comes in two alternative forms."""
    message = EmailMessage()
    message['To'] = 'recipient@example.com'
    message['From'] = 'Test Sender <sender@example.com>'
    message['Subject'] = 'Test Message, Chapter 12'
    message.set_content(PLAIN)
    # Alternatives go from the simplest to the richest: readers show the last they understand.
    message.add_alternative(HTML, subtype='html')
    return message


if __name__ == '__main__':
    parser = argparse.ArgumentParser(
        description='Print a message with plain-text and HTML alternatives.')
    parser.parse_args()
    print(build_message().as_string(), end='')
