"""The folder the SSH and Telnet logins see as '/', and the SSH host key, both kept in <state>/ssh/.

    <state>/ssh/sandbox/home/brandon/   the login's home: README.txt, notes.txt
    <state>/ssh/sandbox/var/log/        messages, messages.1 .. messages.3, auth.log
    <state>/ssh/host_key                the SSH server's ECDSA key (kept by --reset)
    <state>/ssh/known_hosts             written by the SSH service at start, for its port

prepare() seeds a fresh state; reset restores the seeded files (what users
added elsewhere in the sandbox stays).  Imports stay light: the launcher
runs prepare() before any service starts.
"""
import base64
import datetime
import hashlib
import pathlib
import shutil

from playground.common import ACCOUNT

HOME = f'/home/{ACCOUNT[0]}'
LOG_FILES = ['messages', 'messages.1', 'messages.2', 'messages.3']
PROGRAMS = ['kernel', 'sshd[812]', 'cron[433]', 'dhclient[377]', 'ntpd[521]']


def folder(state):
    return pathlib.Path(state) / 'ssh'


def sandbox(state):
    """The real folder behind the logins' '/'."""
    return folder(state) / 'sandbox'


def host_key_path(state):
    return folder(state) / 'host_key'


def describe(state):
    """The table's line on the host key, from the known_hosts file the service wrote."""
    known = folder(state) / 'known_hosts'
    blob = base64.b64decode(known.read_text().split()[2])
    fingerprint = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip('=')
    return f'ssh: host key SHA256:{fingerprint} (ECDSA); known_hosts lines in {known}'


def log_text(number):
    """Syslog-looking lines for messages.N, older files holding older days (same every time)."""
    day = datetime.datetime(2010, 12, 20, 6, 25) - datetime.timedelta(days=7 * number)
    lines = []
    for i in range(400 + 200 * number):
        when = day + datetime.timedelta(minutes=37 * i)
        program = PROGRAMS[(i * 7 + number) % len(PROGRAMS)]
        lines.append(f'{when:%b %d %H:%M:%S} playground {program}: '
                     f'event {i + 1} of log file {number}')
    return '\n'.join(lines) + '\n'


def seed(root):
    """Write the sample files."""
    home = root / HOME.lstrip('/')
    logs = root / 'var' / 'log'
    home.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    (home / 'README.txt').write_text(
        'This is the home folder of the playground account on the SSH sandbox.\n'
        'Files you upload with sftp or scp land here; /var/log holds sample logs.\n')
    (home / 'notes.txt').write_text('Remember: quoting matters to remote shells.\n')
    for number, name in enumerate(LOG_FILES):
        (logs / name).write_text(log_text(number))
    (logs / 'auth.log').write_text('Dec 20 06:25:00 playground sshd[812]: '
                                   'Accepted password for brandon from 127.0.0.1\n')


def make_host_key(path):
    """A new ECDSA P-256 key in PEM, readable by paramiko."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def prepare(state, reset):
    """Seed the sandbox (again, when reset) and make a host key once."""
    root = sandbox(state)
    if reset:
        shutil.rmtree(root / 'var' / 'log', ignore_errors=True)
    if reset or not root.exists():
        seed(root)
    key = host_key_path(state)
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        make_host_key(key)
