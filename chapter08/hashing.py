#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - hashing.py
# Three ways to pick one of four shards for each word: only real hashes spread them evenly.

import argparse, hashlib, os, pathlib, re, sysconfig

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


def md5_shard(word):
    """A hash with a fixed definition: the same answer on every machine."""
    return hashlib.md5(word.encode('utf-8')).digest()[-1] % 4


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
    for function in alpha_shard, hash_shard, md5_shard:
        counts = [0, 0, 0, 0]
        for word in words:
            counts[function(word)] += 1
        print(f'{function.__name__:<12}', *(f'{n:6} ({n / len(words):3.0%})' for n in counts))
