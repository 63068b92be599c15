#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - advbinarydl.py
# Read a binary download from the raw data connection, showing bytes received and percentage.

import argparse, ftplib, os, sys


def main(host, port):
    """Fetch /pub/linux/kernel/v1.0/linux-1.0.tar.gz through ntransfercmd, with progress."""
    if os.path.exists('linux-1.0.tar.gz'):
        sys.exit('advbinarydl: refusing to overwrite your linux-1.0.tar.gz file')
    with ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login()
        f.cwd('/pub/linux/kernel/v1.0')
        f.voidcmd('TYPE I')    # binary mode: the bytes as stored, and SIZE is allowed
        # Ask the size now: once RETR starts, the control connection waits for the transfer.
        size = f.size('linux-1.0.tar.gz')
        datasock, estsize = f.ntransfercmd('RETR linux-1.0.tar.gz')
        total = estsize or size    # few servers name the size in their 150 reply
        transferred = 0
        with datasock, open('linux-1.0.tar.gz.part', 'wb') as fd:
            while block := datasock.recv(8192):   # b'' when the server closes it: the end
                fd.write(block)
                transferred += len(block)
                print(f'\rReceived {transferred} of {total} bytes '
                      f'({100 * transferred / total:.1f}%)', end='', flush=True)
        print()
        f.voidresp()   # now the 226 reply: the server agrees the file is complete
    os.rename('linux-1.0.tar.gz.part', 'linux-1.0.tar.gz')
    print(f'Saved linux-1.0.tar.gz ({transferred} bytes) from /pub/linux/kernel/v1.0')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Download linux-1.0.tar.gz, with progress.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'advbinarydl: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'advbinarydl: {args.host}:{args.port}: {e.strerror or e}')
