"""Service 'memcached': the real memcached server, started on the playground's port.

memcached is not a Python library, so this module only finds the binary and
runs it (127.0.0.1, TCP only, as user nobody when we are root), and stops it
when the playground stops.  It keeps no state: a cache starts empty.
Run alone: python -m playground.memcached [--port-offset N].
"""
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading

from playground.common import parse_service_args, port, run_quietly

MEMCACHED = 1211  # offset 10000 + 1211 = memcached's own 11211
INSTALL_HINT = ('memcached is not installed; install it (Debian/Ubuntu: '
                'apt-get install memcached, macOS: brew install memcached) '
                'or set MEMCACHED to its path, and start the playground again')


def find_binary():
    """The path of the memcached program: $MEMCACHED, else the one on PATH."""
    if os.environ.get('MEMCACHED'):
        path = os.environ['MEMCACHED']
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return shutil.which('memcached')


def missing():
    """Why this service cannot start here (the launcher asks), or None."""
    return None if find_binary() else INSTALL_HINT


def command(binary, host, number):
    """memcached's command line: one interface, one TCP port, no UDP."""
    args = [binary, '-l', host, '-p', str(number), '-U', '0']
    if hasattr(os, 'geteuid') and os.geteuid() == 0:
        args += ['-u', 'nobody']  # memcached refuses to run as root
    return args


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    binary = find_binary()
    if binary is None:
        sys.exit(f'playground: {INSTALL_HINT}')
    # Stopping is a flag, not an exception: a second SIGTERM (the launcher sends one
    # and closing our stdin sends another) cannot cut the clean-up short.
    stopping = threading.Event()
    for signum in signal.SIGTERM, signal.SIGINT:
        signal.signal(signum, lambda signum, frame: stopping.set())
    process = subprocess.Popen(command(binary, args.host, port(args.port_offset, MEMCACHED)),
                               stdin=subprocess.DEVNULL)
    while process.poll() is None and not stopping.is_set():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(0.5)  # wake up now and then to look at the flag
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    sys.exit(0 if stopping.is_set() else process.returncode)


if __name__ == '__main__':
    run_quietly(main)
