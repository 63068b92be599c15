#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 14 - download-and-delete.py
# Walk a POP3 mailbox: show each message's headers (TOP), offer to read it (RETR) and to
# delete it (DELE); the server deletes only when the session ends with QUIT.
# Exercise solution: --before DATE deletes, without asking, the messages dated before it.

import argparse, datetime, email.policy, getpass, poplib, ssl, sys


def main(host, port, user, before):
    p = poplib.POP3_SSL(host, port, context=ssl.create_default_context(), timeout=10)
    try:
        p.user(user)
        p.pass_(getpass.getpass())
        visit_all_listings(p, before)
        p.quit()  # only now does the server delete the messages marked with DELE
    except KeyboardInterrupt:  # Ctrl-C: we hang up without QUIT, so nothing is deleted
        sys.exit('\nInterrupted: no QUIT was sent, so no message was deleted.')
    finally:
        p.close()


def visit_all_listings(p, before):
    response, listings, octets = p.list()
    for listing in listings:
        number, size = listing.decode().split()
        # TOP with 0 lines: the header alone.  poplib gives lines without their ends.
        response, lines, octets = p.top(number, 0)
        message = email.message_from_bytes(b'\r\n'.join(lines), policy=email.policy.default)
        print(f'Message {number} (size is {size} bytes):')
        for header in 'From', 'To', 'Subject', 'Date':
            if header in message:
                print(f'{header}: {message[header]}')  # =?utf-8?...?= decoded
        print()
        if before:  # POP cannot search: the client reads each header and decides
            date = message['Date']  # the day as the sender wrote it
            if date and date.datetime and date.datetime.date() < before:
                p.dele(number)
                print('Deleted (when we QUIT).')
            print()
            continue
        if input('Read this message [ny]? ').lower().startswith('y'):
            response, lines, octets = p.retr(number)
            message = email.message_from_bytes(b'\r\n'.join(lines), policy=email.policy.default)
            print('-' * 72)
            for part in message.walk():
                if part.get_content_type() == 'text/plain' and not part.is_attachment():
                    print(part.get_content())
                    print('-' * 72)
        if input('Delete this message [ny]? ').lower().startswith('y'):
            p.dele(number)
            print('Deleted (when we QUIT).')
        print()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Read and delete POP3 messages one by one.')
    parser.add_argument('host', help='host name of the POP3 server')
    parser.add_argument('user', help='the mailbox owner')
    parser.add_argument('-p', '--port', type=int, default=10995, help='default: %(default)s')
    parser.add_argument('--before', type=datetime.date.fromisoformat, metavar='YYYY-MM-DD',
                        help='delete, without asking, every message dated before this day')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.user, args.before)
    except poplib.error_proto as e:  # the server said -ERR (a wrong password too)
        sys.exit(f'download-and-delete: {args.host}:{args.port}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'download-and-delete: {args.host}:{args.port}: {e.strerror or e}')
