#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - ssh_commands.py
# Run three commands over one SSH connection, each on a channel of its own.

import argparse, getpass, logging, sys

import paramiko


def main(host, port, username, known_hosts):
    """Log in, then run each command with exec_command: no state carries from one to the next."""
    with paramiko.SSHClient() as client:
        # Refuse a server whose key we do not know: ~/.ssh/known_hosts, or the file named.
        client.load_system_host_keys(known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        # timeout bounds the connection and the whole handshake, banner_timeout the wait for
        # the server's first line (shorter, so that a silent server is named as such)
        client.connect(host, port, username, getpass.getpass(f'Password for {username}@{host}: '),
                       timeout=10, banner_timeout=5, auth_timeout=5)
        for command in 'echo "Hello, world!"', 'uname', 'uptime':
            stdin, stdout, stderr = client.exec_command(command, timeout=5)
            stdin.close()   # the command gets no input from us
            print(repr(stdout.read().decode('utf-8', 'replace')))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Run three commands over SSH, one channel each.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('username', nargs='?', default='brandon')
    parser.add_argument('-p', '--port', type=int, default=10022)
    parser.add_argument('--known-hosts', metavar='FILE', help='default: ~/.ssh/known_hosts')
    args = parser.parse_args()
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors
    try:
        main(args.host, args.port, args.username, args.known_hosts)
    except (paramiko.SSHException, EOFError) as e:   # refused key or login, not SSH, hung up
        sys.exit(f'ssh_commands: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                             # refused, unreachable, timed out
        sys.exit(f'ssh_commands: {args.host}:{args.port}: {e.strerror or e}')
