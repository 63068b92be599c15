"""Chapter 8 exercises: caches, sharding, map-reduce (the text of each is in
chapter08/README.md, Exercises)."""
import collections
import json
import os
import re
import socket
import subprocess
import sys
import sysconfig

import pytest

from harness import free_port, listing_env, require_binary, terminate, wait_for_port

RUNS = re.compile(r'Ten successive runs:((?: \d+\.\d\ds){10})$', re.M)


@pytest.fixture
def memcached():
    """memcached() -> the port of a new memcached of our own (as chapter 8's tests start one)."""
    binary = require_binary('memcached')
    processes = []

    def start():
        port = free_port()
        command = [binary, '-l', '127.0.0.1', '-p', str(port), '-U', '0']
        if os.geteuid() == 0:
            command += ['-u', 'nobody']
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        wait_for_port(port, process=processes[-1])
        return port
    yield start
    for process in processes:
        terminate(process)


def meta_get(port, keys):
    """{key: (value, seconds left or -1)} for the keys memcached holds, asked with its
    meta command `mg KEY t v` (memcached 1.6), which tells what `get` does not: the
    time a key has left to live."""
    with socket.create_connection(('127.0.0.1', port), timeout=10) as sock:
        sock.sendall(b''.join(f'mg {key} t v\r\n'.encode() for key in keys) + b'mn\r\n')
        data = b''
        while not data.endswith(b'MN\r\n'):
            more = sock.recv(65536)
            assert more, 'memcached closed the connection'
            data += more
    found, lines = {}, iter(data.split(b'\r\n'))
    for key in keys:
        head = next(lines).split()
        if head[0] == b'VA':             # VA <size> t<ttl>, then the value's line
            found[key] = (next(lines).decode(), int(head[2][1:]))
    return found


def lifetime(ttls):
    """Times to live in words: 'no expiry', '58 seconds left', '25 to 28 seconds left'."""
    if not ttls:
        return 'nothing (none is there)'
    if max(ttls) == -1:
        return 'no expiry'
    low, high = min(ttls), max(ttls)
    return f'{low} seconds left' if low == high else f'{low} to {high} seconds left'


@pytest.mark.exercise('chapter08/squares.py', 'chapter08/squares_expire.py')
def test_squares_expire(solution, check, run, memcached, tmp_path):
    import memcache
    # Two warm caches, so that the runs are quick: every square but the last 50 is
    # there already, stored without expiry; a run computes the missing ones and stores
    # them. One is for a run with --expire 60, the other for a run without it, at the
    # same time (each run makes 20,000 requests, and mostly waits for answers).
    missing = [f'sq:{n}' for n in range(4951, 5001)]
    ports = memcached(), memcached()
    for port in ports:
        client = memcache.Client([f'127.0.0.1:{port}'])
        assert client.set_multi({f'sq:{n}': n * n for n in range(4951)}) == []
        client.disconnect_all()
    plain = subprocess.Popen([sys.executable, solution.script, '127.0.0.1', '-p', str(ports[1])],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tmp_path, env=listing_env(**solution.env),
                             start_new_session=True)
    try:
        expiring(solution, check, run, ports[0], missing)
        plain.wait(60)
    finally:
        terminate(plain)
        plain.communicate()
    lifetimes = [ttl for _, ttl in meta_get(ports[1], missing).values()]
    check.that(plain.returncode == 0 and lifetimes and set(lifetimes) == {-1},
               'without --expire its squares never expire, as before',
               f'without --expire the squares should stay until memcached restarts (time to '
               f'live -1); it ended with status {plain.returncode} and memcached gives the '
               f'squares it stored {lifetime(lifetimes)}')


def expiring(solution, check, run, port, missing):
    """The checks of a run with --expire 60."""
    done = run(solution.script, '127.0.0.1', '-p', port, '--expire', 60,
               env=solution.env, timeout=60)
    check.that(done.returncode != 2 or '--expire' not in done.err,
               'it takes the option --expire',
               f'it does not take the option --expire yet '
               f'({(done.err.strip().splitlines() or [""])[-1]})')
    check.that(done.returncode == 0 and RUNS.search(done.out),
               'with --expire 60 it still prints its ten timed runs',
               f'with --expire 60 it should still print "Ten successive runs:" and ten times; '
               f'it ended with status {done.returncode}, printing {done.out.strip()!r} '
               f'and {done.err.strip()[-300:]!r}')
    stored = meta_get(port, missing)
    check.that(len(stored) >= 40 and all(value == str(int(key[3:]) ** 2)
                                         for key, (value, _) in stored.items()),
               f'it stored the squares it computed ({len(stored)} of the 50 missing)',
               f'it should store each square it computes, but memcached holds only '
               f'{len(stored)} of the 50 squares the checker left out ({sorted(stored)[:5]}...)')
    forever = sorted(key for key, (_, ttl) in stored.items() if ttl == -1)
    check.that(not forever,
               'each square it stores has a lifetime',
               f'with --expire 60 the squares it stores should expire, but memcached will '
               f'keep {len(forever)} of them for ever ({", ".join(forever[:3])}...: their '
               f'time to live is -1)')
    lifetimes = [ttl for _, ttl in stored.values()]
    check.that(all(0 < ttl <= 60 for ttl in lifetimes),
               'memcached will forget them within 60 seconds',
               f'with --expire 60 each square should live at most 60 seconds; memcached gives '
               f'them {lifetime(lifetimes)}')


ROW = re.compile(r'^(\w+_shard) +((?:\s*\d+ \(\s*\d+%\)){4})$', re.M)
MOVES = re.compile(r'^(\w+_shard) +with a fifth shard: +(\d+) words \(\s*(\d+)%\) move$', re.M)

# Imports the solution as a module and asks its ring_shard where some keys go with
# four shards and with five, as a reader would at the interactive prompt.
PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('solution', sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps([[module.ring_shard(f'key{n}', 4), module.ring_shard(f'key{n}', 5)]
                  for n in range(2000)]))
"""


def table(out):
    """{'md5_shard': [count, count, count, count], ...} from hashing.py's table."""
    return {name: [int(n) for n in re.findall(r'(\d+) \(', counts)]
            for name, counts in ROW.findall(out)}


@pytest.mark.exercise('chapter08/hashing.py', 'chapter08/hashing_ring.py')
def test_hashing_ring(solution, check, run, tmp_path):
    first = run(solution.script, env={**solution.env, 'PYTHONHASHSEED': '1'})
    rows = table(first.out)
    check.that(first.returncode == 0 and {'alpha_shard', 'hash_shard', 'md5_shard'} <= set(rows),
               'it still prints the table of alpha_shard, hash_shard and md5_shard',
               f'it should still print its table with the rows alpha_shard, hash_shard and '
               f'md5_shard; it ended with status {first.returncode}, printing '
               f'{first.out.strip()[:300]!r} {first.err.strip()[-300:]!r}')
    check.that('ring_shard' in rows,
               'its table has a ring_shard row',
               f'its table has no ring_shard row yet (rows: {", ".join(rows)})')
    total = sum(rows['md5_shard'])
    shares = [count / total for count in rows['ring_shard']]
    percents = ', '.join(f'{share:.0%}' for share in shares)
    check.that(sum(rows['ring_shard']) == total and all(0.2 <= s <= 0.3 for s in shares),
               f'ring_shard spreads the words evenly over four shards ({percents})',
               f'ring_shard should give each of the four shards about a quarter of the '
               f'{total} words (20% to 30%), but gives them {percents}: with few points per '
               f'shard the arcs of the ring are uneven; give each shard many (say 100)')
    moves = {name: (int(count), int(percent)) for name, count, percent in MOVES.findall(first.out)}
    check.that({'md5_shard', 'ring_shard'} <= set(moves),
               'it says how many words a fifth shard moves, for md5_shard and ring_shard',
               'after its table it should print, for md5_shard and then ring_shard, a line '
               'such as "ring_shard   with a fifth shard:   2660 words (20%) move"; '
               f'it printed {first.out.strip().splitlines()[-2:]}')
    md5_moved, ring_moved = moves['md5_shard'][0] / total, moves['ring_shard'][0] / total
    check.that(0.7 <= md5_moved <= 0.9,
               f'with md5_shard a fifth shard moves {md5_moved:.0%} of the words',
               f'with md5_shard (the MD5 modulo the number of shards) a fifth shard should '
               f'move about 80% of the words, but it says {md5_moved:.0%}')
    check.that(0.1 <= ring_moved <= 0.3,
               f'with ring_shard it moves only {ring_moved:.0%}',
               f'with ring_shard a fifth shard should move only about a fifth of the words '
               f'(10% to 30%), but it says {ring_moved:.0%}')
    probe = tmp_path / 'probe.py'
    probe.write_text(PROBE)
    asked = [subprocess.run([sys.executable, str(probe), solution.script], capture_output=True,
                            text=True, timeout=60, env=listing_env(**solution.env,
                                                                   PYTHONHASHSEED=seed))
             for seed in ('1', '2')]
    check.that(asked[0].returncode == 0,
               'ring_shard(word, shards) takes the number of shards',
               f'ring_shard(word, shards) should take the number of shards as its second '
               f'argument, but ring_shard(\'key0\', 5) fails: '
               f'{" ".join(asked[0].stderr.strip().splitlines()[-1:])}')
    answers = json.loads(asked[0].stdout)
    check.that(asked[1].stdout == asked[0].stdout,
               'ring_shard gives the same answers in every process',
               'ring_shard should give the same answers in every process, but two processes '
               'with different PYTHONHASHSEED put the same keys on different shards: Python\'s '
               'hash() changes from one process to the next, MD5 does not')
    strays = [f'key{n}: {four} -> {five}' for n, (four, five) in enumerate(answers)
              if four != five and five != 4]
    check.that(all(four in range(4) and five in range(5) for four, five in answers)
               and not strays,
               'every key that moves goes to the new shard (number 4)',
               f'with consistent hashing a key moves only to the new shard (number 4), '
               f'never between old ones; of 2,000 keys these did not: {", ".join(strays[:3])}')


def document_frequencies():
    """How many of the standard library's modules hold each word (as mapreduce.py reads them)."""
    folder = sysconfig.get_paths()['stdlib']
    files = [name for name in os.listdir(folder) if name.endswith('.py')]
    found = collections.Counter()
    for name in files:
        with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as f:
            found.update(set(re.findall(r'[a-z]+', f.read().lower())))
    return len(files), found


@pytest.mark.exercise('chapter08/mapreduce.py', 'chapter08/mapreduce_files.py')
def test_mapreduce_files(solution, check, run):
    done = run(solution.script, '-w', '2', '-n', '8', env=solution.env, timeout=60)
    lines = done.out.splitlines()
    check.that(done.returncode == 0 and lines,
               'it runs',
               f'it should run and print its counts; it ended with status {done.returncode}: '
               f'{done.err.strip()[-300:]!r}')
    files, expected = document_frequencies()
    first = f'{files} files, {len(expected)} different words; mapped by 2 processes'
    check.that(lines[0] == first,
               f'its first line says "{first}"',
               f'its first line should say "{first}"; it says "{lines[0]}"')
    rows = [line.split() for line in lines[1:]]
    check.that(len(rows) == 8 and all(len(row) == 2 and row[0].isdigit() for row in rows),
               'with -n 8 it prints eight lines of a count and a word',
               f'with -n 8 it should print eight lines of a count and a word after the first '
               f'line; it printed {lines[1:]}')
    wrong = [f'"{word}" is in {expected[word]} files, not {count}'
             for count, word in rows if expected[word] != int(count)]
    check.that(not wrong,
               'each count is the number of files that hold the word',
               f'each count should be the number of files that hold the word, at least once: '
               f'{"; ".join(wrong[:3])}')
    top = [count for _, count in expected.most_common(8)]
    check.that([int(count) for count, _ in rows] == top,
               'they are the eight words found in the most files, the most widespread first',
               f'they should be the eight words found in the most files, the most widespread '
               f'first, with the counts {top}; it printed {[int(c) for c, _ in rows]}')
