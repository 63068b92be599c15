#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - dns_mx.py
# Find where to deliver mail for a domain, as a mail server would:
# MX records by priority, each resolved to addresses; else the domain's own.

import argparse
import sys

import dns.exception
import dns.resolver


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


def addresses(resolver, name):
    """Return (canonical name, [IPv4 and IPv6 addresses]) of a host, following CNAMEs."""
    canonical, found = name, []
    for rdtype in ('A', 'AAAA'):
        try:
            answer = resolver.resolve(name, rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return name, []
        canonical = answer.canonical_name.to_text()
        found += [record.address for record in answer.rrset or []]
    return canonical, found


def show_host(resolver, name, indent='   '):
    """Print a host's addresses, noting when its name is an alias."""
    canonical, found = addresses(resolver, name)
    if canonical.rstrip('.') != name.rstrip('.'):
        print(f'{indent}{name} is an alias for {canonical}')
    if not found:
        print(f'{indent}{name} has no address: nowhere to deliver')
    for address in found:
        print(f'{indent}{name} has address {address}')


def resolve_mx(resolver, domain):
    """Walk the MX records of a domain, falling back to its own addresses."""
    try:
        answer = resolver.resolve(domain, 'MX', raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        sys.exit(f'dns_mx: the domain {domain} does not exist')
    if answer.rrset:
        records = sorted(answer.rrset, key=lambda record: record.preference)
        print(f'This domain has {len(records)} MX records')
        for record in records:
            exchange = record.exchange.to_text()
            print(f'Priority {record.preference}: {exchange}')
            show_host(resolver, exchange)
        return
    print('This domain has no explicit MX records')
    print('Attempting to resolve it as an A or AAAA record...')
    show_host(resolver, domain)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Find the mail servers of a domain')
    parser.add_argument('domain', help='domain that you want to send mail to')
    parser.add_argument('--nameserver', metavar='HOST[:PORT]',
                        help='ask this server (default: the system resolver)')
    args = parser.parse_args()
    try:
        resolver = make_resolver(args.nameserver)
    except ValueError:
        parser.error(f'--nameserver must be host[:port], not {args.nameserver!r}')
    try:
        resolve_mx(resolver, args.domain)
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as e:
        server = args.nameserver or 'the system resolver'
        sys.exit(f'dns_mx: no usable answer from {server}: {e}')
