#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - bench.py
# Benchmark every server design: throughput, latency, and the server's own CPU per dialog.
# (Not a printed listing: the book ran FunkLoad's benchmark; this is our own.)
"""Drive each Launcelot server design with clients, and measure it.

Each design runs as its own process (and its threads or children) pinned to
one CPU; the load generator runs in one process per remaining CPU, each
pinned to its own (Linux; elsewhere nothing is pinned, and the output says
so).  Two workloads:

    dialog      the book's: a client connects, asks ten questions, each
                after the last answer, hangs up, and starts again
    persistent  a client keeps its connection and asks one question after
                the other (what the C generator lgen does)

and two ways of driving them:

    closed loop  1, 2, 5 ... concurrent clients, each waiting for its answer
                 before it goes on: how fast can each design go, and how
                 long does a client wait?  The rows where the server was
                 the limit rank the designs flat out.
    open loop    a fixed, moderate offered load (dialogs or questions per
                 second, a third of the generator's own ceiling): what
                 latency, and how much of the server's CPU, does the same
                 work cost each design?  This ranks them at equal work.

Every trial divides the server's own CPU time (user + system, with its
threads and child processes, read with psutil) by the work it did: a cost
that does not depend on how fast the generator is.  A closed-loop row is
limited by the "generator" when the generator was busy (90 % or more of
its CPU) while the server was not, by the "server" when the server used
90 % or more of its CPU, and by the "round trips" when neither was busy:
then each side spent its time waiting for the other.
"""

import argparse
import heapq
import multiprocessing
import os
import re
import selectors
import socket
import subprocess
import sys
import time
from array import array

import lancelot

HERE = os.path.dirname(os.path.abspath(__file__))
DESIGNS = {  # name -> the server's command line after the interface
    'simple': ['server_simple.py'],
    'SocketServer': ['server_SocketServer.py'],
    'multi-thread': ['server_multi.py', 'thread'],
    'multi-process': ['server_multi.py', 'process'],
    'poll': ['server_poll.py'],
    'async': ['server_async.py'],
    'twisted': ['server_twisted.py'],
}
WORKLOADS = {  # name -> (one unit of work, questions in it)
    'dialog': ('dialog', 10),
    'persistent': ('question', 1),
}
LEVELS = [1, 2, 5, 10, 20, 50]
OPEN_CLIENTS = 10        # open loop, persistent: connections that carry the questions
MAX_OPEN_DIALOGS = 1000  # open loop, dialogs: at most this many at once, then skip
BUSY = 0.90              # a process using this much of its CPU is the limit
LATE = 0.005             # open loop: work the generator starts this late, it was held up
DRAIN = 2.0              # seconds to wait for the answers still due when a trial ends
QA = [(q.encode(), a.encode()) for q, a in lancelot.qa]


# ---------------------------------------------------------------- the load generator

class Client:
    """One client of the generator: its socket, and where it is in its work."""
    __slots__ = ('sock', 'asked', 'start', 'due', 'partial')

    def __init__(self):
        self.sock, self.asked, self.start, self.due, self.partial = None, 0, 0.0, 0.0, b''


class Load:
    """One trial from one generator process: the event loop that all four modes share.

    A unit of work (a dialog, or one question) is timed from when it was due
    to its last answer, so a server that makes clients wait is charged for
    the wait.  Subclasses say when work starts and what a client does next.
    """
    questions = 1   # questions in a unit of work

    def __init__(self, port, clients, seconds, rate):
        self.address = ('127.0.0.1', port)
        self.clients = [Client() for _ in range(clients)]
        self.seconds, self.rate = seconds, rate
        self.selector = selectors.DefaultSelector()
        self.latencies = array('d')   # seconds, one per unit of work completed
        self.done = 0                 # units completed before the deadline
        self.errors = 0               # refused, reset, hung up, answered wrongly
        self.late = 0                 # open loop: units the generator started LATE or later
        self.skipped = 0              # open loop: dialogs not started (MAX_OPEN_DIALOGS busy)
        self.answered = set()         # clients that finished a unit of work before the deadline
        self.stopping = False

    # --- a client's steps

    def connect(self, client, now):
        """A new connection, whose first question goes out at once if it can."""
        client.sock = socket.socket()
        client.sock.setblocking(False)
        client.sock.connect_ex(self.address)  # on loopback usually connected already
        client.asked, client.start, client.partial = 0, now, b''
        try:
            self.ask(client)
            self.selector.register(client.sock, selectors.EVENT_READ, client)
        except OSError:  # still connecting (or refused): wait until it is writable
            self.selector.register(client.sock, selectors.EVENT_WRITE, client)

    def ask(self, client):
        client.sock.send(QA[client.asked % len(QA)][0])

    def hang_up(self, client):
        self.selector.unregister(client.sock)
        client.sock.close()
        client.sock = None

    def event(self, client, events, now):
        """A socket is ready: a connection finished, or (part of) an answer arrived."""
        try:
            if events & selectors.EVENT_WRITE:
                error = client.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    raise ConnectionError(os.strerror(error))
                self.selector.modify(client.sock, selectors.EVENT_READ, client)
                self.ask(client)
                return
            data = client.sock.recv(4096)
            if not data.endswith(b'.'):
                if not data:
                    raise ConnectionError('the server hung up')
                client.partial += data
                return
            if client.partial:
                data, client.partial = client.partial + data, b''
            if data != QA[client.asked % len(QA)][1]:
                raise ConnectionError(f'wrong answer {data!r}')
            client.asked += 1
            if client.asked % self.questions:
                self.ask(client)  # the dialog goes on
                return
            self.latencies.append(now - client.start)
            if now < self.deadline:
                self.done += 1
                self.answered.add(client)
            self.finished(client, now)
        except OSError:  # refused, reset, hung up, wrong: this client starts over
            self.errors += 1
            if client.sock is not None:
                self.hang_up(client)
            self.failed(client, now)

    # --- what the modes say

    def begin(self, now):
        """Start the trial's first work."""

    def tick(self, now):
        """Start the work that is due; return when more will be (open loop)."""
        return self.deadline

    def finished(self, client, now):
        """A unit of work is done: what next for this client?"""

    def failed(self, client, now):
        """The client's connection failed."""

    def stop(self, now):
        """The deadline passed: no new work, only the answers still due."""

    # --- the loop

    def run(self):
        """Run the trial; return its measurements."""
        start, cpu = time.perf_counter(), time.process_time()
        self.deadline = start + self.seconds
        self.begin(start)
        generator_cpu = None
        while True:
            now = time.perf_counter()
            if now >= self.deadline and not self.stopping:
                generator_cpu = time.process_time() - cpu
                self.stopping = True
                self.stop(now)
            if self.stopping and (not self.selector.get_map() or now > self.deadline + DRAIN):
                break
            wake = self.deadline + DRAIN if self.stopping else min(self.tick(now), self.deadline)
            for key, events in self.selector.select(max(0.0, wake - time.perf_counter())):
                self.event(key.data, events, time.perf_counter())
        unanswered = len(self.selector.get_map())
        for key in list(self.selector.get_map().values()):
            self.hang_up(key.data)
        self.selector.close()
        return {'latencies': self.latencies, 'done': self.done,
                'errors': self.errors + unanswered, 'late': self.late,
                'skipped': self.skipped, 'generator_cpu': generator_cpu,
                'starved': sum(client not in self.answered for client in self.clients)}


class ClosedDialogs(Load):
    """Each client holds dialogs back to back, a new connection for each."""
    questions = 10

    def begin(self, now):
        for client in self.clients:
            self.connect(client, now)

    def finished(self, client, now):
        self.hang_up(client)
        if not self.stopping:
            self.connect(client, now)

    def failed(self, client, now):
        if not self.stopping:
            self.connect(client, now)  # try again (a dead server shows as errors)


class ClosedQuestions(Load):
    """Each client keeps one connection and asks a question as soon as it is answered."""

    def begin(self, now):
        for client in self.clients:
            self.connect(client, now)

    def finished(self, client, now):
        if self.stopping:
            self.hang_up(client)
        else:
            client.start = now
            self.ask(client)


class OpenDialogs(Load):
    """New dialogs start on a fixed schedule, whether earlier ones are done or not."""
    questions = 10

    def begin(self, now):
        self.idle = [Client() for _ in range(MAX_OPEN_DIALOGS)]
        self.next_due = now

    def tick(self, now):
        while self.next_due <= now:
            if self.idle:
                self.late += now - self.next_due >= LATE
                self.connect(self.idle.pop(), now)  # timed from now: our delay is ours
            else:
                self.skipped += 1  # the server has MAX_OPEN_DIALOGS unfinished already
            self.next_due += 1 / self.rate
        return self.next_due

    def finished(self, client, now):
        self.hang_up(client)
        self.idle.append(client)

    def failed(self, client, now):
        self.idle.append(client)


class OpenQuestions(Load):
    """OPEN_CLIENTS persistent connections, each asking on a fixed schedule."""

    def begin(self, now):
        self.timers = []  # (due, n, client) of the idle connections, soonest first
        period = len(self.clients) / self.rate
        for n, client in enumerate(self.clients):
            try:
                client.sock = socket.create_connection(self.address, timeout=10)
            except OSError:
                self.errors += 1
                continue
            client.sock.setblocking(False)
            self.selector.register(client.sock, selectors.EVENT_READ, client)
            client.due = now + n * period / len(self.clients)
            heapq.heappush(self.timers, (client.due, n, client))

    def tick(self, now):
        while self.timers and self.timers[0][0] <= now:
            due, n, client = heapq.heappop(self.timers)
            self.late += now - due >= LATE
            client.start = now  # the generator's own delay is not the server's
            try:
                self.ask(client)
            except OSError:
                self.errors += 1
                self.hang_up(client)
        return self.timers[0][0] if self.timers else self.deadline

    def finished(self, client, now):
        if self.stopping:
            self.hang_up(client)
            return
        client.due += len(self.clients) / self.rate
        if client.due <= now:  # it fell due while the server kept us waiting
            client.start = client.due
            self.ask(client)
        else:
            heapq.heappush(self.timers, (client.due, id(client), client))

    def stop(self, now):
        for due, n, client in self.timers:
            self.hang_up(client)


MODES = {('dialog', False): ClosedDialogs, ('persistent', False): ClosedQuestions,
         ('dialog', True): OpenDialogs, ('persistent', True): OpenQuestions}


def generator_process(pipe, cpu):
    """One process of the load generator: pin itself, then run every trial it is sent."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    while True:
        job = pipe.recv()
        if job is None:
            return
        workload, port, clients, seconds, rate = job
        pipe.send(MODES[workload, bool(rate)](port, clients, seconds, rate).run())


# ---------------------------------------------------------------- the servers and the trials

def server_cpu_seconds(process):
    """CPU time (user + system) of a server, its threads and its child processes."""
    times = process.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
        except Exception:  # psutil.NoSuchProcess: it ended since we listed it
            continue
        total += times.user + times.system
    return total


class Server:
    """One design running in its own process, on the server's CPU."""

    def __init__(self, design):
        import psutil
        script, *extra = DESIGNS[design]
        command = [sys.executable, os.path.join(HERE, script), '127.0.0.1', *extra, '-p', '0']
        # bench.py itself runs on the server's CPU, so the server (and any child) does too
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        ready = self.process.stdout.readline()
        match = re.search(r"\('[^']*', (\d+)\)", ready)
        if not match:
            self.stop()
            sys.exit(f'bench: {design} did not start: {ready!r}')
        self.port = int(match.group(1))
        self.psutil = psutil.Process(self.process.pid)

    def cpu_seconds(self):
        return server_cpu_seconds(self.psutil)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.process.stdout.close()


class Generator:
    """The load generator's processes, one per generator CPU."""

    def __init__(self, cpus):
        context = multiprocessing.get_context('spawn')  # the same on every platform
        self.pipes, self.processes = [], []
        for cpu in cpus:
            ours, theirs = context.Pipe()
            process = context.Process(target=generator_process, args=(theirs, cpu), daemon=True)
            process.start()
            theirs.close()
            self.pipes.append(ours)
            self.processes.append(process)

    def run(self, workload, port, clients, seconds, rate):
        """Share the clients (or the open loop's dialogs) among the processes; run them."""
        count = len(self.pipes)
        if clients:
            shares = [clients // count + (n < clients % count) for n in range(count)]
            jobs = [(pipe, share, rate and rate * share / clients)
                    for pipe, share in zip(self.pipes, shares) if share]
        else:  # open-loop dialogs: each process starts its share of them
            jobs = [(pipe, 0, rate / count) for pipe in self.pipes]
        for pipe, share, share_of_rate in jobs:
            pipe.send((workload, port, share, seconds, share_of_rate))
        return [pipe.recv() for pipe, share, share_of_rate in jobs]

    def close(self):
        for pipe in self.pipes:
            pipe.send(None)
            pipe.close()
        for process in self.processes:
            process.join()


def percentile(ordered, fraction):
    """The value below which that fraction of the sorted values lie (in ms)."""
    if not ordered:
        return float('nan')
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def limit(server_busy, generator_busy):
    """Who held a closed-loop trial back: the server, the generator, or neither (then
    each client waited on its round trips: the network, and the other side's wake-ups)."""
    if server_busy >= BUSY:
        return 'server'
    if generator_busy >= BUSY:
        return 'generator'
    return 'round trips'


def verdict(row):
    """Did a design keep up with an open-loop load, or who did not?"""
    if row['generator'] >= BUSY:
        return 'generator-limited'
    # Done within the trial: a design that finished its backlog only in the drain after
    # the deadline did not keep up, though every dialog got its answers.
    if row['skipped'] or row['errors'] or row['done'] < 0.98 * row['offered']:
        return 'fell behind'
    return 'kept up'


def trial(server, generator, workload, clients, seconds, rate=None):
    """One trial against a running server; return a row of the tables."""
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    results = generator.run(workload, server.port, clients, seconds, rate)
    cpu, wall = server.cpu_seconds() - cpu, time.perf_counter() - wall
    latencies = sorted(x for result in results for x in result['latencies'])
    served = len(latencies)
    row = {'workload': workload, 'clients': clients, 'load': rate, 'offered': (rate or 0) * seconds,
           'rate': sum(result['done'] for result in results) / seconds,
           'served': served, 'done': sum(result['done'] for result in results),
           'p50': percentile(latencies, 0.50),
           'p99': percentile(latencies, 0.99),
           'errors': sum(result['errors'] for result in results),
           'late': sum(result['late'] for result in results),
           'skipped': sum(result['skipped'] for result in results),
           'server': cpu / wall, 'cost': cpu / max(1, served),
           'generator': max(result['generator_cpu'] for result in results) / seconds,
           'generator_cost': sum(result['generator_cpu'] for result in results) / max(1, served)}
    row['limit'] = verdict(row) if rate else limit(row['server'], row['generator'])
    starved = sum(result['starved'] for result in results)
    if starved and not rate:  # one-at-a-time designs leave the other clients waiting
        row['limit'] += f'; {starved} of {clients} clients never answered'
    return row


def best(rows, open_loop):
    """Other work on the machine only ever slows a trial down: keep its best."""
    if open_loop:  # the cheapest trial, preferring those the generator did not spoil
        return min(rows, key=lambda row: (row['limit'] == 'generator-limited',
                                          row['limit'] != 'kept up', row['cost']))
    return max(rows, key=lambda row: row['rate'])


# ---------------------------------------------------------------- output

class Progress:
    """One line on a terminal that says how far the benchmark has come."""

    def __init__(self, total):
        self.total, self.count, self.started = total, 0, time.monotonic()
        self.shown = sys.stderr.isatty()

    def step(self, text):
        self.count += 1
        if self.shown:
            elapsed = time.monotonic() - self.started
            left = elapsed / (self.count - 1) * (self.total - self.count + 1) if self.count > 1 else 0
            line = f'[{self.count}/{self.total}, about {left:.0f} s left] {text}'
            print(f'\r{line[:100]:<100}', end='', file=sys.stderr, flush=True)

    def clear(self):
        if self.shown:
            print(f'\r{"":<100}\r', end='', file=sys.stderr, flush=True)


def closed_header(workload):
    unit = WORKLOADS[workload][0]
    return (f'{"design":<14}{"clients":>7}{unit + "s/s":>13}{"p50 ms":>9}{"p99 ms":>9}'
            f'{"errors":>7}{"server CPU":>11}{"us/" + unit:>13}{"gen CPU":>8}  limited by')


def closed_line(design, row):
    return (f'{design:<14}{row["clients"]:>7}{row["rate"]:>13.0f}{row["p50"]:>9.2f}'
            f'{row["p99"]:>9.2f}{row["errors"]:>7}{row["server"]:>11.0%}'
            f'{row["cost"] * 1e6:>13.1f}{row["generator"]:>8.0%}  {row["limit"]}')


def open_header(workload):
    unit = WORKLOADS[workload][0]
    return (f'{"rank":<5}{"design":<14}{"served/s":>9}{"p50 ms":>9}{"p99 ms":>9}'
            f'{"errors":>7}{"server CPU":>11}{"us/" + unit:>13}{"gen CPU":>8}  verdict')


def open_line(rank, design, row):
    late = row['late'] / max(1, row['offered'])  # the machine's other work held it up
    return (f'{rank:<5}{design:<14}{row["rate"]:>9.0f}{row["p50"]:>9.2f}{row["p99"]:>9.2f}'
            f'{row["errors"] + row["skipped"]:>7}{row["server"]:>11.0%}'
            f'{row["cost"] * 1e6:>13.1f}{row["generator"]:>8.0%}  {row["limit"]}'
            + (f' (the generator was late for {late:.0%} of it)' if late > 0.01 else ''))


def ranking(rows):
    """Designs ranked at equal work: those that kept up by CPU per unit, then the rest."""
    order = {'kept up': 0, 'generator-limited': 1, 'fell behind': 2}
    return sorted(rows.items(), key=lambda item: (order[item[1]['limit']],
                                                  item[1]['cost'] if item[1]['limit'] != 'fell behind'
                                                  else -item[1]['rate']))


def flat_out(closed, workload):
    """Designs ranked by server CPU per unit in the closed-loop rows the server itself
    limited: the order at saturation, which a faster generator (lgen) sees too."""
    costs = {}
    for design, by_workload in closed.items():
        busy = [row['cost'] for row in by_workload.get(workload, [])
                if row['limit'].startswith('server')]
        if busy:
            costs[design] = min(busy)
    return sorted(costs.items(), key=lambda item: item[1])


def draw_chart(closed, opened, title, path):
    """Throughput, p99 latency and server CPU per unit against clients; the open-loop ranking."""
    try:
        import matplotlib
    except ImportError:
        print("\nNo chart: matplotlib is not installed (pip install -e '.[bench]').")
        return
    matplotlib.use('Agg')
    from matplotlib import pyplot, ticker
    workloads = [w for w in WORKLOADS if any(w in rows for rows in closed.values())]
    columns = 3 + bool(opened)
    figure, axes = pyplot.subplots(len(workloads), columns, squeeze=False,
                                   figsize=(5 * columns, 4.2 * len(workloads)))
    colours = dict(zip(DESIGNS, pyplot.rcParams['axes.prop_cycle'].by_key()['color']))
    for line, workload in zip(axes, workloads):
        unit = WORKLOADS[workload][0]
        for design, by_workload in closed.items():
            rows = by_workload.get(workload, [])
            clients = [row['clients'] for row in rows]
            for ax, key, scale in ((line[0], 'rate', 1), (line[1], 'p99', 1),
                                   (line[2], 'cost', 1e6)):
                ax.plot(clients, [row[key] * scale for row in rows], '-',
                        color=colours[design], label=design)
                for row in rows:  # hollow where the generator, not the server, was the limit
                    ax.plot(row['clients'], row[key] * scale, 'o', color=colours[design],
                            markerfacecolor='white' if row['limit'] == 'generator' else colours[design])
        titles = (f'{unit}s per second', f'p99 latency of a {unit} (ms)',
                  f'server CPU per {unit} (us)')
        for ax, text in zip(line, titles):
            ax.set_xscale('log')
            ax.set_xticks(LEVELS, [str(level) for level in LEVELS])
            ax.xaxis.set_minor_formatter(ticker.NullFormatter())
            ax.set_xlabel('concurrent clients (closed loop)')
            ax.set_title(f'{workload}: {text}', fontsize=10)
            ax.grid(True, alpha=0.3)
        line[0].set_ylim(bottom=0)
        line[2].set_ylim(bottom=0)
        line[1].set_yscale('log')
        line[1].yaxis.set_major_formatter(ticker.ScalarFormatter())
        line[1].yaxis.set_minor_formatter(ticker.NullFormatter())
        if opened and workload in opened:
            ranked = ranking(opened[workload])
            ax = line[3]
            names = [design for design, row in ranked][::-1]
            rows = [row for design, row in ranked][::-1]
            ax.barh(names, [row['cost'] * 1e6 for row in rows],
                    color=[colours[name] for name in names])
            for n, row in enumerate(rows):
                if row['limit'] != 'kept up':
                    ax.text(row['cost'] * 1e6, n, f"  {row['limit']}", va='center', fontsize=8)
            ax.set_title(f'{workload}: server CPU per {unit} (us)\nat a fixed '
                         f'{rows[0]["load"]:.0f} {unit}s/s (open loop)', fontsize=10)
            ax.grid(True, axis='x', alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc='lower center', ncol=len(labels))
    figure.suptitle(title, fontsize=11)
    figure.tight_layout(rect=(0, 0.05, 1, 0.97))
    figure.savefig(path, dpi=72)
    print(f'\nChart written to {path}')


# ---------------------------------------------------------------- main

def pin():
    """Pin bench.py (and so every server it starts) to one CPU; return the generator's CPUs."""
    if not hasattr(os, 'sched_setaffinity'):
        return [None], 'nothing pinned (this system has no os.sched_setaffinity)'
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return [None], 'nothing pinned (only one CPU to run on)'
    os.sched_setaffinity(0, {cpus[0]})
    rest = ','.join(map(str, cpus[1:]))
    return cpus[1:], f'server on CPU {cpus[0]}, generator on CPU {rest}'


def main():
    parser = argparse.ArgumentParser(description='Benchmark the Launcelot server designs.')
    parser.add_argument('--designs', default=','.join(DESIGNS),
                        help='comma-separated, from: ' + ', '.join(DESIGNS))
    parser.add_argument('--workloads', default=','.join(WORKLOADS),
                        help='dialog (the book\'s), persistent, or both (default: both)')
    parser.add_argument('--clients', default=','.join(map(str, LEVELS)),
                        help='closed loop: numbers of concurrent clients (default: %(default)s)')
    parser.add_argument('--seconds', type=float, default=1.0,
                        help='length of one trial (default: %(default)s)')
    parser.add_argument('--trials', type=int, default=2,
                        help='trials of each measurement; the best counts (default: %(default)s)')
    parser.add_argument('--open-loop', default='auto', metavar='DIALOGS,QUESTIONS',
                        help='the fixed loads per second of the open loop: auto (a third of '
                        "what the generator can offer), 'off', or two numbers (default: auto)")
    parser.add_argument('--chart', default='bench.png',
                        help="where to write the PNG chart, '' for none (default: %(default)s)")
    args = parser.parse_args()
    designs, workloads = args.designs.split(','), args.workloads.split(',')
    for name in designs + workloads:
        if name not in DESIGNS and name not in WORKLOADS:
            parser.error(f'unknown design or workload {name!r}')
    try:
        levels = [int(n) for n in args.clients.split(',') if n]
        rates = (None if args.open_loop in ('auto', 'off') else
                 dict(zip(WORKLOADS, (float(n) for n in args.open_loop.split(',')))))
    except ValueError:
        parser.error('--clients takes numbers, such as 1,2,5; --open-loop two numbers')
    open_loop = args.open_loop != 'off'
    try:
        import psutil  # noqa: F401 (the servers' CPU time)
    except ImportError:
        sys.exit("bench: needs psutil to read the servers' CPU time: pip install -e '.[bench]'")

    generator_cpus, pinning = pin()
    title = (f'Launcelot servers over loopback, {os.cpu_count()} CPUs: {pinning}')
    print(title)
    load_before = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    if load_before is not None:
        print(f'Load average before: {load_before:.2f} (other work on the machine '
              'takes its share of the CPUs too)')
    steps = len(designs) * len(workloads) * args.trials * (len(levels) + open_loop)
    progress = Progress(steps)
    generator = Generator(generator_cpus)
    closed = {design: {} for design in designs}
    opened = {workload: {} for workload in workloads}
    try:
        if levels:
            for workload in workloads:
                print(f'\nClosed loop, {workload}: ' + (
                    'each client connects, asks ten questions, hangs up, and again'
                    if workload == 'dialog' else 'each client asks one question after '
                    'the other on its own connection'))
                print(closed_header(workload))
                for design in designs:
                    server = Server(design)
                    try:
                        trial(server, generator, workload, 10, 0.2)  # warm it up
                        closed[design][workload] = rows = []
                        for clients in levels:
                            trials = []
                            for n in range(args.trials):
                                progress.step(f'{design}, {workload}, {clients} clients')
                                trials.append(trial(server, generator, workload, clients,
                                                    args.seconds))
                            rows.append(best(trials, False))
                            progress.clear()
                            print(closed_line(design, rows[-1]), flush=True)
                    finally:
                        server.stop()
                unit = WORKLOADS[workload][0]
                ranked = flat_out(closed, workload)
                print(f'Flat out (the rows the server limited), by server CPU per {unit}: '
                      + ', '.join(f'{design} {cost * 1e6:.1f} us' for design, cost in ranked)
                      + ''.join(f'; {design} never busy' for design in designs
                                if design not in dict(ranked)))
        if open_loop:
            for workload in workloads:
                unit = WORKLOADS[workload][0]
                rows = [row for by_workload in closed.values()
                        for row in by_workload.get(workload, []) if not row['errors']]
                if rates is None and not rows:
                    parser.error('the open loop needs the closed loop, or --open-loop loads')
                if rates is None:
                    cost = min(row['generator_cost'] for row in rows)
                    ceiling = len(generator_cpus) / cost
                    # Its ceiling was measured at its most efficient, in the closed
                    # loop; keeping to a schedule costs it more (at half the ceiling it
                    # was 90 % busy), so a third leaves it room to spare.
                    rate = round(ceiling / 3, -2)
                    print(f'\nThe generator spends {cost * 1e6:.1f} us of CPU per {unit} at '
                          f'best: its ceiling is about {ceiling:.0f} {unit}s/s on '
                          f'{len(generator_cpus)} CPU(s).')
                else:
                    rate = rates[workload]
                clients = OPEN_CLIENTS if workload == 'persistent' else 0
                print(f'\nOpen loop, {workload}: a fixed {rate:.0f} {unit}s/s' + (
                    ', each a new connection' if workload == 'dialog' else
                    f' over {clients} connections') + ', a moderate load; ranked by server CPU per ' + unit)
                for design in designs:
                    server = Server(design)
                    try:
                        trial(server, generator, 'persistent', 10, 0.2)  # warm it up
                        trials = []
                        for n in range(args.trials):
                            progress.step(f'{design}, {workload}, {rate:.0f} {unit}s/s')
                            trials.append(trial(server, generator, workload, clients,
                                                args.seconds, rate))
                        opened[workload][design] = best(trials, True)
                    finally:
                        server.stop()
                progress.clear()
                print(open_header(workload))
                for rank, (design, row) in enumerate(ranking(opened[workload]), 1):
                    print(open_line(rank, design, row), flush=True)
    finally:
        progress.clear()
        generator.close()
    if load_before is not None:
        print(f'\nLoad average after: {os.getloadavg()[0]:.2f}')
    if args.chart:
        draw_chart(closed, {w: rows for w, rows in opened.items() if rows}, title, args.chart)


if __name__ == '__main__':
    main()
