#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - rpyc_server.py
# An RPyC service that works on objects living in the client: a file to read,
# a function to call back.

import argparse, sys
import rpyc
from rpyc.utils.server import ThreadedServer


class LineCounter(rpyc.Service):
    """The service: only names starting with exposed_ can be called by clients."""

    def exposed_line_counter(self, fileobj, function):
        """Call function(line) for each line of the client's file; return the count."""
        lines = fileobj.readlines()    # readlines() runs in the client, not here
        for line in lines:
            function(line)    # and so does the callback
        return len(lines)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a line counter over RPyC.')
    parser.add_argument('-p', '--port', type=int, default=18861, help='default: %(default)s')
    args = parser.parse_args()
    try:
        server = ThreadedServer(LineCounter, hostname='127.0.0.1', port=args.port)
        server.listener.listen()    # rpyc listens only inside start(): be ready before saying so
        print('Listening at', server.listener.getsockname(), flush=True)
        server.start()
    except OSError as e:    # the port is in use
        sys.exit(f'rpyc_server: 127.0.0.1:{args.port}: {e.strerror or e}')
