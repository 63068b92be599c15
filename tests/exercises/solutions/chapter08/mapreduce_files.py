#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - mapreduce.py
# Map-reduce in miniature: count words in parallel worker processes, then add the counts up.
# Exercise solution: count in how many files each word appears (its document frequency).

import argparse, collections, functools, multiprocessing, os, re, sysconfig


def python_sources():
    """The pieces of work: the modules of the standard library (text that ships with Python)."""
    folder = sysconfig.get_paths()['stdlib']
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if name.endswith('.py'))


def map_words(path):
    """Map: one piece of the input to a table of the words it holds, each counted once."""
    with open(path, encoding='utf-8', errors='replace') as f:
        return collections.Counter(set(re.findall(r'[a-z]+', f.read().lower())))


def reduce_counts(total, counts):
    """Reduce: merge one table into the running total."""
    total.update(counts)
    return total


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Count in how many modules of the Python '
                                     'standard library each word appears, with a pool of '
                                     'worker processes.')
    parser.add_argument('-w', '--workers', type=int, default=os.cpu_count() or 2,
                        help='worker processes (default: one per CPU, %(default)s)')
    parser.add_argument('-n', '--top', type=int, default=10,
                        help='how many of the most widespread words to print (default: 10)')
    args = parser.parse_args()
    pieces = python_sources()
    with multiprocessing.Pool(args.workers) as pool:
        mapped = pool.map(map_words, pieces, chunksize=8)  # runs in the workers
    total = functools.reduce(reduce_counts, mapped, collections.Counter())
    print(f'{len(pieces)} files, {len(total)} different words; '
          f'mapped by {args.workers} processes')
    for word, count in total.most_common(args.top):
        print(f'{count:8} {word}')
