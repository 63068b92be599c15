#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_SocketServer.py
# The standard library's socketserver, starting a new thread for each client.
# Exercise solution (on the lab): say who each client is, as the server sees it.

import socket, socketserver, sys

import lancelot
from server_simple import handle_client


class LancelotHandler(socketserver.BaseRequestHandler):
    def handle(self):  # called once per connection, here in a thread of its own
        try:  # a reverse lookup waits on DNS: in this thread, only this client waits
            name = socket.gethostbyaddr(self.client_address[0])[0]
        except OSError:
            name = 'no name'
        print('Serving', self.client_address, name, flush=True)
        handle_client(self.request)


class LancelotServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    request_queue_size = 128  # the listen() queue: the default of 5 drops bursts
    daemon_threads = True     # Ctrl-C need not wait for connected clients


if __name__ == '__main__':
    args = lancelot.parse_command_line('Serve Launcelot clients, a thread for each.').parse_args()
    try:
        server = LancelotServer((args.host, args.port), LancelotHandler)
    except OSError as e:
        sys.exit(f'cannot listen on {args.host}:{args.port}: {e.strerror or e}')
    print('Listening at', server.server_address, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
