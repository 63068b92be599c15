#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 6 - sslclient.py
# Using TLS to protect a socket: verify the server's certificate and its name,
# then talk through the encrypted connection as through a plain socket.
# Exercise solution: accept nothing older than TLS 1.3, and say what was agreed.

import argparse, socket, ssl, sys

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Fetch / over verified TLS')
    parser.add_argument('hostname', nargs='?', default='localhost', help='default: localhost')
    parser.add_argument('-p', '--port', type=int, default=10443, help='default: %(default)s')
    args = parser.parse_args()
    hostname = args.hostname
    try:
        # First we connect, as usual, with a socket (which gives up after ten
        # seconds of silence, in the handshake too).
        sock = socket.create_connection((hostname, args.port), timeout=10)

        # Next, we turn the socket over to the ssl module. The default context
        # trusts the system's certificate authorities, or the file named by the
        # SSL_CERT_FILE environment variable; it demands a certificate signed by
        # one of them, refuses protocols older than TLS 1.2, and checks that the
        # certificate names `hostname` (the book's match_hostname() step).
        context = ssl.create_default_context()
        context.minimum_version = ssl.TLSVersion.TLSv1_3    # a 1.2 server fails the handshake
        sslsock = context.wrap_socket(sock, server_hostname=hostname)
        print(f'Protocol {sslsock.version()}, cipher {sslsock.cipher()[0]}')

        # From here on, sslsock works like a normal socket. We can, for example,
        # make an impromptu HTTP call.
        with sslsock:
            sslsock.sendall(f'GET / HTTP/1.0\r\nHost: {hostname}\r\n\r\n'.encode('ascii'))
            result = sslsock.makefile('rb').read()    # quite inefficient
    except ssl.SSLCertVerificationError as e:    # the chain or the name did not check out
        sys.exit(f'sslclient: {hostname}:{args.port}: certificate rejected: {e.verify_message}')
    except OSError as e:    # refused, timed out, no such host, not TLS at all
        sys.exit(f'sslclient: {hostname}:{args.port}: {e.strerror or e}')
    print(f'The document https://{hostname}:{args.port}/ is {len(result)} bytes long')
