#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - ssh_threads.py
# Run two slow commands at once on two channels of one SSH connection, a thread reading each.

import argparse, getpass, logging, sys, threading

import paramiko


def read_until_EOF(fileobj):
    """Print each line of a command's output as soon as it arrives."""
    for line in fileobj:
        print(line, end='', flush=True)  # the line and its newline in one write


def main(host, port, username, known_hosts):
    """Start both commands, then read both outputs at once: their lines interleave."""
    with paramiko.SSHClient() as client:
        # Refuse a server whose key we do not know: ~/.ssh/known_hosts, or the file named.
        client.load_system_host_keys(known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        # timeout bounds the connection and the whole handshake, banner_timeout the wait for
        # the server's first line (shorter, so that a silent server is named as such)
        client.connect(host, port, username, getpass.getpass(f'Password for {username}@{host}: '),
                       timeout=10, banner_timeout=5, auth_timeout=5)
        out1 = client.exec_command('echo One;sleep 2;echo Two;sleep 1;echo Three', timeout=5)[1]
        out2 = client.exec_command('echo A;sleep 1;echo B;sleep 2;echo C', timeout=5)[1]
        thread1 = threading.Thread(target=read_until_EOF, args=(out1,))
        thread2 = threading.Thread(target=read_until_EOF, args=(out2,))
        thread1.start()
        thread2.start()
        thread1.join()
        thread2.join()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Run two commands over SSH at once, on two channels.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('username', nargs='?', default='brandon')
    parser.add_argument('-p', '--port', type=int, default=10022)
    parser.add_argument('--known-hosts', metavar='FILE', help='default: ~/.ssh/known_hosts')
    args = parser.parse_args()
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors
    try:
        main(args.host, args.port, args.username, args.known_hosts)
    except (paramiko.SSHException, EOFError) as e:   # refused key or login, not SSH, hung up
        sys.exit(f'ssh_threads: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                             # refused, unreachable, timed out
        sys.exit(f'ssh_threads: {args.host}:{args.port}: {e.strerror or e}')
