#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - squares.py
# Cache "expensive" squares in memcached and watch ten runs get faster as the cache warms.

import argparse, random, sys, time, timeit, warnings

import memcache


def no_unpickling(file):
    """python-memcached would unpickle any value stored with its pickle flag: refuse."""
    # Unpickling runs code that the pickle names, and anyone who can reach memcached
    # can store a pickle under our keys. python-memcached treats this refusal as a
    # cache miss, so a planted value is simply computed again and overwritten.
    raise ValueError('squares.py does not unpickle what memcached holds')


def compute_square(n):
    """Return n squared: from the cache if it is there, else compute it and store it."""
    try:
        value = mc.get(f'sq:{n}')
    except ValueError:               # a value we never stored (flags or bytes not ours)
        value = None
    if value is None:
        time.sleep(0.001)            # pretend that squaring is expensive
        value = n * n
        mc.set(f'sq:{n}', value)
    return value


def make_request():
    compute_square(random.randint(0, 5000))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Time ten runs of 2,000 cached squares.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='memcached host')
    parser.add_argument('-p', '--port', type=int, default=11211, help='memcached port')
    args = parser.parse_args()
    # python-memcached leaves a socket open when it cannot connect: not our leak.
    warnings.filterwarnings('ignore', category=ResourceWarning, module='memcache')
    mc = memcache.Client([f'{args.host}:{args.port}'], socket_timeout=3, unpickler=no_unpickling)
    try:
        # python-memcached never raises: with no server get() returns None and set()
        # returns 0, and the runs would compute every square without a word. So ask.
        if not mc.set('squares', 'hello'):
            sys.exit(f'squares: {args.host}:{args.port}: no memcached server answers')
        print('Ten successive runs:', end='', flush=True)
        for i in range(10):
            print(f' {timeit.timeit(make_request, number=2000):.2f}s', end='', flush=True)
        print()
    finally:
        mc.disconnect_all()
