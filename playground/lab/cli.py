"""python -m playground lab: a small internet of hosts on one Linux machine, without root.

    python -m playground lab                      start the lab; Ctrl-C stops it
    python -m playground lab --services smtp,pop  only some of the playground's services
    python -m playground lab --no-services        none of them: the network and its DNS only
    python -m playground lab run HOST -- COMMAND  run a command on a lab host (no command: a shell)
    python -m playground lab capture NETWORK      record a network's packets to NETWORK.pcap,
                                                  and print them as tcpdump decodes them
    python -m playground lab check                can the lab run here? (one line)
    python -m playground lab picture              redraw the topology picture from the data

Several labs may run side by side (a classroom, or the test suite): give each
a name with --name (default: $FOPNP_LAB, else 'lab'); run and capture find
the lab of that name, started by the same user.  The hosts, networks and
addresses are in playground/lab/topology.py.

How it works: the lab is a tree of Linux namespaces that an ordinary user may
create (user, mount, PID, UTS and network), started with util-linux's
unshare; inside it we are root, and nowhere else.  playground/lab/inside.py
builds the network in there and runs the servers.  This process stays in
the foreground, answers `run` and `capture` on a socket named after the lab
(an abstract one: it vanishes with us), and when it stops, or is killed,
the kernel tears the whole lab down.
"""
import argparse
import datetime
import json
import os
import pathlib
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from playground.common import DEFAULT_STATE, REPO, tls_files
from playground.lab import namespaces, topology

READY_MARK = 'Lab ready'
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


# ---------------------------------------------------------------- can it run here?

def program(name, variable=None):
    """The path of a program ($VARIABLE, else on PATH or in /usr/sbin, /sbin), or None."""
    if variable and os.environ.get(variable):
        path = os.environ[variable]
        return path if os.access(path, os.X_OK) else None
    return shutil.which(name) or next((f'{folder}/{name}' for folder in ('/usr/sbin', '/sbin')
                                       if os.access(f'{folder}/{name}', os.X_OK)), None)


def sysctl(name):
    """A kernel setting as an int, or None where this kernel has no such setting."""
    try:
        return int(pathlib.Path('/proc/sys', *name.split('.')).read_text())
    except (OSError, ValueError):
        return None


def why_not():
    """Why the lab cannot start on this machine, in one line (cause; what to do), or None."""
    if sys.platform != 'linux':
        system = {'darwin': 'macOS', 'win32': 'Windows'}.get(sys.platform, sys.platform)
        return (f"the lab needs Linux's network namespaces, and this is {system}; "
                'run it in a Linux virtual machine (the loopback chapters need no lab)')
    if not (program('unshare') and program('nsenter')):
        return "util-linux's unshare and nsenter are missing; install util-linux"
    if not program('nft', 'NFT'):
        return ('nft is not installed; install nftables (Debian/Ubuntu: apt-get install '
                'nftables), or set NFT to its path')
    import importlib.util
    if importlib.util.find_spec('pyroute2') is None:
        return 'the pyroute2 library is missing; pip install pyroute2'
    trial = subprocess.run([program('unshare'), '--user', '--map-root-user', '--net', 'true'],
                           capture_output=True, text=True)
    if trial.returncode == 0:
        return None
    if sysctl('kernel.unprivileged_userns_clone') == 0:
        return ('this kernel lets only root create user namespaces '
                '(kernel.unprivileged_userns_clone = 0); as root: '
                'sysctl -w kernel.unprivileged_userns_clone=1')
    if sysctl('user.max_user_namespaces') == 0:
        return ('user namespaces are switched off (user.max_user_namespaces = 0); as root: '
                'sysctl -w user.max_user_namespaces=10000')
    if sysctl('kernel.apparmor_restrict_unprivileged_userns') == 1:
        return ('AppArmor forbids user namespaces to ordinary programs '
                '(kernel.apparmor_restrict_unprivileged_userns = 1); as root: '
                'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0')
    message = trial.stderr.strip().splitlines()[-1:] or [f'exit status {trial.returncode}']
    return f'this user may not create user and network namespaces here ({message[0]})'


# ---------------------------------------------------------------- the lab's state folder

def prepare(state):
    """The lab's own files: TLS for the server host's names, the DNS zone, /etc files."""
    state.mkdir(parents=True, exist_ok=True)
    ensure_tls(state)
    (state / 'dns').mkdir(exist_ok=True)
    (state / 'dns' / 'zone.txt').write_text(topology.zone_text())
    etc = state / 'etc'
    etc.mkdir(exist_ok=True)
    nameserver = topology.address_of(topology.NAMESERVER)
    (etc / 'resolv.conf').write_text(f'# The lab: every host asks {topology.NAMESERVER.name}\n'
                                     f'nameserver {nameserver}\noptions timeout:1 attempts:2\n')
    (etc / 'hosts').write_text('127.0.0.1\tlocalhost\n')
    try:
        system = pathlib.Path('/etc/nsswitch.conf').read_text().splitlines()
    except OSError:
        system = []
    lines = [line for line in system if not line.startswith('hosts:')]
    (etc / 'nsswitch.conf').write_text('\n'.join(lines + ['hosts: files dns']) + '\n')


def ensure_tls(state):
    """A CA of the lab's own and certificates for the server host's names (made once)."""
    files, names = tls_files(state), topology.tls_names()
    stamp = files['cert'].parent / 'lab-names'
    if all(path.exists() for path in files.values()) and stamp.exists() \
            and stamp.read_text().split() == names:
        return
    import trustme
    from playground.tls import WRONG_NAME
    files['cert'].parent.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name='FOPNP lab',
                    organization_unit_name='local CA, not for real use')
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=5 * 365)
    good = ca.issue_cert(*names, common_name=names[0], not_after=later)
    wrong = ca.issue_cert(WRONG_NAME, common_name=WRONG_NAME, not_after=later)
    for cert, crt, key in ((good, 'cert', 'key'), (wrong, 'wrong_cert', 'wrong_key')):
        files[crt].write_bytes(b''.join(blob.bytes() for blob in cert.cert_chain_pems))
        fd = os.open(files[key], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'wb') as out:
            out.write(cert.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(files['ca']))
    stamp.write_text('\n'.join(names) + '\n')


# ---------------------------------------------------------------- where a running lab is

def control_address(name):
    """The lab's socket: abstract (no file to leave behind), per user and lab name."""
    return f'\0fopnp-lab-{os.getuid()}-{name}'


def lookup(name):
    """What a running lab tells `run` and `capture`: its first process and the hosts."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(START_TIMEOUT)  # a lab that is starting answers once it is ready
        try:
            sock.connect(control_address(name))
        except OSError:
            hint = '' if name == 'lab' else f' --name {name}'
            sys.exit(f'lab: no lab named {name!r} is running; start one with '
                     f'python -m playground lab{hint}')
        pid, uid, gid = struct.unpack('3i', sock.getsockopt(
            socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i')))
        if uid != os.getuid():
            sys.exit(f'lab: the lab socket {name!r} belongs to another user')
        data = b''
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError as exc:
            sys.exit(f'lab: the lab named {name!r} does not answer ({exc})')
    if not data:
        sys.exit(f'lab: the lab named {name!r} stopped')
    return json.loads(data)


def entering(info, net, uts=None, cwd=None):
    """nsenter's arguments for joining the lab with the given network namespace."""
    proc = f'/proc/{info["pid"]}'
    return [program('nsenter'), f'--user={proc}/ns/user', f'--mount={proc}/ns/mnt',
            f'--pid={proc}/ns/pid', f'--net={net}', *([f'--uts={uts}'] if uts else []),
            '--preserve-credentials', f'--wd={cwd or os.getcwd()}', '--']


# ---------------------------------------------------------------- commands

def start(args):
    reason = why_not()
    if reason:
        sys.exit(f'lab: cannot start: {reason}')
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        control.bind(control_address(args.name))
        control.listen(16)  # from now on `run` waits for the lab to be ready
    except OSError:
        control.close()
        sys.exit(f'lab: a lab named {args.name!r} is already running; use it '
                 '(lab run, lab capture), or start another with --name')
    began = time.time()
    state = (args.state or DEFAULT_STATE / args.name).resolve()
    prepare(state)
    process = subprocess.Popen(
        [program('unshare'), '--user', '--map-root-user', '--mount', '--pid', '--uts', '--net',
         '--fork', '--kill-child', '--mount-proc', sys.executable, '-m',
         'playground.lab.inside', '--state', str(state), '--nft', program('nft', 'NFT'),
         '--began', repr(began), '--services', ','.join(args.services)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, start_new_session=True,
        preexec_fn=lambda: namespaces.die_with_parent(signal.SIGKILL))
    signal.signal(signal.SIGTERM, interrupt)
    try:
        ready = wait_until_ready(process)
        info = {'name': args.name, 'pid': first_child(process.pid), 'hosts': ready['hosts'],
                'state': str(state)}
        print(table(state, args.services), flush=True)
        servers = ', then the servers' if args.services else ''
        print(f'{READY_MARK} in {time.time() - began:.1f} s (its network after '
              f'{ready["network"]:.1f} s{servers}). Press Ctrl-C to stop.', flush=True)
        serve(control, process, info)
    except KeyboardInterrupt:
        print('\nStopping the lab.', flush=True)
    finally:
        control.close()
        stop(process)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def wait_until_ready(process):
    """Read the inside's JSON line; on failure, say why in one line and exit."""
    line = process.stdout.readline()  # the inside has its own deadline (START_TIMEOUT)
    if line:
        process.passer = threading.Thread(target=pass_on, args=(process.stderr,), daemon=True)
        process.passer.start()
        return json.loads(line)
    process.wait()
    errors = process.stderr.read().decode(errors='replace').strip().splitlines()
    lab_lines = [line for line in errors if line.startswith('lab: ')]
    sys.exit(lab_lines[-1] if lab_lines else
             f'lab: cannot start: {errors[-1] if errors else "the lab exited at once"}')


def pass_on(stream):
    """What the lab's servers print after start-up (errors) goes to our stderr."""
    for line in stream:
        sys.stderr.buffer.write(line)
        sys.stderr.flush()


def first_child(pid):
    """The process that unshare forked: the lab's PID 1, as this machine numbers it."""
    try:
        return int(pathlib.Path(f'/proc/{pid}/task/{pid}/children').read_text().split()[0])
    except (OSError, IndexError, ValueError):
        for stat in pathlib.Path('/proc').glob('[0-9]*/stat'):
            try:
                if int(stat.read_text().rsplit(')', 1)[1].split()[1]) == pid:
                    return int(stat.parent.name)
            except (OSError, IndexError, ValueError):
                continue
    raise RuntimeError('the lab has no first process')


def serve(control, process, info):
    """Tell each `run` and `capture` where the lab is, until the lab ends or we stop."""
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(process.stdout, selectors.EVENT_READ)
    message = json.dumps(info).encode()
    with selector:
        while True:
            for key, _ in selector.select():
                if key.fileobj is control:
                    connection, _ = control.accept()
                    with connection:
                        connection.sendall(message)
                elif not process.stdout.read1(4096):  # end of output: the lab ended
                    process.wait()
                    sys.exit('lab: the lab stopped unexpectedly')


def stop(process):
    """SIGTERM the lab's first process; if it lingers, kill unshare (which kills it)."""
    if process.poll() is None:
        try:
            os.kill(first_child(process.pid), signal.SIGTERM)
        except (RuntimeError, ProcessLookupError):
            pass
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if hasattr(process, 'passer'):   # let it pass on the last lines, up to stderr's end
        process.passer.join(STOP_TIMEOUT)
    for stream in (process.stdout, process.stderr):
        stream.close()


def table(state, services):
    """The start-up table: hosts and their addresses, then the networks."""
    rows = [('host', 'address', 'what it is')]
    for host in topology.HOSTS:
        where = ', '.join(f'{address} ({network})'
                          for network, (address, _) in host.addresses.items())
        rows.append((host.name, where, host.title))
    width = [max(len(row[i]) for row in rows) for i in (0, 1)]
    lines = [f'{a:{width[0]}}  {b:{width[1]}}  {c}' for a, b, c in rows]
    lines += ['', f'{"network":8} {"subnet":16} {"MTU":>4}  hosts']
    for network in topology.NETWORKS:
        names = ', '.join(host.name for host in topology.members(network))
        lines.append(f'{network.name:8} {network.subnet:16} {network.mtu:>4}  {names}')
    server = topology.SERVER.name
    offered = (f'{", ".join(services)} (the playground\'s ports, and the standard ones)'
               if services else 'none (--no-services)')
    lines += ['',
              f'Services on {server}: {offered}; DNS for every host on '
              f'{topology.NAMESERVER.name}',
              f'Run a command on a host:  python -m playground lab run laptop -- '
              f'python chapter03/tcp_sixteen.py client {server}',
              'Record a network:         python -m playground lab capture home',
              f'Trust the lab CA:         export SSL_CERT_FILE={tls_files(state)["ca"]}']
    return '\n'.join(lines)


def run(args):
    info = lookup(args.name)
    host = info['hosts'].get(args.host)
    if host is None:
        sys.exit(f'lab: no host {args.host!r} in the lab; the hosts are '
                 + ', '.join(info['hosts']))
    command = with_parent() + (args.program or [os.environ.get('SHELL') or '/bin/sh'])
    proc = f'/proc/{info["pid"]}'
    argv = entering(info, f'{proc}/fd/{host["net"]}', f'{proc}/fd/{host["uts"]}') + command
    os.execv(argv[0], argv)


def with_parent():
    """A prefix that makes a command inside the lab end (SIGTERM) when nsenter does,
    as any child would: nsenter does not pass signals on."""
    return [program('setpriv'), '--pdeathsig', 'TERM', '--'] if program('setpriv') else []


def capture(args):
    """A raw socket inside the lab records; tcpdump outside decodes (see capture.py)."""
    info = lookup(args.name)
    if args.network not in topology.NETWORK_BY_NAME:
        sys.exit(f'lab: no network {args.network!r}; the networks are '
                 + ', '.join(topology.NETWORK_BY_NAME))
    path = pathlib.Path(args.write or f'{args.network}.pcap').resolve()
    tcpdump = program('tcpdump', 'TCPDUMP')
    recorder = entering(info, f'/proc/{info["pid"]}/ns/net') + with_parent() + [
        sys.executable, str(pathlib.Path(__file__).with_name('capture.py')), args.network,
        str(path), '--label', args.write or path.name,
        *(['--count', str(args.count)] if args.count else []),
        *([] if tcpdump else ['--no-stdout'])]
    signal.signal(signal.SIGTERM, interrupt)
    # The recorder ends with us: nsenter by our PDEATHSIG, the recorder by its own.
    inside = subprocess.Popen(recorder, stdout=subprocess.PIPE if tcpdump else None,
                              preexec_fn=lambda: namespaces.die_with_parent(signal.SIGTERM))
    decoder = None
    if tcpdump:
        # In a session of its own, Ctrl-C does not reach it: it reads to the end of
        # what the recorder wrote, and stops when the recorder does.
        decoder = subprocess.Popen([tcpdump, '-r', '-', '-n', '-l', '-t',
                                    *(['-v'] if args.verbose else []), *args.filter],
                                   stdin=inside.stdout, stderr=subprocess.PIPE,
                                   start_new_session=True)
        inside.stdout.close()  # the decoder has it now
        threading.Thread(target=quiet_tcpdump, args=(decoder.stderr,), daemon=True).start()
    else:
        print(f'lab: tcpdump is not installed, so the packets go to {path} undecoded '
              '(apt-get install tcpdump, or open the file in Wireshark)', file=sys.stderr)
    try:
        status = inside.wait()
        if decoder:
            decoder.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the recorder too; SIGTERM only us
        status = 0
        if inside.poll() is None:
            inside.terminate()
        for process in (inside, decoder):
            if process:
                process.wait()
    sys.exit(status)


def quiet_tcpdump(stream):
    """tcpdump's own stderr, less its 'reading from file -' line."""
    for line in stream:
        if not line.startswith(b'reading from file'):
            sys.stderr.buffer.write(line)
            sys.stderr.flush()


def check(args):
    reason = why_not()
    if reason:
        sys.exit(f'lab: cannot start: {reason}')
    print('The lab can run here.')


def picture(args):
    from playground.lab import picture
    path = pathlib.Path(args.output or picture.DEFAULT)
    path.write_text(picture.svg(), encoding='utf-8')
    print(f'Wrote {path}')


def service_list(text):
    """'smtp,pop' -> ['smtp', 'pop'], the services the server host may run."""
    names = [name for name in text.split(',') if name]
    unknown = [name for name in names if name not in topology.SERVER_SERVICES]
    if unknown:
        raise argparse.ArgumentTypeError(f'not a service of the lab: {", ".join(unknown)} '
                                         f'(choose from {",".join(topology.SERVER_SERVICES)})')
    return names


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m playground lab', description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--name', default=os.environ.get('FOPNP_LAB') or 'lab',
                        help='which lab (default: $FOPNP_LAB, else %(default)s)')
    parser.add_argument('--state', type=pathlib.Path,
                        help=f'the lab\'s state folder (default: {DEFAULT_STATE}/NAME)')
    commands = parser.add_subparsers(dest='command', metavar='command')
    parser.add_argument('--services', metavar='LIST', type=service_list,
                        default=topology.SERVER_SERVICES,
                        help=f'the playground services that {topology.SERVER.name} runs, '
                        f'comma-separated (default: {",".join(topology.SERVER_SERVICES)})')
    parser.add_argument('--no-services', dest='services', action='store_const', const=[],
                        help='none: a quicker lab, enough for chapters 2, 3 and 7')
    commands.add_parser('start', help='start the lab (the default)')
    runner = commands.add_parser('run', help='run a command on a lab host')
    runner.add_argument('host', help='one of: ' + ', '.join(topology.BY_NAME))
    runner.add_argument('program', nargs=argparse.REMAINDER,
                        help='the command, after -- (default: your shell)')
    recorder = commands.add_parser('capture', help="record a network's packets and decode them")
    recorder.add_argument('network', help='one of: ' + ', '.join(topology.NETWORK_BY_NAME))
    recorder.add_argument('filter', nargs='*', help='a tcpdump filter for the decode (not the file)')
    recorder.add_argument('-w', '--write', metavar='FILE', help='pcap file (default: NETWORK.pcap)')
    recorder.add_argument('-c', '--count', type=int, help='stop after this many packets')
    recorder.add_argument('-v', '--verbose', action='store_true', help="tcpdump's -v")
    commands.add_parser('check', help='say whether the lab can run here')
    drawer = commands.add_parser('picture', help='redraw the topology picture')
    drawer.add_argument('output', nargs='?', help='the SVG file (default: the README\'s)')
    args = parser.parse_args(argv)
    if args.command == 'run' and args.program[:1] == ['--']:
        args.program = args.program[1:]
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    action = {'run': run, 'capture': capture, 'check': check, 'picture': picture}
    action.get(args.command, start)(args)


if __name__ == '__main__':
    main()
