#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - ssh_commands.py
# Run three commands over one SSH connection, each on a channel of its own.
# Exercise solution (on the lab): the same commands on several hosts, one after the
# other, with one password; a host that fails is named, and the others still served.

import argparse, getpass, logging, sys

import paramiko


def run_commands(host, port, username, password, known_hosts):
    """Log in, then run each command with exec_command: no state carries from one to the next."""
    with paramiko.SSHClient() as client:
        # Refuse a server whose key we do not know: ~/.ssh/known_hosts, or the file named.
        client.load_system_host_keys(known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        # timeout bounds the connection and the whole handshake, banner_timeout the wait for
        # the server's first line (shorter, so that a silent server is named as such)
        client.connect(host, port, username, password,
                       timeout=10, banner_timeout=5, auth_timeout=5)
        for command in 'echo "Hello, world!"', 'uname', 'uptime':
            stdin, stdout, stderr = client.exec_command(command, timeout=5)
            stdin.close()   # the command gets no input from us
            print(f'{host}: {stdout.read().decode("utf-8", "replace")!r}')


def main(hosts, port, username, known_hosts):
    """Ask for the password once, then serve each host; return how many failed."""
    password = getpass.getpass(f'Password for {username}: ')
    failed = 0
    for host in hosts:
        try:
            run_commands(host, port, username, password, known_hosts)
        except (paramiko.SSHException, EOFError) as e:   # refused key or login, not SSH
            print(f'ssh_commands: {host}:{port}: {str(e) or "connection closed"}',
                  file=sys.stderr)
            failed += 1
        except OSError as e:                             # refused, unreachable, timed out
            print(f'ssh_commands: {host}:{port}: {e.strerror or e}', file=sys.stderr)
            failed += 1
    return failed


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Run three commands over SSH on each host.')
    parser.add_argument('hosts', nargs='*', default=['127.0.0.1'], metavar='host',
                        help='default: the playground')
    parser.add_argument('-l', '--login', default='brandon', help='the user name on every host')
    parser.add_argument('-p', '--port', type=int, default=10022)
    parser.add_argument('--known-hosts', metavar='FILE', help='default: ~/.ssh/known_hosts')
    args = parser.parse_args()
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors
    failed = main(args.hosts, args.port, args.login, args.known_hosts)
    if failed:
        sys.exit(f'ssh_commands: {failed} of {len(args.hosts)} hosts failed')
