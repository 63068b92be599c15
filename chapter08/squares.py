#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - squares.py
# Cache "expensive" results in memcached and watch later runs get faster as the cache warms.

import argparse
import random
import sys
import time

import memcache

DEFAULT_SERVER = '127.0.0.1:11211'


def compute_square(mc, n):
    """Return n squared, from the cache when it is there; returns (value, was it a hit)."""
    value = mc.get(f'sq:{n}')
    if value is not None:
        return value, True
    time.sleep(0.001)  # pretend that squaring is expensive
    value = n * n
    mc.set(f'sq:{n}', value)
    return value, False


def check_server(mc, server):
    """python-memcached says nothing when no server answers: ask it for stats first."""
    if not mc.get_stats():
        sys.exit(f'squares.py: {server}: no memcached server answers there '
                 '(is it running? the playground starts one on 127.0.0.1:11211)')


def main():
    parser = argparse.ArgumentParser(description='Time runs of cached squares to watch '
                                     'a memcached cache warm up.')
    parser.add_argument('server', nargs='?', default=DEFAULT_SERVER,
                        help='memcached host:port (default: %(default)s)')
    parser.add_argument('--runs', type=int, default=10, help='how many runs (default: 10)')
    parser.add_argument('--requests', type=int, default=2000,
                        help='requests per run (default: 2000)')
    args = parser.parse_args()

    mc = memcache.Client([args.server], socket_timeout=3, dead_retry=0)
    check_server(mc, args.server)
    for run in range(1, args.runs + 1):
        start, hits = time.time(), 0
        for _ in range(args.requests):
            value, hit = compute_square(mc, random.randint(1, 5000))
            hits += hit
        print(f'Run {run:2}: {args.requests} requests, {hits:4} from the cache, '
              f'{time.time() - start:.2f} s', flush=True)
    mc.disconnect_all()


if __name__ == '__main__':
    main()
