#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - binaryul.py
# Log in with a user name and password and upload a file in binary mode into a remote folder.
# Exercise solution: refuse to replace a file that the remote folder has already.

import argparse, ftplib, getpass, os, sys


def main(host, port, username, localfile, remotedir):
    """Log in, change to remotedir, and STOR the file there under its own name."""
    with open(localfile, 'rb') as fd, ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login(username, getpass.getpass(f'Password for {username} on {host}: '))
        f.cwd(remotedir)
        # STOR replaces a file of that name without a word: look first (NLST lists the names).
        if os.path.basename(localfile) in f.nlst():
            sys.exit(f'binaryul: refusing to replace {os.path.basename(localfile)} '
                     f'in {remotedir}')
        # storbinary sends TYPE I, then STOR, and reads the file block by block
        reply = f.storbinary(f'STOR {os.path.basename(localfile)}', fd)
    print(f'Uploaded {os.path.basename(localfile)} to {remotedir}: {reply}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Upload a file to an FTP server.')
    parser.add_argument('host', help='FTP server (the playground: 127.0.0.1)')
    parser.add_argument('username', help='account to log in as (the playground: brandon)')
    parser.add_argument('localfile', help='file to upload')
    parser.add_argument('remotedir', help='remote folder (the playground: /home/brandon)')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username, args.localfile, args.remotedir)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'binaryul: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:              # no such local file; refused, unreachable, timed out
        sys.exit(f'binaryul: {e.filename or f"{args.host}:{args.port}"}: {e.strerror or e}')
