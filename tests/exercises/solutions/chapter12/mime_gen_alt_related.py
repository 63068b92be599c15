#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_gen_alt.py
# Build a multipart/alternative message: one body as plain text and as HTML, the reader picks.
# Exercise solution: the HTML shows a picture that travels with it (multipart/related, cid:).

import argparse, sys
from email import utils
from email.message import EmailMessage

PLAIN = """Hello,

This is the plain-text version of the message, for mail readers that
do not show HTML.

-- The example script"""

HTML = """<html><body>
<p>Hello,</p>
<p>This is the <b>HTML</b> version of the message, for mail readers
that show <i>rich</i> text.</p>
<p><img src="cid:{cid}" alt="a gradient"></p>
<p>-- The example script</p>
</body></html>"""

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Print a plain-text and HTML message.')
    parser.add_argument('picture', help='a PNG picture for the HTML to show')
    args = parser.parse_args()
    try:
        with open(args.picture, 'rb') as f:
            picture = f.read()
    except OSError as e:
        sys.exit(f'mime_gen_alt: {args.picture}: {e.strerror}')
    msg = EmailMessage()
    msg['To'] = 'recipient@example.com'
    msg['From'] = 'Test Sender <sender@example.com>'
    msg['Subject'] = 'Test Message, Chapter 12'
    msg.set_content(PLAIN)
    # Alternatives go from the simplest to the richest: readers show the last they understand.
    # The HTML names the picture by its Content-ID, a unique name in the message.
    cid = utils.make_msgid(domain='example.com')            # '<...@example.com>'
    msg.add_alternative(HTML.format(cid=cid[1:-1]), subtype='html')
    # The picture goes beside the HTML, not beside the alternatives: add_related() turns
    # the HTML part into a multipart/related whose first part is the HTML.
    msg.get_payload()[1].add_related(picture, 'image', 'png', cid=cid)
    print(msg.as_string(), end='')
