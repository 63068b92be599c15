"""The bad-peer campaign: every client listing against peers that misbehave (see
harness.BadPeer), run once per test run, and the table of which listings to run how.

The cases run many at once, in a background thread of whichever test process asks
first (most of them wait on a silent peer, which costs time but no CPU); the results
go to a file in the run's shared temporary folder, where every xdist worker reads
them. tests/test_bad_peers.py holds the assertions.
"""
import concurrent.futures
import contextlib
import dataclasses
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback

from harness import ACCOUNT, BadPeer, listing_env, script_path, wait_until

LIMIT = 15.0      # seconds from the first contact with the peer to exit, as promised
HARD_STOP = 45.0  # seconds from start: a listing still running then is killed (the test fails)
CONCURRENT = 32   # cases running at once


@dataclasses.dataclass(frozen=True)
class Client:
    script: str
    args: tuple = ('client', '{host}', '-p', '{port}')   # {host}, {port}: the bad peer's
    password: bool = False          # answers a getpass prompt, through a terminal
    tolerates: frozenset = frozenset()   # kinds after which a clean exit 0 is right too
    udp: bool = False               # talks UDP to the peer (closing: a closed UDP port)


# One section per chapter: each chapter's rows, in the order of its README.
CLIENTS = [
    # chapter01
    # getname.py asks the system's resolver: no peer of ours to misbehave.
    Client('chapter01/search1.py', ('{host}', '-p', '{port}')),
    Client('chapter01/search2.py', ('{host}', '-p', '{port}')),
    Client('chapter01/search3.py', ('{host}', '-p', '{port}')),
    # A raw socket prints whatever bytes come: nothing at all is a clean end too.
    Client('chapter01/search4.py', ('{host}', '-p', '{port}'), tolerates=frozenset({'closing'})),

    # chapter02
    # The UDP clients print the datagram they get back, whatever its bytes.
    Client('chapter02/udp_local.py', ('client', '-p', '{port}'), udp=True,
           tolerates=frozenset({'garbage'})),
    Client('chapter02/udp_remote.py', udp=True, tolerates=frozenset({'garbage'})),
    # Sending is all these two do: UDP brings them no word back, good or bad.
    Client('chapter02/udp_broadcast.py', udp=True, tolerates=frozenset(BadPeer.KINDS)),
    Client('chapter02/big_sender.py', ('{host}', '-p', '{port}'), udp=True,
           tolerates=frozenset(BadPeer.KINDS)),

    # chapter03
    # Raw streams: sixteen bytes of garbage are a reply to print. tcp_deadlock.py prints
    # whatever comes back until the peer closes, which a peer does once it has read our
    # end of file: no reply at all, or garbage, is a clean end.
    Client('chapter03/tcp_sixteen.py', tolerates=frozenset({'garbage'})),
    Client('chapter03/tcp_deadlock.py', ('client', '16', '-p', '{port}'),
           tolerates=frozenset(BadPeer.KINDS)),

    # chapter04
    # www_ping.py only checks that the port accepts a connection, which all three do.
    Client('chapter04/www_ping.py', ('{host}', '-p', '{port}'),
           tolerates=frozenset(BadPeer.KINDS)),
    # forward_reverse.py asks the system's resolver: no peer of ours to misbehave.
    Client('chapter04/dns_basic.py', ('example.com', '--nameserver', '{host}', '-p', '{port}'),
           udp=True),
    Client('chapter04/dns_mx.py', ('example.com', '--nameserver', '{host}', '-p', '{port}'),
           udp=True),

    # chapter05
    # One-way protocols: the clients send and close, and never read a reply.
    Client('chapter05/streamer.py', tolerates=frozenset(BadPeer.KINDS)),
    Client('chapter05/blocks.py', tolerates=frozenset(BadPeer.KINDS)),

    # chapter06
    Client('chapter06/sslclient.py', ('{host}', '-p', '{port}')),

    # chapter07
    Client('chapter07/client.py', ('{host}', '-p', '{port}')),
    Client('chapter07/lancelot_tests.py', ('{host}', '-p', '{port}')),

    # chapter08
    Client('chapter08/squares.py', ('{host}', '-p', '{port}')),   # python-memcached

    # chapter09
    Client('chapter09/get_rfc2616.py', ('http://{host}:{port}/rfc/rfc2616.txt',)),

    # chapter10
    Client('chapter10/fetch_urllib.py', ('{host}', '-p', '{port}')),
    Client('chapter10/fetch_mechanize.py', ('{host}', '-p', '{port}')),
    Client('chapter10/weather.py', ('-p', '{port}', 'Phoenix,', 'AZ')),   # on localhost

    # chapter11
    # (wsgi_app.py and bottle_app.py are servers; chapter 12 has no network client)

    # chapter13
    Client('chapter13/simple.py', ('{host}', 'me@example.org', 'brandon@example.com',
                                  '-p', '{port}')),
    Client('chapter13/debug.py', ('{host}', 'me@example.org', 'brandon@example.com',
                                 '-p', '{port}')),
    Client('chapter13/ehlo.py', ('{host}', 'me@example.org', 'brandon@example.com',
                                '-p', '{port}')),
    Client('chapter13/tls.py', ('{host}', 'me@example.org', 'brandon@example.com',
                               '-p', '{port}')),
    Client('chapter13/login.py', ('{host}', 'me@example.org', 'brandon@example.com',
                                 '-p', '{port}'), password=True),

    # chapter14
    Client('chapter14/popconn.py', ('{host}', 'brandon', '-p', '{port}'), password=True),
    Client('chapter14/mailbox.py', ('{host}', 'brandon', '-p', '{port}'), password=True),
    Client('chapter14/download-and-delete.py', ('{host}', 'brandon', '-p', '{port}'),
           password=True),

    # chapter15
    Client('chapter15/open_imaplib.py', ('{host}', 'brandon', '-p', '{port}'), password=True),
    Client('chapter15/open_imap.py', ('{host}', 'brandon', '-p', '{port}'), password=True),
    Client('chapter15/folder_info.py', ('{host}', 'brandon', '-p', '{port}'), password=True),
    Client('chapter15/mailbox_summary.py', ('{host}', 'brandon', 'INBOX', '-p', '{port}'),
           password=True),
    Client('chapter15/simple_client.py', ('{host}', 'brandon', '-p', '{port}'), password=True),

    # chapter16
    Client('chapter16/telnet_login.py', ('{host}', '-p', '{port}'), password=True),
    Client('chapter16/telnet_codes.py', ('{host}', '-p', '{port}'), password=True),
    Client('chapter16/ssh_simple.py', ('{host}', '-p', '{port}'), password=True),
    Client('chapter16/ssh_commands.py', ('{host}', '-p', '{port}'), password=True),
    Client('chapter16/ssh_threads.py', ('{host}', '-p', '{port}'), password=True),
    Client('chapter16/sftp.py', ('{host}', '-p', '{port}'), password=True),
    # run as `fab` runs it (python fabfile.py hands its arguments to Fabric's program)
    Client('chapter16/fabfile.py', ('-H', 'brandon@{host}:{port}', '--prompt-for-login-password',
                                    'report'), password=True),

    # chapter17
    Client('chapter17/connect.py', ('{host}', '-p', '{port}')),
    Client('chapter17/asciidl.py', ('{host}', '-p', '{port}')),
    Client('chapter17/binarydl.py', ('{host}', '-p', '{port}')),
    Client('chapter17/advbinarydl.py', ('{host}', '-p', '{port}')),
    Client('chapter17/binaryul.py', ('{host}', 'brandon', os.devnull, '/home/brandon',
                                     '-p', '{port}'), password=True),
    Client('chapter17/advbinaryul.py', ('{host}', 'brandon', os.devnull, '/home/brandon',
                                        '-p', '{port}'), password=True),
    Client('chapter17/dir.py', ('{host}', '-p', '{port}')),
    Client('chapter17/nlst.py', ('{host}', '-p', '{port}')),
    Client('chapter17/recursedl.py', ('{host}', '-p', '{port}')),

    # chapter18
    # The clients talk to 127.0.0.1, as the book's did: only the port is theirs to take.
    Client('chapter18/xmlrpc_client.py', ('-p', '{port}')),
    Client('chapter18/xmlrpc_introspect.py', ('-p', '{port}')),
    Client('chapter18/xmlrpc_multicall.py', ('-p', '{port}')),
    Client('chapter18/jsonrpc_client.py', ('-p', '{port}')),
    Client('chapter18/rpyc_client.py', ('-p', '{port}')),
]

# Run the listing in a session of its own whose controlling terminal is the pty on
# its stdin, so that getpass() prompts there as it would for a reader.
TTY_WRAPPER = ('import fcntl, os, sys, termios; os.setsid(); '
               'fcntl.ioctl(0, termios.TIOCSCTTY, 0); '
               'os.execv(sys.executable, [sys.executable] + sys.argv[1:])')


@dataclasses.dataclass
class Outcome:
    command: list
    returncode: int
    out: str
    err: str
    elapsed: float
    contacted: bool

    def __str__(self):
        return (f'command: {" ".join(self.command)}\nexit status: {self.returncode} '
                f'after {self.elapsed:.1f} s\n--- stdout ---\n{self.out}'
                f'--- stderr ---\n{self.err}')


def run_case(client, kind, folder):
    peer = BadPeer(kind)
    try:
        args = [arg.format(host=peer.host, port=peer.port) for arg in client.args]
        command = [sys.executable, script_path(client.script), *args]
        master = slave = None
        if client.password:   # getpass() wants a terminal: give it one
            master, slave = os.openpty()
            command[1:1] = ['-c', TTY_WRAPPER]
        started = time.monotonic()
        process = subprocess.Popen(command, stdin=slave or subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder,
                                   env=listing_env(), start_new_session=not client.password)
        try:
            if client.password:
                os.close(slave)
                answer_password(master, process, started + HARD_STOP)
            try:
                out, err = process.communicate(timeout=max(0.1, started + HARD_STOP
                                                           - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                out, err = process.communicate()
            ended = time.monotonic()
        finally:
            if master is not None:
                os.close(master)
        # The peer's thread may not have seen a client that only connects, or only
        # sends, and ends at once: give it a moment.
        contacted = peer.contacted.wait(2) or (kind == 'closing' and client.udp)
        elapsed = ended - (peer.first_contact or started)
        return Outcome(command[-len(args) - 1:], process.returncode,
                       out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'),
                       elapsed, contacted)
    finally:
        peer.close()


def answer_password(master, process, deadline):
    """Wait for the password prompt on the terminal and type the password."""
    seen = b''
    while b'assword' not in seen and time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 1024)
            except OSError:   # the listing closed its terminal
                return
    if b'assword' in seen:
        os.write(master, ACCOUNT[1].encode() + b'\n')


class Campaign:
    """The selected cases of one test run: started once, read by every test process."""

    def __init__(self, folder, cases):
        self.folder = folder               # shared by the run's processes
        self.cases = sorted(cases, key=lambda case: BadPeer.KINDS.index(case[1]))
        self.results = folder / 'bad-peers.json'

    def start(self):
        """Run the cases in a background thread, unless another process does (or did)."""
        lock = open(self.folder / 'bad-peers.claim', 'a')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return
        if self.results.exists() or not self.cases:
            lock.close()
            return
        threading.Thread(target=self._run, args=(lock,), daemon=True).start()

    def _run(self, lock):
        work = self.folder / 'bad-peers-work'
        work.mkdir(exist_ok=True)
        with lock, concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
            futures = {f'{client.script} {kind}': pool.submit(self._case, client, kind, work)
                       for client, kind in self.cases}
            results = {key: dataclasses.asdict(future.result())
                       for key, future in futures.items()}
            partial = self.results.with_suffix('.partial')
            partial.write_text(json.dumps(results))
            partial.rename(self.results)   # whole, or not there

    @staticmethod
    def _case(client, kind, folder):
        try:
            return run_case(client, kind, folder)
        except Exception:   # the harness failed, not the listing: say so in its test
            return Outcome([client.script], None, '', traceback.format_exc(), 0.0, False)

    def outcome(self, client, kind, timeout):
        """The Outcome of one case, once the campaign has written them all."""
        wait_until(self.results.exists, timeout, 'the bad-peer campaign never finished',
                   interval=0.1)
        return Outcome(**json.loads(self.results.read_text())[f'{client.script} {kind}'])
