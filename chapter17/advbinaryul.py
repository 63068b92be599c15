#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - advbinaryul.py
# Upload a file through the raw data connection, showing bytes sent and percentage.

import argparse, ftplib, getpass, os, sys


def main(host, port, username, localfile, remotedir):
    """Log in, change to remotedir, and send the file block by block through transfercmd."""
    size = os.path.getsize(localfile)
    with open(localfile, 'rb') as fd, ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login(username, getpass.getpass(f'Password for {username} on {host}: '))
        f.cwd(remotedir)
        f.voidcmd('TYPE I')    # binary mode: the bytes arrive unchanged
        datasock = f.transfercmd(f'STOR {os.path.basename(localfile)}')
        transferred = 0
        with datasock:         # closing it tells the server that the file is complete
            while block := fd.read(8192):
                datasock.sendall(block)
                transferred += len(block)
                print(f'\rSent {transferred} of {size} bytes '
                      f'({100 * transferred / size:.1f}%)', end='', flush=True)
        print()
        reply = f.voidresp()   # the 226 reply: the server has stored it all
    print(f'Uploaded {os.path.basename(localfile)} to {remotedir}: {reply}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Upload a file to an FTP server, with progress.')
    parser.add_argument('host', help='FTP server (the playground: 127.0.0.1)')
    parser.add_argument('username', help='account to log in as (the playground: brandon)')
    parser.add_argument('localfile', help='file to upload')
    parser.add_argument('remotedir', help='remote folder (the playground: /home/brandon)')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username, args.localfile, args.remotedir)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'advbinaryul: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:              # no such local file; refused, unreachable, timed out
        sys.exit(f'advbinaryul: {e.filename or f"{args.host}:{args.port}"}: {e.strerror or e}')
