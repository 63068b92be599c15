"""The tiny command set behind the playground's Telnet and SSH logins: never a real shell.

A command line is split the way a shell splits it (shlex: quotes group
words, $NAME expands), into commands joined by ';' or '&&'.  Each command
is one of a few built-ins that only read inside the sandbox folder.  The
interpreter is a generator, so that the asyncio Telnet server and the
threaded SSH server can both drive it: it yields text to send, or a float
meaning "pause this long" (so output streams as it comes), and returns
the exit status.

    status = yield from shell.run('echo Hello; sleep 1; echo world')
"""
import datetime
import os
import pathlib
import platform
import re
import shlex
import time

STARTED = time.time()
MAX_SLEEP = 10.0
HELP = ('commands: echo TEXT, sleep SECONDS, uptime, uname [-a], date, whoami, hostname,\n'
        'pwd, cd DIR, ls [DIR], cat FILE..., true, false, help, exit [STATUS];\n'
        'join them with ";" or "&&"; "exec COMMAND" runs it and then logs out.\n'
        'This is the playground\'s own tiny command set, not a real shell.\n')


class ExitShell(Exception):
    """Raised by 'exit' (and after 'exec'): the session should end with this status."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def uptime_line(now=None):
    """A line shaped like uptime(1)'s, counting from the service's start."""
    now = now or time.time()
    minutes = int(now - STARTED) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    up = (f'{days} day{"s" if days != 1 else ""}, ' if days else '')
    up += f'{hours}:{minutes:02d}' if hours else f'{minutes} min'
    load = ', '.join(f'{value:.2f}' for value in os.getloadavg())
    clock = datetime.datetime.fromtimestamp(now).strftime('%H:%M:%S')
    return f' {clock} up {up},  1 user,  load average: {load}\n'


class MiniShell:
    """One login session: a user, a sandbox folder seen as '/', a working folder, variables."""

    def __init__(self, user, root, home, env=None):
        self.root = pathlib.Path(root).resolve()
        self.cwd = home
        self.env = {'USER': user, 'LOGNAME': user, 'HOME': home, 'SHELL': '/bin/minishell',
                    'TERM': ''}
        self.env.update(env or {})

    # ------------------------------------------------------------ paths

    def virtual(self, path):
        """A path as the user writes it -> the absolute virtual path ('/home/brandon/x')."""
        joined = os.path.normpath(os.path.join(self.cwd, path))
        return '/' + joined.lstrip('/') if joined != '/' else '/'

    def real(self, path):
        """A user's path -> the real path inside the sandbox, or None when it leads out.

        The path is resolved first: a symbolic link inside the sandbox may point
        anywhere (/etc/passwd), and every command must refuse what lies outside.
        """
        return self.inside(self.root / self.virtual(path).lstrip('/'))

    def inside(self, path):
        """A real path with its links resolved, or None when that is outside the sandbox."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError, ValueError):  # a loop of links (RuntimeError
            return None                               # before 3.13), a NUL byte
        return real if real == self.root or self.root in real.parents else None

    # ------------------------------------------------------------ parsing

    def expand(self, line):
        """Replace $NAME, ${NAME} and $? outside single quotes, as a shell does."""
        parts = re.split(r"('[^']*')", line)
        pattern = re.compile(r'\$(?:\{(\w+)\}|(\w+)|(\?))')
        for i in range(0, len(parts), 2):
            parts[i] = pattern.sub(
                lambda m: str(self.env.get(m[1] or m[2] or '?', '')), parts[i])
        return ''.join(parts)

    def split(self, line):
        """'a b; c && d' -> [('', ['a', 'b']), (';', ['c']), ('&&', ['d'])]."""
        lexer = shlex.shlex(self.expand(line), posix=True, punctuation_chars=';&|<>()')
        lexer.whitespace_split = True
        commands, joiner, words = [], '', []
        for token in lexer:
            if token in (';', '&&'):
                commands.append((joiner, words))
                joiner, words = token, []
            elif token and set(token) <= set(';&|<>()'):
                raise ValueError(f'"{token}" is not supported here (only ; and &&)')
            else:
                words.append(token)
        commands.append((joiner, words))
        return [(j, w) for j, w in commands if w]

    # ------------------------------------------------------------ running

    def run(self, line):
        """Run one command line (a generator: yields text or pauses, returns the status)."""
        try:
            commands = self.split(line)
        except ValueError as exc:
            yield f'minishell: {exc}\n'
            return 2
        status = 0
        for joiner, words in commands:
            if joiner == '&&' and status != 0:
                continue
            status = yield from self.command(words)
            self.env['?'] = status
        return status

    def command(self, words):
        """Run one built-in; unknown names get a shell's 'command not found'."""
        name, args = words[0], words[1:]
        method = getattr(self, 'do_' + name, None) if name.isidentifier() else None
        if method is None:
            yield f'minishell: {name}: command not found (try help)\n'
            return 127
        return (yield from method(args))

    def do_exec(self, args):
        if not args:
            raise ExitShell(0)
        status = yield from self.command(args)
        raise ExitShell(status)

    def do_exit(self, args):
        try:
            status = int(args[0]) if args else int(self.env.get('?', 0) or 0)
        except ValueError:
            status = 2
        raise ExitShell(status)
        yield  # pragma: no cover - makes this a generator

    do_logout = do_exit

    def do_echo(self, args):
        yield ' '.join(args) + '\n'
        return 0

    def do_help(self, args):
        yield HELP
        return 0

    def do_true(self, args):
        return 0
        yield  # pragma: no cover

    def do_false(self, args):
        return 1
        yield  # pragma: no cover

    def do_sleep(self, args):
        try:
            seconds = float(args[0])
        except (IndexError, ValueError):
            yield 'sleep: give a number of seconds\n'
            return 1
        yield min(max(seconds, 0.0), MAX_SLEEP)
        return 0

    def do_uptime(self, args):
        yield uptime_line()
        return 0

    def do_uname(self, args):
        info = platform.uname()
        if '-a' in args:
            yield f'{info.system} {info.node} {info.release} {info.version} {info.machine}\n'
        else:
            yield info.system + '\n'
        return 0

    def do_date(self, args):
        yield datetime.datetime.now().astimezone().strftime('%a %b %d %H:%M:%S %Z %Y') + '\n'
        return 0

    def do_whoami(self, args):
        yield self.env['USER'] + '\n'
        return 0

    def do_hostname(self, args):
        yield platform.node() + '\n'
        return 0

    def do_pwd(self, args):
        yield self.cwd + '\n'
        return 0

    def do_cd(self, args):
        target = args[0] if args else self.env['HOME']
        path = self.real(target)
        if path is None:
            yield f'cd: {target}: Permission denied\n'
            return 1
        if not path.is_dir():
            yield f'cd: {target}: No such directory\n'
            return 1
        self.cwd = self.virtual(target)
        return 0

    def do_ls(self, args):
        status = 0
        for target in args or ['.']:
            path = self.real(target)
            if path is None:
                yield f'ls: cannot access {target}: Permission denied\n'
                status = 2
            elif path.is_dir():
                for child in sorted(path.iterdir()):
                    folder = self.inside(child) is not None and child.is_dir()
                    yield child.name + ('/' if folder else '') + '\n'
            elif path.exists():
                yield target + '\n'
            else:
                yield f'ls: cannot access {target}: No such file or directory\n'
                status = 2
        return status

    def do_cat(self, args):
        status = 0
        for target in args:
            path = self.real(target)
            if path is None:
                yield f'cat: {target}: Permission denied\n'
                status = 1
                continue
            try:
                yield path.read_text(encoding='utf-8', errors='replace')
            except OSError:
                yield f'cat: {target}: No such file\n'
                status = 1
        return status
