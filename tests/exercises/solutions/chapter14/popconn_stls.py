#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 14 - popconn.py
# Log in to a POP3 server over TLS and ask how much mail is waiting (STAT).
# Exercise solution (on the lab): with --stls, connect to the plain POP port and switch
# to TLS with STLS before the user name and the password.

import argparse, getpass, poplib, ssl, sys


def main(host, port, user, stls):
    # TLS from the first byte; the default context checks the certificate and the
    # host name (POP3_SSL without a context would check neither).  Or, with STLS,
    # from the first command after the greeting: the greeting, STLS and its answer
    # cross the network in clear, and everything after them encrypted.
    if stls:
        p = poplib.POP3(host, port, timeout=10)
    else:
        p = poplib.POP3_SSL(host, port, context=ssl.create_default_context(), timeout=10)
    try:
        if stls:
            p.stls(context=ssl.create_default_context())
            print(f'Switched to TLS ({p.sock.version()})')
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
    parser.add_argument('-p', '--port', type=int, help='default: 10995, or 10110 with --stls')
    parser.add_argument('--stls', action='store_true', help='the plain port, then STLS')
    args = parser.parse_args()
    args.port = args.port or (10110 if args.stls else 10995)
    try:
        main(args.host, args.port, args.user, args.stls)
    except poplib.error_proto as e:  # the server said -ERR (a wrong password too)
        sys.exit(f'popconn: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'popconn: {args.host}:{args.port}: {e.strerror or e}')
