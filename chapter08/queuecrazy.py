#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - queuecrazy.py
# ZeroMQ patterns: a PUSH fountain of words, PULL processors, and REQ/REP responders that change case.

import argparse
import random
import threading
import time

import zmq

WORDS = ['Arthur', 'Launcelot', 'Galahad', 'Robin', 'Bedevere', 'Camelot', 'Grail',
         'Swallow', 'Coconut', 'Shrubbery', 'Rabbit', 'Enchanter']
POLL_MS = 100  # how often a blocked thread looks up to see whether it is time to stop


def bind(context, kind):
    """A socket of that kind bound to a free port of 127.0.0.1, and its URL."""
    sock = context.socket(kind)
    port = sock.bind_to_random_port('tcp://127.0.0.1')
    return sock, f'tcp://127.0.0.1:{port}'


def fountain(sock, stop):
    """PUSH a random word every so often; each goes to exactly one processor."""
    while not stop.wait(0.05):
        sock.send_string(random.choice(WORDS))
    sock.close(linger=0)


def responder(sock, function, stop):
    """REP: answer each request with the word transformed."""
    while not stop.is_set():
        if sock.poll(POLL_MS):
            sock.send_string(function(sock.recv_string()))
    sock.close(linger=0)


def processor(context, number, fountain_url, responder_urls, stop):
    """PULL words from the fountain, send each to a responder (REQ), print the reply."""
    pull = context.socket(zmq.PULL)
    pull.connect(fountain_url)
    req = context.socket(zmq.REQ)
    for url in responder_urls:  # a REQ socket takes turns among all it connects to
        req.connect(url)
    while not stop.is_set():
        if not pull.poll(POLL_MS):
            continue
        word = pull.recv_string()
        req.send_string(word)
        while not stop.is_set():
            if req.poll(POLL_MS):
                print(f'Processor {number}: {word} -> {req.recv_string()}', flush=True)
                break
    pull.close(linger=0)
    req.close(linger=0)


def main():
    parser = argparse.ArgumentParser(description='Run a small ZeroMQ network of word '
                                     'fountain, processors and responders for a while.')
    parser.add_argument('--seconds', type=float, default=5.0,
                        help='how long to run (default: %(default)s)')
    parser.add_argument('--processors', type=int, default=3,
                        help='how many processors (default: %(default)s)')
    args = parser.parse_args()

    context = zmq.Context()
    stop = threading.Event()
    # Sockets are bound here, to free ports, then each is handed to the one thread that uses it.
    push, fountain_url = bind(context, zmq.PUSH)
    upper, upper_url = bind(context, zmq.REP)
    lower, lower_url = bind(context, zmq.REP)
    threads = [threading.Thread(target=fountain, args=(push, stop)),
               threading.Thread(target=responder, args=(upper, str.upper, stop)),
               threading.Thread(target=responder, args=(lower, str.lower, stop))]
    threads += [threading.Thread(target=processor, args=(context, n, fountain_url,
                                                         [upper_url, lower_url], stop))
                for n in range(1, args.processors + 1)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.seconds)
    except KeyboardInterrupt:
        pass
    stop.set()
    for thread in threads:
        thread.join()
    context.term()


if __name__ == '__main__':
    main()
