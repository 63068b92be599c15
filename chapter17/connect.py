#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - connect.py
# Connect to an FTP server, show its welcome message, log in anonymously, print where we are.

import argparse
import ftplib
import sys

PLAYGROUND = '127.0.0.1:10021'   # the book used ftp.ibiblio.org
FTP_PORT = 21
TIMEOUT = 15


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


def session(host, port):
    """Connect, print the welcome, log in as anonymous, print the working folder."""
    with ftplib.FTP(timeout=TIMEOUT) as ftp:   # leaving the block sends QUIT
        print('Welcome:', ftp.connect(host, port))
        ftp.login()   # no arguments: user 'anonymous', an empty password
        print('Current working directory:', ftp.pwd())


def main():
    parser = argparse.ArgumentParser(description='Greet an FTP server and log in anonymously.')
    parser.add_argument('server', nargs='?', default=PLAYGROUND, type=address,
                        help='host[:port] of the FTP server (default: %(default)s)')
    host, port = parser.parse_args().server
    try:
        session(host, port)
    except ftplib.Error as exc:        # the server answered 4xx or 5xx
        sys.exit(f'FTP server {host}:{port} said: {exc}')
    except EOFError:
        sys.exit(f'FTP server {host}:{port} closed the connection')
    except OSError as exc:             # refused, unreachable, timed out, unknown name
        sys.exit(f'cannot talk to FTP server {host}:{port}: {exc.strerror or exc}')


if __name__ == '__main__':
    main()
