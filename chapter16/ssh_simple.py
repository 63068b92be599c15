#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - ssh_simple.py
# Open an interactive shell over SSH, type two commands into it, and print the whole session.

import argparse, getpass, logging, sys

import paramiko


def main(host, port, username, known_hosts):
    """Log in, start a shell on a pseudo-terminal, type into it, print all it sends back."""
    with paramiko.SSHClient() as client:
        # Refuse a server whose key we do not know: ~/.ssh/known_hosts, or the file named.
        client.load_system_host_keys(known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        # timeout bounds the connection and the whole handshake, banner_timeout the wait for
        # the server's first line (shorter, so that a silent server is named as such)
        client.connect(host, port, username, getpass.getpass(f'Password for {username}@{host}: '),
                       timeout=10, banner_timeout=5, auth_timeout=5)
        channel = client.invoke_shell()
        channel.settimeout(5)
        channel.sendall(b'echo "Hello, world!"\rexit\r')   # Enter on a terminal sends CR
        output = channel.makefile('rb').read()             # all it sends, until it closes
        print(repr(output.decode('utf-8', 'replace')))     # CR LF line ends: a terminal's


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Type two commands into a remote shell over SSH.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('username', nargs='?', default='brandon')
    parser.add_argument('-p', '--port', type=int, default=10022)
    parser.add_argument('--known-hosts', metavar='FILE', help='default: ~/.ssh/known_hosts')
    args = parser.parse_args()
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors
    try:
        main(args.host, args.port, args.username, args.known_hosts)
    except (paramiko.SSHException, EOFError) as e:   # refused key or login, not SSH, hung up
        sys.exit(f'ssh_simple: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                             # refused, unreachable, timed out
        sys.exit(f'ssh_simple: {args.host}:{args.port}: {e.strerror or e}')
