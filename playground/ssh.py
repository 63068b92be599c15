"""Service 'ssh': password logins, exec, an interactive shell and SFTP over a sandbox folder.

paramiko's server side speaks SSH.  The host key lives in <state>/ssh/host_key
and stays the same across restarts (and --reset); at start the service
prints its fingerprint and writes <state>/ssh/known_hosts, the line a client
needs to trust it.  Commands (exec and the shell) are playground.minishell's
small built-in set, never a real shell, run with /home/brandon of the
sandbox as working folder; their output is sent as it comes, then the exit
status, then the channel closes.  SFTP serves the same sandbox as '/', and
sends exit status 0 when the client ends it, as OpenSSH's sftp and scp expect.
Run alone: python -m playground.ssh [--port-offset N].
"""
import logging
import os
import pathlib
import socket
import sys
import threading
import time

import paramiko
from paramiko.common import MSG_CHANNEL_FAILURE, MSG_CHANNEL_SUCCESS
from paramiko.sftp import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

from playground import sandbox
from playground.common import (ACCOUNT, BACKOFF, RESOURCE_ERRORS, Complaint,
                               parse_service_args, port, run_quietly)
from playground.minishell import ExitShell, MiniShell

SSH = 22
MAX_LINE = 4096


def known_hosts_line(key, host, number):
    """The known_hosts entry for this server ([host]:port unless the port is 22)."""
    name = host if number == 22 else f'[{host}]:{number}'
    return f'{name} {key.get_name()} {key.get_base64()}\n'


# ---------------------------------------------------------------- sessions

class Server(paramiko.ServerInterface):
    """What one connection may do: log in with the playground password, open sessions."""

    def __init__(self, root):
        self.root = root
        self.term = ''

    def get_allowed_auths(self, username):
        return 'password'

    def check_auth_password(self, username, password):
        if (username, password) == ACCOUNT:
            return paramiko.AUTH_SUCCESSFUL
        time.sleep(0.5)  # as sshd does, slow down guessing a little
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == 'session':
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth,
                                  pixelheight, modes):
        channel.pty = True
        self.term = term.decode('ascii', 'replace') if isinstance(term, bytes) else term
        return True

    def check_channel_env_request(self, channel, name, value):
        return False  # like sshd without AcceptEnv

    def check_channel_exec_request(self, channel, command):
        line = command.decode('utf-8', 'replace')
        answered = channel.transport.expect_answer(channel)
        threading.Thread(target=run_exec, args=(self.new_shell(), channel, line, answered),
                         daemon=True).start()
        return True

    def check_channel_shell_request(self, channel):
        threading.Thread(target=run_interactive, args=(self.new_shell(), channel),
                         daemon=True).start()
        return True

    def check_channel_window_change_request(self, channel, *size):
        return True

    def new_shell(self):
        return MiniShell(ACCOUNT[0], self.root, sandbox.HOME, {'TERM': self.term})


def stream(shell, line, channel, pty=False):
    """Run one command line on a channel, sending each piece of output at once."""
    commands = shell.run(line)
    try:
        item = next(commands)
        while True:
            if isinstance(item, float):
                time.sleep(item)
            else:
                channel.sendall(item.replace('\n', '\r\n') if pty else item)
            item = next(commands)
    except StopIteration as done:
        return done.value


def finish(channel, status):
    """Exit status first, then EOF and close: the order clients rely on."""
    try:
        channel.send_exit_status(status)
        channel.shutdown_write()
        channel.close()
    except (OSError, EOFError, paramiko.SSHException):
        pass


def run_exec(shell, channel, line, answered):
    """An exec request: one command line, then the status (once the request got its answer)."""
    status = 255
    try:
        if '\x00' in line:  # no shell can take it: a command line is a C string
            channel.sendall_stderr('minishell: a command cannot contain a NUL byte\n')
            status = 2
        else:
            status = stream(shell, line, channel)
    except ExitShell as exc:
        status = exc.status
    except (OSError, EOFError, paramiko.SSHException):
        return
    except Exception as exc:  # a bug of ours: say so, and still end the channel properly
        print(f'ssh: command {line!r} failed: {exc!r}', file=sys.stderr, flush=True)
        channel.sendall_stderr('minishell: internal error\n')
    answered.wait(10)
    finish(channel, status)


def run_interactive(shell, channel):
    """A shell request: a prompt, a line discipline that echoes on a pty, commands."""
    pty = getattr(channel, 'pty', False)
    newline = '\r\n' if pty else '\n'
    status = 0
    try:
        channel.sendall(f'Welcome to the playground SSH sandbox. Type help for the commands.'
                        f'{newline}')
        line, last = '', ''
        channel.sendall('$ ')
        while True:
            data = channel.recv(1024)
            if not data:
                break
            for char in data.decode('utf-8', 'replace'):
                if char == '\n' and last == '\r':
                    last = char
                    continue  # the LF of a CR LF
                last = char
                if char in '\r\n':
                    if pty:
                        channel.sendall('\r\n')
                    try:
                        status = stream(shell, line, channel, pty)
                    except ExitShell as exc:
                        channel.sendall('logout' + newline)
                        finish(channel, exc.status)
                        return
                    line = ''
                    channel.sendall('$ ')
                elif char in '\x7f\x08':
                    if line:
                        line = line[:-1]
                        if pty:
                            channel.sendall('\b \b')
                elif char == '\x04' and not line:  # Ctrl-D on an empty line
                    channel.sendall('logout' + newline)
                    finish(channel, status)
                    return
                elif char == '\x03':  # Ctrl-C drops the line
                    line = ''
                    channel.sendall('^C' + newline + '$ ')
                elif char.isprintable() and len(line) < MAX_LINE:
                    line += char
                    if pty:
                        channel.sendall(char)
    except (OSError, EOFError, paramiko.SSHException):
        return
    finish(channel, status)


# ---------------------------------------------------------------- SFTP

class SandboxSFTP(paramiko.SFTPServerInterface):
    """SFTP over the sandbox folder, which clients see as '/'; nothing outside it is reachable."""

    def __init__(self, server, *args, **kwargs):
        super().__init__(server, *args, **kwargs)
        self.root = pathlib.Path(server.root).resolve()

    def real(self, path):
        """A client's path -> a real path inside the sandbox, or None if it escapes."""
        path = path.decode('utf-8', 'replace') if isinstance(path, bytes) else path
        virtual = os.path.normpath(os.path.join(sandbox.HOME, path))
        real = (self.root / virtual.lstrip('/')).resolve()
        if real != self.root and self.root not in real.parents:
            return None
        return real

    def canonicalize(self, path):
        path = path.decode('utf-8', 'replace') if isinstance(path, bytes) else path
        virtual = os.path.normpath(os.path.join(sandbox.HOME, path))
        return '/' + virtual.lstrip('/')

    def guarded(method):
        """Run an operation on real paths; turn errors into SFTP status codes."""
        def wrapper(self, *paths_and_args):
            try:
                return method(self, *paths_and_args)
            except OSError as exc:
                return paramiko.SFTPServer.convert_errno(exc.errno)
            except (TypeError, ValueError):
                return SFTP_NO_SUCH_FILE
        return wrapper

    @guarded
    def list_folder(self, path):
        folder = self.real(path)
        if folder is None:
            return SFTP_PERMISSION_DENIED
        return [paramiko.SFTPAttributes.from_stat(entry.stat(follow_symlinks=False), entry.name)
                for entry in os.scandir(folder)]

    @guarded
    def stat(self, path):
        real = self.real(path)
        return paramiko.SFTPAttributes.from_stat(os.stat(real)) if real else SFTP_NO_SUCH_FILE

    @guarded
    def lstat(self, path):
        real = self.real(path)
        return paramiko.SFTPAttributes.from_stat(os.lstat(real)) if real else SFTP_NO_SUCH_FILE

    @guarded
    def open(self, path, flags, attr):
        real = self.real(path)
        if real is None:
            return SFTP_PERMISSION_DENIED
        descriptor = os.open(real, flags | getattr(os, 'O_BINARY', 0), 0o644)
        if flags & os.O_WRONLY:
            mode = 'ab' if flags & os.O_APPEND else 'wb'
        elif flags & os.O_RDWR:
            mode = 'a+b' if flags & os.O_APPEND else 'r+b'
        else:
            mode = 'rb'
        handle = OpenFile(flags)
        handle.filename = str(real)
        handle.readfile = handle.writefile = os.fdopen(descriptor, mode)
        if mode == 'rb':
            handle.writefile = None
        elif mode in ('ab', 'wb'):
            handle.readfile = None
        return handle

    @guarded
    def remove(self, path):
        os.remove(self.real(path))
        return SFTP_OK

    @guarded
    def rename(self, oldpath, newpath):
        old, new = self.real(oldpath), self.real(newpath)
        if new.exists():
            return SFTP_FAILURE
        os.rename(old, new)
        return SFTP_OK

    @guarded
    def posix_rename(self, oldpath, newpath):
        os.replace(self.real(oldpath), self.real(newpath))
        return SFTP_OK

    @guarded
    def mkdir(self, path, attr):
        os.mkdir(self.real(path))
        return SFTP_OK

    @guarded
    def rmdir(self, path):
        os.rmdir(self.real(path))
        return SFTP_OK

    @guarded
    def chattr(self, path, attr):
        apply_attributes(self.real(path), attr)
        return SFTP_OK

    del guarded


class OpenFile(paramiko.SFTPHandle):
    """An open file.  paramiko's handle answers fstat and fsetstat with "unsupported",
    so OpenSSH's scp warned on every upload and scp -p could not keep times and modes."""

    def descriptor(self):
        return (self.readfile or self.writefile).fileno()

    def stat(self):
        try:
            return paramiko.SFTPAttributes.from_stat(os.fstat(self.descriptor()))
        except (OSError, ValueError) as exc:
            return paramiko.SFTPServer.convert_errno(getattr(exc, 'errno', None))

    def chattr(self, attr):
        try:
            apply_attributes(self.descriptor(), attr)
        except (OSError, ValueError) as exc:
            return paramiko.SFTPServer.convert_errno(getattr(exc, 'errno', None))
        return SFTP_OK


def apply_attributes(target, attr):
    """setstat/fsetstat on a path or a descriptor: permission bits (never set-uid,
    set-gid or sticky), times, size."""
    if attr.st_mode is not None:
        os.chmod(target, attr.st_mode & 0o777)
    if attr.st_atime is not None and attr.st_mtime is not None:
        os.utime(target, (attr.st_atime, attr.st_mtime))
    if attr.st_size is not None:
        os.truncate(target, attr.st_size)


class SFTPWithExitStatus(paramiko.SFTPServer):
    """paramiko's SFTP server, plus the exit status that OpenSSH's sftp and scp wait for."""

    def finish_subsystem(self):
        try:
            self.sock.send_exit_status(0)
        except (OSError, EOFError, paramiko.SSHException):
            pass
        super().finish_subsystem()


# ---------------------------------------------------------------- listening

class Transport(paramiko.Transport):
    """paramiko's Transport, telling a command's thread when its exec request was answered.

    paramiko sends "request accepted" only after check_channel_exec_request
    returns; a quick command could close its channel before that, and clients
    (paramiko, Fabric) then fail with "Channel closed".
    """

    def __init__(self, sock):
        super().__init__(sock)
        self.pending_answers = {}  # remote channel id -> Event set when the reply is out

    def expect_answer(self, channel):
        event = self.pending_answers[channel.remote_chanid] = threading.Event()
        return event

    def _send_user_message(self, data):
        super()._send_user_message(data)
        raw = data.asbytes() if isinstance(data, paramiko.Message) else bytes(data)
        if raw[:1] in (bytes([MSG_CHANNEL_SUCCESS]), bytes([MSG_CHANNEL_FAILURE])):
            event = self.pending_answers.pop(int.from_bytes(raw[1:5], 'big'), None)
            if event:
                event.set()


def handle(client, key, root):
    """One TCP connection: run the SSH transport until the client leaves."""
    transport = Transport(client)
    transport.add_server_key(key)
    transport.set_subsystem_handler('sftp', SFTPWithExitStatus, SandboxSFTP)
    try:
        transport.start_server(server=Server(root))
    except (paramiko.SSHException, EOFError, OSError):
        transport.close()  # garbage instead of SSH, or the client vanished


def serve(listener, key, root):
    """Accept connections forever, one transport (with its own threads) each."""
    complain = Complaint('ssh')
    while True:
        try:
            client, _ = listener.accept()
        except OSError as exc:
            if exc.errno not in RESOURCE_ERRORS:
                raise
            # Out of descriptors (or memory): the others' sessions go on; wait a
            # moment for some to close instead of dying.
            complain(f'accept() failed ({exc.strerror}); pausing and going on')
            time.sleep(BACKOFF)
            continue
        client.settimeout(None)
        try:
            threading.Thread(target=handle, args=(client, key, root), daemon=True).start()
        except RuntimeError:  # no thread to be had: turn this client away
            client.close()


def main():
    args = parse_service_args(__doc__.splitlines()[0])
    logging.getLogger('paramiko').setLevel(logging.CRITICAL)
    sandbox.prepare(args.state, reset=False)
    key = paramiko.ECDSAKey.from_private_key_file(str(sandbox.host_key_path(args.state)))
    number = port(args.port_offset, SSH)
    known = sandbox.folder(args.state) / 'known_hosts'
    known.write_text(known_hosts_line(key, '127.0.0.1', number)
                     + known_hosts_line(key, 'localhost', number))
    listener = socket.create_server((args.host, number))
    serve(listener, key, sandbox.sandbox(args.state))


if __name__ == '__main__':
    run_quietly(main)
