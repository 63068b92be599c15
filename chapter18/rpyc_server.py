#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 18 - rpyc_server.py
# An RPyC service that works on objects living in the client: a file to read, a function to call back.

import argparse
import sys

import rpyc
from rpyc.utils.server import ThreadedServer


class LineCounter(rpyc.Service):
    """The service: only names starting with exposed_ can be called by clients."""

    def exposed_line_counter(self, fileobj, function):
        """Call function(line) for each line of the client's file; return the count."""
        count = 0
        for line in fileobj.readlines():     # readlines() runs in the client, not here
            function(line)                   # and so does the callback
            count += 1
        return count


def serve(host, port):
    """Answer RPyC connections, one thread each, until interrupted."""
    server = ThreadedServer(LineCounter, hostname=host, port=port)
    server.listener.listen()    # rpyc listens only inside start(): be ready before saying so
    print('Listening at', server.listener.getsockname(), flush=True)
    server.start()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Serve a line counter over RPyC.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='interface to listen on (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=18861,
                        help='TCP port (default: %(default)s; 0 for any free port)')
    args = parser.parse_args()
    try:
        serve(args.host, args.port)
    except OSError as exc:
        sys.exit(f'rpyc_server.py: cannot listen on {args.host}:{args.port}: {exc.strerror}')
    except KeyboardInterrupt:
        pass
