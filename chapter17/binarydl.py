#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - binarydl.py
# Download a binary file in binary (image) mode, refusing to overwrite a local file.

import argparse, ftplib, os, sys


def main(host, port):
    """Fetch /pub/linux/kernel/v1.0/patch8.gz byte for byte."""
    if os.path.exists('patch8.gz'):
        sys.exit('binarydl: refusing to overwrite your patch8.gz file')
    with ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login()
        f.cwd('/pub/linux/kernel/v1.0')
        with open('patch8.gz.part', 'wb') as fd:   # renamed once it is complete
            # retrbinary sends TYPE I, then RETR, and hands us each block as it arrives
            f.retrbinary('RETR patch8.gz', fd.write)
    os.rename('patch8.gz.part', 'patch8.gz')
    print(f'Saved patch8.gz ({os.path.getsize("patch8.gz")} bytes) from /pub/linux/kernel/v1.0')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Download /pub/linux/kernel/v1.0/patch8.gz.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'binarydl: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'binarydl: {args.host}:{args.port}: {e.strerror or e}')
