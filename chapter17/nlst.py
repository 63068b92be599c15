#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - nlst.py
# List a remote folder with NLST: bare names, easy for a program to use.

import argparse
import ftplib
import sys

PLAYGROUND = '127.0.0.1:10021'   # the book used ftp.ibiblio.org
FTP_PORT = 21
TIMEOUT = 15
FOLDER = '/pub/academic/astronomy'


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


def names(host, port, folder):
    """The names in the folder, from NLST (no sizes, no dates, no way to tell folders)."""
    with ftplib.FTP(timeout=TIMEOUT) as ftp:
        ftp.connect(host, port)
        ftp.login()
        ftp.cwd(folder)
        return ftp.nlst()


def main():
    parser = argparse.ArgumentParser(description='List a folder of an FTP server with NLST.')
    parser.add_argument('server', nargs='?', default=PLAYGROUND, type=address,
                        help='host[:port] of the FTP server (default: %(default)s)')
    parser.add_argument('folder', nargs='?', default=FOLDER,
                        help='remote folder (default: %(default)s)')
    args = parser.parse_args()
    host, port = args.server
    try:
        entries = names(host, port, args.folder)
    except ftplib.Error as exc:        # the server answered 4xx or 5xx
        sys.exit(f'FTP server {host}:{port} said: {exc}')
    except EOFError:
        sys.exit(f'FTP server {host}:{port} closed the connection')
    except OSError as exc:             # refused, unreachable, timed out, unknown name
        sys.exit(f'cannot talk to FTP server {host}:{port}: {exc.strerror or exc}')
    print(len(entries), 'entries:')
    for entry in entries:
        print(entry)


if __name__ == '__main__':
    main()
