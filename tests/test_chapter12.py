"""Chapter 12: e-mail composition and decoding.

Every generated message is parsed back with the standard library (headers,
parts, attachment bytes, decoded names) rather than compared as a string:
dates, Message-IDs and MIME boundaries change from run to run.
"""
import datetime
import email.utils
import importlib.util
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pexpect
import pytest

from harness import REPO

CHAPTER = REPO / 'chapter12'
MESSAGE_TXT = CHAPTER / 'message.txt'
PNG = CHAPTER / 'gradient.png'
LISTINGS = ['trad_gen_simple.py', 'trad_gen_newhdrs.py', 'trad_parse.py',
            'mime_gen_basic.py', 'mime_gen_alt.py', 'mime_gen_both.py',
            'mime_headers.py', 'mime_parse_headers.py', 'mime_structure.py',
            'mime_decode.py']


def parse(text):
    """Parse a message the way a mail reader would."""
    return BytesParser(policy=policy.default).parsebytes(text.encode('ascii'))


def attachments_by_name(message):
    return {part.get_filename(): part for part in message.iter_attachments()}


@pytest.fixture
def files(tmp_path):
    """A few files to attach: ASCII text, UTF-8 text with a non-ASCII name, binary."""
    folder = tmp_path / 'attach'
    folder.mkdir()
    (folder / 'notes.txt').write_text('Plain ASCII notes.\nSecond line.\n')
    (folder / 'Grüße.txt').write_text('Schöne Grüße aus Köln!\n', encoding='utf-8')
    (folder / 'data.bin').write_bytes(bytes(range(256)) * 4)
    (folder / 'gradient.png').write_bytes(PNG.read_bytes())
    return folder


# ---------------------------------------------------------------- every listing

@pytest.mark.parametrize('listing', LISTINGS)
def test_help_and_bad_arguments(run, listing):
    assert 'usage:' in run(f'chapter12/{listing}', '-h').ok()
    bad = run(f'chapter12/{listing}', '--no-such-option')
    assert bad.returncode == 2 and 'usage:' in bad.err


@pytest.mark.parametrize('listing', LISTINGS)
def test_nothing_runs_on_import(listing, capsys):
    spec = importlib.util.spec_from_file_location(listing[:-3], CHAPTER / listing)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert capsys.readouterr() == ('', '')


# ---------------------------------------------------------------- traditional messages

TRADITIONAL_HEADERS = ['To', 'From', 'Subject']


def head(text):
    """The names of the headers, in order, as the message carries them."""
    return [line.split(':')[0] for line in text.split('\n\n')[0].splitlines()]


def test_trad_gen_simple_builds_a_plain_message(run):
    out = run('chapter12/trad_gen_simple.py').ok()
    assert head(out) == TRADITIONAL_HEADERS        # pre-MIME: no MIME headers at all
    message = parse(out)
    assert message['To'] == 'recipient@example.com'
    assert message['From'].addresses[0].display_name == 'Test Sender'
    assert message['Subject'] == 'Test Message, Chapter 12'
    assert not message.is_multipart()
    assert message.get_content_type() == 'text/plain'
    assert 'built by a Python program' in message.get_content()
    assert message['Date'] is None and message['Message-ID'] is None


def test_trad_gen_newhdrs_adds_date_and_message_id(run):
    out = run('chapter12/trad_gen_newhdrs.py').ok()
    assert head(out) == TRADITIONAL_HEADERS + ['Date', 'Message-ID']
    first = parse(out)
    second = parse(run('chapter12/trad_gen_newhdrs.py').ok())
    sent = email.utils.parsedate_to_datetime(first['Date'])
    assert sent.tzinfo is not None
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - sent).total_seconds()) < 120
    assert re.fullmatch(r'<[^@<>\s]+@example\.com>', first['Message-ID'])
    assert first['Message-ID'] != second['Message-ID']
    assert first['Subject'] == 'Test Message, Chapter 12'


def test_trad_parse_shows_other_then_popular_headers_then_body(run):
    out = run('chapter12/trad_parse.py').ok()
    other, popular, body = (out.index('Other headers:'), out.index('Popular headers:'),
                            out.index('Body:'))
    assert other < popular < body
    assert '    Organization: The Example Street Book Club' in out[other:popular]
    assert '    Cc: book-club@example.org' in out[other:popular]
    # the folded Received header comes out on one line
    assert 'by mx.example.net with ESMTP id 8F1C2A0B3 for <reader@example.net>' in out
    assert out[popular:body].splitlines()[1:] == [
        '    From: Jane Smith <jsmith@example.com>',
        '    To: Alex Reader <reader@example.net>',
        "    Subject: Saturday's meeting of the book club",
        '    Date: Thu, 10 Jun 2010 09:12:30 -0500']
    assert out[body:].splitlines()[1] == 'Hi Alex,'
    assert out.rstrip().endswith('Jane')
    assert 'From:' not in out[other:popular]


def test_trad_parse_reads_a_given_file(run, tmp_path):
    (tmp_path / 'short.txt').write_text('From: a@example.com\nX-Custom: yes\n\nbody text\n')
    out = run('chapter12/trad_parse.py', 'short.txt').ok()
    assert '    X-Custom: yes' in out
    assert '    Subject: (not present)' in out
    assert out.endswith('Body:\nbody text\n')


def test_trad_parse_missing_file_is_one_clear_line(run):
    run('chapter12/trad_parse.py', 'no-such.txt').fails('no-such.txt', 'No such file')


# ---------------------------------------------------------------- MIME messages

def test_mime_gen_basic_attaches_text_as_text_and_the_rest_base64(run, files):
    out = run('chapter12/mime_gen_basic.py', files / 'notes.txt', files / 'Grüße.txt',
              files / 'data.bin', files / 'gradient.png').ok()
    assert out.isascii()
    message = parse(out)
    assert message.get_content_type() == 'multipart/mixed'
    body = message.get_body()
    assert body.get_content_type() == 'text/plain'
    assert 'Attached are the files' in body.get_content()
    parts = attachments_by_name(message)
    assert list(parts) == ['notes.txt', 'Grüße.txt', 'data.bin', 'gradient.png']
    for name, part in parts.items():
        assert part.get_payload(decode=True) == (files / name).read_bytes(), name
    assert parts['notes.txt']['Content-Transfer-Encoding'] == '7bit'
    assert 'Plain ASCII notes.' in out          # readable as it travels
    assert parts['notes.txt'].get_content_type() == 'text/plain'
    assert parts['Grüße.txt'].get_content() == 'Schöne Grüße aus Köln!\n'
    assert parts['data.bin'].get_content_type() == 'application/octet-stream'
    assert parts['gradient.png'].get_content_type() == 'image/png'
    assert parts['gradient.png']['Content-Transfer-Encoding'] == 'base64'
    assert parts['data.bin']['Content-Transfer-Encoding'] == 'base64'


def test_mime_gen_basic_without_files_is_a_single_part(run):
    message = parse(run('chapter12/mime_gen_basic.py').ok())
    assert not message.is_multipart()
    assert 'Attached are the files' in message.get_content()


def test_mime_gen_basic_missing_file_is_one_clear_line(run):
    run('chapter12/mime_gen_basic.py', 'no-such.png').fails('no-such.png', 'No such file')


def test_mime_gen_alt_offers_plain_and_html(run):
    message = parse(run('chapter12/mime_gen_alt.py').ok())
    assert message.get_content_type() == 'multipart/alternative'
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ['text/plain', 'text/html']       # simplest first
    assert 'plain-text version' in message.get_body(('plain',)).get_content()
    assert '<b>HTML</b>' in message.get_body(('html',)).get_content()
    assert message.get_body(('html', 'plain')).get_content_type() == 'text/html'


def test_mime_gen_both_nests_the_alternative_inside_mixed(run, files):
    message = parse(run('chapter12/mime_gen_both.py', files / 'Grüße.txt',
                        files / 'gradient.png').ok())
    assert message.get_content_type() == 'multipart/mixed'
    first, *rest = message.iter_parts()
    assert first.get_content_type() == 'multipart/alternative'
    assert [p.get_content_type() for p in first.iter_parts()] == ['text/plain', 'text/html']
    assert 'HTML' in message.get_body(('html',)).get_content()
    assert 'plain-text version' in message.get_body(('plain',)).get_content()
    parts = attachments_by_name(message)
    assert list(parts) == ['Grüße.txt', 'gradient.png']
    assert parts['gradient.png'].get_payload(decode=True) == PNG.read_bytes()
    assert parts['Grüße.txt'].get_payload(decode=True) == (files / 'Grüße.txt').read_bytes()


def test_mime_headers_encodes_the_non_ascii_name(run):
    out = run('chapter12/mime_headers.py').ok()
    assert out.isascii()
    from_line = next(line for line in out.splitlines() if line.startswith('From:'))
    assert '=?utf-8?' in from_line and '<michael@example.com>' in from_line
    message = parse(out)
    sender = message['From'].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ('Michael Müller', 'michael@example.com')
    assert message['Subject'] == 'Grüße aus Köln'
    assert message['Content-Transfer-Encoding'] == 'quoted-printable'
    assert 'Umlaute (ä, ö, ü)' in message.get_content()


def test_mime_parse_headers_decodes_encoded_words(run):
    encoded = run('chapter12/mime_headers.py').ok()
    out = run('chapter12/mime_parse_headers.py', input=encoded).ok()
    lines = out.splitlines()
    start = lines.index('From:')
    assert lines[start + 1].startswith('    raw:     Michael =?utf-8?')
    assert "    piece:   b'M\\xc3\\xbcller' in utf-8" in lines
    assert '    decoded: Michael Müller <michael@example.com>' in lines
    assert "    address: name 'Michael Müller', mailbox michael@example.com" in lines
    assert '    decoded: Grüße aus Köln' in lines


def test_mime_parse_headers_leaves_plain_headers_alone(run):
    out = run('chapter12/mime_parse_headers.py', input=MESSAGE_TXT.read_text()).ok()
    assert 'piece:' not in out
    assert ('Subject:\n    raw:     Saturday\'s meeting of the book club\n'
            '    decoded: Saturday\'s meeting of the book club\n') in out


def test_mime_structure_prints_the_tree(run, files):
    message = run('chapter12/mime_gen_both.py', MESSAGE_TXT, files / 'gradient.png').ok()
    out = run('chapter12/mime_structure.py', input=message).ok()
    tree = [line for line in out.splitlines() if not line.strip().startswith(('|', '='))]
    assert tree == ['multipart/mixed',
                    '    multipart/alternative',
                    '        text/plain',
                    '        text/html',
                    '    text/plain',
                    '    image/png']
    assert '  | Subject: Test Message, Chapter 12' in out
    assert '      | Content-Disposition: attachment; filename="gradient.png"' in out
    assert f'      = {len(PNG.read_bytes())} bytes once decoded' in out
    assert f'      = {len(MESSAGE_TXT.read_bytes())} bytes once decoded' in out


def test_mime_structure_of_a_traditional_message(run):
    out = run('chapter12/mime_structure.py', input=MESSAGE_TXT.read_text()).ok()
    assert out.splitlines()[0] == 'text/plain'
    assert '  | From: Jane Smith <jsmith@example.com>' in out


# ---------------------------------------------------------------- mime_decode (interactive)

def choose(child, number, answer=''):
    child.expect(r'Part to save \(1-\d+, Enter to quit\): ')
    child.sendline(str(number))
    if answer is not None:
        child.expect(r'Save part \d+ as \[([^\]]*)\]: ')
        suggested = child.match.group(1)
        child.sendline(answer)
        return suggested


def test_mime_decode_saves_the_chosen_parts(run, spawn, files, tmp_path):
    message = run('chapter12/mime_gen_both.py', files / 'Grüße.txt',
                  files / 'gradient.png').ok()
    (tmp_path / 'both.eml').write_text(message)
    child = spawn('chapter12/mime_decode.py', 'both.eml')
    child.expect(r'  4  image/png\s+463 bytes  gradient.png')
    listing = child.before + child.after
    assert re.search(r'  1  text/plain\s+\d+ bytes  \(no file name\)', listing)
    assert re.search(r'  2  text/html\s+\d+ bytes  \(no file name\)', listing)
    assert re.search(r'  3  text/plain\s+\d+ bytes  Grüße.txt', listing)

    assert choose(child, 4) == 'gradient.png'
    child.expect('Saved 463 bytes to gradient.png')
    assert (tmp_path / 'gradient.png').read_bytes() == PNG.read_bytes()

    assert choose(child, 3) == 'Grüße.txt'          # the decoded non-ASCII name
    child.expect('Saved')
    assert (tmp_path / 'Grüße.txt').read_bytes() == (files / 'Grüße.txt').read_bytes()

    assert choose(child, 2) == 'part2.html'          # no name: one made from the type
    child.expect('Saved')
    assert b'<b>HTML</b>' in (tmp_path / 'part2.html').read_bytes()

    choose(child, 9, answer=None)
    child.expect('Please type a number from 1 to 4.')
    choose(child, 'two', answer=None)
    child.expect('Please type a number from 1 to 4.')

    assert choose(child, 4, answer='copy.png') == 'gradient.png'
    child.expect('Saved 463 bytes to copy.png')
    assert (tmp_path / 'copy.png').read_bytes() == PNG.read_bytes()

    child.expect('Part to save')
    child.sendline('')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_mime_decode_never_overwrites_silently(run, spawn, tmp_path):
    message = run('chapter12/mime_gen_basic.py', PNG).ok()
    (tmp_path / 'msg.eml').write_text(message)
    (tmp_path / 'gradient.png').write_bytes(b'my own precious file')
    child = spawn('chapter12/mime_decode.py', 'msg.eml')
    choose(child, 2)
    child.expect(r'gradient.png exists; overwrite it\? \[y/N\] ')
    child.sendline('')                               # the default is no
    child.expect('Not saved.')
    assert (tmp_path / 'gradient.png').read_bytes() == b'my own precious file'
    choose(child, 2)
    child.expect('overwrite it')
    child.sendline('n')
    child.expect('Not saved.')
    assert (tmp_path / 'gradient.png').read_bytes() == b'my own precious file'
    choose(child, 2)
    child.expect('overwrite it')
    child.sendline('y')
    child.expect('Saved 463 bytes to gradient.png')
    assert (tmp_path / 'gradient.png').read_bytes() == PNG.read_bytes()
    child.expect('Part to save')
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_mime_decode_keeps_a_hostile_file_name_in_the_current_folder(spawn, tmp_path):
    message = EmailMessage()
    message['Subject'] = 'sneaky'
    message.set_content('see attachment')
    message.add_attachment(b'payload', 'application', 'octet-stream',
                           filename='../../escape.sh')
    (tmp_path / 'sneaky.eml').write_bytes(bytes(message))
    child = spawn('chapter12/mime_decode.py', 'sneaky.eml')
    assert choose(child, 2) == 'escape.sh'
    child.expect('Saved 7 bytes to escape.sh')
    assert (tmp_path / 'escape.sh').read_bytes() == b'payload'
    assert not (tmp_path.parent.parent / 'escape.sh').exists()
    child.expect('Part to save')
    child.sendline('')
    child.expect(pexpect.EOF)


def test_mime_decode_missing_file_is_one_clear_line(run):
    run('chapter12/mime_decode.py', 'no-such.eml').fails('no-such.eml', 'No such file')
