"""The registry of playground services: module, ports, and what a reader can try.

Ports are given relative to the offset (default 10000): 'http': 80 means
port 10080 by default.  Each module runs alone too:
``python -m playground.web --port-offset 20000``.
"""
import dataclasses


@dataclasses.dataclass(frozen=True, eq=False)
class Service:
    name: str
    module: str                 # run as: python -m <module> --state S --port-offset N
    ports: dict                 # label -> port relative to the offset (checked over TCP)
    hint: str                   # what to try, with {label} placeholders for real ports
    prepare: str = ''           # 'module:function(state, reset)' run before start-up
    requires: str = ''          # 'module:function()' -> None, or why the service cannot run
    describe: str = ''          # 'module:function(state)' -> a line for the table, once ready


SERVICES = [
    Service('web', 'playground.web', {'http': 80, 'https': 443, 'https-wrong-name': 444},
            'python chapter01/search2.py   (geocoder at http://127.0.0.1:{http}/maps/api/geocode/json)',
            prepare='playground.web:prepare'),
    Service('dns', 'playground.dns', {'dns': 53},
            'python chapter04/dns_mx.py example.com --nameserver 127.0.0.1 -p {dns}  (UDP and TCP)',
            prepare='playground.dns:prepare'),
    Service('smtp', 'playground.smtp', {'smtp': 25},
            'python chapter13/tls.py localhost you@example.org brandon@example.com -p {smtp}'
            '  (STARTTLS, then AUTH)',
            prepare='playground.mailstore:prepare'),
    Service('pop', 'playground.pop', {'pop3': 110, 'pop3s': 995},
            'python chapter14/mailbox.py localhost brandon -p {pop3s}  (POP3 with STLS on {pop3})',
            prepare='playground.mailstore:prepare'),
    Service('ftp', 'playground.ftp', {'ftp': 21},
            'python chapter17/connect.py -p {ftp}  (anonymous reads; brandon writes in /home/brandon)',
            prepare='playground.ftp:prepare'),
    Service('imap', 'playground.imap', {'imap': 143, 'imaps': 993},
            'python chapter15/folder_info.py localhost brandon -p {imaps}  (STARTTLS on {imap})',
            prepare='playground.mailstore:prepare'),
    Service('ssh', 'playground.ssh', {'ssh': 22},
            'python chapter16/ssh_commands.py -p {ssh} --known-hosts .playground/ssh/known_hosts'
            '  (host key and its file: the "ssh:" line below)',
            prepare='playground.sandbox:prepare', describe='playground.sandbox:describe'),
    Service('telnet', 'playground.telnet', {'telnet': 23},
            'python chapter16/telnet_login.py -p {telnet}  (a tiny command set, not a shell)',
            prepare='playground.sandbox:prepare'),
    Service('memcached', 'playground.memcached', {'memcached': 1211},
            'python chapter08/squares.py -p {memcached}   (the real memcached)',
            requires='playground.memcached:missing'),
]

BY_NAME = {service.name: service for service in SERVICES}
