"""Service 'smtp': an SMTP server that delivers into the playground's mail store.

aiosmtpd speaks the protocol; this module adds the policy of a small mail
host for example.com: STARTTLS with the playground certificate, AUTH (PLAIN
and LOGIN) offered only once the connection is encrypted, a SIZE limit,
no relaying (only local users are accepted at RCPT), and delivery into each
recipient's INBOX (playground.mailstore, fsync'ed) before the 250 reply.
Anyone may send to a local user, as to any mail host on the Internet;
logging in is there for chapter 13's login.py.
Run alone: python -m playground.smtp [--port-offset N].
"""
import asyncio
import email.utils
import logging
import signal

from aiosmtpd.smtp import SMTP, AuthResult, TLSSetupException

from playground import mailstore, tls
from playground.common import (asyncio_complaints, parse_service_args, port, run_quietly,
                               server_ssl_context)

SMTP_PORT = 25
SIZE_LIMIT = 1024 * 1024  # advertised in EHLO as SIZE 1048576
HOSTNAME = 'localhost'

log = logging.getLogger('playground.smtp')


def authenticate(server, session, envelope, mechanism, auth_data):
    """Check AUTH PLAIN or LOGIN against the playground account."""
    user = auth_data.login.decode('utf-8', 'replace')
    if mailstore.check_password(user, auth_data.password.decode('utf-8', 'replace')):
        return AuthResult(success=True, auth_data=user)
    # handled=False lets aiosmtpd answer 535; handled=True would leave the client hanging
    return AuthResult(success=False, handled=False)


class Delivery:
    """aiosmtpd handler: accept local recipients only, store each message before the 250."""

    def __init__(self, state):
        self.state = state

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if mailstore.user_for(address) is None:
            domain = address.rpartition('@')[2].lower()
            if domain in mailstore.LOCAL_DOMAINS:
                return f'550 5.1.1 <{address}>: no such user here'
            return f'550 5.7.1 <{address}>: relaying denied; this host only takes mail for ' \
                   f'{", ".join(mailstore.LOCAL_DOMAINS[:2])}'
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return '250 2.1.5 OK'

    async def handle_DATA(self, server, session, envelope):
        users = list(dict.fromkeys(mailstore.user_for(a) for a in envelope.rcpt_tos))
        data = trace_headers(session, envelope) + envelope.original_content
        loop = asyncio.get_running_loop()
        try:
            for user in users:  # fsync blocks: keep it off the event loop
                await loop.run_in_executor(None, mailstore.deliver, self.state, user, data)
        except Exception:
            log.exception('delivery to %s failed', ', '.join(users))
            return '451 4.3.0 local delivery failed; try again later'
        return f'250 2.0.0 OK: delivered to {len(users)} mailbox{"es" * (len(users) > 1)}'

    async def handle_exception(self, error):
        if isinstance(error, TLSSetupException):  # the client's doing: it tells its user
            log.info('STARTTLS handshake failed: %s', error.__cause__)
            return '421 4.7.0 TLS handshake failed'
        log.error('SMTP session failed', exc_info=error)
        return '451 4.3.0 internal server error; see the server log'


def trace_headers(session, envelope):
    """The Return-Path and Received lines a delivering server puts on top."""
    kind = 'ESMTP' if session.extended_smtp else 'SMTP'
    kind += 'S' * bool(session.ssl) + 'A' * bool(session.authenticated)
    return (f'Return-Path: <{envelope.mail_from}>\r\n'
            f'Received: from {session.host_name} ({session.peer[0]})\r\n'
            f'\tby {HOSTNAME} (playground smtp) with {kind};\r\n'
            f'\t{email.utils.formatdate(localtime=True)}\r\n').encode('utf-8', 'replace')


class Session(SMTP):
    """aiosmtpd's session, closing the connection when the client closes its side.

    aiosmtpd 1.4 stops the session at the client's end of file but keeps the
    socket open until its idle timeout (5 minutes): a burst of connections then
    held the service's descriptors long after the clients had gone.
    """

    def eof_received(self):
        super().eof_received()
        return False  # asyncio closes the transport


def smtp_factory(state, loop):
    """One aiosmtpd protocol object per connection, all sharing the policy above."""
    handler, context = Delivery(state), server_ssl_context(state)
    return lambda: Session(handler, hostname=HOSTNAME, ident='playground ESMTP (aiosmtpd)',
                        data_size_limit=SIZE_LIMIT, tls_context=context,
                        auth_require_tls=True, authenticator=authenticate, loop=loop)


async def serve(state, host, number):
    """Serve until SIGTERM (however many of them come)."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(asyncio_complaints('smtp'))  # accept() out of descriptors...
    server = await loop.create_server(smtp_factory(state, loop), host, number)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    tls.ensure(args.state)
    mailstore.prepare(args.state, reset=False)
    # warnings and errors (a failed delivery, a crashed session) go to stderr
    logging.basicConfig(level=logging.WARNING, format='smtp: %(levelname)s %(name)s: %(message)s')
    # aiosmtpd warns about every unknown command a client sends (and about its own
    # use of a deprecated attribute at each login): show only its errors
    logging.getLogger('mail.log').setLevel(logging.ERROR)
    asyncio.run(serve(args.state, args.host, port(args.port_offset, SMTP_PORT)))


if __name__ == '__main__':
    run_quietly(main)
