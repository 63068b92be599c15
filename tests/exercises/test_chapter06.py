"""Chapter 6 exercises: TLS (the text of each is in chapter06/README.md, Exercises)."""
import re
import socket
import ssl

import pytest

from harness import OneConnectionServer
from playground.common import tls_files

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    CAFE, LAB_TIMEOUT, MODEM_OUTSIDE, SERVER, exercise_lab, printed, run_on)


def said(result):
    return f'{result.out.strip()[-300:]!r} {result.err.strip()[-300:]!r}'


def document_line(result, port, host='localhost'):
    """Did the run end with the listing's last line, and exit 0?"""
    return result.returncode == 0 and re.search(
        rf'The document https://{host}:{port}/ is \d+ bytes long\n\Z', result.out)


def handshake(pg):
    """Our own verified handshake with the playground's HTTPS port: the TLS socket's
    version(), cipher() and getpeercert()."""
    context = ssl.create_default_context(cafile=str(pg.ca))
    with socket.create_connection(('localhost', pg.port(443)), timeout=10) as sock, \
            context.wrap_socket(sock, server_hostname='localhost') as tls:
        return tls.version(), tls.cipher(), tls.getpeercert()


class TLS12Server(OneConnectionServer):
    """An HTTPS server of our own that speaks TLS 1.2 at most, with the playground's
    certificate for localhost; for one connection."""

    def __init__(self, pg):
        files = tls_files(pg.state)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.maximum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(files['cert'], files['key'])
        self.outcome = None
        super().__init__()

    def handle(self, connection):
        connection.settimeout(10)
        try:
            with self.context.wrap_socket(connection, server_side=True) as tls:
                self.outcome = tls.version()
                tls.recv(4096)
                tls.sendall(b'HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nHello\n')
        except OSError as e:   # ssl.SSLError too: the client refused the handshake
            self.outcome = f'no handshake ({e})'

    def join(self):
        super().join()
        return self.outcome


@pytest.mark.exercise('chapter06/sslclient.py', 'chapter06/sslclient_certificate.py')
def test_sslclient_certificate(solution, check, run, playground):
    pg = playground('web')
    env = {**pg.env, **solution.env}
    done = run(solution.script, '-p', pg.port(443), env=env)
    check.that(document_line(done, pg.port(443)),
               'it still fetches the document over verified TLS',
               'it should still end with "The document https://localhost:PORT/ is N bytes '
               f'long"; it printed {said(done)}')
    _, _, cert = handshake(pg)
    names = ', '.join(value for _, value in cert['subjectAltName'])
    lines = done.out.splitlines()
    check.that(f'Certificate for: {names}' in lines,
               f'it says which names the certificate is for: {names}',
               f'it should print "Certificate for: {names}", the names of the certificate\'s '
               f'subjectAltName; it printed {done.out.strip()!r}')
    check.that(f'Valid until: {cert["notAfter"]}' in lines,
               f'and until when it is valid: {cert["notAfter"]}',
               f'it should print "Valid until: {cert["notAfter"]}", the certificate\'s '
               f'notAfter; it printed {done.out.strip()!r}')
    check.that(lines[:2] == [f'Certificate for: {names}', f'Valid until: {cert["notAfter"]}'],
               'both before the document',
               'the two lines about the certificate should come first, before the line about '
               f'the document; it printed {done.out.strip()!r}')
    wrong = run(solution.script, '-p', pg.port(444), env=env)
    check.that(wrong.returncode != 0 and wrong.out == ''
               and 'certificate rejected' in wrong.err and 'Traceback' not in wrong.err,
               'a certificate for another name is still rejected, and nothing said about it',
               'against port 444, whose certificate is for another name, it should still end '
               'with one line, "certificate rejected: ...", and print nothing else; it printed '
               f'{said(wrong)}')


@pytest.mark.exercise('chapter06/sslclient.py', 'chapter06/sslclient_tls13.py')
def test_sslclient_tls13(solution, check, run, playground):
    pg = playground('web')
    env = {**pg.env, **solution.env}
    done = run(solution.script, '-p', pg.port(443), env=env)
    check.that(document_line(done, pg.port(443)),
               'it still fetches the document from the playground, which speaks TLS 1.3',
               'against the playground, which speaks TLS 1.3, it should still end with "The '
               f'document https://localhost:PORT/ is N bytes long"; it printed {said(done)}')
    old = TLS12Server(pg)
    refused = run(solution.script, '-p', old.port, env=env)
    outcome = old.join()
    check.that(refused.returncode != 0 and refused.out == '' and outcome != 'TLSv1.2'
               and len(refused.err.strip().splitlines()) == 1 and 'Traceback' not in refused.err,
               'it refuses a server that speaks only TLS 1.2, in one line',
               'against a server of the checker\'s own that speaks only TLS 1.2 (with a good '
               'certificate), it should fail the handshake: one line on stderr, nothing on '
               'stdout, a non-zero exit status; '
               + ('your client agreed to TLS 1.2' if outcome == 'TLSv1.2' else
                  f'the server saw {outcome}') + f', and your client printed {said(refused)}')
    version, cipher, _ = handshake(pg)
    check.that(done.out.startswith(f'Protocol {version}, cipher {cipher[0]}\n'),
               f'it says what the handshake agreed: Protocol {version}, cipher {cipher[0]}',
               f'its first line should say what the handshake agreed, "Protocol {version}, '
               f'cipher {cipher[0]}"; it printed {done.out.strip()!r}')


@pytest.mark.exercise('chapter06/sslclient.py', 'chapter06/sslclient_cafile.py')
def test_sslclient_cafile(solution, check, run, playground, tmp_path):
    pg = playground('web')
    done = run(solution.script, '-p', pg.port(443), env={**pg.env, **solution.env})
    check.that(document_line(done, pg.port(443)),
               'without --cafile it still trusts what SSL_CERT_FILE names',
               'with SSL_CERT_FILE naming the playground\'s CA and no --cafile, it should still '
               f'fetch the document; it printed {said(done)}')
    given = run(solution.script, '-p', pg.port(443), '--cafile', pg.ca, env=solution.env)
    check.that(document_line(given, pg.port(443)),
               'with --cafile naming the playground\'s CA, it needs no SSL_CERT_FILE',
               'without SSL_CERT_FILE, and with --cafile naming the playground\'s CA, it '
               f'should fetch the document; it printed {said(given)}')
    import trustme
    other = tmp_path / 'other-ca.pem'
    trustme.CA(organization_name='Not the playground').cert_pem.write_to_path(str(other))
    strange = run(solution.script, '-p', pg.port(443), '--cafile', other,
                  env={**pg.env, **solution.env})
    check.that(strange.returncode != 0 and strange.out == ''
               and 'certificate rejected' in strange.err and 'Traceback' not in strange.err,
               'with --cafile naming another CA, it trusts that one only, not SSL_CERT_FILE\'s',
               'with --cafile naming another CA (and SSL_CERT_FILE still naming the '
               'playground\'s), it should trust only the file\'s CA, and so reject the '
               f'playground\'s certificate in one line; it printed {said(strange)}')


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter06/sslclient.py', 'chapter06/sslclient_peer.py')
def test_sslclient_peer(solution, check, exercise_lab):
    def views(host):
        """(this client, the server sees, the verdict) as printed on a host, or None."""
        done = run_on(exercise_lab, check, host, solution, SERVER)
        found = re.fullmatch(r'This client: (\S+)\nThe server sees: (\S+)\n(.*)\n', done.out)
        check.that(done.returncode == 0 and found,
                   f'on the {host} it prints the two addresses and a verdict',
                   f'run on the {host} as `sslclient.py example.com`, it should print three '
                   'lines, "This client: ADDRESS:PORT" (its own end of the connection, from '
                   'getsockname()), "The server sees: ADDRESS:PORT" (the body of the answer '
                   'to GET /peer) and its verdict, and end with exit status 0; it printed '
                   f'{printed(done.out + done.err)}')
        return found.groups()

    me, seen, verdict = views('laptop')
    check.that(me.startswith('203.0.113.11:') and seen.startswith(f'{MODEM_OUTSIDE}:'),
               f'from the laptop: {me} here, {seen} at the server',
               'on the laptop, "This client" should be its own address and port (203.0.113.11:'
               'PORT), and "The server sees" the modem\'s public address, which /peer answers '
               f'({MODEM_OUTSIDE}:PORT); it printed {me} and {seen}')
    check.that(verdict == 'A NAT on the way rewrote the address',
               'and it says that a NAT on the way rewrote the address',
               'the two addresses differ, so its last line should be "A NAT on the way '
               f'rewrote the address"; it was {verdict!r}')
    me, seen, verdict = views('cafe')
    check.that(me == seen and me.startswith(f'{CAFE}:')
               and verdict == 'Nothing on the way changed the address',
               f'from the cafe: {me} on both ends, and nothing on the way changed it',
               f'on the cafe, which has a public address of its own ({CAFE}), both addresses '
               'should be the same, and the last line "Nothing on the way changed the '
               f'address"; it printed {me}, {seen} and {verdict!r}')
