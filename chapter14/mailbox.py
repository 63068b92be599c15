#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 14 - mailbox.py
# List the messages of a POP3 mailbox: the number and the size in bytes of each (LIST).

import argparse, getpass, poplib, ssl, sys


def main(host, port, user):
    p = poplib.POP3_SSL(host, port, context=ssl.create_default_context(), timeout=10)
    try:
        p.user(user)
        p.pass_(getpass.getpass())
        response, listings, octets = p.list()
        for listing in listings:  # each one b'number size'
            number, size = listing.decode().split()
            print(f'Message {number} has {size} bytes')
        p.quit()
    finally:
        p.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List the messages in a POP3 mailbox.')
    parser.add_argument('host', help='host name of the POP3 server')
    parser.add_argument('user', help='the mailbox owner')
    parser.add_argument('-p', '--port', type=int, default=10995, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.user)
    except poplib.error_proto as e:  # the server said -ERR (a wrong password too)
        sys.exit(f'mailbox: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'mailbox: {args.host}:{args.port}: {e.strerror or e}')
