#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_multi.py
# A fixed pool of threads or processes, all calling accept() on one listening socket.

import multiprocessing, signal, sys, threading, time

import lancelot
from server_simple import server_loop

WORKER_CLASSES = {'thread': threading.Thread, 'process': multiprocessing.Process}


def worker_loop(listen_sock):
    """Each worker is the simple server; the kernel gives each new client to one of them."""
    try:
        server_loop(listen_sock)
    except KeyboardInterrupt:
        pass
    finally:
        listen_sock.close()


def start_worker(kind, listen_sock, number):
    worker = WORKER_CLASSES[kind](target=worker_loop, args=(listen_sock,), daemon=True)
    worker.start()
    pid = f' (pid {worker.pid})' if kind == 'process' else ''
    print(f'Started {kind} worker {number}{pid}', flush=True)
    return worker


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Serve Launcelot clients from a pool of workers.')
    parser.add_argument('kind', choices=WORKER_CLASSES, help='workers are threads or processes')
    parser.add_argument('-w', '--workers', type=int, default=10,
                        help='how many workers (default: %(default)s)')
    args = parser.parse_args()
    listen_sock = lancelot.setup(args)
    try:
        # On SIGTERM exit normally, so that multiprocessing stops the daemon workers too.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        workers = [start_worker(args.kind, listen_sock, n) for n in range(args.workers)]
        while True:  # check now and then for dead workers, and replace them
            time.sleep(0.2)
            for number, worker in enumerate(workers):
                if not worker.is_alive():
                    print(f'Worker {number} died; replacing it', flush=True)
                    workers[number] = start_worker(args.kind, listen_sock, number)
    except KeyboardInterrupt:
        pass
    finally:
        listen_sock.close()
