"""Chapter 8: squares against a real memcached, sharding, ZeroMQ, and a small map-reduce."""
import collections
import importlib.util
import os
import re
import socket
import subprocess
import sys
import sysconfig

import pytest

from harness import (REPO, Playground, base_env, closed_port, free_port, require_binary,
                      terminate, wait_for_port)


@pytest.fixture
def memcached():
    """A fresh memcached of our own on a free port: its (host, port)."""
    binary = require_binary('memcached')
    port = free_port()
    command = [binary, '-l', '127.0.0.1', '-p', str(port), '-U', '0']
    if os.geteuid() == 0:
        command += ['-u', 'nobody']
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        wait_for_port(port, process=process)
        yield '127.0.0.1', port
    finally:
        terminate(process)
        process.stderr.close()


def refuse(file):
    """An unpickler for the tests' own client: never run what sits in the cache."""
    raise ValueError('the tests do not unpickle either')


def cache_client(host, port):
    import memcache
    return memcache.Client([f'{host}:{port}'], unpickler=refuse)


RUNS = re.compile(r'^Ten successive runs:((?: \d+\.\d\ds){10})$')


def test_squares_shows_the_cache_warming(memcached, run):
    host, port = memcached
    out = run('chapter08/squares.py', host, '-p', port, timeout=90).ok()
    match = RUNS.fullmatch(out.rstrip('\n'))
    assert match, out
    seconds = [float(each.rstrip('s')) for each in match[1].split()]
    # 2,000 requests over 5,001 keys: the first run mostly computes (a millisecond
    # each), the tenth mostly finds its squares in the cache.
    assert seconds[-1] < seconds[0], seconds
    client = cache_client(host, port)
    found = [n for n in range(5001) if client.get(f'sq:{n}') == n * n]
    assert len(found) > 4000          # ten runs of 2,000 touch nearly every key
    client.disconnect_all()


class Planted:
    """What an attacker stores: unpickling it runs code (here: creates a file)."""

    def __reduce__(self):
        return exec, ("open('unpickled-and-ran', 'w').close()",)


def test_squares_never_unpickles_what_sits_in_memcached(memcached, run, tmp_path):
    host, port = memcached
    client = cache_client(host, port)
    # python-memcached pickles what is not text or a number, and marks it so.
    assert client.set_multi({f'sq:{n}': Planted() for n in range(5001)}) == []
    run('chapter08/squares.py', host, '-p', port, timeout=90).ok()
    assert not (tmp_path / 'unpickled-and-ran').exists()
    # each planted value it met counted as a miss: computed again and overwritten
    squares = [n for n in range(5001) if client.get(f'sq:{n}') == n * n]
    assert len(squares) > 4000
    client.disconnect_all()


def test_squares_takes_values_it_never_stored_for_misses(memcached, run):
    """Bytes under our keys with flags that python-memcached reads as an integer (or
    does not know): its get() raised ValueError, and the listing died in a traceback."""
    host, port = memcached
    with socket.create_connection((host, port), timeout=5) as sock:
        for n in range(5001):
            sock.sendall(b'set sq:%d 99 0 3 noreply\r\nabc\r\n' % n)
        sock.sendall(b'get sq:7\r\n')
        assert sock.recv(100).startswith(b'VALUE sq:7 99 3')
    out = run('chapter08/squares.py', host, '-p', port, timeout=90).ok()
    assert out.startswith('Ten successive runs:'), out
    with socket.create_connection((host, port), timeout=5) as sock:   # overwritten?
        sock.sendall(b'get ' + b' '.join(b'sq:%d' % n for n in range(5001)) + b'\r\n')
        reply = b''
        while not reply.endswith(b'END\r\n'):
            reply += sock.recv(65536)
    squares = re.findall(rb'^VALUE sq:(\d+) 2 \d+\r\n(\d+)\r\n', reply, re.M)
    assert sum(int(value) == int(n) ** 2 for n, value in squares) > 4000


def test_squares_without_a_server_fails_at_once(run):
    port = closed_port()
    run('chapter08/squares.py', '-p', port).fails(
        f'squares: 127.0.0.1:{port}: no memcached server answers')


def test_squares_usage(run):
    assert '--port' in run('chapter08/squares.py', '-h').ok()
    assert run('chapter08/squares.py', '-p', 'eleven').returncode == 2


def test_playground_runs_the_real_memcached(playground):
    require_binary('memcached')
    pg = playground('memcached')
    assert f'memcached  memcached 127.0.0.1:{pg.port(1211)}' in pg.table
    assert f'squares.py -p {pg.port(1211)}' in pg.table
    client = cache_client('127.0.0.1', pg.port(1211))
    assert client.set('knight', 'Launcelot')
    assert client.get('knight') == 'Launcelot'
    assert 'version' in dict(client.get_stats()[0][1])
    client.disconnect_all()


def start_playground(*services, env):
    """Run python -m playground with an environment of our own; return the process."""
    offset = Playground.free_offset()
    return subprocess.Popen([sys.executable, '-m', 'playground', *services, '--port-offset',
                             str(offset), '--state', env.pop('STATE')],
                            cwd=REPO, env=base_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_playground_without_memcached_named_fails_in_one_line(tmp_path):
    process = start_playground('web', 'memcached', env={'MEMCACHED': tmp_path / 'nothing',
                                                        'STATE': str(tmp_path)})
    out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert err.splitlines() == ['playground: cannot start memcached: memcached is not '
                                'installed; install it (Debian/Ubuntu: apt-get install '
                                'memcached, macOS: brew install memcached) or set MEMCACHED '
                                'to its path, and start the playground again']


def test_playground_without_memcached_starts_the_rest(tmp_path):
    process = start_playground(env={'MEMCACHED': tmp_path / 'nothing', 'STATE': str(tmp_path)})
    try:
        lines = []
        while not lines or not lines[-1].startswith('Playground ready.'):
            line = process.stdout.readline()
            assert line, f'playground stopped: {lines} {process.stderr.read()}'
            lines.append(line)
        table = ''.join(lines)
        assert 'Not started: memcached: memcached is not installed' in table
        assert 'web ' in table and 'dns ' in table
    finally:
        terminate(process, grace=10)
        process.communicate(timeout=30)


def counts_of(out, name):
    line = next(line for line in out.splitlines() if line.startswith(name))
    return [int(n) for n in re.findall(r'(\d+) \(', line)]


def test_hashing_spreads_evenly_only_with_real_hashes(run):
    out = run('chapter08/hashing.py').ok()
    total = int(out.split()[0])
    assert total > 5000
    for name in ('hash_shard', 'md5_shard'):
        counts = counts_of(out, name)
        assert sum(counts) == total
        assert all(abs(count / total - 0.25) < 0.03 for count in counts), (name, counts)
    alpha = counts_of(out, 'alpha_shard')
    assert sum(alpha) == total
    assert max(abs(count / total - 0.25) for count in alpha) > 0.05, alpha


def test_only_md5_gives_the_same_shards_in_every_process(run):
    """The README's warning: hash() of a string changes from one process to the next."""
    first, second = (run('chapter08/hashing.py', env={'PYTHONHASHSEED': seed}).ok()
                     for seed in ('1', '2'))
    assert counts_of(first, 'md5_shard') == counts_of(second, 'md5_shard')
    assert counts_of(first, 'hash_shard') != counts_of(second, 'hash_shard')


def test_alpha_shard_splits_the_alphabet_in_four():
    spec = importlib.util.spec_from_file_location('hashing', REPO / 'chapter08' / 'hashing.py')
    hashing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hashing)
    assert [hashing.alpha_shard(word) for word in ('apple', 'Fig', 'grape', 'melon',
                                                   'nut', 'squash', 'tomato', 'zucchini')
            ] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_queuecrazy_changes_case_through_both_responders(run):
    out = run('chapter08/queuecrazy.py', timeout=30).ok()
    lines = re.findall(r'^Processor (\d): (\w+) -> (\w+)$', out, re.M)
    assert len(lines) >= 6, out
    assert len(lines) == len(out.splitlines()), out
    assert all(reply in (word.upper(), word.lower()) for _, word, reply in lines)
    assert any(reply == word.upper() for _, word, reply in lines)  # the upper responder
    assert any(reply == word.lower() for _, word, reply in lines)  # the lower responder
    assert len({number for number, _, _ in lines}) == 3            # every processor worked


def test_mapreduce_counts_the_words_right(run):
    out = run('chapter08/mapreduce.py', '-w', '2', '-n', '5').ok()
    folder = sysconfig.get_paths()['stdlib']
    expected = collections.Counter()
    files = [name for name in os.listdir(folder) if name.endswith('.py')]
    for name in files:
        with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as f:
            expected.update(re.findall(r'[a-z]+', f.read().lower()))
    lines = out.splitlines()
    assert lines[0] == (f'{len(files)} files, {sum(expected.values())} words, '
                        f'{len(expected)} different; mapped by 2 processes')
    assert [line.split() for line in lines[1:]] == [
        [str(count), word] for word, count in expected.most_common(5)]
