"""What the Twisted services (web, pop, imap) share: start-up, logging, and stopping once.

    serve(name, description, listen, prepare)
        parse the service's command line, make the TLS files, call prepare(state,
        reset=False) (the mail store, say), start logging, call listen(reactor,
        args, tls_context), run the reactor until SIGTERM or Ctrl-C (however many
        come), then exit.
    tls_context(state, wrong_name=False)
        a Twisted TLS context factory with the playground's certificate (the one
        serve() hands to listen), or with the one for the wrong host name.

Logging: Twisted logs nothing unless told to.  Here its warnings and errors
go to stderr, each event on one line, and at most one line per connection:
a client that sends 10,000 bad commands must not write 140,000 lines of
tracebacks into the terminal of the person running the playground.  The
line names the connection, the error and where it was raised; that is
enough to reproduce it.  Python's own logging (warnings and errors) goes
the same way: Flask's "Exception on /path [GET]" for a page that failed is
one line too, not a traceback written to Twisted's WSGI error stream.
"""
import collections
import logging
import os
import signal
import sys

from playground import tls
from playground.common import parse_service_args, tls_files


def connection_of(protocol):
    """The name Twisted's own log lines give a connection ('Server,3,127.0.0.1')."""
    transport = getattr(protocol, 'transport', None)
    try:
        return transport.logPrefix()
    except AttributeError:
        return '-'


class OneLinePerConnection:
    """A log observer: warnings and errors on one line each, at most one per connection."""

    REMEMBERED = 10_000    # connections we remember having logged for (the newest)

    def __init__(self, name, stream=None):
        self.name, self.stream = name, stream or sys.stderr
        self.logged = collections.OrderedDict()

    def __call__(self, event):
        from twisted.logger import LogLevel, formatEvent
        level = event.get('log_level')
        if level is None or level < LogLevel.warn:
            return
        system = event.get('log_system') or '-'
        if system != '-':
            if system in self.logged:
                return
            self.logged[system] = True
            while len(self.logged) > self.REMEMBERED:
                self.logged.popitem(last=False)
        failure = event.get('log_failure') or event.get('failure')   # Logger's, log.err()'s
        if failure is not None and 'log_text' in event:   # log.err(): its text is a traceback
            text = event.get('why') or 'Unhandled Error'
        else:
            text = ' '.join((formatEvent(event) or '').split())
        if failure is not None:
            text += f': {failure.type.__name__}: {failure.getErrorMessage()}'
            if failure.frames:
                function, filename, line = failure.frames[-1][:3]
                text += f' ({os.path.basename(filename)}:{line} in {function})'
        if system != '-':
            text += '; further errors of this connection are not shown'
        self.stream.write(f'{self.name}: [{system}] {text}\n')
        self.stream.flush()


class ToTwistedLog(logging.Handler):
    """A handler for Python's logging: each record becomes an event of Twisted's log."""

    def emit(self, record):
        from twisted.logger import Logger, LogLevel
        from twisted.python.failure import Failure
        level = LogLevel.error if record.levelno >= logging.ERROR else LogLevel.warn
        failure = None
        if record.exc_info and record.exc_info[1] is not None:
            kind, value, traceback = record.exc_info
            failure = Failure(value, kind, traceback)
        Logger(namespace=record.name).emit(level, '{text}', text=record.getMessage(),
                                           log_failure=failure)


def start_logging(name):
    """Twisted's warnings and errors, and Python logging's, to stderr (see the docstring)."""
    from twisted.logger import globalLogBeginner
    globalLogBeginner.beginLoggingTo([OneLinePerConnection(name)], redirectStandardIO=False)
    # On the root logger before any Flask application makes its logger, so that
    # Flask sees a handler and adds none of its own (which writes to wsgi.errors).
    logging.getLogger().addHandler(ToTwistedLog(logging.WARNING))


def tls_context(state, wrong_name=False):
    """A TLS context factory for reactor.listenSSL(): the playground's certificate."""
    from twisted.internet import ssl
    files, prefix = tls_files(state), 'wrong_' if wrong_name else ''
    return ssl.DefaultOpenSSLContextFactory(str(files[prefix + 'key']),
                                           str(files[prefix + 'cert']))


def serve(name, description, listen, prepare=None):
    """Run a Twisted service until it is told to stop (see the module docstring)."""
    args = parse_service_args(description)
    tls.ensure(args.state)
    if prepare is not None:
        prepare(args.state, reset=False)
    start_logging(name)
    from twisted.internet import reactor
    listen(reactor, args, tls_context(args.state))
    stopping = []

    def stop(signum, frame):
        """Stop once, however many signals come (Ctrl-C, SIGTERM, the launcher's closed stdin)."""
        if not stopping:
            stopping.append(signum)
            reactor.callFromThread(reactor.stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    reactor.run(installSignalHandlers=False)
    # The --watch-stdin thread may still sit in a read of stdin: end here, before
    # interpreter shutdown trips over its lock ("Fatal Python error: ... <stdin>").
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
