#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 6 - sslclient.py
# Fetch a document over TLS after verifying the server's certificate chain and host name.

import argparse
import socket
import ssl
import sys

DEFAULT_SERVER = 'localhost:10443'  # the playground's HTTPS port


def parse_address(text, default_port=443):
    """Split 'host', 'host:port' or '[v6addr]:port' into (host, port)."""
    if text.startswith('['):
        host, _, rest = text[1:].partition(']')
        return host, int(rest[1:]) if rest.startswith(':') else default_port
    if text.count(':') == 1:
        host, port = text.split(':')
        return host, int(port)
    return text, default_port


def make_context(cafile=None):
    """The standard client context: TLS 1.2 or newer, chain and host name checked.

    Without --cafile it trusts the system's authorities, or the file named by
    the SSL_CERT_FILE environment variable (OpenSSL reads it by itself)."""
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def fetch(host, port, path, context):
    """Connect, verify, send a minimal HTTP request; return (TLS socket facts, reply)."""
    with socket.create_connection((host, port), timeout=10) as raw_sock:
        # server_hostname turns on SNI and the host name check.
        with context.wrap_socket(raw_sock, server_hostname=host) as sock:
            facts = (sock.version(), sock.cipher()[0], sock.getpeercert())
            request = f'GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n'
            sock.sendall(request.encode('ascii'))
            chunks = []
            while True:
                data = sock.recv(8192)
                if not data:
                    break
                chunks.append(data)
    return facts, b''.join(chunks)


def describe(cert):
    """The names a certificate is valid for, and who issued it."""
    names = ', '.join(value for kind, value in cert.get('subjectAltName', ()))
    issuer = dict(pair for rdn in cert['issuer'] for pair in rdn)
    return names, issuer.get('organizationName', issuer.get('commonName', '?'))


def main():
    parser = argparse.ArgumentParser(description='Fetch a page over verified TLS '
                                     'and report the length of the document.')
    parser.add_argument('server', nargs='?', default=DEFAULT_SERVER,
                        help='host[:port] (default: %(default)s)')
    parser.add_argument('path', nargs='?', default='/',
                        help='the path to ask for (default: %(default)s)')
    parser.add_argument('--cafile', help='trust this PEM file of CA certificates '
                        '(default: the system store, or $SSL_CERT_FILE)')
    args = parser.parse_args()
    try:
        host, port = parse_address(args.server)
    except ValueError:
        parser.error(f'bad server address {args.server!r}; use host[:port]')
    peer = f'[{host}]:{port}' if ':' in host else f'{host}:{port}'
    try:
        context = make_context(args.cafile)
    except (OSError, ssl.SSLError) as exc:
        sys.exit(f'sslclient.py: cannot load CA file {args.cafile}: {exc}')

    try:
        (version, cipher, cert), reply = fetch(host, port, args.path, context)
    except ssl.SSLCertVerificationError as exc:
        sys.exit(f'sslclient.py: {peer}: certificate verification failed: '
                 f'{exc.verify_message}')
    except ssl.SSLError as exc:
        sys.exit(f'sslclient.py: {peer}: TLS handshake failed ({exc.reason}); '
                 'does this port speak TLS?')
    except socket.gaierror as exc:
        sys.exit(f'sslclient.py: {host}: name not found ({exc.strerror})')
    except TimeoutError:
        sys.exit(f'sslclient.py: {peer}: timed out')
    except OSError as exc:
        sys.exit(f'sslclient.py: {peer}: {exc.strerror or exc}')

    names, issuer = describe(cert)
    header, _, body = reply.partition(b'\r\n\r\n')
    print(f'Connected to {peer} with {version}, cipher {cipher}')
    print(f'The certificate is valid for: {names} (issued by {issuer})')
    print('Status:', header.split(b'\r\n')[0].decode('ascii', 'replace'))
    print(f'The document is {len(body)} bytes long')


if __name__ == '__main__':
    main()
