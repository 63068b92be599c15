"""Loaded by the README transcript runs only (tests/transcripts.py puts this
folder first on PYTHONPATH and sets FOPNP_PORT_MAP).

The README commands talk to the playground's standard ports (10080, 10025,
...), often through a listing's built-in default that no command line shows.
The test playground runs on other ports, so that the suite never meets a
playground a reader left running; this module redirects connections to the
standard ports of loopback addresses to the test playground's, beneath the
listing, which stays exactly as a reader runs it.
"""
import os
import socket

_MAP = dict(tuple(map(int, pair.split('=')))
            for pair in os.environ.get('FOPNP_PORT_MAP', '').split(',') if pair)
_LOOPBACK = {'127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1'}


def _mapped(address):
    if (isinstance(address, tuple) and len(address) >= 2 and address[0] in _LOOPBACK
            and address[1] in _MAP):
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
    socket.socket.connect = _wrap(socket.socket.connect, 0)
    socket.socket.connect_ex = _wrap(socket.socket.connect_ex, 0)
    socket.socket.sendto = _wrap(socket.socket.sendto, -1)  # sendto(data[, flags], address)
