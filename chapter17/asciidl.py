#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - asciidl.py
# Download a text file in ASCII mode, line by line, refusing to overwrite a local file.

import argparse
import ftplib
import os
import sys

PLAYGROUND = '127.0.0.1:10021'   # the book used ftp.kernel.org, whose FTP closed in 2017
FTP_PORT = 21
TIMEOUT = 15
FOLDER = '/pub/linux/kernel'
FILENAME = 'README'


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


def download(host, port):
    """Fetch FOLDER/FILENAME as lines of text and write them with this system's line ends."""
    with ftplib.FTP(timeout=TIMEOUT) as ftp:
        ftp.connect(host, port)
        ftp.login()
        ftp.cwd(FOLDER)
        with open(FILENAME, 'x', encoding='utf-8') as f:   # 'x': never overwrite
            # retrlines sends TYPE A, then RETR; each CR LF line end arrives stripped
            ftp.retrlines(f'RETR {FILENAME}', lambda line: print(line, file=f))
    print(f'Saved {FILENAME} ({os.path.getsize(FILENAME)} bytes) from {FOLDER}')


def main():
    parser = argparse.ArgumentParser(description=f'Download {FOLDER}/{FILENAME} as text.')
    parser.add_argument('server', nargs='?', default=PLAYGROUND, type=address,
                        help='host[:port] of the FTP server (default: %(default)s)')
    host, port = parser.parse_args().server
    if os.path.exists(FILENAME):
        sys.exit(f'refusing to overwrite your {FILENAME} file')
    try:
        download(host, port)
    except ftplib.Error as exc:        # the server answered 4xx or 5xx
        sys.exit(f'FTP server {host}:{port} said: {exc}')
    except EOFError:
        sys.exit(f'FTP server {host}:{port} closed the connection')
    except OSError as exc:             # refused, unreachable, timed out, unknown name
        sys.exit(f'cannot talk to FTP server {host}:{port}: {exc.strerror or exc}')


if __name__ == '__main__':
    main()
