#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_SocketServer.py
# The standard library's socketserver, with a new thread for each client.

import socketserver
import sys

import lancelot


class LancelotHandler(socketserver.BaseRequestHandler):
    """socketserver calls handle() once per connection, here in its own thread."""

    def handle(self):
        lancelot.handle_client(self.request)


class ThreadedServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    request_queue_size = 128
    daemon_threads = True  # do not wait for clients when we are told to stop


if __name__ == '__main__':
    parser = lancelot.argument_parser('Serve Launcelot clients, a thread for each.')
    args = parser.parse_args()
    try:
        server = ThreadedServer((args.interface, args.port), LancelotHandler)
    except OSError as exc:
        sys.exit(f'cannot listen on {args.interface}:{args.port}: {exc.strerror or exc}')
    print('Listening at', server.server_address, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
