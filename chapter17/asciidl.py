#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - asciidl.py
# Download a text file in ASCII mode, line by line, refusing to overwrite a local file.

import argparse, ftplib, os, sys


def main(host, port):
    """Fetch /pub/linux/kernel/README as lines of text, written with this system's line ends."""
    if os.path.exists('README'):
        sys.exit('asciidl: refusing to overwrite your README file')
    with ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login()
        f.cwd('/pub/linux/kernel')
        # Write under another name first: a failed download must not leave a README behind.
        with open('README.part', 'w') as fd:
            # retrlines sends TYPE A, then RETR; each line arrives without its CR LF
            f.retrlines('RETR README', lambda line: print(line, file=fd))
    os.rename('README.part', 'README')
    print(f'Saved README ({os.path.getsize("README")} bytes) from /pub/linux/kernel')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Download /pub/linux/kernel/README as text.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'asciidl: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'asciidl: {args.host}:{args.port}: {e.strerror or e}')
