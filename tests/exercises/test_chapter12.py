"""Chapter 12 exercises: e-mail composition and decoding (the text of each is in
chapter12/README.md, Exercises)."""
import email
import re
from email import policy

import pytest

from harness import REPO

SAMPLE = REPO / 'chapter12' / 'message.txt'
PICTURE = REPO / 'chapter12' / 'gradient.png'


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else '(nothing)'


def parse(text):
    return email.message_from_string(text, policy=policy.default)


def words(line):
    return ' '.join(line.split())


@pytest.mark.exercise('chapter12/trad_parse.py', 'chapter12/trad_parse_mime.py')
def test_trad_parse_mime(solution, check, run, tmp_path):
    listing = run('chapter12/trad_parse.py', SAMPLE).ok()
    plain = run(solution.script, SAMPLE, env=solution.env)
    check.that(plain.returncode == 0 and plain.out == listing,
               'it prints message.txt as the listing does',
               f'on message.txt, a traditional message, it should print what the listing '
               f'prints; it ended with status {plain.returncode}: '
               f'{last_line(plain.err or plain.out)}')
    for maker, files in (('mime_gen_basic.py', [PICTURE]),
                         ('mime_gen_both.py', [SAMPLE, PICTURE])):
        message = tmp_path / maker.replace('.py', '.eml')
        message.write_text(run(f'chapter12/{maker}', *files).ok())
        parsed = email.message_from_bytes(message.read_bytes(), policy=policy.default)
        name = f'{maker}\'s message (attached: {", ".join(f.name for f in files)})'
        done = run(solution.script, message, env=solution.env)
        check.that(done.returncode == 0 and 'Traceback' not in done.err,
                   f'it reads {name}',
                   f'it should read {name}; it failed: {last_line(done.err)}')
        body = done.out.partition('\nBody:\n')[2].partition('Attachments:\n')[0]
        text = parsed.get_body(('plain',)).get_content()
        check.that(body == text,
                   'then its plain-text body after "Body:"',
                   f'after "Body:" it should print the plain-text body of {name}, '
                   f'{text[:40]!r}...; it printed {body[:120]!r}')
        expected = [f'{part.get_filename()}: {part.get_content_type()}, '
                    f'{len(part.get_payload(decode=True))} bytes'
                    for part in parsed.iter_attachments()]
        listed = [words(line) for line in done.out.partition('\nAttachments:\n')[2].splitlines()]
        check.that(listed == expected,
                   f'then "Attachments:" and a line for each: {"; ".join(expected)}',
                   f'after the body it should print "Attachments:" and a line for each one: '
                   f'{"; ".join(expected)}; it printed {listed}')


@pytest.mark.exercise('chapter12/mime_gen_alt.py', 'chapter12/mime_gen_alt_related.py')
def test_mime_gen_alt_related(solution, check, run):
    done = run(solution.script, PICTURE, env=solution.env)
    check.that(done.returncode == 0,
               'it takes the picture\'s file name and prints a message',
               f'given the picture\'s file name it should print a message; it ended with status '
               f'{done.returncode}: {last_line(done.err)}')
    msg = parse(done.out)
    parts = list(msg.iter_parts())
    kinds = [part.get_content_type() for part in parts]
    check.that(msg.get_content_type() == 'multipart/alternative' and len(parts) == 2
               and kinds[0] == 'text/plain' and 'plain-text version' in parts[0].get_content(),
               'it is still a multipart/alternative, the plain text first',
               f'it should still be a multipart/alternative whose first part is the plain '
               f'text; it is a {msg.get_content_type()} of {kinds}')
    check.that(kinds[1] == 'multipart/related',
               'its second alternative is a multipart/related',
               f'its second alternative should be a multipart/related, holding the HTML and '
               f'the picture together; it is a {kinds[1]}')
    inside = list(parts[1].iter_parts())
    html = inside[0].get_content() if inside and inside[0].get_content_type() == 'text/html' else ''
    images = [part for part in inside if part.get_content_type() == 'image/png']
    check.that(html and 'HTML' in html and len(images) == 1,
               'which holds the HTML first, then the picture (image/png)',
               f'the multipart/related should hold the HTML first, then the picture as '
               f'image/png; it holds {[part.get_content_type() for part in inside]}')
    image = images[0]
    check.that(image.get_payload(decode=True) == PICTURE.read_bytes(),
               'the picture is gradient.png, byte for byte',
               'the image/png part should hold the bytes of the picture it was given')
    cid = (image['Content-ID'] or '').strip().strip('<>')
    check.that(cid and re.search(rf'<img\b[^>]*\bsrc="cid:{re.escape(cid)}"', html),
               f'the HTML shows it with <img src="cid:{cid}">',
               f'the picture should carry a Content-ID, and the HTML show it with '
               f'<img src="cid:THAT-ID">; its Content-ID is {image["Content-ID"]!r}')
    check.that(image.get_content_disposition() != 'attachment',
               'it is not offered as an attachment',
               'the picture is part of the HTML, not an attachment: its Content-Disposition '
               'should not say attachment')


@pytest.mark.exercise('chapter12/mime_headers.py', 'chapter12/mime_headers_attachment.py')
def test_mime_headers_attachment(solution, check, run):
    done = run(solution.script, env=solution.env)
    check.that(done.returncode == 0 and done.out.isascii(),
               'it prints a message in ASCII, as mail must travel',
               f'it should print a message, all in ASCII; it ended with status '
               f'{done.returncode}: {last_line(done.err)}'
               + ('' if done.out.isascii() else
                  f', and printed {"".join(sorted(set(c for c in done.out if not c.isascii())))}'))
    msg = parse(done.out)
    text = msg.get_body(('plain',))
    check.that(str(msg['From']) == 'Michael Müller <michael@example.com>'
               and str(msg['Subject']) == 'Grüße aus Köln'
               and text is not None and 'Umlaute' in text.get_content(),
               'its From, its Subject and its text are still there and decode as before',
               f'its From should still decode to "Michael Müller <michael@example.com>", its '
               f'Subject to "Grüße aus Köln", and its text be the body; they are '
               f'{str(msg["From"])!r}, {str(msg["Subject"])!r}')
    attached = list(msg.iter_attachments())
    check.that(len(attached) == 1,
               'it has one attachment',
               f'it should have one attachment; it has {len(attached)}')
    part = attached[0]
    check.that(part.get_filename() == 'Grüße aus Köln.txt',
               'whose file name decodes to Grüße aus Köln.txt',
               f'its file name should decode to "Grüße aus Köln.txt"; it is '
               f'{part.get_filename()!r}')
    check.that(part.get_content_type() == 'text/plain'
               and part.get_content_charset() in ('iso-8859-1', 'latin-1', 'latin1'),
               'it is text/plain in the charset iso-8859-1',
               f'it should be text/plain; charset="iso-8859-1"; it is '
               f'{part.get_content_type()}, charset {part.get_content_charset()}')
    data = part.get_payload(decode=True).rstrip(b'\r\n')
    check.that(data == 'Viele Grüße vom Rhein!'.encode('iso-8859-1'),
               'and its bytes are "Viele Grüße vom Rhein!" in ISO-8859-1',
               f'its bytes, once decoded from the transfer encoding, should be "Viele Grüße '
               f'vom Rhein!" in ISO-8859-1 (ü is the byte FC); they are {data!r}')
