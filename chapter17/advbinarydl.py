#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - advbinarydl.py
# Read a binary download from the raw data connection, showing bytes received and percentage.

import argparse
import ftplib
import os
import sys

PLAYGROUND = '127.0.0.1:10021'   # the book used ftp.kernel.org, whose FTP closed in 2017
FTP_PORT = 21
TIMEOUT = 15
FOLDER = '/pub/linux/kernel/v1.0'
FILENAME = 'linux-1.0.tar.gz'
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


def ask_size(ftp, filename):
    """The file's size by the SIZE command (binary mode only), or None if it is refused."""
    try:
        return ftp.size(filename)
    except ftplib.error_perm:
        return None


def download(host, port):
    """Fetch FOLDER/FILENAME through ntransfercmd, reporting progress as blocks arrive."""
    with ftplib.FTP(timeout=TIMEOUT) as ftp:
        ftp.connect(host, port)
        ftp.login()
        ftp.cwd(FOLDER)
        ftp.voidcmd('TYPE I')   # binary mode: bytes unchanged, and SIZE is allowed
        # Ask now: once RETR starts, the control connection belongs to the transfer.
        size = ask_size(ftp, FILENAME)
        sock, announced = ftp.ntransfercmd(f'RETR {FILENAME}')
        total = announced or size   # some servers put the size in the 150 reply
        received = 0
        with sock, open(FILENAME, 'xb') as f:   # 'x': never overwrite
            while True:
                block = sock.recv(BLOCK)
                if not block:   # the server closes the data connection at the end
                    break
                f.write(block)
                received += len(block)
                if total:
                    print(f'\rReceived {received} of {total} bytes '
                          f'({100 * received / total:.1f}%)', end='', flush=True)
                else:
                    print(f'\rReceived {received} bytes', end='', flush=True)
        print()
        ftp.voidresp()   # now the 226 reply: the server agrees the file is complete
    print(f'Saved {FILENAME} ({os.path.getsize(FILENAME)} bytes) from {FOLDER}')


def main():
    parser = argparse.ArgumentParser(description=f'Download {FOLDER}/{FILENAME}, with progress.')
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
