"""Service 'dns': an authoritative server for the playground's example zones, UDP and TCP.

The zone lives in <state>/dns/zone.txt (master-file syntax; edit it and
restart).  dnslib parses the records and runs the servers; the answers come
from ZoneAnswers below, which follows CNAMEs into the answer section and
tells "no such name" (NXDOMAIN) from "no record of that type" (an empty
answer), as a real authoritative server does.
Run alone: python -m playground.dns [--port-offset N].
"""
import shutil
import threading

from dnslib import QTYPE, RCODE, RR
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from playground.common import REPO, parse_service_args, port, run_quietly

DNS = 53
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
        reply = request.reply()  # sets the QR and AA bits, copies the question
        qname, qtype = request.q.qname, request.q.qtype
        apex = self.apex_of(qname)
        if apex is None:
            reply.header.rcode = RCODE.REFUSED  # not our zone: we are no recursor
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


def start_servers(zone_text, host, number):
    """A UDP and a TCP server on the same port, each in its own thread."""
    answers, quiet = ZoneAnswers(zone_text), DNSLogger(log='-request,-reply,-truncated,-error')
    servers = [DNSServer(answers, address=host, port=number, tcp=tcp, logger=quiet)
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
