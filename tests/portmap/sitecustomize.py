"""Loaded by the README transcript runs only (tests/transcripts.py puts this
folder first on PYTHONPATH and sets FOPNP_PORT_MAP).

The README commands use the playground's standard ports (10080, 10025, ...)
and the book's fixed ports (1060, 7001, ...), often through a listing's
built-in default that no command line shows. The suite runs its playgrounds
and servers on other ports, so that it never meets a playground or a server
a reader left running; this module moves the ports of the map beneath the
listing, which stays exactly as a reader runs it: what a socket binds, what
it connects to and where it sends datagrams, whatever the address.
"""
import os
import socket

_MAP = dict(tuple(map(int, pair.split('=')))
            for pair in os.environ.get('FOPNP_PORT_MAP', '').split(',') if pair)


def _mapped(address):
    if isinstance(address, tuple) and len(address) >= 2 and address[1] in _MAP:
        return (address[0], _MAP[address[1]], *address[2:])
    return address


def _wrap(method, position):
    def redirected(self, *args):
        args = list(args)
        args[position] = _mapped(args[position])
        return method(self, *args)
    redirected.__name__ = method.__name__
    return redirected


if _MAP:
    socket.socket.bind = _wrap(socket.socket.bind, 0)
    socket.socket.connect = _wrap(socket.socket.connect, 0)
    socket.socket.connect_ex = _wrap(socket.socket.connect_ex, 0)
    socket.socket.sendto = _wrap(socket.socket.sendto, -1)  # sendto(data[, flags], address)
