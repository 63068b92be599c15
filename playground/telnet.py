"""Service 'telnet': a login prompt, a password prompt, then a tiny command set (never a real shell).

telnetlib3 speaks the protocol.  On connect it asks for the terminal type
(IAC DO TTYPE, then IAC SB TTYPE SEND when the client agrees), so whatever
a client answers shows up as $TERM; clients that refuse every option are
not kept waiting (connect_maxwait is short).  After "login:" and
"Password:" with the playground account, commands run in playground.minishell
over the SSH sandbox folder: `exec uptime`, `exec echo $TERM`, `echo`,
`help`, `exit`.  A wrong password gets "Login incorrect" and a new prompt,
as a real telnetd does; the third failure hangs up.
Run alone: python -m playground.telnet [--port-offset N].
"""
import asyncio
import functools
import logging

import telnetlib3

from playground import sandbox
from playground.common import ACCOUNT, asyncio_complaints, parse_service_args, port, run_quietly
from playground.minishell import ExitShell, MiniShell

TELNET = 23
ATTEMPTS = 3
MAX_LINE = 1024
BANNER = 'Playground telnet service (a tiny command set, not a real shell)\r\n\r\n'


class Keyboard:
    """What the client types, taken a chunk at a time and handed out a character at a time.

    telnetlib3 5.0's read(1) decodes its whole buffer and pops one byte off its
    front on every call: a long line cost time quadratic in its length, and the
    one event loop served nobody else meanwhile (a minute for a long line at
    "login:").  Reading whole chunks keeps it linear.
    """

    # More than the reader ever buffers (it pauses the connection first): asked for
    # this much, telnetlib3 hands over its whole buffer at once, with no pop(0).
    EVERYTHING = 1 << 30

    def __init__(self, reader):
        self.reader, self.text, self.position = reader, '', 0

    async def char(self):
        """The next character, or '' at the end of input."""
        if self.position == len(self.text):
            self.text, self.position = await self.reader.read(self.EVERYTHING), 0
            if not self.text:
                return ''
        self.position += 1
        return self.text[self.position - 1]


async def read_line(keyboard, writer, echo=True):
    """One line typed by the client: CR LF, CR NUL or LF ends it; None at end of input."""
    line = ''
    while True:
        char = await keyboard.char()
        if not char:
            return None
        if char in '\r\n':
            if line or char == '\r':
                if echo:
                    writer.echo('\r\n')
                return line
            continue  # the LF of a CR LF, or a stray LF before anything was typed
        if char == '\x00':
            continue
        if char in '\x7f\x08':
            if line:
                line = line[:-1]
                if echo:
                    writer.echo('\b \b')
            continue
        if char.isprintable() and len(line) < MAX_LINE:  # the rest of a long line is dropped
            line += char
            if echo:
                writer.echo(char)


def send(writer, text):
    """Write text with the network's CR LF line ends."""
    writer.write(text.replace('\r\n', '\n').replace('\n', '\r\n'))


async def log_in(keyboard, writer):
    """Ask for login and password until they match; the user name, or None."""
    send(writer, BANNER)
    for _ in range(ATTEMPTS):
        send(writer, 'login: ')
        await writer.drain()
        user = await read_line(keyboard, writer)
        if user is None:
            return None
        send(writer, 'Password: ')
        await writer.drain()
        password = await read_line(keyboard, writer, echo=False)
        if password is None:
            return None
        send(writer, '\n')
        if (user.strip(), password) == ACCOUNT:
            return user.strip()
        send(writer, 'Login incorrect\n')
    return None


async def session(root, reader, writer):
    """The whole conversation with one client; root is the sandbox folder."""
    keyboard = Keyboard(reader)
    try:
        user = await log_in(keyboard, writer)
        if user is None:
            return
        # Terminal types travel in upper case (RFC 1091); telnetd hands them on in
        # lower case, the way terminfo names them ('XTERM-256COLOR' -> 'xterm-256color').
        term = (writer.get_extra_info('TERM') or '').lower()
        shell = MiniShell(user, root, f'/home/{user}', {'TERM': term})
        send(writer, f'Welcome, {user}. Type help for the commands.\n')
        while True:
            send(writer, '$ ')
            await writer.drain()
            line = await read_line(keyboard, writer)
            if line is None:
                return
            try:
                await run(shell, line, writer)
            except ExitShell:
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        if not writer.is_closing():
            try:
                await writer.drain()
            except ConnectionError:
                pass
            writer.close()


async def run(shell, line, writer):
    """Run a command line, sending its output as it comes."""
    commands = shell.run(line)
    try:
        item = next(commands)
        while True:
            if isinstance(item, float):
                await writer.drain()
                await asyncio.sleep(item)
            else:
                send(writer, item)
            item = next(commands)
    except StopIteration:
        return


async def serve(args):
    """Start the server and run until cancelled."""
    # asyncio pauses accept() when out of descriptors and goes on; say so briefly.
    asyncio.get_running_loop().set_exception_handler(asyncio_complaints('telnet'))
    sandbox.prepare(args.state, reset=False)
    shell = functools.partial(session, sandbox.sandbox(args.state))
    await telnetlib3.create_server(
        args.host, port(args.port_offset, TELNET), shell=shell,
        connect_maxwait=0.5, encoding='utf8', encoding_errors='replace', timeout=600)
    await asyncio.Event().wait()


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    logging.getLogger('telnetlib3').setLevel(logging.CRITICAL)
    asyncio.run(serve(args))


if __name__ == '__main__':
    run_quietly(main)
