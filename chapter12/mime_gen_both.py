#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 12 - mime_gen_both.py
# Nest the parts: a plain/HTML alternative body inside a multipart/mixed with attachments.

import argparse, mimetypes, os, sys
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
            msg.add_attachment(data.decode('utf-8'), subtype=subtype, filename=filename)
            return
        except UnicodeDecodeError:
            pass                                 # not UTF-8: keep its bytes as they are
    msg.add_attachment(data, maintype, subtype, filename=filename)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Print a plain/HTML message with files.')
    parser.add_argument('files', nargs='*', help='files to attach')
    args = parser.parse_args()
    msg = EmailMessage()
    msg['To'] = 'recipient@example.com'
    msg['From'] = 'Test Sender <sender@example.com>'
    msg['Subject'] = 'Test Message, Chapter 12'
    msg.set_content(PLAIN)
    msg.add_alternative(HTML, subtype='html')   # now multipart/alternative
    try:
        for path in args.files:
            attach_file(msg, path)   # the first one wraps the body in multipart/mixed
    except OSError as e:
        sys.exit(f'mime_gen_both: {e.filename}: {e.strerror}')
    print(msg.as_string(), end='')
