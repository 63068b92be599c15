#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_twisted.py
# The same event-driven server with Twisted: the reactor calls our Protocol when data arrives.

import sys

from twisted.internet import error, protocol, reactor

import lancelot


class Lancelot(protocol.Protocol):
    """One instance per connection; Twisted calls its methods as events happen."""

    def connectionMade(self):
        self.question = b''

    def dataReceived(self, data):
        self.question += data
        if len(self.question) > lancelot.MAX_MESSAGE:
            self.transport.loseConnection()
        elif self.question.endswith(b'?'):
            self.transport.write(lancelot.answer_to(self.question))
            self.question = b''


if __name__ == '__main__':
    args = lancelot.argument_parser('Serve Launcelot clients with Twisted.').parse_args()
    factory = protocol.Factory.forProtocol(Lancelot)
    try:
        port = reactor.listenTCP(args.port, factory, backlog=128, interface=args.interface)
    except error.CannotListenError as exc:
        sys.exit(f'cannot listen on {args.interface}:{args.port}: {exc.socketError}')
    address = port.getHost()
    print('Listening at', (address.host, address.port), flush=True)
    reactor.run()
