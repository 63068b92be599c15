#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - telnet_codes.py
# Handle Telnet option negotiation by hand: give our terminal type, refuse everything else.

import argparse, functools, getpass, sys

# telnetlib left the standard library in Python 3.13; telnetlib3 ships the same Telnet class.
from telnetlib3 import DO, DONT, IAC, SB, SE, TTYPE, WILL, WONT, Telnet


def process_option(t, tsocket, command, option):
    """Called by Telnet for each negotiation the server starts (and at each SB ... SE)."""
    if command == DO and option == TTYPE:
        print('Agreeing to send our terminal type')
        tsocket.sendall(IAC + WILL + TTYPE)
    elif command == SE and t.read_sb_data() == TTYPE + b'\x01':   # SB TTYPE SEND
        print('Sending terminal type "mypython"')
        tsocket.sendall(IAC + SB + TTYPE + b'\x00mypython' + IAC + SE)   # \x00: IS
    elif command == DO:
        print('Will not', ord(option))
        tsocket.sendall(IAC + WONT + option)
    elif command == WILL:
        print('Do not', ord(option))
        tsocket.sendall(IAC + DONT + option)
    # DONT and WONT need no answer: every option is off on our side already.


def wait_for(t, prompt):
    """Read up to the prompt; a server that never sends it is an error."""
    if not t.read_until(prompt, 5).endswith(prompt):
        raise TimeoutError(f'no {prompt.decode()!r} prompt within 5 s')


def main(host, port, username):
    """Log in while negotiating by hand, then ask the far side for $TERM."""
    with Telnet() as t:
        t.set_option_negotiation_callback(functools.partial(process_option, t))
        t.open(host, port, 5)
        wait_for(t, b'login:')
        t.write(username.encode() + b'\r\n')
        wait_for(t, b'assword:')
        t.write(getpass.getpass(f'Password for {username}@{host}: ').encode() + b'\r\n')
        n, match, previous_text = t.expect([rb'Login incorrect', rb'\$'], 5)
        if n != 1:
            raise PermissionError('Login incorrect') if n == 0 else TimeoutError('no prompt')
        t.write(b'exec echo $TERM\r\n')
        print(t.read_all().decode('utf-8', 'replace').strip())   # after any echo of the command


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Log in to a Telnet server, negotiating '
                                     'options by hand, and print $TERM from the far side.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('username', nargs='?', default='brandon')
    parser.add_argument('-p', '--port', type=int, default=10023)
    args = parser.parse_args()
    try:
        main(args.host, args.port, args.username)
    except EOFError as e:      # the server hung up
        sys.exit(f'telnet_codes: {args.host}:{args.port}: {e}')
    except OSError as e:       # refused, unreachable, timed out, login refused
        sys.exit(f'telnet_codes: {args.host}:{args.port}: {e.strerror or e}')
