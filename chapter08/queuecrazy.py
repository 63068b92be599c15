#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 8 - queuecrazy.py
# ZeroMQ: a PUSH fountain of words, PULL processors, and REQ/REP responders that change case.

import argparse, contextlib, random, threading, time

import zmq

WORDS = ['Arthur', 'Launcelot', 'Galahad', 'Robin', 'Bedevere', 'Camelot', 'Grail',
         'Swallow', 'Coconut', 'Shrubbery', 'Rabbit', 'Enchanter']
SECONDS = 5


def bind(context, kind):
    """A socket of that kind bound to a free TCP port of 127.0.0.1, and its URL."""
    sock = context.socket(kind)
    return sock, f'tcp://127.0.0.1:{sock.bind_to_random_port("tcp://127.0.0.1")}'


def fountain(sock):
    """PUSH a random word every 50 ms: each goes to exactly one processor."""
    # Every thread ends the same way: context.term() in the main thread makes the call
    # it is blocked in raise ContextTerminated; `with sock` closes the socket, and
    # contextlib.suppress lets the thread end quietly.
    with contextlib.suppress(zmq.ContextTerminated), sock:
        while True:
            sock.send_string(random.choice(WORDS))
            time.sleep(0.05)


def responder(sock, function):
    """REP: answer each request with the word transformed."""
    with contextlib.suppress(zmq.ContextTerminated), sock:
        while True:
            sock.send_string(function(sock.recv_string()))


def processor(context, n, fountain_url, responder_urls):
    """PULL words from the fountain, send each to a responder (REQ), print the reply."""
    with contextlib.suppress(zmq.ContextTerminated), context.socket(zmq.PULL) as pull, \
            context.socket(zmq.REQ) as req:
        pull.connect(fountain_url)
        for url in responder_urls:     # a REQ socket takes turns among all it connects to
            req.connect(url)
        while True:
            word = pull.recv_string()
            req.send_string(word)
            # The line and its newline in one write: three threads print at once.
            print(f'Processor {n}: {word} -> {req.recv_string()}\n', end='', flush=True)


if __name__ == '__main__':
    argparse.ArgumentParser(description='Run a small ZeroMQ network for a while.').parse_args()
    context = zmq.Context()
    context.setsockopt(zmq.LINGER, 0)       # at the end, drop what is still queued
    push, push_url = bind(context, zmq.PUSH)
    upper, upper_url = bind(context, zmq.REP)
    lower, lower_url = bind(context, zmq.REP)
    threading.Thread(target=fountain, args=(push,)).start()
    threading.Thread(target=responder, args=(upper, str.upper)).start()
    threading.Thread(target=responder, args=(lower, str.lower)).start()
    for n in 1, 2, 3:
        threading.Thread(target=processor,
                         args=(context, n, push_url, [upper_url, lower_url])).start()
    try:
        time.sleep(SECONDS)
    finally:
        context.term()      # returns once every thread has closed its sockets
    # (The threads are not daemons: the program ends when the last of them does.)
