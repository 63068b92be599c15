#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - rpyc_client.py
# Hand an open file and a callback to rpyc_server.py, which uses both from across the network.
# Exercise solution: the callback counts words too, in a counter that stays in the client.

import argparse, pathlib, signal, socket, sys
import rpyc

TESTFILE = pathlib.Path(__file__).with_name('testfile.txt')
words = 0    # the callback's count: it lives here, in the client, where the callback runs


def noisy(string):
    """The callback: the server calls it, but it runs here, prints here and counts here."""
    global words
    print('Noisy:', repr(string))
    words += len(string.split())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Count lines through rpyc_server.py.')
    parser.add_argument('-p', '--port', type=int, default=18861, help='default: %(default)s')
    args = parser.parse_args()
    peer = f'127.0.0.1:{args.port}'
    # rpyc waits for the rest of a garbled reply for as long as the connection stays
    # open: on Unix, an alarm clock ends the whole exchange after 10 seconds.
    if hasattr(signal, 'SIGALRM'):
        signal.signal(signal.SIGALRM, lambda *_: sys.exit(f'rpyc_client: {peer}: no answer'))
        signal.alarm(10)
    # The server may use our objects' attributes (fileobj.readlines) only if we allow it;
    # every call waits at most ten seconds for its answer.
    config = {'allow_public_attrs': True, 'sync_request_timeout': 10}
    try:
        with socket.create_connection(('127.0.0.1', args.port), timeout=10) as sock, \
                open(TESTFILE) as fileobj:
            proxy = rpyc.connect_stream(rpyc.SocketStream(sock), config=config)
            linecount = proxy.root.line_counter(fileobj, noisy)
        print('The number of lines in the file was', linecount)
        print('The number of words in the file was', words)
    except EOFError as e:    # rpyc's word for a connection that closed or broke
        sys.exit(f'rpyc_client: {peer}: {e or "connection closed"}')
    except OSError as e:    # refused, timed out
        sys.exit(f'rpyc_client: {peer}: {e.strerror or e}')
