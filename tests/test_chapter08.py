"""Chapter 8: squares against a real memcached, sharding, ZeroMQ, and a small map-reduce."""
import collections
import os
import re
import subprocess
import sys
import sysconfig
import time

import pytest

from harness import (REPO, Playground, base_env, closed_port, free_port, require_binary,
                      terminate, wait_for_port)


@pytest.fixture
def memcached():
    """A memcached of our own on a free port: its address as host:port."""
    binary = require_binary('memcached')
    port = free_port()
    command = [binary, '-l', '127.0.0.1', '-p', str(port), '-U', '0']
    if os.geteuid() == 0:
        command += ['-u', 'nobody']
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        wait_for_port(port, process=process)
        yield f'127.0.0.1:{port}'
    finally:
        terminate(process)
        process.stderr.close()


RUN = re.compile(r'^Run +(\d+): 2000 requests, +(\d+) from the cache, (\d+\.\d\d) s$')


def test_squares_shows_the_cache_warming(memcached, run):
    out = run('chapter08/squares.py', memcached, timeout=60).ok()
    runs = [RUN.match(line) for line in out.splitlines()]
    assert len(runs) == 10 and all(runs), out
    hits = [int(match[2]) for match in runs]
    seconds = [float(match[3]) for match in runs]
    assert hits[0] < 1000 < hits[-1]      # 5,000 keys: the first run mostly misses ...
    assert hits[-1] > 1800                # ... the tenth mostly hits
    assert seconds[-1] < seconds[0]       # and a hit costs no "expensive" computation


def test_squares_stores_what_it_computes(memcached, run):
    import memcache
    run('chapter08/squares.py', memcached, '--runs', '1', '--requests', '50').ok()
    client = memcache.Client([memcached])
    stats = dict(client.get_stats()[0][1])
    assert int(stats['curr_items']) > 0
    found = [n for n in range(1, 5001) if client.get(f'sq:{n}') == n * n]
    assert found
    client.disconnect_all()


def test_squares_without_a_server_fails_at_once(run):
    port = closed_port()
    start = time.monotonic()
    result = run('chapter08/squares.py', f'127.0.0.1:{port}', timeout=30)
    result.fails(f'127.0.0.1:{port}', 'no memcached server answers')
    assert time.monotonic() - start < 10


def test_playground_runs_the_real_memcached(playground, run):
    require_binary('memcached')
    import memcache
    pg = playground('memcached')
    assert f'memcached  memcached 127.0.0.1:{pg.port(1211)}' in pg.table
    client = memcache.Client([f'127.0.0.1:{pg.port(1211)}'])
    assert client.set('knight', 'Launcelot')
    assert client.get('knight') == 'Launcelot'
    assert 'version' in dict(client.get_stats()[0][1])
    client.disconnect_all()
    out = run('chapter08/squares.py', f'127.0.0.1:{pg.port(1211)}', '--runs', '2').ok()
    assert [line.split(':')[0] for line in out.splitlines()] == ['Run  1', 'Run  2']


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


def test_hashing_reads_a_word_list(run, tmp_path):
    words = tmp_path / 'words'
    words.write_text('apple\nbanana\ncherry\nzebra\n')
    out = run('chapter08/hashing.py', '--words', words).ok()
    assert out.startswith(f'4 words from {words}')
    assert counts_of(out, 'alpha_shard') == [3, 0, 0, 1]
    assert run('chapter08/hashing.py', '--words', tmp_path / 'none').returncode == 2


def test_queuecrazy_changes_case_through_both_responders(run):
    start = time.monotonic()
    out = run('chapter08/queuecrazy.py', '--seconds', '2', timeout=30).ok()
    elapsed = time.monotonic() - start
    lines = re.findall(r'^Processor (\d): (\w+) -> (\w+)$', out, re.M)
    assert len(lines) >= 6, out
    assert all(reply in (word.upper(), word.lower()) for _, word, reply in lines)
    assert any(reply == word.upper() for _, word, reply in lines)  # the upper responder
    assert any(reply == word.lower() for _, word, reply in lines)  # the lower responder
    assert len({number for number, _, _ in lines}) == 3            # every processor worked
    assert elapsed < 15  # it stops on time, not hanging in a blocked recv


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
