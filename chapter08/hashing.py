#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - hashing.py
# Three ways to pick one of four shards for each word: only real hashes spread them evenly.

import argparse
import hashlib
import os
import re
import sysconfig

SHARDS = 4
DICTIONARY = '/usr/share/dict/words'


def alpha_shard(word):
    """Shard by first letter: a-f, g-m, n-s, t-z (and anything else to the last one)."""
    letter = word[0].lower()
    if 'a' <= letter <= 'f':
        return 0
    if 'g' <= letter <= 'm':
        return 1
    if 'n' <= letter <= 's':
        return 2
    return 3


def hash_shard(word):
    """Python's own hash(); different in each process, unless PYTHONHASHSEED is set."""
    return hash(word) % SHARDS


def md5_shard(word):
    """A cryptographic hash: the same answer on every machine and in every language."""
    return hashlib.md5(word.encode('utf-8')).digest()[-1] % SHARDS


def load_words(path=DICTIONARY):
    """The system word list, or else the words of the Python standard library's sources."""
    if os.path.exists(path):
        with open(path, encoding='utf-8', errors='replace') as f:
            return sorted({line.strip() for line in f if line.strip()}), path
    folder = sysconfig.get_paths()['stdlib']
    words = set()
    for name in os.listdir(folder):
        if name.endswith('.py'):
            with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as f:
                words.update(re.findall(r'[a-z]{2,}', f.read().lower()))
    return sorted(words), f'the words of {folder}/*.py'


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Count how three sharding functions '
                                     'spread a word list over four servers.')
    parser.add_argument('--words', help='a word list, one word a line '
                        f'(default: {DICTIONARY}, else words from the Python library)')
    args = parser.parse_args()
    if args.words and not os.path.exists(args.words):
        parser.error(f'no such file: {args.words}')
    words, source = load_words(args.words or DICTIONARY)
    print(f'{len(words)} words from {source}')
    print(f'{"":<12}' + ''.join(f'{f"shard {n}":>14}' for n in range(SHARDS)))
    for function in alpha_shard, hash_shard, md5_shard:
        counts = [0] * SHARDS
        for word in words:
            counts[function(word)] += 1
        cells = ''.join(f'{count:>7} ({count / len(words):4.0%})' for count in counts)
        print(f'{function.__name__:<12}{cells}')
