"""The harness's own tools behave as documented (a test that relies on them can fail)."""
import socket

import pytest

from harness import GARBAGE, BadPeer, wait_until


def test_wait_until_returns_the_value_or_fails_with_the_message():
    values = iter([0, None, 'ready'])
    assert wait_until(lambda: next(values), timeout=5) == 'ready'
    with pytest.raises(AssertionError, match='never true'):
        wait_until(lambda: False, timeout=0.1, message=lambda: 'never true')


def test_silent_peer_accepts_and_says_nothing(bad_peer):
    peer = bad_peer('silent')
    with socket.create_connection((peer.host, peer.port), timeout=0.3) as sock:
        sock.sendall(b'HELLO\r\n')
        with pytest.raises(TimeoutError):
            sock.recv(1)
    assert peer.connections == 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(0.3)
        udp.sendto(b'hello', (peer.host, peer.port))
        with pytest.raises(TimeoutError):
            udp.recv(1)
    wait_until(lambda: peer.datagrams == 1, message='the datagram never arrived')


def test_garbage_peer_greets_and_answers_with_garbage(bad_peer):
    peer = bad_peer('garbage')
    with socket.create_connection((peer.host, peer.port), timeout=5) as sock:
        greeting = b''
        while len(greeting) < len(GARBAGE):
            greeting += sock.recv(4096)
        assert greeting == GARBAGE
        sock.sendall(b'EHLO\r\n')
        assert sock.recv(4096)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.sendto(b'hello', (peer.host, peer.port))
        assert udp.recv(65536) == GARBAGE


def test_closing_peer_closes_at_once_and_has_no_udp_port(bad_peer):
    peer = bad_peer('closing')
    with socket.create_connection((peer.host, peer.port), timeout=5) as sock:
        assert sock.recv(1) == b''
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.connect((peer.host, peer.port))
        udp.send(b'hello')
        with pytest.raises(ConnectionRefusedError):
            udp.recv(1)
