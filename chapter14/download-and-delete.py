#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 14 - download-and-delete.py
# Walk a POP3 mailbox: show each message's headers (TOP), offer to read it (RETR) and to
# delete it (DELE); the server deletes only when the session ends with QUIT.

import argparse
import email.parser
import email.policy
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


def parse(lines):
    """poplib hands back a message as a list of lines without their line ends."""
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(b'\r\n'.join(lines))


def ask(question):
    """A yes/no question; anything but y means no."""
    return input(f'{question} [ny]? ').strip().lower().startswith('y')


def visit(pop, number, size):
    """Show one message's headers; read it and delete it if the user says so."""
    print(f'Message {number} (size is {size} bytes):')
    response, lines, octets = pop.top(number, 0)  # the header and no line of the body
    message = parse(lines)
    for header in 'From', 'To', 'Subject', 'Date':
        if header in message:
            print(f'{header}: {message[header]}')  # decoded: =?utf-8?...?= becomes text
    print()
    if ask('Read this message'):
        response, lines, octets = pop.retr(number)
        message = parse(lines)
        print('-' * 72)
        for part in message.walk():
            if part.get_content_type() == 'text/plain' and not part.is_attachment():
                print(part.get_content())
                print('-' * 72)
    if ask('Delete this message'):
        pop.dele(number)
        print('Deleted (when we QUIT).')
    print()


def main():
    parser = argparse.ArgumentParser(description='Read and delete messages over POP3, '
                                     'one by one, asking first.')
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
        response, listings, octets = pop.list()
        try:
            for listing in listings:
                number, size = listing.decode().split()
                visit(pop, number, size)
        except (EOFError, KeyboardInterrupt):
            pop.close()  # hang up without QUIT: the server deletes nothing
            sys.exit('\nInterrupted: no QUIT was sent, so no message was deleted.')
        pop.quit()  # now the server removes the messages marked with DELE
    except (OSError, poplib.error_proto) as exc:
        sys.exit(f'{host}:{port}: {reason(exc)}')


if __name__ == '__main__':
    main()
