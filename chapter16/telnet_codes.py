#!/usr/bin/env python3
# Foundations of Python Network Programming - Chapter 16 - telnet_codes.py
# Handle Telnet option negotiation by hand: give our terminal type, refuse the rest.

import argparse
import functools
import getpass
import socket
import sys

# The standard library's telnetlib left Python in 3.13; telnetlib3 ships the
# same Telnet class and option constants, unchanged, for every Python 3.
from telnetlib3 import (DO, DONT, ECHO, IAC, NAWS, SB, SE, SGA, TTYPE, WILL, WONT,
                        BINARY, CHARSET, LINEMODE, NEW_ENVIRON, TSPEED, XDISPLOC, Telnet)

DEFAULT_SERVER = '127.0.0.1:10023'  # the playground's Telnet service
TIMEOUT = 10.0
TERMINAL_TYPE = b'mypython'
TTYPE_IS, TTYPE_SEND = b'\x00', b'\x01'  # RFC 1091 subnegotiation codes
OPTION_NAMES = {BINARY: 'BINARY', ECHO: 'ECHO', SGA: 'SGA (suppress go-ahead)',
                TTYPE: 'TTYPE (terminal type)', NAWS: 'NAWS (window size)',
                TSPEED: 'TSPEED', LINEMODE: 'LINEMODE', XDISPLOC: 'XDISPLOC',
                NEW_ENVIRON: 'NEW-ENVIRON', CHARSET: 'CHARSET'}


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


def name(option):
    """A readable name for a Telnet option byte."""
    return OPTION_NAMES.get(option, f'option {ord(option)}')


def process_option(telnet, tsocket, command, option):
    """Called by Telnet for every negotiation command the server sends."""
    if command == DO and option == TTYPE:
        print('Server asks DO TTYPE: answering WILL TTYPE')
        tsocket.sendall(IAC + WILL + TTYPE)
    elif command == SE:  # end of a subnegotiation: its bytes are in read_sb_data()
        data = telnet.read_sb_data()
        if data == TTYPE + TTYPE_SEND:
            print(f'Server asks for the terminal type: sending {TERMINAL_TYPE.decode()!r}')
            tsocket.sendall(IAC + SB + TTYPE + TTYPE_IS + TERMINAL_TYPE + IAC + SE)
    elif command == DO:
        print(f'Will not do {name(option)}')
        tsocket.sendall(IAC + WONT + option)
    elif command == WILL:
        print(f'Do not want {name(option)}')
        tsocket.sendall(IAC + DONT + option)
    # DONT and WONT need no answer: every option is already off on our side.


def wait_for(telnet, prompt, peer):
    """Read until the server prints the prompt; give up after TIMEOUT seconds."""
    index, match, text = telnet.expect([prompt], TIMEOUT)
    if index < 0:
        sys.exit(f'{peer}: no {prompt.decode()!r} prompt within {TIMEOUT:.0f} s')
    return text


def main(host, port, user):
    """Log in while negotiating by hand, then show $TERM as the far side sees it."""
    peer = f'{host}:{port}'
    telnet = Telnet()
    telnet.set_option_negotiation_callback(functools.partial(process_option, telnet))
    telnet.open(host, port, TIMEOUT)
    wait_for(telnet, b'login:', peer)
    telnet.write(user.encode('ascii') + b'\r\n')
    wait_for(telnet, b'assword:', peer)
    password = getpass.getpass(f'Password for {user} at {peer}: ')
    telnet.write(password.encode('utf-8') + b'\r\n')

    index, match, text = telnet.expect([rb'Login incorrect', rb'\$ '], TIMEOUT)
    if index != 1:
        sys.exit(f'{peer}: login refused (Login incorrect)' if index == 0
                 else f'{peer}: no shell prompt after the password')
    telnet.write(b'exec echo $TERM\r\n')
    output = telnet.read_all().decode('utf-8', 'replace')
    print('The far side says TERM is:', output.strip())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Log in to a Telnet server, negotiating '
                                     'options by hand, and print $TERM from the far side.')
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
