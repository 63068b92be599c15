#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 13 - tls.py
# Upgrade the SMTP connection with STARTTLS when the server offers it, verifying its certificate.
# Exercise solution (on the lab): no server argument; like a mail server, find the
# recipients' mail server from the MX records of their domain, and deliver there.

import argparse, smtplib, ssl, sys
import dns.exception, dns.resolver

message_template = """\
To: {}
From: {}
Subject: Test Message from tls.py

Hello,

This is a test message sent to you from the tls.py program
in Foundations of Python Network Programming.
"""


def mail_server(domain):
    """The domain's most preferred mail server (the lowest preference), from DNS."""
    records = dns.resolver.resolve(domain, 'MX', lifetime=5)
    best = min(records, key=lambda record: record.preference)
    return best.exchange.to_text(omit_final_dot=True), best.preference


def main(domain, port, fromaddr, toaddrs):
    server, preference = mail_server(domain)
    print(f'Mail for {domain} goes to {server} (preference {preference})')
    message = message_template.format(', '.join(toaddrs), fromaddr)
    with smtplib.SMTP(server, port, timeout=10) as connection:
        code = connection.ehlo()[0]
        uses_esmtp = 200 <= code <= 299
        if not uses_esmtp:
            code, text = connection.helo()
            if not 200 <= code <= 299:
                raise smtplib.SMTPHeloError(code, text)
        if uses_esmtp and connection.has_extn('starttls'):
            print('Negotiating TLS....')
            # The default context checks the certificate chain and the host name;
            # starttls() without one would check nothing at all.
            connection.starttls(context=ssl.create_default_context())
            code, text = connection.ehlo()  # TLS starts a new session: greet again
            if not 200 <= code <= 299:
                raise smtplib.SMTPHeloError(code, text)
            print(f'Using TLS connection ({connection.sock.version()}).')
        else:
            print('Server does not support TLS; using normal connection.')
        refused = connection.sendmail(fromaddr, toaddrs, message)
    for address, (code, text) in refused.items():
        print(f'Refused {address}: {code} {text.decode(errors="replace")}')
    print(f'Message successfully sent to {len(toaddrs) - len(refused)} recipient(s)')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Send a message to the mail server of its '
                                     'recipients, encrypted with STARTTLS when offered.')
    parser.add_argument('fromaddr', help='the sender, as in MAIL FROM')
    parser.add_argument('toaddrs', nargs='+', metavar='toaddr', help='the recipients')
    parser.add_argument('-p', '--port', type=int, default=10025, help='default: %(default)s')
    args = parser.parse_args()
    domain = args.toaddrs[0].rpartition('@')[2]   # the recipients share it, one domain a run
    try:
        main(domain, args.port, args.fromaddr, args.toaddrs)
    except (smtplib.SMTPException, dns.exception.DNSException) as e:  # said no; no MX
        sys.exit(f'tls: {domain}: {e}')
    except OSError as e:  # no such host, nobody listening, no answer, a bad certificate
        sys.exit(f'tls: {domain}: {e.strerror or e}')
