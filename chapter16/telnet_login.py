#!/usr/bin/env python3
# Foundations of Python Network Programming - Chapter 16 - telnet_login.py
# Log in over Telnet by watching for the prompts, run one command, print what comes back.

import argparse
import getpass
import socket
import sys

# The standard library's telnetlib left Python in 3.13; telnetlib3 ships the
# same Telnet class, unchanged, and it works on every Python 3.
from telnetlib3 import Telnet

DEFAULT_SERVER = '127.0.0.1:10023'  # the playground's Telnet service
TIMEOUT = 10.0


def parse_address(text, default_port=23):
    """'host', 'host:port' or '[ipv6 address]:port' -> (host, port)."""
    if text.startswith('['):
        host, _, rest = text[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else ''
    elif text.count(':') == 1:
        host, port = text.split(':')
    else:
        host, port = text, ''
    return host, int(port) if port else default_port


def wait_for(telnet, prompt, peer):
    """Read until the server prints the prompt; give up after TIMEOUT seconds."""
    index, match, text = telnet.expect([prompt], TIMEOUT)
    if index < 0:
        sys.exit(f'{peer}: no {prompt.decode()!r} prompt within {TIMEOUT:.0f} s')
    return text


def main(host, port, user):
    """Connect, log in, run 'exec uptime' and print its output until the server closes."""
    peer = f'{host}:{port}'
    telnet = Telnet(host, port, TIMEOUT)
    wait_for(telnet, b'login:', peer)
    telnet.write(user.encode('ascii') + b'\r\n')
    wait_for(telnet, b'assword:', peer)
    password = getpass.getpass(f'Password for {user} at {peer}: ')
    telnet.write(password.encode('utf-8') + b'\r\n')

    # Either the shell's prompt appears, or the server complains.
    index, match, text = telnet.expect([rb'Login incorrect', rb'\$ '], TIMEOUT)
    if index != 1:
        sys.exit(f'{peer}: login refused (Login incorrect)' if index == 0
                 else f'{peer}: no shell prompt after the password')
    telnet.write(b'exec uptime\r\n')  # exec: the session ends with the command
    output = telnet.read_all().decode('utf-8', 'replace')
    print(output.replace('\r\n', '\n'), end='')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Log in to a Telnet server and run uptime.')
    parser.add_argument('server', nargs='?', default=DEFAULT_SERVER,
                        help='host[:port] (default: %(default)s, the playground)')
    parser.add_argument('-u', '--user', default='brandon', help='login name (default: %(default)s)')
    args = parser.parse_args()
    try:
        host, port = parse_address(args.server)
    except ValueError:
        parser.error(f'not a host[:port]: {args.server}')
    try:
        main(host, port, args.user)
    except socket.gaierror as exc:
        sys.exit(f'{host}:{port}: name not found ({exc.strerror})')
    except (OSError, EOFError) as exc:
        reason = getattr(exc, 'strerror', None) or str(exc) or 'connection closed'
        sys.exit(f'{host}:{port}: {reason}')
