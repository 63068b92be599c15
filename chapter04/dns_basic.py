#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - dns_basic.py
# Ask a DNS server directly for several kinds of record about one name.

import argparse
import sys

import dns.exception
import dns.resolver

RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS']


def parse_server(text):
    """'127.0.0.1:10053' -> ('127.0.0.1', 10053); '[::1]:53' and a bare host work too."""
    if text.startswith('['):
        host, _, port = text[1:].partition(']')
        port = port.lstrip(':')
    elif text.count(':') == 1:
        host, port = text.split(':')
    else:
        host, port = text, ''
    return host, int(port or 53)


def make_resolver(nameserver):
    """A resolver for the system's name servers, or for the one given as host[:port]."""
    if nameserver is None:
        return dns.resolver.Resolver()
    resolver = dns.resolver.Resolver(configure=False)
    host, port = parse_server(nameserver)
    resolver.nameservers, resolver.port = [host], port
    resolver.lifetime = 3  # seconds, for all the tries together
    return resolver


def lookup(resolver, name, rdtype):
    """Print each record of one type, or why there is none."""
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        print(f'{rdtype:5} {name} does not exist')
        return
    if not answer.rrset:
        print(f'{rdtype:5} (none)')
    for record in answer.rrset or []:
        print(f'{rdtype:5} {record.to_text()}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Look up a name with dnspython')
    parser.add_argument('name', help='domain name to look up')
    parser.add_argument('--nameserver', metavar='HOST[:PORT]',
                        help='ask this server (default: the system resolver)')
    args = parser.parse_args()
    try:
        resolver = make_resolver(args.nameserver)
    except ValueError:
        parser.error(f'--nameserver must be host[:port], not {args.nameserver!r}')
    try:
        for rdtype in RECORD_TYPES:
            lookup(resolver, args.name, rdtype)
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as e:
        server = args.nameserver or 'the system resolver'
        sys.exit(f'dns_basic: no usable answer from {server}: {e}')
