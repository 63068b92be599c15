#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - hashing.py
# Three ways to pick one of four shards for each word: only real hashes spread them evenly.
# Exercise solution: a consistent-hash ring, which moves few words when a fifth shard comes.

import argparse, bisect, functools, hashlib, os, pathlib, re, sysconfig

DICTIONARY = '/usr/share/dict/words'


def alpha_shard(word):
    """Shard by first letter: a-f, g-m, n-s, t-z."""
    letter = word[0].lower()
    if letter < 'g':
        return 0
    elif letter < 'n':
        return 1
    elif letter < 't':
        return 2
    return 3


def hash_shard(word):
    """Python's own hash(): differs from one process to the next (see the README)."""
    return hash(word) % 4


def md5_shard(word, shards=4):
    """A hash with a fixed definition: the same answer on every machine."""
    return hashlib.md5(word.encode('utf-8')).digest()[-1] % shards


def md5_number(text):
    return int.from_bytes(hashlib.md5(text.encode('utf-8')).digest(), 'big')


@functools.cache
def ring(shards):
    """Each shard at 100 points of a circle of MD5 values, sorted around the circle."""
    # Many points per shard even out the arcs each one owns; a new shard's points
    # each take a little of the arc of whichever shard came next, and nothing else moves.
    return sorted((md5_number(f'shard {s} point {i}'), s)
                  for s in range(shards) for i in range(100))


def ring_shard(word, shards=4):
    """Consistent hashing: the shard of the first point after the word on the circle."""
    points = ring(shards)
    i = bisect.bisect(points, (md5_number(word),))
    return points[i % len(points)][1]      # past the last point: round to the first


if __name__ == '__main__':
    argparse.ArgumentParser(description='Count how three sharding functions spread '
                            f'the words of {DICTIONARY} over four servers.').parse_args()
    if os.path.exists(DICTIONARY):
        words = pathlib.Path(DICTIONARY).read_text(encoding='utf-8', errors='replace').split()
    else:   # many systems ship no word list: take the words of Python's own modules
        folder = pathlib.Path(sysconfig.get_paths()['stdlib'])
        text = ' '.join(path.read_text(encoding='utf-8', errors='replace').lower()
                        for path in folder.glob('*.py'))
        words = sorted(set(re.findall(r'[a-z]{2,}', text)))
    print(f'{len(words):<6} words', *(f'{f"shard {n}":>12}' for n in range(4)))
    for function in alpha_shard, hash_shard, md5_shard, ring_shard:
        counts = [0, 0, 0, 0]
        for word in words:
            counts[function(word)] += 1
        print(f'{function.__name__:<12}', *(f'{n:6} ({n / len(words):3.0%})' for n in counts))
    for function in md5_shard, ring_shard:
        moved = sum(function(word, 4) != function(word, 5) for word in words)
        print(f'{function.__name__:<12} with a fifth shard: {moved:6} words '
              f'({moved / len(words):3.0%}) move')
