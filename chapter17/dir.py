#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - dir.py
# List a remote folder with LIST: one line a file, in whatever format the server likes.

import argparse, ftplib, sys


def main(host, port, folder):
    """Print the lines of a LIST of the folder, as the server formats them (often like ls -l)."""
    entries = []
    with ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login()
        f.cwd(folder)
        f.dir(entries.append)   # without a callback, dir() would print each line itself
    print(len(entries), 'entries:')
    for entry in entries:
        print(entry)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List a folder of an FTP server with LIST.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('folder', nargs='?', default='/pub/academic/astronomy')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.folder)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'dir: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'dir: {args.host}:{args.port}: {e.strerror or e}')
