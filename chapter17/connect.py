#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - connect.py
# Connect to an FTP server, show its welcome message, log in anonymously, print where we are.

import argparse, ftplib, sys


def main(host, port):
    """Greet the server, log in as anonymous, and ask for the working folder."""
    with ftplib.FTP(timeout=5) as f:        # leaving the block sends QUIT
        f.connect(host, port)
        print('Welcome:', f.getwelcome())
        f.login()                           # no arguments: user 'anonymous'
        print('Current working directory:', f.pwd())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Greet an FTP server and log in anonymously.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'connect: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'connect: {args.host}:{args.port}: {e.strerror or e}')
