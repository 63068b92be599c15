#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - sftp.py
# Download the system logs of a remote machine over SFTP, with a progress callback.

import argparse, functools, getpass, logging, os, sys

import paramiko


def progress(name, so_far, total):
    """SFTP calls this after each block it receives."""
    print(f'  {name}: {so_far} of {total} bytes ({100 * so_far // max(total, 1)}%)')


def main(host, port, username, known_hosts):
    """Fetch each /var/log/messages* file that is not here yet."""
    with paramiko.SSHClient() as client:
        # Refuse a server whose key we do not know: ~/.ssh/known_hosts, or the file named.
        client.load_system_host_keys(known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        # timeout bounds the connection and the whole handshake, banner_timeout the wait for
        # the server's first line (shorter, so that a silent server is named as such)
        client.connect(host, port, username, getpass.getpass(f'Password for {username}@{host}: '),
                       timeout=10, banner_timeout=5, auth_timeout=5)
        sftp = client.open_sftp()
        sftp.get_channel().settimeout(5)
        sftp.chdir('/var/log')
        for name in sorted(sftp.listdir()):
            if not name.startswith('messages') or '/' in name:
                continue   # not a log file, or a name that would make us write elsewhere
            if os.path.exists(name):
                print(f'Skipping {name}: a local file has that name')
                continue
            print('Copying', name)
            try:   # under another name first: a failed copy must not pass for a whole one
                sftp.get(name, name + '.part', callback=functools.partial(progress, name))
            except OSError as e:   # a folder, or a file we may not read
                os.remove(name + '.part')
                print(f'Skipping {name}: {e.strerror or e}')
            else:
                os.rename(name + '.part', name)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Download /var/log/messages* over SFTP.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('username', nargs='?', default='brandon')
    parser.add_argument('-p', '--port', type=int, default=10022)
    parser.add_argument('--known-hosts', metavar='FILE', help='default: ~/.ssh/known_hosts')
    args = parser.parse_args()
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors
    try:
        main(args.host, args.port, args.username, args.known_hosts)
    except (paramiko.SSHException, EOFError) as e:   # refused key or login, not SSH, hung up
        sys.exit(f'sftp: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                             # refused, unreachable, timed out
        sys.exit(f'sftp: {args.host}:{args.port}: {e.strerror or e}')
