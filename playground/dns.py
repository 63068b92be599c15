"""Service 'dns': an authoritative server for the playground's example zones, UDP and TCP.

The zone lives in <state>/dns/zone.txt (master-file syntax; edit it and
restart).  dnslib parses the records and runs the servers; the answers come
from ZoneAnswers below, which follows CNAMEs into the answer section and
tells "no such name" (NXDOMAIN) from "no record of that type" (an empty
answer), as a real authoritative server does.  It offers no recursion (RA
clear), validates nothing (AD clear) and refuses zone transfers.
Run alone: python -m playground.dns [--port-offset N].
"""
import shutil
import socket
import sys
import threading
import time

import dnslib.server
from dnslib import QTYPE, RCODE, RR
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

from playground.common import (BACKOFF, REPO, RESOURCE_ERRORS, Complaint, parse_service_args,
                               port, run_quietly)

DNS = 53
TCP_TIMEOUT = 30                     # seconds a TCP client has to send its query
SEED = REPO / 'playground' / 'data' / 'zone.txt'


def prepare(state, reset):
    """Copy the seed zone into the state folder (again, when reset)."""
    target = state / 'dns' / 'zone.txt'
    if reset or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEED, target)


class ZoneAnswers(BaseResolver):
    """Authoritative answers from a list of resource records."""

    def __init__(self, zone_text):
        self.records = RR.fromZone(zone_text)
        self.apexes = [rr.rname for rr in self.records if rr.rtype == QTYPE.SOA]

    def lookup(self, name, rtype=None):
        return [rr for rr in self.records
                if rr.rname == name and (rtype is None or rr.rtype == rtype)]

    def apex_of(self, name):
        matches = [apex for apex in self.apexes if name.matchSuffix(apex)]
        return max(matches, key=lambda apex: len(apex.label), default=None)

    def resolve(self, request, handler):
        # dnslib's reply() sets QR and AA, copies the question and the query's flags,
        # and sets RA.  We offer no recursion (RA stays clear) and validate nothing
        # (AD clear, RFC 4035 3.2.3); RD and CD are echoed (RFC 1035, RFC 4035 3.1.6).
        reply = request.reply(ra=0)
        reply.header.ad = 0
        qname, qtype = request.q.qname, request.q.qtype
        apex = self.apex_of(qname)
        if apex is None or qtype in (QTYPE.AXFR, QTYPE.IXFR):
            # Not our zone: we are no recursor.  A zone transfer: like any server
            # that lists no secondaries, we refuse it rather than send an empty zone.
            reply.header.rcode = RCODE.REFUSED
            return reply
        name, seen = qname, set()
        while name not in seen:  # follow a chain of CNAMEs inside our zones
            seen.add(name)
            found = self.lookup(name, None if qtype == QTYPE.ANY else qtype)
            alias = self.lookup(name, QTYPE.CNAME)
            if found or not alias or qtype == QTYPE.CNAME:
                break
            reply.add_answer(*alias)
            name = alias[0].rdata.label
            if self.apex_of(name) is None:
                return reply  # the alias leaves our zones; the client asks elsewhere
        for rr in found:
            reply.add_answer(rr)
            self.add_glue(reply, rr)
        if not reply.rr:
            if not self.lookup(name):
                reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(*self.lookup(self.apex_of(name) or apex, QTYPE.SOA))
        return reply

    def add_glue(self, reply, rr):
        """Addresses of the hosts an MX or NS record names, as a helpful extra."""
        if rr.rtype in (QTYPE.MX, QTYPE.NS):
            target = rr.rdata.label
            for extra in self.lookup(target, QTYPE.A) + self.lookup(target, QTYPE.AAAA):
                reply.add_ar(extra)


class Connection(DNSHandler):
    """One query over TCP: dnslib waits for it without a timeout, so a silent client
    held a thread for good; here it has TCP_TIMEOUT seconds."""

    def setup(self):
        if self.server.socket_type == socket.SOCK_STREAM:
            self.request.settimeout(TCP_TIMEOUT)


class TCPServer(dnslib.server.TCPServer):
    """dnslib's TCP server, pausing when accept() runs out of descriptors (socketserver
    retries at once, spinning) and saying one line, not a traceback, per failed query."""

    complain = Complaint('dns')

    def get_request(self):
        try:
            return super().get_request()
        except OSError as exc:
            if exc.errno in RESOURCE_ERRORS:
                self.complain(f'accept() failed ({exc.strerror}); pausing and going on')
                time.sleep(BACKOFF)
            raise

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):  # a client that went silent or away is no news
            self.complain(f'query from {client_address[0]} failed: {error!r}')


def start_servers(zone_text, host, number):
    """A UDP and a TCP server on the same port, each in its own thread."""
    answers, quiet = ZoneAnswers(zone_text), DNSLogger(log='-request,-reply,-truncated,-error')
    servers = [DNSServer(answers, address=host, port=number, tcp=tcp, logger=quiet,
                         handler=Connection, server=TCPServer if tcp else None)
               for tcp in (False, True)]
    for server in servers:
        server.start_thread()
    return servers


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    prepare(args.state, reset=False)
    zone = (args.state / 'dns' / 'zone.txt').read_text(encoding='utf-8')
    start_servers(zone, args.host, port(args.port_offset, DNS))
    threading.Event().wait()


if __name__ == '__main__':
    run_quietly(main)
