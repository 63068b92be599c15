#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - recursedl.py
# Walk a remote folder tree with MLSD, printing every folder and file, and mirror it locally.

import argparse
import ftplib
import os
import posixpath
import sys

PLAYGROUND = '127.0.0.1:10021'   # the book used ftp.kernel.org, whose FTP closed in 2017
FTP_PORT = 21
TIMEOUT = 15
FOLDER = '/pub/linux/kernel/Historic'


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


def walk(ftp, remote, local):
    """Copy the remote folder into the new local folder; return (files, bytes) copied."""
    print(remote + '/')
    os.mkdir(local)   # fails if it exists: never overwrite
    files = size = 0
    # MLSD (RFC 3659) says plainly which entries are folders; LIST leaves us to guess
    for name, facts in sorted(ftp.mlsd(remote, ['type', 'size'])):
        if '/' in name or name in ('.', '..'):
            continue   # a hostile server must not make us write outside the mirror
        path = posixpath.join(remote, name)
        if facts['type'] == 'dir':
            more_files, more_bytes = walk(ftp, path, os.path.join(local, name))
            files, size = files + more_files, size + more_bytes
        elif facts['type'] == 'file':
            print(f'{path}  ({facts["size"]} bytes)')
            with open(os.path.join(local, name), 'xb') as f:
                ftp.retrbinary(f'RETR {path}', f.write)
            files, size = files + 1, size + int(facts['size'])
    return files, size


def mirror(host, port, folder, local):
    """Log in anonymously and copy the whole remote folder into the new folder local."""
    with ftplib.FTP(timeout=TIMEOUT) as ftp:
        ftp.connect(host, port)
        ftp.login()
        files, size = walk(ftp, folder.rstrip('/'), local)
    print(f'Copied {files} files ({size} bytes) into {local}/')


def main():
    parser = argparse.ArgumentParser(description='Walk and copy a folder tree of an FTP server.')
    parser.add_argument('server', nargs='?', default=PLAYGROUND, type=address,
                        help='host[:port] of the FTP server (default: %(default)s)')
    parser.add_argument('folder', nargs='?', default=FOLDER,
                        help='remote folder to copy (default: %(default)s)')
    args = parser.parse_args()
    host, port = args.server
    local = posixpath.basename(args.folder.rstrip('/')) or 'ftp-root'
    if os.path.exists(local):
        sys.exit(f'refusing to overwrite your {local} folder')
    try:
        mirror(host, port, args.folder, local)
    except ftplib.Error as exc:        # the server answered 4xx or 5xx
        sys.exit(f'FTP server {host}:{port} said: {exc}')
    except EOFError:
        sys.exit(f'FTP server {host}:{port} closed the connection')
    except OSError as exc:             # refused, unreachable, timed out, unknown name
        sys.exit(f'cannot talk to FTP server {host}:{port}: {exc.strerror or exc}')


if __name__ == '__main__':
    main()
