#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - advbinaryul.py
# Upload a file through the raw data connection, showing bytes sent and percentage.

import argparse
import ftplib
import getpass
import os
import sys

FTP_PORT = 21
TIMEOUT = 15
BLOCK = 8192


def address(text):
    """Parse 'host[:port]' (an IPv6 host in brackets) into (host, port); the port defaults to 21."""
    if text.startswith('['):
        host, _, rest = text[1:].partition(']')
        port = rest.removeprefix(':')
    elif text.count(':') == 1:
        host, port = text.split(':')
    else:
        host, port = text, ''
    port = port or str(FTP_PORT)
    if not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f'expected host[:port], got {text!r}')
    return host, int(port)


def upload(host, port, username, f, remotedir):
    """Log in, change to remotedir, and send the open file block by block through ntransfercmd."""
    name = os.path.basename(f.name)
    total = os.fstat(f.fileno()).st_size
    with ftplib.FTP(timeout=TIMEOUT) as ftp:
        ftp.connect(host, port)
        password = getpass.getpass(f'Password for {username} on {host}: ')
        ftp.login(username, password)
        ftp.cwd(remotedir)
        ftp.voidcmd('TYPE I')   # binary mode: the bytes arrive unchanged
        sock, _ = ftp.ntransfercmd(f'STOR {name}')
        sent = 0
        with sock:   # closing the data connection tells the server the file is complete
            while True:
                block = f.read(BLOCK)
                if not block:
                    break
                sock.sendall(block)
                sent += len(block)
                print(f'\rSent {sent} of {total} bytes ({100 * sent / total:.1f}%)',
                      end='', flush=True)
        print()
        reply = ftp.voidresp()   # the 226 reply: the server has stored it all
    print(f'Uploaded {name} to {remotedir}: {reply}')


def main():
    parser = argparse.ArgumentParser(description='Upload a file to an FTP server, with progress.')
    parser.add_argument('server', type=address,
                        help='host[:port] of the FTP server (the playground: 127.0.0.1:10021)')
    parser.add_argument('username', help='account to log in as (the playground: brandon)')
    parser.add_argument('localfile', help='file to upload')
    parser.add_argument('remotedir', help='remote folder to put it in (the playground: '
                        '/home/brandon)')
    args = parser.parse_args()
    host, port = args.server
    try:
        f = open(args.localfile, 'rb')
    except OSError as exc:
        sys.exit(f'cannot read {args.localfile}: {exc.strerror}')
    try:
        with f:
            upload(host, port, args.username, f, args.remotedir)
    except ftplib.Error as exc:        # the server answered 4xx or 5xx
        sys.exit(f'FTP server {host}:{port} said: {exc}')
    except EOFError:
        sys.exit(f'FTP server {host}:{port} closed the connection')
    except OSError as exc:             # refused, unreachable, timed out, unknown name
        sys.exit(f'cannot talk to FTP server {host}:{port}: {exc.strerror or exc}')


if __name__ == '__main__':
    main()
