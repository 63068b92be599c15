#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - nlst.py
# List a remote folder with NLST: bare names, easy for a program to use.
# Exercise solution (on the lab): --active lists in active mode, where the server connects
# back to the client, and falls back on passive mode when the server cannot.

import argparse, ftplib, sys, warnings


def main(host, port, folder, active):
    """Print the names in the folder, from NLST (no sizes, no dates, no way to tell folders)."""
    with ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login()
        f.cwd(folder)
        # Active mode: we listen, and our PORT command names our own address for the
        # server to connect to; behind a NAT that address is private, and unreachable.
        f.set_pasv(not active)
        # (ftplib leaves its listening socket open when the server refuses PORT: not
        # our leak, and Python would say so as the exception goes; hence the filter.)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', ResourceWarning)
            try:
                entries = f.nlst()
            except (ftplib.error_perm, ftplib.error_temp) as e:   # 5xx or 4xx: refused
                if not active:
                    raise
                print(f'Active mode failed ({e}), trying passive mode')
                f.set_pasv(True)
                entries = f.nlst()
    print(len(entries), 'entries:')
    for entry in entries:
        print(entry)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='List a folder of an FTP server with NLST.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('folder', nargs='?', default='/pub/academic/astronomy')
    parser.add_argument('-p', '--port', type=int, default=10021)
    parser.add_argument('--active', action='store_true', help='try active mode first')
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.folder, args.active)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'nlst: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'nlst: {args.host}:{args.port}: {e.strerror or e}')
