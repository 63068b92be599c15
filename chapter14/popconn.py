#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 14 - popconn.py
# Log in to a POP3 server over TLS and ask how much mail is waiting (STAT).

import argparse
import getpass
import poplib
import ssl
import sys
import urllib.parse

POP3S_PORT = 995


def parse_server(text):
    """'host', 'host:port' or '[ipv6]:port' -> (host, port); port 995 unless given."""
    try:
        parts = urllib.parse.urlsplit('//' + text)
        if not parts.hostname:
            raise ValueError
        return parts.hostname, parts.port or POP3S_PORT
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a host[:port]: {text!r}') from None


def connect(host, port, user, password):
    """A POP3 session over TLS, the certificate checked, logged in with USER and PASS."""
    pop = poplib.POP3_SSL(host, port, context=ssl.create_default_context(), timeout=10)
    try:
        pop.user(user)
        pop.pass_(password)
    except poplib.error_proto as exc:  # the server answered -ERR
        pop.close()
        raise PermissionError(f'login refused: {exc.args[0].decode()}') from None
    return pop


def reason(exc):
    """One line saying why the conversation failed."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f'certificate verify failed: {exc.verify_message}'
    if isinstance(exc, poplib.error_proto):
        return f'the server said {exc.args[0].decode()}'
    return exc.strerror or str(exc)


def main():
    parser = argparse.ArgumentParser(description='Count the messages in a POP3 mailbox.')
    parser.add_argument('server', type=parse_server, help='POP3 server as host[:port]')
    parser.add_argument('user', help='the mailbox owner')
    args = parser.parse_args()
    host, port = args.server
    try:
        password = getpass.getpass()
    except (EOFError, KeyboardInterrupt):
        sys.exit('\nNo password given.')
    try:
        pop = connect(host, port, args.user, password)
        count, size = pop.stat()
        pop.quit()
    except (OSError, poplib.error_proto) as exc:
        sys.exit(f'{host}:{port}: {reason(exc)}')
    print(f'You have {count} messages totaling {size} bytes')


if __name__ == '__main__':
    main()
