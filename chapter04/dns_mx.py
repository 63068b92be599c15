#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - dns_mx.py
# Find where to deliver mail for a domain, as a mail server would:
# MX records by priority, each resolved to addresses; else the domain's own.

import argparse, sys
import dns.exception, dns.resolver


def resolve_hostname(hostname, indent='    '):
    """Print the A or else the AAAA records of `hostname`, following any alias."""
    try:
        for qtype in 'A', 'AAAA':
            answer = resolver.resolve(hostname, qtype, raise_on_no_answer=False)
            if answer.rrset:
                # dnspython follows a CNAME itself, and says where it led.
                if answer.canonical_name != answer.qname:
                    print(f'{indent}{hostname} is an alias for {answer.canonical_name}')
                for record in answer.rrset:
                    print(f'{indent}{hostname} has {qtype} address {record}')
                return
    except dns.resolver.NXDOMAIN:
        pass
    print(f'{indent}{hostname} has no address: nowhere to deliver')


def resolve_email_domain(domain):
    """Print the mail servers of `domain` in the order to try them, with their addresses."""
    answer = resolver.resolve(domain, 'MX', raise_on_no_answer=False)
    if answer.rrset:
        records = sorted(answer.rrset, key=lambda record: record.preference)
        print(f'This domain has {len(records)} MX records')
        for record in records:    # lower preference values go first
            print(f'Priority {record.preference}: {record.exchange}')
            resolve_hostname(str(record.exchange))
    else:
        print('This domain has no explicit MX records')
        print('Attempting to resolve it as an A or AAAA record...')
        resolve_hostname(domain)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Find the mail servers of a domain')
    parser.add_argument('domain', help='domain that you want to send mail to')
    parser.add_argument('--nameserver', help='ask this server (default: the system resolver)')
    parser.add_argument('-p', '--port', type=int, default=10053, help='its port (default: 10053)')
    args = parser.parse_args()
    server = f'{args.nameserver}:{args.port}' if args.nameserver else 'the system resolver'
    try:
        resolver = dns.resolver.Resolver(configure=not args.nameserver)    # used above
        if args.nameserver:
            resolver.nameservers, resolver.port = [args.nameserver], args.port
        resolver.lifetime = 3.0    # seconds for all tries together: a silent server ends here
        resolve_email_domain(args.domain)
    except (dns.exception.DNSException, ValueError) as e:    # NXDOMAIN, timeout, bad address
        sys.exit(f'dns_mx: {server}: {e}')
