#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_gen_both.py
# Nest the parts: a plain/HTML alternative body inside a multipart/mixed with attachments.

import argparse
import mimetypes
import os
import sys
from email.message import EmailMessage

PLAIN = """Hello,

This is the plain-text version of the message.  The files named on the
command line of mime_gen_both.py are attached.

-- The example script"""

HTML = """<html><body>
<p>Hello,</p>
<p>This is the <b>HTML</b> version of the message.  The files named on
the command line of <tt>mime_gen_both.py</tt> are attached.</p>
<p>-- The example script</p>
</body></html>"""


def attach_file(message, path):
    """Attach one file, with the content type its name suggests."""
    ctype, encoding = mimetypes.guess_type(path)
    if ctype is None or encoding is not None:
        ctype = 'application/octet-stream'
    maintype, subtype = ctype.split('/', 1)
    filename = os.path.basename(path)
    with open(path, 'rb') as f:
        data = f.read()
    if maintype == 'text':
        try:
            message.add_attachment(data.decode('utf-8'), subtype=subtype, filename=filename)
            return
        except UnicodeDecodeError:
            pass
    message.add_attachment(data, maintype, subtype, filename=filename)


def build_message(paths):
    """Return multipart/mixed: a multipart/alternative body, then the attachments."""
    message = EmailMessage()
    message['To'] = 'recipient@example.com'
    message['From'] = 'Test Sender <sender@example.com>'
    message['Subject'] = 'Test Message, Chapter 12'
    message.set_content(PLAIN)
    message.add_alternative(HTML, subtype='html')   # now multipart/alternative
    for path in paths:
        attach_file(message, path)   # the first one wraps the body in multipart/mixed
    return message


if __name__ == '__main__':
    parser = argparse.ArgumentParser(
        description='Print a message with a plain/HTML body and files attached.')
    parser.add_argument('files', nargs='*', help='files to attach')
    args = parser.parse_args()
    try:
        message = build_message(args.files)
    except OSError as exc:
        sys.exit(f'mime_gen_both.py: cannot read {exc.filename}: {exc.strerror}')
    print(message.as_string(), end='')
