"""The playground's mail system: SMTP delivers into the Maildir store, POP serves it.

Every test talks to the real services (aiosmtpd, twisted.mail) with the
standard library's clients, or with curl, and checks the store on disk.
Tests that delete only delete the messages they sent themselves, so the
shared playground keeps its seeded mail for the other tests.
"""
import email
import email.policy
import mailbox
import poplib
import smtplib
import socket
import ssl
import subprocess
import uuid

import pytest

from harness import ACCOUNT, require_binary

SIZE_LIMIT = 1024 * 1024
USER, PASSWORD = ACCOUNT
ME = f'{USER}@example.com'


# ---------------------------------------------------------------- helpers

def tls_context(pg):
    return ssl.create_default_context(cafile=str(pg.ca))


def inbox(pg):
    return mailbox.Maildir(pg.state / 'mail' / USER, create=False)


def stored(pg, subject):
    """The keys and bytes of the stored messages with this subject."""
    box = inbox(pg)
    return {key: box.get_bytes(key) for key in box.keys()
            if email.message_from_bytes(box.get_bytes(key))['Subject'] == subject}


def message(subject, body='Hello from the test suite.\n', sender='tester@example.org'):
    return f'From: {sender}\nTo: {ME}\nSubject: {subject}\n\n{body}'


def unique(prefix='test'):
    return f'{prefix} {uuid.uuid4().hex[:12]}'


def send(pg, subject, body='Hello from the test suite.\n', login=True):
    """Send one message through the playground's SMTP, over STARTTLS, logged in."""
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.starttls(context=tls_context(pg))
        if login:
            smtp.login(USER, PASSWORD)
        assert smtp.sendmail('tester@example.org', [ME], message(subject, body)) == {}


def pop_session(pg, tls=True):
    if tls:
        pop = poplib.POP3_SSL('localhost', pg.port(995), context=tls_context(pg), timeout=10)
    else:
        pop = poplib.POP3('localhost', pg.port(110), timeout=10)
    return pop


def logged_in(pg):
    pop = pop_session(pg)
    pop.user(USER)
    pop.pass_(PASSWORD)
    return pop


def find(pop, subject):
    """The POP number of the one message with this subject."""
    numbers = []
    for line in pop.list()[1]:
        number = int(line.split()[0])
        headers = email.message_from_bytes(b'\r\n'.join(pop.top(number, 0)[1]))
        if headers['Subject'] == subject:
            numbers.append(number)
    assert len(numbers) == 1, f'{subject!r} found as {numbers}'
    return numbers[0]


def wire(data):
    """A stored message as POP must send it: CRLF line ends."""
    return data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


def expected_listing(pg):
    """[(number, size)] of the INBOX as POP should number it: by delivery time, then key."""
    box = inbox(pg)
    order = sorted(box.keys(), key=lambda key: (box.get_message(key).get_date(), key))
    return [(n, len(wire(box.get_bytes(key)))) for n, key in enumerate(order, 1)]


@pytest.fixture
def pg(playground):
    return playground('smtp', 'pop')


# ---------------------------------------------------------------- SMTP -> store -> POP

def test_smtp_delivers_to_the_maildir_before_250_and_pop_serves_it(pg):
    subject = unique('delivery')
    send(pg, subject, body='Line one.\n.A line that starts with a dot.\n.\nLast line.\n')
    # sendmail() has returned, so the 250 came: the file must be there already
    [(key, data)] = stored(pg, subject).items()
    assert (pg.state / 'mail' / USER / 'new' / key).is_file()
    stored_message = email.message_from_bytes(data)
    assert stored_message['Return-Path'] == '<tester@example.org>'
    assert 'with ESMTPSA' in stored_message['Received']  # STARTTLS and AUTH were used
    pop = logged_in(pg)
    number = find(pop, subject)
    response, lines, octets = pop.retr(number)
    assert b'\r\n'.join(lines) + b'\r\n' == wire(data)  # dots unstuffed by poplib
    assert b'.A line that starts with a dot.' in lines and b'.' in lines
    assert response == b'+OK %d octets' % len(wire(data))
    assert pop.list(number) == b'+OK %d %d' % (number, len(wire(data)))
    assert pop.uidl(number) == b'+OK %d %s' % (number, key.encode())
    pop.quit()


def test_pop_listing_sizes_and_order_match_the_store(pg):
    send(pg, unique('listing'))
    pop = logged_in(pg)
    listing = [tuple(map(int, line.split())) for line in pop.list()[1]]
    assert listing == expected_listing(pg)
    assert pop.stat() == (len(listing), sum(size for _, size in listing))
    for number, size in listing:  # RFC 1939: LIST gives the exact octets RETR sends
        assert sum(len(line) + 2 for line in pop.retr(number)[1]) == size
    pop.quit()


def test_a_pop_session_sees_the_mailbox_as_it_was_at_login(pg):
    pop = logged_in(pg)
    count = pop.stat()[0]
    subject = unique('arrives meanwhile')
    send(pg, subject)
    assert pop.stat()[0] == count  # numbers stay stable within a session
    pop.quit()
    pop = logged_in(pg)
    assert pop.stat()[0] == count + 1 and find(pop, subject) == count + 1
    pop.quit()


def test_top_gives_the_header_and_the_first_lines(pg):
    subject = unique('top')
    send(pg, subject, body='one\ntwo\nthree\n')
    pop = logged_in(pg)
    number = find(pop, subject)
    lines = pop.top(number, 2)[1]
    assert lines[lines.index(b''):] == [b'', b'one', b'two']
    assert pop.top(number, 0)[1][-1] == b''
    pop.quit()


def test_dele_takes_effect_only_at_quit(pg):
    subject = unique('delete me')
    send(pg, subject)
    [key] = stored(pg, subject)
    before = len(expected_listing(pg))

    pop = logged_in(pg)
    number = find(pop, subject)
    pop.dele(number)
    assert pop.stat()[0] == before - 1  # gone from this session's view at once
    with pytest.raises(poplib.error_proto, match='deleted'):
        pop.retr(number)
    pop.close()  # hang up without QUIT
    assert key in inbox(pg).keys()

    pop = logged_in(pg)
    pop.dele(find(pop, subject))
    pop.rset()  # take it back
    pop.quit()
    assert key in inbox(pg).keys()

    pop = logged_in(pg)
    pop.dele(find(pop, subject))
    pop.quit()
    assert key not in inbox(pg).keys()
    assert len(expected_listing(pg)) == before - 1


def test_pop3_port_offers_stls_and_logs_in_after_it(pg):
    pop = pop_session(pg, tls=False)
    assert 'STLS' in pop.capa()
    pop.stls(context=tls_context(pg))
    assert 'STLS' not in pop.capa()
    pop.user(USER)
    pop.pass_(PASSWORD)
    assert pop.stat()[0] >= 1
    pop.quit()


def test_stls_handshake_checks_the_certificate(pg):
    pop = pop_session(pg, tls=False)
    with pytest.raises(ssl.SSLCertVerificationError):
        pop.stls(context=ssl.create_default_context(cafile=None, capath='/nonexistent'))
    pop.file.close()  # the failed handshake closed the socket already


# ---------------------------------------------------------------- refusals

def test_wrong_password_is_refused_on_every_port(pg):
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.starttls(context=tls_context(pg))
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login(USER, 'wrong')
        assert refused.value.smtp_code == 535
    for tls in (False, True):
        pop = pop_session(pg, tls)
        if not tls:
            pop.stls(context=tls_context(pg))
        pop.user(USER)
        with pytest.raises(poplib.error_proto, match='Authentication failed'):
            pop.pass_('wrong')
        pop.user('nobody')
        with pytest.raises(poplib.error_proto, match='Authentication failed'):
            pop.pass_(PASSWORD)
        pop.quit()


def test_auth_is_offered_only_after_starttls(pg):
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn('starttls') and not smtp.has_extn('auth')
        code, text = smtp.docmd('AUTH', 'PLAIN AGJyYW5kb24AbXlwYXNz')
        assert code == 538 and b'Encryption required' in text
        smtp.starttls(context=tls_context(pg))
        smtp.ehlo()
        assert smtp.esmtp_features['auth'].split() == ['LOGIN', 'PLAIN']
        assert not smtp.has_extn('starttls')
        smtp.login(USER, PASSWORD)


def test_size_limit_is_announced_and_enforced(pg):
    subject = unique('too big')
    big = message(subject, body='x' * 70 + '\n') * (SIZE_LIMIT // 70)
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.esmtp_features['size'] == str(SIZE_LIMIT)
        # smtplib declares the size in MAIL FROM, and the server refuses at once
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail('tester@example.org', [ME], big)
        assert refused.value.smtp_code == 552
        # a client that does not declare it is refused after DATA
        smtp.rset()
        assert smtp.mail('tester@example.org')[0] == 250
        assert smtp.rcpt(ME)[0] == 250
        code, text = smtp.data(big)
        assert code == 552, text
    assert stored(pg, subject) == {}


def test_unknown_recipients_and_relaying_are_refused_at_rcpt(pg):
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail('tester@example.org')
        code, text = smtp.rcpt('nobody@example.com')
        assert code == 550 and b'no such user' in text
        code, text = smtp.rcpt('someone@example.org')
        assert code == 550 and b'relaying denied' in text
        assert smtp.rcpt(f'{USER}@localhost')[0] == 250


def test_mail_to_several_addresses_of_one_user_is_stored_once(pg):
    subject = unique('twice')
    with smtplib.SMTP('localhost', pg.port(25), timeout=10) as smtp:
        smtp.sendmail('tester@example.org', [ME, f'{USER}@localhost'], message(subject))
    assert len(stored(pg, subject)) == 1


# ---------------------------------------------------------------- robustness

def read_reply(conn):
    """One reply line (SMTP's last line of a multi-line reply)."""
    data = b''
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk
        lines = data.split(b'\r\n')
        if len(lines) > 1 and (len(lines[-2]) < 4 or lines[-2][3:4] != b'-'):
            return lines[-2]


def connect(pg, relative):
    conn = socket.create_connection(('localhost', pg.port(relative)), timeout=10)
    if relative == 995:
        conn = tls_context(pg).wrap_socket(conn, server_hostname='localhost')
    return conn


ERROR = {25: b'5', 110: b'-ERR', 995: b'-ERR'}
OK = {25: b'250', 110: b'+OK', 995: b'+OK'}


@pytest.mark.parametrize('relative', [25, 110, 995])
def test_garbage_and_megabyte_lines_get_an_error_and_service_goes_on(pg, relative):
    with connect(pg, relative) as conn:
        read_reply(conn)  # greeting
        for garbage in (b'\x00\xff\xfe garbage \x80\r\n', b'NONSENSE\r\n', b'\r\n',
                        b'A' * (1024 * 1024) + b'\r\n'):
            conn.sendall(garbage)
            assert read_reply(conn).startswith(ERROR[relative]), garbage[:20]
        conn.sendall({25: b'NOOP\r\n', 110: b'STLS\r\n', 995: b'USER brandon\r\n'}[relative])
        assert read_reply(conn).startswith(OK[relative])
    with connect(pg, relative) as conn:  # the next client is served
        assert read_reply(conn).startswith(b'220' if relative == 25 else b'+OK')
        conn.sendall(b'QUIT\r\n')
        assert read_reply(conn).startswith(b'221' if relative == 25 else b'+OK')


@pytest.mark.parametrize('relative', [25, 110, 995])
def test_abrupt_disconnects_and_plain_text_on_the_tls_port_do_no_harm(pg, relative):
    for _ in range(3):
        raw = socket.create_connection(('localhost', pg.port(relative)), timeout=10)
        raw.sendall(b'USER brandon\r\nMAIL FROM:<x@y>\r\n')
        raw.close()
    with connect(pg, relative) as conn:
        assert read_reply(conn)[:1] in (b'2', b'+')


# ---------------------------------------------------------------- a client that is not Python

def test_curl_sends_over_smtp_and_reads_over_pop3s(pg, tmp_path):
    curl = require_binary('curl')
    subject = unique('curl')
    letter = tmp_path / 'letter.txt'
    letter.write_text(message(subject, body='Sent by curl.\n').replace('\n', '\r\n'))
    common = [curl, '--silent', '--show-error', '--cacert', str(pg.ca),
              '--user', f'{USER}:{PASSWORD}', '--max-time', '20']
    subprocess.run(common + [f'smtp://localhost:{pg.port(25)}', '--ssl-reqd',
                             '--mail-from', 'tester@example.org', '--mail-rcpt', ME,
                             '--upload-file', str(letter)], check=True, timeout=30)
    [data] = stored(pg, subject).values()
    listing = subprocess.run(common + [f'pop3s://localhost:{pg.port(995)}/'], check=True,
                             capture_output=True, timeout=30).stdout
    assert [tuple(map(int, line.split())) for line in listing.splitlines()] \
        == expected_listing(pg)
    number = [n for n, _ in expected_listing(pg)][-1]
    body = subprocess.run(common + [f'pop3s://localhost:{pg.port(995)}/{number}'],
                          check=True, capture_output=True, timeout=30).stdout
    assert body == wire(data)
    upgraded = subprocess.run(common + ['--ssl-reqd', f'pop3://localhost:{pg.port(110)}/'],
                              check=True, capture_output=True, timeout=30).stdout
    assert upgraded == listing  # the same, over STLS on the plain port
    refused = subprocess.run([curl, '--silent', '--cacert', str(pg.ca), '--user',
                              f'{USER}:wrong', f'pop3s://localhost:{pg.port(995)}/'],
                             capture_output=True, timeout=30)
    assert refused.returncode == 67  # CURLE_LOGIN_DENIED


# ---------------------------------------------------------------- issue 11: a shared machine,
# hostile input, clients that want more of the certificate

def test_pop3_plain_port_wants_stls_before_a_password(pg):
    pop = pop_session(pg, tls=False)
    capabilities = pop.capa()
    assert 'STLS' in capabilities and 'USER' not in capabilities   # RFC 2449 6.5
    refusal = b'-ERR [AUTH] Plaintext login refused on an unencrypted connection: send STLS first'
    with pytest.raises(poplib.error_proto) as refused:
        pop.user(USER)
    assert refused.value.args[0] == refusal
    with pytest.raises(poplib.error_proto) as refused:
        pop.pass_(PASSWORD)
    assert refused.value.args[0] == refusal
    pop.stls(context=tls_context(pg))
    assert 'USER' in pop.capa()
    pop.user(USER)
    pop.pass_(PASSWORD)
    assert pop.stat()[0] >= 1
    pop.quit()
    with connect(pg, 110) as conn:       # and AUTH, which poplib does not speak
        read_reply(conn)
        conn.sendall(b'AUTH PLAIN\r\n')
        assert read_reply(conn) == refusal


@pytest.mark.parametrize('relative', [25, 110])
def test_commands_pipelined_with_starttls_do_not_run_inside_tls(pg, relative):
    conn = socket.create_connection(('localhost', pg.port(relative)), timeout=10)
    read_reply(conn)
    if relative == 25:
        conn.sendall(b'EHLO client.example\r\n')
        read_reply(conn)
        # an attacker on the path appends a command to the client's STARTTLS packet
        conn.sendall(b'STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n')
        assert read_reply(conn).startswith(b'220')
    else:
        conn.sendall(b'STLS\r\nUSER injected\r\n')
        assert read_reply(conn).startswith(b'+OK')
    with tls_context(pg).wrap_socket(conn, server_hostname='localhost') as tls:
        tls.sendall(b'NOOP\r\n' if relative == 25 else b'PASS mypass\r\n')
        answer = read_reply(tls)
        # the injected command got no answer: the first one is NOOP's, or PASS without USER
        assert answer.startswith(b'250') if relative == 25 else answer.startswith(b'-ERR'), answer


def test_top_with_a_huge_line_count_sends_the_message_once(pg):
    subject = unique('top huge')
    send(pg, subject, body='one\ntwo\n')
    pop = logged_in(pg)
    number = find(pop, subject)
    for count in (10**20, 2**63, 10**200):
        lines = pop.top(number, count)[1]
        assert lines[lines.index(b''):] == [b'', b'one', b'two'], count
    assert pop.noop().startswith(b'+OK')
    pop.quit()
    other = logged_in(pg)                 # and the service went on serving everyone
    assert other.stat()[0] >= number
    other.quit()


def served_certificate(pg, relative=995):
    """The subject and subjectAltName of the certificate a TLS port presents."""
    with socket.create_connection(('localhost', pg.port(relative)), timeout=10) as raw:
        with tls_context(pg).wrap_socket(raw, server_hostname='localhost') as conn:
            cert = conn.getpeercert()
    return dict(pair for rdn in cert['subject'] for pair in rdn), cert['subjectAltName']


def test_certificates_name_the_host_in_the_subject_too(pg):
    subject, alternative = served_certificate(pg)
    assert subject['commonName'] == 'localhost'          # fetchmail and offlineimap want it
    assert ('DNS', 'localhost') in alternative and ('IP Address', '127.0.0.1') in alternative
    from cryptography import x509
    wrong = x509.load_pem_x509_certificate((pg.state / 'tls' / 'wrongname.crt').read_bytes())
    assert wrong.subject.rfc4514_string().startswith('CN=wrong.host.example')


def test_a_state_folder_with_certificates_without_cn_gets_new_ones(fresh_playground, tmp_path):
    import trustme
    from playground.common import tls_files
    state = tmp_path / 'state'
    files = tls_files(state)
    files['cert'].parent.mkdir(parents=True)
    ca = trustme.CA()           # as the playground made them before: SANs, no CN
    for crt, key, names in (('cert', 'key', ['localhost', '127.0.0.1']),
                            ('wrong_cert', 'wrong_key', ['wrong.host.example'])):
        leaf = ca.issue_cert(*names)
        files[crt].write_bytes(b''.join(blob.bytes() for blob in leaf.cert_chain_pems))
        files[key].write_bytes(leaf.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(files['ca']))
    old_ca = files['ca'].read_bytes()
    upgraded = fresh_playground('smtp', 'pop', state=state)
    assert served_certificate(upgraded)[0]['commonName'] == 'localhost'
    assert files['ca'].read_bytes() != old_ca            # a new CA signed them: trust it
    out, log = upgraded.stop()
    assert 'have no subject CN' in out        # the launcher says why the CA changed
