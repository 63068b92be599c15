#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - telnet_login.py
# Log in over Telnet by watching for the prompts, run one command, print what comes back.

import argparse, getpass, sys

# telnetlib left the standard library in Python 3.13; telnetlib3 ships the same Telnet class.
from telnetlib3 import Telnet


def wait_for(t, prompt):
    """Read up to the prompt; a server that never sends it is an error."""
    if not t.read_until(prompt, 5).endswith(prompt):
        raise TimeoutError(f'no {prompt.decode()!r} prompt within 5 s')


def main(host, port, username):
    """Log in, then run uptime with exec, so that the session ends with it."""
    with Telnet(host, port, 5) as t:
        wait_for(t, b'login:')
        t.write(username.encode() + b'\r\n')
        wait_for(t, b'assword:')
        t.write(getpass.getpass(f'Password for {username}@{host}: ').encode() + b'\r\n')
        n, match, previous_text = t.expect([rb'Login incorrect', rb'\$'], 5)
        if n != 1:
            raise PermissionError('Login incorrect') if n == 0 else TimeoutError('no prompt')
        t.write(b'exec uptime\r\n')
        print(t.read_all().decode('utf-8', 'replace').strip())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Log in to a Telnet server and run uptime.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('username', nargs='?', default='brandon')
    parser.add_argument('-p', '--port', type=int, default=10023)
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username)
    except EOFError as e:      # the server hung up
        sys.exit(f'telnet_login: {args.host}:{args.port}: {e}')
    except OSError as e:       # refused, unreachable, timed out, login refused
        sys.exit(f'telnet_login: {args.host}:{args.port}: {e.strerror or e}')
