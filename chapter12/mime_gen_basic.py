#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_gen_basic.py
# Build a multipart MIME message with files attached: text files as text, the rest base64.

import argparse, mimetypes, os, sys
from email.message import EmailMessage

TEXT = """Hello,

Attached are the files named on the command line of mime_gen_basic.py.

-- The example script"""


def attach_file(msg, path):
    """Attach one file, with the content type its name suggests."""
    ctype, encoding = mimetypes.guess_type(path)
    if ctype is None or encoding is not None:    # unknown, or compressed (.gz)
        ctype = 'application/octet-stream'
    maintype, subtype = ctype.split('/', 1)
    filename = os.path.basename(path)
    with open(path, 'rb') as f:
        data = f.read()
    if maintype == 'text':
        try:
            # Text goes in as text: readable in the message when it is plain ASCII.
            msg.add_attachment(data.decode('utf-8'), subtype=subtype, filename=filename)
            return
        except UnicodeDecodeError:
            pass                                 # not UTF-8: keep its bytes as they are
    msg.add_attachment(data, maintype, subtype, filename=filename)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Print a MIME message with files attached.')
    parser.add_argument('files', nargs='*', help='files to attach')
    args = parser.parse_args()
    msg = EmailMessage()
    msg['To'] = 'recipient@example.com'
    msg['From'] = 'Test Sender <sender@example.com>'
    msg['Subject'] = 'Test Message, Chapter 12'
    msg.set_content(TEXT)
    try:
        for path in args.files:
            attach_file(msg, path)   # the first one turns the message into multipart/mixed
    except OSError as e:
        sys.exit(f'mime_gen_basic: {e.filename}: {e.strerror}')
    print(msg.as_string(), end='')
