"""One bad client, or a service that dies, must not stop the playground for everyone (issue 11).

- Out of file descriptors: each service process gets a low descriptor limit
  (prlimit on the running process, so nothing else on the machine is
  squeezed), then more connections arrive than it can accept; once they
  close, every service answers a real client again, and the launcher never
  stopped.
- A service killed outright is started again by the launcher; the others go
  on undisturbed.
"""
import contextlib
import ftplib
import imaplib
import os
import pathlib
import poplib
import resource
import signal
import smtplib
import socket
import ssl
import urllib.request

import dns.exception
import dns.resolver
import paramiko
import pytest
from telnetlib3 import Telnet

from harness import ACCOUNT, require_binary, wait_until
from playground.services import SERVICES

EXTRA_DESCRIPTORS = 30   # each service may open this many more than it holds at start
FLOOD = 120              # connections opened at each port: well past that limit


def children(pid):
    """The process ids started by a process (Linux)."""
    path = pathlib.Path(f'/proc/{pid}/task/{pid}/children')
    return [int(child) for child in path.read_text().split()]


def service_processes(pg):
    """{service module: pid} of a running playground's services."""
    found = {}
    for pid in children(pg.process.pid):
        try:
            command = pathlib.Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\0')
        except FileNotFoundError:  # gone meanwhile
            continue
        if b'-m' in command:  # not a zombie, nor a child between fork and exec
            found[command[command.index(b'-m') + 1].decode()] = pid
    return found


def squeeze(pid):
    """Lower a process's descriptor limit to a few more than it holds."""
    held = len(list(pathlib.Path(f'/proc/{pid}/fd').iterdir()))
    _, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (held + EXTRA_DESCRIPTORS, hard))


def flood(number):
    """Open FLOOD connections to a port (fewer if its queue fills up); return them."""
    sockets = []
    for _ in range(FLOOD):
        sock = socket.socket()
        sock.settimeout(0.5)
        try:
            sock.connect(('127.0.0.1', number))
        except OSError:  # its accept queue is full: enough
            sock.close()
            break
        sockets.append(sock)
    return sockets


# ---------------------------------------------------------------- is it serving?

def answers(pg, name):
    """Does a service answer a real client right now?  (One check per service.)"""
    context = ssl.create_default_context(cafile=str(pg.ca))
    try:
        check = CHECKS[name]
        return check(pg, context)
    except (OSError, EOFError, ssl.SSLError, paramiko.SSHException, dns.exception.DNSException,
            ftplib.Error, imaplib.IMAP4.error, poplib.error_proto, smtplib.SMTPException):
        return False


def web_answers(pg, context):
    for url, extra in ((f'http://127.0.0.1:{pg.port(80)}/rfc/rfc2616.txt', {}),
                       (f'https://localhost:{pg.port(443)}/rfc/rfc2616.txt',
                        {'context': context})):
        with urllib.request.urlopen(url, timeout=5, **extra) as reply:
            if reply.status != 200:
                return False
    return True


def dns_answers(pg, context):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port, resolver.lifetime = ['127.0.0.1'], pg.port(53), 3
    return all(resolver.resolve('example.com', 'A', tcp=tcp)[0].to_text() == '192.0.2.10'
               for tcp in (False, True))


def smtp_answers(pg, context):
    with smtplib.SMTP('127.0.0.1', pg.port(25), timeout=5) as smtp:
        return smtp.ehlo()[0] == 250


def pop_answers(pg, context):
    plain = poplib.POP3('127.0.0.1', pg.port(110), timeout=5)
    secure = poplib.POP3_SSL('localhost', pg.port(995), timeout=5, context=context)
    with contextlib.closing(plain), contextlib.closing(secure):
        return plain.getwelcome().startswith(b'+OK') and secure.getwelcome().startswith(b'+OK')


def imap_answers(pg, context):
    with imaplib.IMAP4('127.0.0.1', pg.port(143), timeout=5) as plain, \
            imaplib.IMAP4_SSL('localhost', pg.port(993), ssl_context=context,
                              timeout=5) as secure:
        return plain.welcome.startswith(b'* OK') and secure.welcome.startswith(b'* OK')


def ftp_answers(pg, context):
    with ftplib.FTP() as ftp:
        ftp.connect('127.0.0.1', pg.port(21), timeout=5)
        ftp.login()
        return 'pub' in ftp.nlst('/')


def ssh_answers(pg, context):
    with paramiko.SSHClient() as client:
        client.load_host_keys(str(pg.state / 'ssh' / 'known_hosts'))
        client.connect('127.0.0.1', pg.port(22), username=ACCOUNT[0], password=ACCOUNT[1],
                       look_for_keys=False, allow_agent=False, timeout=5, banner_timeout=5,
                       auth_timeout=5)
        _, out, _ = client.exec_command('echo still here', timeout=5)
        return out.read() == b'still here\n'


def telnet_answers(pg, context):
    with contextlib.closing(Telnet('127.0.0.1', pg.port(23), 5)) as telnet:
        return telnet.read_until(b'login: ', 5).endswith(b'login: ')


def memcached_answers(pg, context):
    with socket.create_connection(('127.0.0.1', pg.port(1211)), timeout=5) as sock:
        sock.sendall(b'version\r\n')
        return sock.recv(100).startswith(b'VERSION ')


CHECKS = {'web': web_answers, 'dns': dns_answers, 'smtp': smtp_answers,
          'pop': pop_answers, 'imap': imap_answers, 'ftp': ftp_answers,
          'ssh': ssh_answers, 'telnet': telnet_answers, 'memcached': memcached_answers}


def test_the_checks_cover_every_service():
    assert set(CHECKS) == {service.name for service in SERVICES}


# ---------------------------------------------------------------- the tests

@pytest.mark.timeout(180)
def test_every_service_survives_running_out_of_descriptors(fresh_playground):
    require_binary('memcached')
    pg = fresh_playground(*(service.name for service in SERVICES))
    for pid in service_processes(pg).values():
        squeeze(pid)
    ports = sorted({pg.port(number) for service in SERVICES for number in service.ports.values()})
    opened = []
    try:
        for number in ports:  # all at once: every service out of descriptors together
            opened += flood(number)
        assert len(opened) > len(ports) * EXTRA_DESCRIPTORS, 'the flood was too small'
    finally:
        for sock in opened:
            sock.close()
    for service in SERVICES:
        wait_until(lambda: answers(pg, service.name), 30,
                   f'{service.name} no longer answers after the flood')
    assert pg.process.poll() is None, 'the launcher stopped'
    out, log = pg.stop()
    assert 'stopped (exit status' not in out, out  # no service died on the way
    assert len(log.splitlines()) < 100, log  # a complaint now and then, not one per try


def test_the_launcher_restarts_a_service_that_dies_and_the_others_go_on(fresh_playground):
    pg = fresh_playground('ssh', 'dns', 'web')
    before = service_processes(pg)
    with paramiko.SSHClient() as client:  # a session of another service stays up meanwhile
        client.load_host_keys(str(pg.state / 'ssh' / 'known_hosts'))
        client.connect('127.0.0.1', pg.port(22), username=ACCOUNT[0], password=ACCOUNT[1],
                       look_for_keys=False, allow_agent=False, timeout=10)
        pid = before['playground.dns']
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: service_processes(pg).get('playground.dns', pid) != pid, 10,
                   'the launcher did not start dns again')
        wait_until(lambda: answers(pg, 'dns'), 20, 'dns does not answer after its restart')
        _, out, _ = client.exec_command('echo still here', timeout=10)
        assert out.read() == b'still here\n'
    assert answers(pg, 'web')
    after = service_processes(pg)
    assert after['playground.ssh'] == before['playground.ssh']
    assert after['playground.web'] == before['playground.web']
    assert pg.process.poll() is None
    out, _ = pg.stop()
    assert f'playground: service dns stopped (exit status -{signal.SIGKILL}); ' \
           'starting it again' in out, out
