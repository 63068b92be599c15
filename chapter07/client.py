#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - client.py
# A simple Launcelot client: ask the three questions, one after the other, and print the answers.

import argparse
import socket
import sys

import lancelot


def parse_address(text, default_port):
    """Split 'host', 'host:port' or '[v6addr]:port' into (host, port)."""
    if text.startswith('['):
        host, _, rest = text[1:].partition(']')
        return host, int(rest[1:]) if rest.startswith(':') else default_port
    if text.count(':') == 1:
        host, port = text.split(':')
        return host, int(port)
    return text, default_port


def client(host, port):
    """Hold one conversation: each question, then wait for its answer."""
    sock = socket.create_connection((host, port), timeout=10)
    with sock:
        for question, _ in lancelot.qa:
            sock.sendall(question.encode('ascii'))
            answer = lancelot.recv_until(sock, b'.')
            print(question, answer.decode('ascii'), flush=True)


def main():
    parser = argparse.ArgumentParser(description='Ask a Launcelot server its three questions.')
    parser.add_argument('server', nargs='?', default='127.0.0.1',
                        help='host[:port] of the server (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=lancelot.PORT,
                        help='port, unless the server argument names one (default: %(default)s)')
    args = parser.parse_args()
    try:
        host, port = parse_address(args.server, args.port)
    except ValueError:
        parser.error(f'bad server address {args.server!r}; use host[:port]')
    try:
        client(host, port)
    except socket.gaierror as exc:
        sys.exit(f'client.py: {host}: name not found ({exc.strerror})')
    except TimeoutError:
        sys.exit(f'client.py: {host}:{port}: timed out waiting for the server')
    except EOFError as exc:
        sys.exit(f'client.py: {host}:{port}: the server hung up ({exc})')
    except OSError as exc:
        sys.exit(f'client.py: {host}:{port}: {exc.strerror or exc}')


if __name__ == '__main__':
    main()
