"""Start the playground services, each in its own process, and stop them together.

A service that stops is started again (and said so on stderr); one that keeps
stopping is left stopped, and the others go on.

    python -m playground                      every service
    python -m playground web dns              some of them
    python -m playground --port-offset 20000  other ports (offset + standard port)
    python -m playground --reset              restore the seeded state first
    python -m playground --host 192.0.2.10    bind another interface (the lab's server host)
    python -m playground lab                  the lab: hosts and links in namespaces (lab -h)

What the services print (errors, warnings) goes to <state>/playground.log, which
the table names; the launcher itself prints only the table and its own errors.
"""
import argparse
import contextlib
import importlib
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

from playground import tls
from playground.common import ACCOUNT, add_place_options, port
from playground.services import BY_NAME, SERVICES

START_TIMEOUT = 20.0
READY_MARK = 'Playground ready.'
LOG_NAME = 'playground.log'
RESTARTS, RESTART_WINDOW = 3, 60    # a service may stop this often (seconds) and be restarted


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m playground',
        description='Start the local stand-in servers for the book\'s listings.')
    parser.add_argument('services', nargs='*', metavar='service',
                        help='services to start (default: all): '
                        + ', '.join(s.name for s in SERVICES))
    add_place_options(parser)
    parser.add_argument('--host', default='127.0.0.1',
                        help='interface every service binds (default: %(default)s)')
    parser.add_argument('--reset', action='store_true',
                        help='restore the seeded content of the chosen services first')
    # For a test run that shares one playground among its processes: stop when it ends.
    parser.add_argument('--exit-with', type=int, metavar='PID', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [name for name in args.services if name not in BY_NAME]
    if unknown:
        parser.error(f'unknown service {", ".join(unknown)}; '
                     f'choose from {", ".join(BY_NAME)}')
    named = bool(args.services)
    args.services = [BY_NAME[name] for name in args.services] or list(SERVICES)
    args.left_out = []
    for service in list(args.services):
        why = unavailable(service)
        if why and named:
            sys.exit(f'playground: cannot start {service.name}: {why}')
        if why:  # starting everything: go on without it, and say so in the table
            args.services.remove(service)
            args.left_out.append((service.name, why))
    args.state = args.state.resolve()
    return args


def unavailable(service):
    """Why a service cannot run on this machine (a missing program), or None."""
    return call(service.requires) if service.requires else None


def prepare(services, state, reset):
    """Make TLS material and seed each service's state (or restore it with reset)."""
    state.mkdir(parents=True, exist_ok=True)
    tls.ensure(state)
    # Services that share a store (smtp, pop, imap) share its prepare: run it once.
    for name in dict.fromkeys(service.prepare for service in services if service.prepare):
        call(name, state, reset)


def start(service, args, log):
    """Launch one service module, writing to the log; it exits when our pipe to its
    stdin closes."""
    command = [sys.executable, '-m', service.module, '--state', str(args.state),
               '--port-offset', str(args.port_offset), '--host', args.host, '--watch-stdin']
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=log, stderr=log,
                            start_new_session=True,
                            cwd=pathlib.Path(__file__).resolve().parent.parent)


def accepts(number, timeout=0.2, host='127.0.0.1'):
    try:
        with socket.create_connection((host, number), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until_ready(processes, args):
    """Poll every port until it accepts a connection; fail if a service dies."""
    pending = {(s.name, port(args.port_offset, rel))
               for s in processes for rel in s.ports.values()}
    deadline = time.monotonic() + START_TIMEOUT
    while pending:
        for service, process in processes.items():
            if process.poll() is not None:
                raise SystemExit(f'playground: service {service.name} exited with '
                                 f'status {process.returncode} during start-up; '
                                 f'see {args.state / LOG_NAME}')
        pending = {(name, number) for name, number in pending
                   if not accepts(number, host=args.host)}
        if pending and time.monotonic() > deadline:
            raise SystemExit('playground: no answer on ' + ', '.join(
                f'{name} port {number}' for name, number in sorted(pending)))
        if pending:
            time.sleep(0.05)


def table(args):
    """The start-up table: where each service listens and what to try."""
    rows = []
    for service in args.services:
        real = {label: port(args.port_offset, rel) for label, rel in service.ports.items()}
        where = ', '.join(f'{label} {args.host}:{number}' for label, number in real.items())
        rows.append((service.name, where, service.hint.format(**real)))
    width = [max(len(row[i]) for row in rows + [('service', 'address')]) for i in (0, 1)]
    lines = [f'{"service":{width[0]}}  {"address":{width[1]}}  try']
    lines += [f'{name:{width[0]}}  {where:{width[1]}}  {hint}' for name, where, hint in rows]
    ca = args.state / 'ca.pem'
    lines += [f'Not started: {name}: {why}' for name, why in args.left_out]
    lines += ['']
    lines += [call(service.describe, args.state) for service in args.services
              if service.describe]
    lines += [f'Account: {ACCOUNT[0]} / {ACCOUNT[1]} (anonymous FTP is read-only)',
              f'Trust the playground CA:  export SSL_CERT_FILE={ca}',
              f'State folder: {args.state}  (the services\' log: {args.state / LOG_NAME})',
              f'{READY_MARK} Press Ctrl-C to stop.']
    return '\n'.join(lines)


def call(name, *args):
    """Call a 'module:function' of the registry."""
    module, function = name.split(':')
    return getattr(importlib.import_module(module), function)(*args)


def supervise(processes, args, log):
    """Watch the services; restart one that stops, and let the others be.

    A service that stops RESTARTS times within RESTART_WINDOW seconds is left
    stopped (it would only fail again), and said so; the others go on.  Returns
    when none is left running.
    """
    stops = {service: [] for service in processes}
    watched = set(processes)
    while watched:
        time.sleep(0.5)
        if args.exit_with and not alive(args.exit_with):
            return
        for service in list(watched):
            process = processes[service]
            if process.poll() is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # what it started (memcached) goes too
            process.stdin.close()
            now = time.monotonic()
            stops[service] = [t for t in stops[service] if now - t < RESTART_WINDOW] + [now]
            why = f'service {service.name} stopped (exit status {process.returncode})'
            if len(stops[service]) > RESTARTS:
                print(f'playground: {why} {RESTARTS + 1} times in {RESTART_WINDOW} s; '
                      'leaving it stopped, the others go on; see '
                      f'{args.state / LOG_NAME}', file=sys.stderr, flush=True)
                watched.discard(service)
                continue
            print(f'playground: {why}; starting it again; see {args.state / LOG_NAME}',
                  file=sys.stderr, flush=True)
            processes[service] = start(service, args, log)
    sys.exit(f'playground: every service has stopped; see {args.state / LOG_NAME}')


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's: it exists
        pass
    return True


def stop(processes):
    """Close each service's stdin pipe and SIGTERM it; kill what lingers."""
    for process in processes.values():
        if process.poll() is None:
            process.stdin.close()
            process.terminate()
    deadline = time.monotonic() + 5
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['lab']:  # a small internet of hosts in namespaces: playground/lab/
        from playground.lab.cli import main as lab
        return lab(argv[1:])
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    busy = [(s.name, port(args.port_offset, rel)) for s in args.services
            for rel in s.ports.values() if accepts(port(args.port_offset, rel), host=args.host)]
    if busy:
        sys.exit('playground: port already in use: ' + ', '.join(
            f'{number} ({name})' for name, number in busy)
            + '; is another playground running? (try --port-offset)')
    prepare(args.services, args.state, args.reset)
    processes = {}
    log = open(args.state / LOG_NAME, 'ab', buffering=0)
    try:
        for service in args.services:
            processes[service] = start(service, args, log)
        wait_until_ready(processes, args)
        print(table(args), flush=True)
        supervise(processes, args, log)
    except KeyboardInterrupt:
        print('\nStopping the playground.', flush=True)
    finally:
        stop(processes)
        log.close()


if __name__ == '__main__':
    main()
