#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - bench.py
# Benchmark every server design: rising numbers of concurrent clients, dialogs per second, latency.

import argparse
import asyncio
import multiprocessing
import os
import re
import subprocess
import sys
import time

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
LEVELS = [1, 2, 5, 10, 20, 50]
QUESTIONS = 10          # one dialog = lancelot_tests.py's ten-question conversation
QA = [(q.encode('ascii'), a.encode('ascii')) for q, a in lancelot.qa]
SATURATED = 0.9         # the load generator is busy this much of its CPU: it may be the limit


def start_server(design):
    """Launch one server design on a free port; return (process, port)."""
    script, *extra = DESIGNS[design]
    command = [sys.executable, os.path.join(HERE, script), '127.0.0.1', *extra, '-p', '0']
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    ready = process.stdout.readline()
    match = re.search(r"\('[^']*', (\d+)\)", ready)
    if not match:
        process.kill()
        sys.exit(f'bench.py: {design} did not start: {ready!r}')
    return process, int(match.group(1))


class Dialog(asyncio.Protocol):
    """One ten-question dialog, driven by callbacks: cheap enough to load a server hard."""

    def __init__(self, done):
        self.done, self.asked, self.buffer = done, 0, b''

    def connection_made(self, transport):
        self.transport = transport
        self.ask()

    def ask(self):
        question, self.answer = QA[self.asked % len(QA)]
        self.transport.write(question)

    def data_received(self, data):
        self.buffer += data
        if not self.buffer.endswith(b'.'):
            return
        if self.buffer != self.answer:
            self.transport.abort()
            return
        self.buffer, self.asked = b'', self.asked + 1
        if self.asked < QUESTIONS:
            self.ask()
        else:
            self.transport.close()

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(self.asked == QUESTIONS)


async def one_client(port, deadline, latencies, errors):
    """Hold dialogs one after another until the deadline; record each one's latency."""
    loop = asyncio.get_running_loop()
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        done = loop.create_future()
        try:
            await loop.create_connection(lambda: Dialog(done), '127.0.0.1', port)
            finished = await done
        except OSError:
            finished = False
        if finished:
            latencies.append(time.perf_counter() - start)
        else:
            errors.append(1)
            await asyncio.sleep(0.01)


async def load(port, clients, seconds):
    """Run that many concurrent clients for that long."""
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    tasks = [one_client(port, deadline, latencies, errors) for _ in range(clients)]
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + 60)
    return latencies, len(errors)


def generator_process(port, clients, seconds):
    """One process of the load generator; returns its latencies, errors and CPU use."""
    wall, cpu = time.perf_counter(), time.process_time()
    latencies, errors = asyncio.run(load(port, clients, seconds))
    return latencies, errors, time.process_time() - cpu, time.perf_counter() - wall


def measure(pool, processes, port, clients, seconds):
    """Drive one server at one level; return a row of results."""
    shares = [clients // processes + (i < clients % processes) for i in range(processes)]
    jobs = [(port, share, seconds) for share in shares if share]
    results = pool.starmap(generator_process, jobs)
    latencies = sorted(x for result in results for x in result[0])
    wall = max(result[3] for result in results)
    cpu = sum(result[2] for result in results)
    def percentile(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float('nan')
    return {'clients': clients, 'rate': len(latencies) / wall, 'p50': percentile(0.50),
            'p99': percentile(0.99), 'errors': sum(result[1] for result in results),
            'cpu': cpu / wall / len(jobs), 'cpu_per_dialog': cpu / max(1, len(latencies))}


def draw_chart(table, levels, path):
    """Dialogs per second and p99 latency against the number of clients, one line per design."""
    try:
        import matplotlib
    except ImportError:
        print("\nNo chart: matplotlib is not installed (pip install -e '.[chart]').")
        return
    matplotlib.use('Agg')
    from matplotlib import pyplot, ticker
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(12, 4.8))
    for design, rows in table.items():
        left.plot([r['clients'] for r in rows], [r['rate'] for r in rows], 'o-', label=design)
        right.plot([r['clients'] for r in rows], [r['p99'] for r in rows], 'o-', label=design)
    for axes, title in ((left, 'dialogs per second'), (right, 'p99 latency of a dialog (ms)')):
        axes.set_xscale('log')
        axes.set_xticks(levels, [str(level) for level in levels])
        axes.xaxis.set_minor_formatter(ticker.NullFormatter())
        axes.set_xlabel('concurrent clients')
        axes.set_title(title)
        axes.grid(True, alpha=0.3)
    left.set_ylim(bottom=0)
    right.set_yscale('log')
    right.yaxis.set_major_formatter(ticker.ScalarFormatter())
    right.yaxis.set_minor_formatter(ticker.NullFormatter())
    figure.legend(*left.get_legend_handles_labels(), loc='lower center', ncol=len(table))
    figure.suptitle(f'Launcelot servers, {QUESTIONS}-question dialogs over loopback '
                    f'({os.cpu_count()} CPUs)')
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    figure.savefig(path, dpi=80)
    print(f'\nChart written to {path}')


def main():
    parser = argparse.ArgumentParser(description='Benchmark the Launcelot server designs.')
    parser.add_argument('--designs', default=','.join(DESIGNS),
                        help='comma-separated designs (default: all): ' + ', '.join(DESIGNS))
    parser.add_argument('--levels', default=','.join(map(str, LEVELS)),
                        help='numbers of concurrent clients (default: %(default)s)')
    parser.add_argument('--seconds', type=float, default=1.0,
                        help='how long each trial drives a design (default: %(default)s)')
    parser.add_argument('--trials', type=int, default=3,
                        help='trials per design and level; the best one counts, since '
                        'other work on the machine only ever slows a trial (default: %(default)s)')
    parser.add_argument('--processes', type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help='load generator processes (default: half the CPUs, %(default)s)')
    parser.add_argument('--chart', default='bench.png',
                        help='where to write the PNG chart (default: %(default)s)')
    args = parser.parse_args()
    designs = args.designs.split(',')
    unknown = [name for name in designs if name not in DESIGNS]
    if unknown:
        parser.error(f'unknown design {", ".join(unknown)}; choose from {", ".join(DESIGNS)}')
    try:
        levels = [int(level) for level in args.levels.split(',')]
    except ValueError:
        parser.error('--levels takes numbers, such as 1,2,5')

    load_before = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    print(f'{"design":<14}{"clients":>8}{"dialogs/s":>11}{"p50 ms":>9}{"p99 ms":>9}'
          f'{"errors":>8}{"gen CPU":>9}', flush=True)
    table = {}
    # spawn: fresh generator processes, the same on every platform
    with multiprocessing.get_context('spawn').Pool(args.processes) as pool:
        for design in designs:
            server, port = start_server(design)
            try:
                table[design] = rows = []
                for clients in levels:
                    row = max((measure(pool, args.processes, port, clients, args.seconds)
                               for _ in range(args.trials)), key=lambda row: row['rate'])
                    rows.append(row)
                    mark = ' *' if row['cpu'] >= SATURATED else ''
                    print(f'{design:<14}{clients:>8}{row["rate"]:>11.0f}{row["p50"]:>9.2f}'
                          f'{row["p99"]:>9.2f}{row["errors"]:>8}{row["cpu"]:>8.0%}{mark}',
                          flush=True)
            finally:
                server.terminate()
                server.wait()
                server.stdout.close()

    # The generator's own ceiling: its CPU cost per dialog where it was cheapest,
    # times the CPUs it has.  A design near that figure was limited by the generator.
    rows = [row for rows in table.values() for row in rows]
    fastest = max(rows, key=lambda row: row['rate'])
    best = min(row['cpu_per_dialog'] for row in rows)
    ceiling = args.processes / best
    fastest_design = next(d for d, rs in table.items() if fastest in rs)
    print(f'\nLoad generator: {args.processes} process(es), asyncio; it spends at least '
          f'{best * 1e6:.0f} us of CPU per dialog, so its ceiling is about '
          f'{ceiling:.0f} dialogs/s.')
    print(f'Fastest: {fastest_design} at {fastest["clients"]} clients, '
          f'{fastest["rate"]:.0f} dialogs/s ({fastest["rate"] / ceiling:.0%} of that ceiling).')
    saturated = [row for row in rows if row['cpu'] >= SATURATED]
    if saturated:
        print(f'* the generator used {SATURATED:.0%} or more of its CPU in {len(saturated)} '
              'row(s): there it may have been the bottleneck, not the server.')
    else:
        print(f'The generator never used {SATURATED:.0%} of its CPU: the servers were the limit.')
    if load_before is not None:
        print(f'Load average of the machine: {load_before:.2f} before, '
              f'{os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs): '
              'other work on the machine takes its share too.')
    draw_chart(table, levels, args.chart)


if __name__ == '__main__':
    main()
