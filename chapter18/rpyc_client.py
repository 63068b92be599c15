#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - rpyc_client.py
# Hand an open file and a callback to rpyc_server.py, which uses both from across the network.

import argparse
import pathlib
import sys

import rpyc

DEFAULT_FILE = pathlib.Path(__file__).with_name('testfile.txt')


def noisy(line):
    """The callback: the server calls it, but it runs here and prints here."""
    print('Noisy:', repr(line))


def count_lines(host, port, path):
    """Let the server count the lines of a local file; print its answer."""
    with open(path) as fileobj:
        # The server may use our objects' attributes (fileobj.readlines) only if we allow it.
        connection = rpyc.connect(host, port, config={'allow_public_attrs': True})
        with connection:
            count = connection.root.line_counter(fileobj, noisy)
    print('The number of lines in the file was', count)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Count lines through rpyc_server.py.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='server host (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=18861,
                        help='server port (default: %(default)s)')
    parser.add_argument('-f', '--file', default=DEFAULT_FILE,
                        help='file to count (default: testfile.txt beside this script)')
    args = parser.parse_args()
    try:
        count_lines(args.host, args.port, args.file)
    except OSError as exc:
        if exc.filename is not None:
            sys.exit(f'rpyc_client.py: cannot read {exc.filename}: {exc.strerror}')
        sys.exit(f'rpyc_client.py: cannot reach {args.host}:{args.port}: {exc.strerror or exc}')
    except EOFError:
        sys.exit(f'rpyc_client.py: {args.host}:{args.port} closed the connection')
