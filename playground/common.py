"""What every playground service shares: its command line, ports, state and TLS files."""
import argparse
import errno
import os
import pathlib
import signal
import sys
import threading
import time

DEFAULT_OFFSET = 10000
ACCOUNT = ('brandon', 'mypass')
REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_STATE = REPO / '.playground'


def port(offset, relative):
    """The real port of a service: the offset plus its protocol's standard port."""
    return offset + relative


def add_place_options(parser):
    """--state and --port-offset, shared by the launcher and every service."""
    parser.add_argument('--state', type=pathlib.Path, default=DEFAULT_STATE,
                        help='state folder: CA, mailboxes, trees (default: %(default)s)')
    parser.add_argument('--port-offset', type=int, default=DEFAULT_OFFSET,
                        help='each port is this plus the standard port (default: %(default)s)')


def service_parser(description):
    """The command line every service module accepts when run alone."""
    parser = argparse.ArgumentParser(description=description)
    add_place_options(parser)
    parser.add_argument('--host', default='127.0.0.1',
                        help='interface to bind (default: %(default)s)')
    parser.add_argument('--watch-stdin', action='store_true',
                        help=argparse.SUPPRESS)
    return parser


def parse_service_args(description, argv=None):
    """Parse a service's arguments and arrange a quiet exit on SIGTERM or a dead parent."""
    args = service_parser(description).parse_args(argv)
    args.state = args.state.resolve()
    signal.signal(signal.SIGTERM, _exit_once)
    if args.watch_stdin:
        threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    return args


def _exit_once(signum, frame):
    """Exit quietly on the first SIGTERM; ignore the launcher's second one."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(0)


def _exit_when_stdin_closes():
    """The launcher keeps our stdin open; when it dies, so do we."""
    # os.read on the raw descriptor: a daemon thread blocked inside sys.stdin's
    # buffered reader would hold its lock while the interpreter shuts down.
    while os.read(0, 4096):
        pass
    # Aimed at the main thread: a signal the kernel hands to this thread would
    # leave the main thread asleep in its wait, never running the handler.
    signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)


# accept() errors that mean "out of descriptors or memory for now": a service
# pauses accepting for BACKOFF seconds and goes on, serving the clients it has.
RESOURCE_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
BACKOFF = 0.5


class Complaint:
    """A message a service may repeat many times a second (accept() out of
    descriptors): printed on stderr at most once every `seconds`, with a count of
    the repeats left unsaid, so that a flood of clients cannot flood the log."""

    def __init__(self, service, seconds=10.0):
        self.service, self.seconds = service, seconds
        self.last, self.unsaid = None, 0
        self.lock = threading.Lock()

    def __call__(self, text):
        with self.lock:
            now = time.monotonic()
            if self.last is not None and now - self.last < self.seconds:
                self.unsaid += 1
                return
            more = f' (and {self.unsaid} more like it)' if self.unsaid else ''
            self.last, self.unsaid = now, 0
        print(f'{self.service}: {text}{more}', file=sys.stderr, flush=True)


def asyncio_complaints(service):
    """An asyncio exception handler saying one line per problem, at most every 10 s
    (asyncio logs a traceback each time, and on Python 3.11 it tries accept() up
    to 100 times per wake-up when out of descriptors: 100 tracebacks a second)."""
    complain = Complaint(service)

    def handler(loop, context):
        error = context.get('exception')
        reason = getattr(error, 'strerror', None) or error or ''
        complain(f'{context.get("message", "error")}: {reason}')
    return handler


def tls_files(state):
    """Paths of the TLS material made by playground.tls.ensure()."""
    folder = pathlib.Path(state) / 'tls'
    return {
        'ca': pathlib.Path(state) / 'ca.pem',
        'cert': folder / 'localhost.crt',
        'key': folder / 'localhost.key',
        'wrong_cert': folder / 'wrongname.crt',
        'wrong_key': folder / 'wrongname.key',
    }


def server_ssl_context(state, wrong_name=False):
    """A server-side SSLContext with the playground's localhost certificate."""
    import ssl
    files = tls_files(state)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    prefix = 'wrong_' if wrong_name else ''
    context.load_cert_chain(files[prefix + 'cert'], files[prefix + 'key'])
    return context


def run_quietly(main):
    """Run a service's main(), turning Ctrl-C into a silent exit."""
    try:
        main()
    except KeyboardInterrupt:
        pass
