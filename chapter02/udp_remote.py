#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - udp_remote.py
# UDP over an unreliable network: the server drops packets, the client retries
# with exponential backoff.

import argparse
import random
import socket
import sys

MAX_BYTES = 65535


def server(interface, port):
    """Answer about half of the datagrams; pretend the others were lost."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((interface, port))
    print('Listening at', sock.getsockname(), flush=True)
    while True:
        data, address = sock.recvfrom(MAX_BYTES)
        if random.random() < 0.5:
            print(f'Pretending to drop packet from {address}', flush=True)
            continue
        text = data.decode('utf-8', errors='replace')
        print(f'The client at {address} says {text!r}', flush=True)
        sock.sendto(f'Your data was {len(data)} bytes long'.encode('ascii'), address)


def client(hostname, port):
    """Send a request, doubling the wait after each silence, up to 2 seconds."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((hostname, port))  # now only replies from that address get in
    print('Client socket name is', sock.getsockname(), flush=True)
    delay = 0.1  # seconds
    text = 'This is another message'
    while True:
        sock.send(text.encode('ascii'))
        print(f'Waiting up to {delay:g} seconds for a reply', flush=True)
        sock.settimeout(delay)
        try:
            data = sock.recv(MAX_BYTES)
        except socket.timeout:
            delay *= 2  # wait even longer for the next request
            if delay > 2.0:
                raise RuntimeError('I think the server is down') from None
        else:
            break  # we are done, and can stop looping
    print('The server says', repr(data.decode('ascii')))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Send and receive UDP, '
                                     'pretending packets are often dropped')
    sub = parser.add_subparsers(dest='role', required=True)
    serve = sub.add_parser('server', help='answer about half of the requests')
    serve.add_argument('interface', nargs='?', default='127.0.0.1',
                       help='interface the server listens at (default: %(default)s; '
                       "'' for all)")
    ask = sub.add_parser('client', help='ask a server, retrying with backoff')
    ask.add_argument('host', help='host the client sends to')
    for each in (serve, ask):
        each.add_argument('-p', metavar='PORT', type=int, default=1060,
                          help='UDP port (default 1060)')
    args = parser.parse_args()
    try:
        if args.role == 'server':
            server(args.interface, args.p)
        else:
            client(args.host, args.p)
    except RuntimeError as e:
        sys.exit(f'udp_remote: no reply from {args.host}:{args.p}: {e}')
    except ConnectionRefusedError:
        sys.exit(f'udp_remote: {args.host}:{args.p} refused the datagram '
                 '(nothing listens there)')
    except OSError as e:
        where = args.host if args.role == 'client' else args.interface
        sys.exit(f'udp_remote: {where}:{args.p}: {e.strerror or e}')
    except KeyboardInterrupt:
        pass
