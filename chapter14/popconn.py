#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 14 - popconn.py
# Log in to a POP3 server over TLS and ask how much mail is waiting (STAT).

import argparse, getpass, poplib, ssl, sys


def main(host, port, user):
    # TLS from the first byte; the default context checks the certificate and the
    # host name (POP3_SSL without a context would check neither).
    p = poplib.POP3_SSL(host, port, context=ssl.create_default_context(), timeout=10)
    try:
        p.user(user)
        p.pass_(getpass.getpass())
        count, size = p.stat()
        print(f'You have {count} messages totaling {size} bytes')
        p.quit()
    finally:
        p.close()  # after a failure too (closing twice does no harm)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Count the messages in a POP3 mailbox.')
    parser.add_argument('host', help='host name of the POP3 server')
    parser.add_argument('user', help='the mailbox owner')
    parser.add_argument('-p', '--port', type=int, default=10995, help='default: %(default)s')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.user)
    except poplib.error_proto as e:  # the server said -ERR (a wrong password too)
        sys.exit(f'popconn: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'popconn: {args.host}:{args.port}: {e.strerror or e}')
