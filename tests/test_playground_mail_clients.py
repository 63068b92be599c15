"""Real mail clients against the playground: mutt, mbsync (isync) and fetchmail, each in
a session as its user would run it, and chapter 15's listings on a folder of 300 messages.

These are the programs a reader or a teacher points at the playground; each found
something the standard library's clients did not (mutt: LIST "" "" must tell the
hierarchy delimiter; fetchmail: a certificate subject without CN; all of them: FETCH
of many messages).  The programs come from Debian (.ci/run installs them); a missing
one skips here and fails under CI.
"""
import email
import email.policy
import mailbox
import os
import ssl
import subprocess

import imaplib
import pexpect

from harness import ACCOUNT, require_binary
from playground import mailstore

USER, PASSWORD = ACCOUNT
SEEDED_INBOX = ['Welcome to the playground mail system', 'Chapter draft and figures',
                'This week: sockets and select()']   # and the Köln one, RFC 2047-encoded


def imaps(pg):
    client = imaplib.IMAP4_SSL('localhost', pg.port(993), timeout=10,
                               ssl_context=ssl.create_default_context(cafile=str(pg.ca)))
    client.login(USER, PASSWORD)
    return client


def subjects_on_server(pg, folder):
    """The subjects of a folder as they are on disk (the store, not a client, is the truth)."""
    box = mailstore.maildir(pg.state, USER)
    if folder != 'INBOX':
        box = box.get_folder(folder)
    return sorted(str(email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                      ['Subject']) for key in box.keys())


def flags_on_server(pg, folder, subject):
    box = mailstore.maildir(pg.state, USER)
    box = box if folder == 'INBOX' else box.get_folder(folder)
    [flags] = [box.get_message(key).get_flags() for key in box.keys()
               if email.message_from_bytes(box.get_bytes(key))['Subject'] == subject]
    return flags


def subjects_in_mbox(path):
    text = path.read_text(encoding='utf-8', errors='replace')
    return [line[len('Subject: '):] for line in text.splitlines() if line.startswith('Subject: ')]


def private_file(path, text):
    path.write_text(text)
    path.chmod(0o600)        # fetchmail refuses a readable rc file, mutt and mbsync hold passwords
    return path


# ---------------------------------------------------------------- mutt

def test_mutt_sends_over_smtp_then_reads_and_files_the_message_over_imap(
        fresh_playground, tmp_path):
    mutt = require_binary('mutt')
    pg = fresh_playground('smtp', 'imap')
    rc = private_file(tmp_path / 'muttrc', f'''
set ssl_ca_certificates_file = "{pg.ca}"
set ssl_force_tls = yes
set ssl_starttls = yes
set smtp_url = "smtp://{USER}@localhost:{pg.port(25)}/"
set smtp_pass = "{PASSWORD}"
set imap_user = "{USER}"
set imap_pass = "{PASSWORD}"
set folder = "imaps://{USER}@localhost:{pg.port(993)}/"
set spoolfile = "+INBOX"
set record = ""
set from = "{USER}@example.com"
set realname = "Brandon Rhodes"
set header_cache = ""
set message_cachedir = ""
set quit = yes
set delete = yes
set move = no
set confirmappend = no
set wait_key = no
''')
    env = {'HOME': str(tmp_path), 'TERM': 'vt100', 'PATH': os.environ['PATH'],
           'LANG': 'C.UTF-8'}
    subject = 'Sent by mutt, filed by mutt'
    # batch mode: no terminal, the message on stdin, sent over SMTP with STARTTLS and AUTH
    done = subprocess.run([mutt, '-F', str(rc), '-s', subject, '--', f'{USER}@example.com'],
                          input=b'Mutt wrote this in batch mode.\n', env=env, cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert subject in subjects_on_server(pg, 'INBOX')

    # interactive: the INBOX over IMAPS, find the message, read it, save it to a folder
    child = pexpect.spawn(mutt, ['-F', str(rc)], env=env, cwd=str(tmp_path), timeout=20,
                          dimensions=(40, 160), encoding='utf-8', codec_errors='replace')
    try:
        child.expect_exact(subject)                        # the index lists it
        child.expect_exact('Msgs:5')
        child.send('/')
        child.expect_exact('Search for')
        child.send(subject + '\r')
        child.send('\r')                                   # display it
        child.expect_exact('Mutt wrote this in batch mode.')
        child.send('s')
        child.expect_exact('Save to mailbox')
        child.send('\x15=Archive.2011\r')                  # Ctrl-U clears the suggestion
        child.expect_exact('Copying to imaps://')
        child.expect_exact('Archive.2011')                  # not Archive/2011: the delimiter
        child.send('i')                                    # back to the index
        # quit (the deleted copy goes); mutt throws away keys typed while it is busy
        # (it flushes its typeahead), so under load 'i' or 'q' may need saying again,
        # and 'q' in the pager goes back to the index too
        for _ in range(4):
            child.send('q')
            if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=5) == 0:
                break
        else:
            raise AssertionError(f'mutt did not quit; its screen ended {child.before[-300:]!r}')
    finally:
        child.close(force=True)
    assert subject in subjects_on_server(pg, 'Archive.2011')
    assert subject not in subjects_on_server(pg, 'INBOX')
    assert 'S' in flags_on_server(pg, 'Archive.2011', subject)   # it was read
    out, err = pg.stop()
    assert 'Traceback' not in err and 'imap:' not in err, err


# ---------------------------------------------------------------- mbsync

def maildir_subjects(path):
    box = mailbox.Maildir(path, create=False)
    return sorted(str(email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                      ['Subject']) for key in box.keys())


def test_mbsync_pulls_every_folder_and_pushes_changes_back(fresh_playground, tmp_path):
    mbsync = require_binary('mbsync', 'isync')
    pg = fresh_playground('imap')
    local = tmp_path / 'mail'
    local.mkdir()
    rc = private_file(tmp_path / 'mbsyncrc', f'''
IMAPAccount playground
Host localhost
Port {pg.port(993)}
User {USER}
Pass {PASSWORD}
SSLType IMAPS
CertificateFile {pg.ca}
SystemCertificates no

IMAPStore remote
Account playground

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel playground
Far :remote:
Near :local:
Patterns *
Create Both
SyncState *
Expunge Both
''')

    def sync():
        done = subprocess.run([mbsync, '-c', str(rc), '--all'], capture_output=True,
                              text=True, timeout=60, cwd=tmp_path, env={**os.environ,
                                                                         'HOME': str(tmp_path)})
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    sync()
    for folder, path in [('INBOX', 'INBOX'), ('Sent', 'Sent'), ('Archive.2010', 'Archive/2010'),
                         ('Archive.2011', 'Archive/2011'), ('Drafts', 'Drafts')]:
        assert maildir_subjects(local / path) == subjects_on_server(pg, folder), folder
    inbox = mailbox.Maildir(local / 'INBOX', create=False)
    flags = {message['Subject']: message.get_flags() for message in inbox}
    assert flags['Welcome to the playground mail system'] == 'S'
    assert flags['Chapter draft and figures'] == ''

    # offline: write a draft, flag a message; the next sync takes both to the server
    drafts = mailbox.Maildir(local / 'Drafts', create=False)
    drafts.add(b'From: brandon@example.com\nSubject: written offline\n\nA draft.\n')
    [key] = [k for k in inbox.keys()
             if email.message_from_bytes(inbox.get_bytes(k))['Subject'] == SEEDED_INBOX[1]]
    message = inbox.get_message(key)
    message.add_flag('F')
    inbox[key] = message
    sync()
    assert subjects_on_server(pg, 'Drafts') == ['written offline']
    assert 'F' in flags_on_server(pg, 'INBOX', SEEDED_INBOX[1])
    client = imaps(pg)
    client.select('Drafts', readonly=True)
    assert client.uid('SEARCH', 'ALL') == ('OK', [b'1'])    # APPENDUID told mbsync UID 1
    client.logout()
    sync()                                                  # and nothing doubles
    assert maildir_subjects(local / 'Drafts') == ['written offline']
    assert subjects_on_server(pg, 'Drafts') == ['written offline']


# ---------------------------------------------------------------- fetchmail

def test_fetchmail_collects_over_pop3s_pop3_with_stls_and_imap_with_starttls(
        fresh_playground, tmp_path):
    fetchmail = require_binary('fetchmail')
    pg = fresh_playground('pop', 'imap')

    def poll(port, protocol, mbox, extra='', cafile=pg.ca):
        # sslcertck: fetchmail's default check of the certificate, which wants a subject CN
        return (f'poll localhost service {port} protocol {protocol} auth password\n'
                f'    user "{USER}" password "{PASSWORD}" is "{USER}" here\n'
                f'    sslcertck sslcertfile "{cafile}" {extra}\n'
                f'    keep\n'
                f'    mda "cat >> {tmp_path / mbox}"\n')

    def run(rc):
        return subprocess.run([fetchmail, '-f', str(rc), '--nodetach', '--verbose',
                               '--idfile', str(tmp_path / 'fetchids')], capture_output=True,
                              text=True, timeout=60, cwd=tmp_path,
                              env={**os.environ, 'HOME': str(tmp_path)})
    rc = private_file(tmp_path / 'fetchmailrc', 'set no syslog\n'
                      + poll(pg.port(995), 'POP3', 'pop3s.mbox', 'ssl')
                      + poll(pg.port(110), 'POP3', 'pop3.mbox', 'sslproto "tls1.2+"')
                      + poll(pg.port(143), 'IMAP', 'imap.mbox', 'sslproto "tls1.2+"'))
    done = run(rc)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'upgrade to TLS succeeded' in done.stderr + done.stdout   # STLS and STARTTLS
    for mbox in ('pop3s.mbox', 'pop3.mbox'):
        subjects = subjects_in_mbox(tmp_path / mbox)
        assert len(subjects) == 4 and subjects[:3] == SEEDED_INBOX, mbox
    # over IMAP fetchmail takes the unseen messages, and marks them seen on the server
    assert subjects_in_mbox(tmp_path / 'imap.mbox')[:2] == SEEDED_INBOX[1:]
    assert all('S' in flags_on_server(pg, 'INBOX', subject) for subject in SEEDED_INBOX)

    # a certificate from another CA is refused, and nothing is fetched
    import trustme
    other = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(other))
    rc = private_file(tmp_path / 'untrusting', 'set no syslog\n'
                      + poll(pg.port(995), 'POP3', 'refused.mbox', 'ssl', cafile=other))
    done = run(rc)
    assert done.returncode not in (0, 1), done.stdout + done.stderr
    assert 'certificate verification' in (done.stdout + done.stderr).lower()
    assert not (tmp_path / 'refused.mbox').exists()


# ---------------------------------------------------------------- chapter 15, 300 messages

def fill_inbox(pg, count):
    """Put `count` more numbered messages into the INBOX's new/ ('Bulk message i')."""
    new = mailstore.root(pg.state) / USER / 'new'
    for i in range(1, count + 1):
        path = new / f'{1_800_000_000 + i}.bulk{i:06d}.playground-test'
        path.write_bytes(b'From: bulk@example.org\nTo: brandon@example.com\n'
                         b'Subject: Bulk message %d\n\nBody of message %d.\n' % (i, i))
        os.utime(path, (1_800_000_000 + i, 1_800_000_000 + i))


def listing(spawn, pg, script, *args):
    child = spawn(f'chapter15/{script}', 'localhost', USER, *args, '-p', pg.port(993),
                  env={**pg.env, 'PYTHONWARNINGS': 'error'}, timeout=30)
    child.expect_exact('Password: ')
    child.sendline(PASSWORD)
    return child


def test_chapter15_listings_read_a_folder_of_300_messages(fresh_playground, spawn):
    pg = fresh_playground('imap')
    fill_inbox(pg, 296)
    child = listing(spawn, pg, 'mailbox_summary.py', 'INBOX')
    child.expect(pexpect.EOF)
    child.close()
    out = child.logfile_read.text
    assert child.exitstatus == 0, out
    assert out.count('Message ') == 300 and 'Subject: Bulk message 296' in out

    child = listing(spawn, pg, 'simple_client.py')
    child.expect_exact('Folder (Enter to quit): ')
    child.sendline('INBOX')
    child.expect_exact('INBOX: 300 message(s)')
    child.expect_exact('Subject: Bulk message 296')
    child.expect_exact('Message UID (Enter for the folder list): ')
    child.sendline('300')
    child.expect_exact('text/plain')
    child.expect_exact('Part number (Enter for the message list): ')
    child.sendline('')
    child.expect_exact('Message UID (Enter for the folder list): ')
    child.sendline('')
    child.expect_exact('Folder (Enter to quit): ')
    child.sendline('')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read.text
