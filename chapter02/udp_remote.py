#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 2 - udp_remote.py
# UDP over an unreliable network: the server drops packets, the client retries
# with exponential backoff.

import argparse, random, socket, sys

MAX_BYTES = 65535


def server(interface, port):
    """Answer about half of the datagrams; pretend the others were lost."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((interface, port))
        print('Listening at', sock.getsockname(), flush=True)
        while True:
            data, address = sock.recvfrom(MAX_BYTES)
            if random.randint(0, 1):
                print('Pretending to drop packet from', address, flush=True)
                continue
            print('The client at', address, 'says', repr(data), flush=True)
            sock.sendto(f'Your data was {len(data)} bytes long'.encode('ascii'), address)


def client(hostname, port):
    """Send a request, doubling the wait after each silence, up to 2 seconds."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((hostname, port))    # now only replies from that address get in
        print('Client socket name is', sock.getsockname(), flush=True)
        delay = 0.1    # seconds
        while True:
            sock.send(b'This is another message')
            print(f'Waiting up to {delay:g} seconds for a reply', flush=True)
            sock.settimeout(delay)
            try:
                data = sock.recv(MAX_BYTES)
            except socket.timeout:
                delay *= 2    # wait even longer for the next request
                if delay > 2.0:
                    raise TimeoutError('I think the server is down')
            else:
                break    # we are done, and can stop looping
        print('The server says', repr(data))


if __name__ == '__main__':
    choices = {'client': client, 'server': server}
    parser = argparse.ArgumentParser(description='Send and receive UDP, with packets dropped')
    parser.add_argument('role', choices=choices, help='which role to take')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='interface or host')
    parser.add_argument('-p', '--port', type=int, default=1060, help='UDP port (default 1060)')
    args = parser.parse_args()
    try:
        choices[args.role](args.host, args.port)
    except OSError as e:    # refused (an ICMP "port unreachable"), given up, port in use
        sys.exit(f'udp_remote: {args.host}:{args.port}: {e.strerror or e}')
