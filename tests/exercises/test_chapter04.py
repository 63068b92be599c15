"""Chapter 4 exercises: names and DNS (the text of each is in chapter04/README.md, Exercises)."""
import contextlib
import re
import threading

import pytest
from dnslib.server import DNSLogger, DNSServer

from playground.dns import SEED, ZoneAnswers

from .labexercises import (  # noqa: F401 (exercise_lab is a fixture)
    LAB_TIMEOUT, exercise_lab, printed, run_on)

# A name whose best mail server does not exist: a sender goes on to the next one.
DEAD_FIRST = """
deadfirst.example.com.  IN MX    10 gone.example.com.
deadfirst.example.com.  IN MX    20 backup-mx.example.com.
"""


@contextlib.contextmanager
def dns_server(extra_records):
    """A DNS server of our own (UDP, a free port): the playground's zone and its answers,
    with some more records."""
    zone = SEED.read_text(encoding='utf-8') + extra_records
    server = DNSServer(ZoneAnswers(zone), address='127.0.0.1', port=0,
                       logger=DNSLogger(log='-request,-reply,-truncated,-error'))
    thread = threading.Thread(target=server.server.serve_forever, kwargs={'poll_interval': 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server.server.server_address[1]
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join()


def said(result):
    return f'{result.out.strip()!r} {result.err.strip()!r}'


@pytest.mark.exercise('chapter04/dns_basic.py', 'chapter04/dns_basic_types.py')
def test_dns_basic_types(solution, check, run, playground):
    ask = ['--nameserver', '127.0.0.1', '-p', playground('dns').port(53)]
    every = run(solution.script, 'example.com', *ask, env=solution.env)
    check.that(every.returncode == 0 and every.out.startswith('A     192.0.2.10\n')
               and every.out.endswith('NS    ns2.example.com.\n'),
               'without types it still asks for A, AAAA, CNAME, MX and NS',
               'asked about example.com with no types, it should still print the A, AAAA, '
               'CNAME, MX and NS records, from "A     192.0.2.10" to "NS    '
               f'ns2.example.com."; it printed {said(every)}')
    txt = run(solution.script, 'example.com', 'TXT', *ask, env=solution.env)
    check.that(txt.returncode == 0 and txt.out == 'TXT   "v=spf1 mx -all"\n',
               'asked for TXT, it prints only the TXT record',
               'asked for "example.com TXT", it should print only the TXT record, '
               f'TXT   "v=spf1 mx -all"; it printed {said(txt)}')
    two = run(solution.script, 'example.com', 'SOA', 'MX', *ask, env=solution.env)
    lines = two.out.splitlines()
    check.that(two.returncode == 0 and len(lines) == 4
               and lines[0].startswith('SOA   ns1.example.com. hostmaster.example.com. ')
               and lines[1:] == ['MX    10 mail.example.com.', 'MX    20 backup-mx.example.com.',
                                 'MX    30 mx-alias.example.com.'],
               'asked for several types, it prints them in the order asked',
               'asked for "example.com SOA MX", it should print the SOA record, then the '
               f'three MX records; it printed {said(two)}')
    bad = run(solution.script, 'example.com', 'NOSUCHTYPE', *ask, env=solution.env)
    errors = [line for line in bad.err.splitlines() if line.strip()]
    check.that(bad.returncode not in (0, 2) and len(errors) == 1 and 'Traceback' not in bad.err,
               'a type that does not exist is one line on stderr',
               'asked for a type that does not exist (NOSUCHTYPE), it should end with one '
               f'line on stderr and a non-zero exit status; it printed {said(bad)}')


@pytest.mark.exercise('chapter04/dns_mx.py', 'chapter04/dns_mx_deliver_to.py')
def test_dns_mx_deliver_to(solution, check, run, playground):
    ask = ['--nameserver', '127.0.0.1', '-p', playground('dns').port(53)]
    com = run(solution.script, 'example.com', *ask, env=solution.env)
    check.that(com.returncode == 0 and com.out.startswith(
                   'This domain has 3 MX records\nPriority 10: mail.example.com.\n'
                   '    mail.example.com. has A address 192.0.2.25\n'),
               'it still lists the mail servers and their addresses',
               'asked about example.com it should still list its three mail servers, by '
               f'priority, with their addresses; it printed {said(com)}')
    check.that(com.out.endswith('\nDeliver to 192.0.2.25 (mail.example.com.)\n'),
               'it ends with where the mail goes: Deliver to 192.0.2.25 (mail.example.com.)',
               'asked about example.com it should end with the line "Deliver to 192.0.2.25 '
               '(mail.example.com.)", the first address of the most preferred mail server; '
               f'its last line is {com.out.splitlines()[-1:]}')
    net = run(solution.script, 'example.net', *ask, env=solution.env)
    check.that(net.returncode == 0 and re.search(r'\nDeliver to 192\.0\.2\.90 \(example\.net\.?\)'
                                                 r'\n\Z', net.out),
               'a domain without MX records gets its mail at its own address',
               'example.net has no MX records: the mail goes to its own address, so it should '
               f'end with "Deliver to 192.0.2.90 (example.net)"; it printed {said(net)}')
    with dns_server(DEAD_FIRST) as port:
        dead = run(solution.script, 'deadfirst.example.com', '--nameserver', '127.0.0.1',
                   '-p', port, env=solution.env)
    check.that(dead.returncode == 0
               and dead.out.endswith('\nDeliver to 192.0.2.26 (backup-mx.example.com.)\n'),
               'when the best mail server has no address, it goes on to the next',
               'deadfirst.example.com\'s best mail server, gone.example.com., does not exist; '
               'it should end with the next one that has an address, "Deliver to 192.0.2.26 '
               f'(backup-mx.example.com.)"; it printed {said(dead)}')
    broken = run(solution.script, 'broken.example.net', *ask, env=solution.env)
    errors = [line for line in broken.err.splitlines() if line.strip()]
    check.that(broken.returncode != 0 and len(errors) == 1 and 'nowhere to deliver' in errors[0]
               and 'Traceback' not in broken.err,
               'when no mail server has an address, it ends in one line: nowhere to deliver',
               'broken.example.net\'s only mail server has no address: it should end with '
               'one line on stderr that says "nowhere to deliver", and a non-zero exit status; '
               f'it exited with status {broken.returncode} and printed {said(broken)}')


# ---------------------------------------------------------------- on the lab

@pytest.mark.xdist_group('lab-exercises')
@pytest.mark.timeout(LAB_TIMEOUT)
@pytest.mark.exercise('chapter04/forward_reverse.py', 'chapter04/forward_reverse_ptr.py')
def test_forward_reverse_ptr(solution, check, exercise_lab):
    def last_line(name):
        done = run_on(exercise_lab, check, 'cafe', solution, name)
        lines = done.out.splitlines()
        check.that(done.returncode == 0 and len(lines) >= 2
                   and lines[0].startswith(f'{name} has IP address '),
                   f'`forward_reverse.py {name}` still does the forward lookup',
                   f'run on the cafe as `forward_reverse.py {name}`, it should still print '
                   f'"{name} has IP address ..." and the verdict on the names, and end with '
                   f'exit status 0; it printed {printed(done.out + done.err)}')
        return lines[-1]

    alias = last_line('www.example.net')
    check.that(alias == 'Reverse: 192.0.2.10 is example.com, the canonical name',
               'www.example.net: the reverse name of 192.0.2.10 is example.com, the canonical '
               'name, not the alias typed',
               'after its verdict on www.example.net (an alias of example.com, at 192.0.2.10) '
               'it should look up the name of the address 192.0.2.10 (its PTR record, with '
               'socket.gethostbyaddr()) and print "Reverse: 192.0.2.10 is example.com, the '
               f'canonical name"; its last line was {alias!r}')
    other = last_line('mail.example.com')
    check.that(other == 'Reverse: 192.0.2.10 is example.com, not mail.example.com',
               'mail.example.com: its address is named example.com in reverse, and it says so',
               'mail.example.com has the address 192.0.2.10, whose reverse name is '
               'example.com: it should end with "Reverse: 192.0.2.10 is example.com, not '
               f'mail.example.com"; its last line was {other!r}')
    nameless = last_line('203.0.113.11')
    check.that(nameless == 'Reverse: 203.0.113.11 has no name (Unknown host)',
               '203.0.113.11, the laptop at home: no reverse name, and it says why',
               '203.0.113.11, the laptop\'s address at home, has no PTR record: '
               'gethostbyaddr() raises socket.herror, and the script should end with "Reverse: '
               f'203.0.113.11 has no name (Unknown host)"; its last line was {nameless!r}')
