"""The lab's first process: build its hosts and links, start its servers, then wait.

`python -m playground lab` (cli.py) starts this module through util-linux's
unshare, in new user, mount, PID, UTS and network namespaces: here we are
root, and nowhere else.  This process is PID 1 of the lab.  Its own network
namespace holds the switches, one Linux bridge per network; each host is a
network and UTS namespace of its own, held open by a file descriptor of this
process, and joined to the switches by veth pairs.  When this process ends,
for any reason, the kernel ends every process of its PID namespace, and the
namespaces go with them: the lab leaves nothing behind.

When everything answers it prints one JSON line (the hosts' descriptors) on
stdout, then waits for SIGTERM, reaping the processes orphaned inside the
lab as a PID 1 must.
"""
import argparse
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time

from playground.lab import namespaces, topology
from playground.lab.namespaces import CLONE_NEWNET, CLONE_NEWUTS

START_TIMEOUT = 20.0
ETC_FILES = ('resolv.conf', 'hosts', 'nsswitch.conf')  # shown over /etc's, see cli.py


def sysctl(name, value):
    """Set a sysctl of the network namespace this thread is in."""
    path = pathlib.Path('/proc/sys') / name.replace('.', '/')
    path.write_text(f'{value}\n')


class Lab:
    """The namespaces of the hosts, and a netlink socket in each."""

    def __init__(self):
        self.core = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
        self.core_uts = os.open('/proc/thread-self/ns/uts', os.O_RDONLY)
        self.fds = {}

    def enter(self, host):
        namespaces.setns(self.fds[host.name]['net'], CLONE_NEWNET)

    def leave(self):
        namespaces.setns(self.core, CLONE_NEWNET)

    def create(self, host):
        """A new network and UTS namespace for a host, with IPv6 off (quiet captures)."""
        namespaces.unshare(CLONE_NEWNET | CLONE_NEWUTS)
        socket.sethostname(host.name)
        self.fds[host.name] = {kind: os.open(f'/proc/thread-self/ns/{kind}', os.O_RDONLY)
                               for kind in ('net', 'uts')}
        quiet_ipv6()
        if host.forwards:
            sysctl('net.ipv4.ip_forward', 1)
        if host.services:  # its servers start before its address exists (see main)
            sysctl('net.ipv4.ip_nonlocal_bind', 1)
        namespaces.setns(self.core_uts, CLONE_NEWUTS)
        self.leave()


def quiet_ipv6():
    """No IPv6 in the lab: its addresses are IPv4 ones, and captures stay readable."""
    for interface in ('all', 'default', 'lo'):
        sysctl(f'net.ipv6.conf.{interface}.disable_ipv6', 1)


def build(lab):
    """The switches, the links to the hosts, addresses and routes."""
    from pyroute2 import IPRoute  # imported here, while the servers start
    core = IPRoute()
    for network in topology.NETWORKS:
        core.link('add', ifname=network.name, kind='bridge')
    for number, host in enumerate(topology.HOSTS):
        for network_name in host.addresses:
            network = topology.NETWORK_BY_NAME[network_name]
            # The host's end is named after the network; the switch's end after the host.
            port = f'{network.name[:8]}-{number}'
            core.link('add', ifname=port, kind='veth',
                      peer={'ifname': network.name, 'net_ns_fd': lab.fds[host.name]['net']})
            bridge = core.link_lookup(ifname=network.name)[0]
            core.link('set', index=core.link_lookup(ifname=port)[0], mtu=network.mtu,
                      master=bridge, state='up')
    for network in topology.NETWORKS:
        core.link('set', index=core.link_lookup(ifname=network.name)[0], mtu=network.mtu,
                  state='up')
    core.close()
    for host in topology.HOSTS:
        lab.enter(host)
        try:
            netlink = IPRoute()  # its socket stays in the host's namespace
        finally:
            lab.leave()
        with netlink:
            configure(netlink, host)


def configure(netlink, host):
    """Inside one host: loopback, its interfaces with address and MTU, its default route."""
    netlink.link('set', index=netlink.link_lookup(ifname='lo')[0], state='up')
    for network_name, (address, _) in host.addresses.items():
        network = topology.NETWORK_BY_NAME[network_name]
        index = netlink.link_lookup(ifname=network.name)[0]
        netlink.link('set', index=index, mtu=network.mtu, state='up')
        netlink.addr('add', index=index, address=address,
                     prefixlen=topology.prefixlen(network), broadcast=topology.broadcast(network))
    if host.gateway:
        netlink.route('add', dst='0.0.0.0/0', gateway=host.gateway)


def nft_rules(host):
    """The host's nftables rules (NAT), or '' when it has none."""
    chains = []
    if host.masquerade:  # the modem: everything leaving for the ISP takes its address
        chains.append('chain postrouting {\n  type nat hook postrouting priority srcnat;\n'
                      f'  oifname "{host.masquerade}" masquerade\n}}')
    if host.services == 'playground':  # the standard ports lead to the playground's
        ports = topology.STANDARD_PORTS
        listed = ', '.join(map(str, ports))
        mapped = ', '.join(f'{a} : {b}' for a, b in ports.items())
        chains.append('chain prerouting {\n  type nat hook prerouting priority dstnat;\n'
                      f'  tcp dport {{ {listed} }} redirect to :tcp dport map {{ {mapped} }}\n}}')
    return 'table ip lab {\n' + '\n'.join(chains) + '\n}\n' if chains else ''


def apply_rules(lab, nft):
    for host in topology.HOSTS:
        rules = nft_rules(host)
        if rules:
            lab.enter(host)
            try:
                done = subprocess.run([nft, '-f', '-'], input=rules, text=True,
                                      capture_output=True)
            finally:
                lab.leave()
            if done.returncode:
                raise RuntimeError(f'nft on {host.name}: {done.stderr.strip()}')


def show_lab_files(state):
    """Every lab host resolves names with the lab's DNS: its own /etc files, seen
    only in the lab's mount namespace (written by cli.py)."""
    for name in ETC_FILES:
        if name == 'resolv.conf' or os.path.exists(f'/etc/{name}'):  # musl has no nsswitch
            namespaces.bind_mount(state / 'etc' / name, f'/etc/{name}')
    if os.path.exists('/run/nscd/socket'):  # a caching daemon would answer from outside
        namespaces.bind_mount(state / 'etc', '/run/nscd')


def start_on(lab, host, command, **options):
    """Start a process inside a host (it inherits this thread's namespaces)."""
    lab.enter(host)
    try:
        return subprocess.Popen(command, **options)
    finally:
        lab.leave()


def start_services(lab, state, wanted):
    """The lab's DNS server, and the wanted services of the playground on the server host."""
    from playground.services import BY_NAME
    server, nameserver = topology.SERVER, topology.NAMESERVER
    dns = start_on(lab, nameserver, [
        sys.executable, '-m', BY_NAME['dns'].module, '--state', str(state),
        '--port-offset', '0', '--host', topology.address_of(nameserver)])
    services = {dns.pid: (dns, 'the DNS server')}
    if wanted:
        launcher = start_on(lab, server, [
            sys.executable, '-m', 'playground', *wanted,
            '--host', topology.address_of(server), '--state', str(state)],
            stdout=subprocess.PIPE, text=True)
        services[launcher.pid] = (launcher, 'the playground')
    return services


class LauncherOutput:
    """Reads the playground launcher's output: its table until ready, then passes it on."""

    def __init__(self, process):
        from playground.__main__ import READY_MARK
        self.mark, self.lines, self.ready = READY_MARK, [], threading.Event()
        if process is None:  # no playground in this lab
            self.ready.set()
        else:
            threading.Thread(target=self._pump, args=(process.stdout,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            if self.ready.is_set():
                sys.stderr.write(line)
            else:
                self.lines.append(line)
                if line.startswith(self.mark):
                    self.ready.set()


def answers(lab, host, port):
    """Does a TCP port of a host accept a connection, seen from inside that host?"""
    lab.enter(host)
    try:
        probe = socket.socket()
    finally:
        lab.leave()
    with probe:
        probe.settimeout(0.2)
        return probe.connect_ex((topology.address_of(host), port)) == 0


def wait_until_ready(lab, services, launcher, state):
    deadline = time.monotonic() + START_TIMEOUT
    while not (launcher.ready.is_set() and answers(lab, topology.NAMESERVER, 53)):
        for process, what in services.values():
            if process.poll() is not None:
                raise RuntimeError(f'{what} exited with status {process.returncode} while '
                                   f'the lab started; see {state}/playground.log')
        if time.monotonic() > deadline:
            raise RuntimeError(f'the servers did not answer within {START_TIMEOUT:.0f} s')
        time.sleep(0.02)


def trust_ssh_names(state):
    """Add the server host's lab names to the playground's known_hosts file."""
    from playground import sandbox
    known = sandbox.folder(state) / 'known_hosts'
    first = known.read_text().splitlines()[0]
    key = first.split(None, 1)[1]
    names = [name for name in topology.tls_names() if name not in ('localhost', '127.0.0.1')]
    with known.open('a') as out:
        for name in names:
            out.write(f'[{name}]:10022 {key}\n{name} {key}\n')


def serve_forever(services):
    """Reap every child (ours and the orphans of `lab run`) until SIGTERM."""
    while True:
        pid, status = os.wait()
        if pid in services:
            process, what = services.pop(pid)
            process.returncode = os.waitstatus_to_exitcode(status)
            raise RuntimeError(f'{what} stopped unexpectedly (status {process.returncode})')


def stop(services):
    for process, _ in services.values():
        if process.returncode is None:
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while services and time.monotonic() < deadline:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid in services:
            process, _ = services.pop(pid)
            process.returncode = os.waitstatus_to_exitcode(status)
        elif pid == 0:
            time.sleep(0.02)
    for process, _ in services.values():
        process.returncode = -signal.SIGKILL  # the kernel ends them with us


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m playground.lab.inside')
    parser.add_argument('--state', type=pathlib.Path, required=True)
    parser.add_argument('--nft', required=True)
    parser.add_argument('--services', default=','.join(topology.SERVER_SERVICES),
                        help="the playground's services on the server host, or ''")
    parser.add_argument('--began', type=float, default=time.time(),
                        help='when `lab` started (for its start-up times)')
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    services = {}
    try:
        show_lab_files(args.state)
        quiet_ipv6()
        lab = Lab()
        for host in topology.HOSTS:
            lab.create(host)
        # The servers take the longest to start (Python, and their libraries): they
        # start first, allowed to bind an address their host does not have yet.
        wanted = [name for name in args.services.split(',') if name]
        services = start_services(lab, args.state, wanted)
        launcher = LauncherOutput(next((p for p, w in services.values()
                                        if w == 'the playground'), None))
        build(lab)
        apply_rules(lab, args.nft)
        network = time.time() - args.began
        wait_until_ready(lab, services, launcher, args.state)
        for host in topology.HOSTS:
            if host.services:  # from now on, as on any host: only its own addresses
                lab.enter(host)
                sysctl('net.ipv4.ip_nonlocal_bind', 0)
                lab.leave()
        if 'ssh' in wanted:
            trust_ssh_names(args.state)
        print(json.dumps({'hosts': lab.fds, 'network': network,
                          'servers': time.time() - args.began}), flush=True)
        serve_forever(services)
    except (OSError, RuntimeError) as exc:
        sys.exit(f'lab: {exc}')
    finally:
        stop(services)


if __name__ == '__main__':
    main()
