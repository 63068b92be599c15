#!/usr/bin/env python3
# Foundations of Python Network Programming - Chapter 16 - ssh_threads.py
# Run two slow commands at once on two channels of one SSH connection.

import argparse
import getpass
import logging
import os
import socket
import sys
import threading
import time

import paramiko

DEFAULT_SERVER = '127.0.0.1:10022'  # the playground's SSH service
KNOWN_HOSTS = os.path.expanduser('~/.ssh/known_hosts')
TIMEOUT = 10.0
COMMANDS = {  # each prints four lines over 1.5 seconds
    'dog': 'echo Woof 1; sleep 0.5; echo Woof 2; sleep 0.5; echo Woof 3; sleep 0.5; echo Woof 4',
    'cat': 'echo Meow 1; sleep 0.5; echo Meow 2; sleep 0.5; echo Meow 3; sleep 0.5; echo Meow 4',
}


def parse_address(text, default_port=22):
    """'host', 'host:port' or '[ipv6 address]:port' -> (host, port)."""
    if text.startswith('['):
        host, _, rest = text[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else ''
    elif text.count(':') == 1:
        host, port = text.split(':')
    else:
        host, port = text, ''
    return host, int(port) if port else default_port


def check_host_key(host, port, key, known_hosts):
    """Go on only if known_hosts lists this very key for this host, as ssh does."""
    # The book accepted any key (paramiko.AutoAddPolicy). Don't: whoever sits
    # between you and the server could then pose as it and read your password.
    known = paramiko.HostKeys()
    if os.path.exists(known_hosts):
        known.load(known_hosts)
    name = host if port == 22 else f'[{host}]:{port}'
    if not known.check(name, key):
        sys.exit(f'{host}:{port}: host key {key.get_name()} {key.fingerprint} is not '
                 f'in {known_hosts}; not logging in')


def connect(host, port, user, known_hosts):
    """Open the SSH transport, check the server's key, then log in with a password."""
    sock = socket.create_connection((host, port), TIMEOUT)
    transport = paramiko.Transport(sock)
    transport.start_client(timeout=TIMEOUT)
    check_host_key(host, port, transport.get_remote_server_key(), known_hosts)
    password = getpass.getpass(f'Password for {user}@{host}: ')
    transport.auth_password(user, password)
    return transport


def read_lines(channel, label):
    """Print each line of a channel's output as soon as it arrives."""
    for line in channel.makefile('rb'):
        print(f'{label}: {line.decode("utf-8", "replace").rstrip()}', flush=True)


def main(transport):
    """Start both commands, read each in its own thread, and time the whole."""
    start = time.monotonic()
    threads = []
    for label, command in COMMANDS.items():
        channel = transport.open_session()
        channel.exec_command(command)
        thread = threading.Thread(target=read_lines, args=(channel, label))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    print(f'Both commands finished in {time.monotonic() - start:.1f} s')
    transport.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Run two commands over SSH at once, in two channels.')
    parser.add_argument('server', nargs='?', default=DEFAULT_SERVER,
                        help='host[:port] (default: %(default)s, the playground)')
    parser.add_argument('-u', '--user', default='brandon', help='login name (default: %(default)s)')
    parser.add_argument('--known-hosts', default=KNOWN_HOSTS, metavar='FILE',
                        help='trusted host keys (default: %(default)s)')
    args = parser.parse_args()
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors ourselves
    try:
        host, port = parse_address(args.server)
    except ValueError:
        parser.error(f'not a host[:port]: {args.server}')
    try:
        main(connect(host, port, args.user, args.known_hosts))
    except socket.gaierror as exc:
        sys.exit(f'{host}:{port}: name not found ({exc.strerror})')
    except paramiko.AuthenticationException:
        sys.exit(f'{host}:{port}: login refused for {args.user} (wrong password?)')
    except (OSError, EOFError, paramiko.SSHException) as exc:
        sys.exit(f'{host}:{port}: {getattr(exc, "strerror", None) or str(exc) or "connection closed"}')
