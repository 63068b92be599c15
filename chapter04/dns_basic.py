#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - dns_basic.py
# Ask a DNS server directly for several kinds of record about one name.

import argparse, sys
import dns.exception, dns.resolver

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Look up a name with dnspython')
    parser.add_argument('name', help='domain name to look up')
    parser.add_argument('--nameserver', help='ask this server (default: the system resolver)')
    parser.add_argument('-p', '--port', type=int, default=10053, help='its port (default: 10053)')
    args = parser.parse_args()
    server = f'{args.nameserver}:{args.port}' if args.nameserver else 'the system resolver'
    try:
        resolver = dns.resolver.Resolver(configure=not args.nameserver)
        if args.nameserver:
            resolver.nameservers, resolver.port = [args.nameserver], args.port
        resolver.lifetime = 3.0    # seconds for all tries together: a silent server ends here
        for qtype in 'A', 'AAAA', 'CNAME', 'MX', 'NS':
            answer = resolver.resolve(args.name, qtype, raise_on_no_answer=False)
            for record in answer.rrset or []:
                print(f'{qtype:5}', record)
    except (dns.exception.DNSException, ValueError) as e:    # NXDOMAIN, timeout, bad address
        sys.exit(f'dns_basic: {server}: {e}')
