#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_twisted.py
# The event-driven server again, with Twisted: its reactor calls our Protocol as data arrives.

import sys

from twisted.internet import error, protocol, reactor

import lancelot


class Lancelot(protocol.Protocol):
    """One instance per connection; the reactor calls its methods as events happen."""

    def connectionMade(self):
        self.question = b''

    def dataReceived(self, data):
        self.question += data
        if self.question.endswith(b'?'):
            self.transport.write(lancelot.qadict[self.question])
            self.question = b''
        elif len(self.question) > lancelot.MAX_MESSAGE:
            self.transport.loseConnection()


if __name__ == '__main__':
    args = lancelot.parse_command_line('Serve Launcelot clients with Twisted.').parse_args()
    factory = protocol.Factory.forProtocol(Lancelot)
    try:
        port = reactor.listenTCP(args.port, factory, backlog=128, interface=args.host)
    except error.CannotListenError as e:
        sys.exit(f'cannot listen on {args.host}:{args.port}: {e.socketError}')
    address = port.getHost()
    print('Listening at', (address.host, address.port), flush=True)
    reactor.run()
