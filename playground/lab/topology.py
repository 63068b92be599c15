"""The lab's small internet, as data: its networks, its hosts and its names.

Everything else is made from these tables: the namespaces and links
(playground/lab/inside.py), the start-up table, the DNS zone (zone_text
below), the TLS certificate of the server host, and the picture in the
README (python -m playground lab picture).  Only documentation addresses
(RFC 5737): 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24, so nothing
here can be mistaken for a real machine.

    laptop desktop phone --home-- modem ==NAT== --isp-- router --servers-- example.com
                                             cafe --'             (MTU 1280)  ns1.example.com
"""
import dataclasses
import ipaddress


@dataclasses.dataclass(frozen=True)
class Network:
    """A broadcast domain: a switch, and one link from it to each host on it."""
    name: str           # also the name of the switch, and of each host's interface on it
    subnet: str
    mtu: int
    title: str


@dataclasses.dataclass(frozen=True)
class Host:
    """A machine: one network namespace, one interface on each network it is on."""
    name: str           # what `lab run NAME` takes, and the host's own hostname
    addresses: dict     # network name -> (address, DNS name or None)
    gateway: str = ''   # default route
    title: str = ''
    forwards: bool = False      # a router: IP forwarding on
    masquerade: str = ''        # NAT: rewrite what leaves through this network's interface
    services: str = ''          # 'playground' or 'dns': what runs there


NETWORKS = [
    Network('home', '203.0.113.0/24', 1500,
            'a home LAN: one broadcast domain, private to the household'),
    Network('isp', '198.51.100.0/24', 1500,
            "the Internet provider's network: public addresses"),
    Network('servers', '192.0.2.0/24', 1280,
            'the server LAN, behind a link with a smaller MTU'),
]

HOSTS = [
    Host('laptop', {'home': ('203.0.113.11', None)}, '203.0.113.1', 'a home computer'),
    Host('desktop', {'home': ('203.0.113.12', None)}, '203.0.113.1', 'a home computer'),
    Host('phone', {'home': ('203.0.113.13', None)}, '203.0.113.1', 'a home computer'),
    Host('modem', {'home': ('203.0.113.1', None), 'isp': ('198.51.100.2', 'modem.example.net')},
         '198.51.100.1', "the home's NAT modem: every home host leaves as 198.51.100.2",
         forwards=True, masquerade='isp'),
    Host('cafe', {'isp': ('198.51.100.50', 'cafe.example.net')}, '198.51.100.1',
         'a laptop in a cafe, with a public address of its own (no NAT)'),
    Host('router', {'isp': ('198.51.100.1', 'router.example.net'),
                    'servers': ('192.0.2.1', 'gateway.example.com')}, '',
         'a router; its link to the servers has an MTU of 1280', forwards=True),
    Host('example.com', {'servers': ('192.0.2.10', 'example.com')}, '192.0.2.1',
         "the server host: the playground's services, on their ports and the standard ones",
         services='playground'),
    Host('ns1.example.com', {'servers': ('192.0.2.53', 'ns1.example.com')}, '192.0.2.1',
         'the DNS server every lab host asks (port 53)', services='dns'),
]

# The services the server host runs (the playground's, by name).  Not memcached:
# it insists on switching to user nobody, which the lab's user namespace lacks.
SERVER_SERVICES = ['web', 'smtp', 'pop', 'imap', 'ftp', 'ssh', 'telnet']
# Standard port -> the playground's port, redirected on the server host, so that
# `www_ping.py example.com` finds a web server on port 80 as on the Internet.
STANDARD_PORTS = {80: 10080, 443: 10443, 25: 10025, 110: 10110, 995: 10995,
                  143: 10143, 993: 10993, 21: 10021, 22: 10022, 23: 10023}

# DNS records beyond each address's own name (A and PTR come from HOSTS).
EXTRA_RECORDS = """\
www.example.com.   CNAME example.com.
www.example.net.   CNAME example.com.
mail.example.com.  A     192.0.2.10
example.com.       MX    10 mail.example.com.
example.com.       NS    ns1.example.com.
example.net.       NS    ns1.example.com.
"""

BY_NAME = {host.name: host for host in HOSTS}
NETWORK_BY_NAME = {network.name: network for network in NETWORKS}
SERVER = next(host for host in HOSTS if host.services == 'playground')
NAMESERVER = next(host for host in HOSTS if host.services == 'dns')


def address_of(host, network=None):
    """A host's address (on the given network, else its first)."""
    addresses = host.addresses
    return addresses[network][0] if network else next(iter(addresses.values()))[0]


def members(network):
    """The hosts on a network, in table order."""
    return [host for host in HOSTS if network.name in host.addresses]


def broadcast(network):
    return str(ipaddress.ip_network(network.subnet).broadcast_address)


def prefixlen(network):
    return ipaddress.ip_network(network.subnet).prefixlen


def zone_text():
    """The lab's DNS data in master-file syntax.

    The lab's name server holds every top-level domain its names use (and
    RFC 2606's 'invalid'), so that a name that is nowhere in this small
    internet gets NXDOMAIN, as a real resolver would answer; every address
    with a name has its PTR record.
    """
    records = []
    for host in HOSTS:
        for address, name in host.addresses.values():
            if name:
                reverse = ipaddress.ip_address(address).reverse_pointer
                records += [f'{name}.  A  {address}', f'{reverse}.  PTR  {name}.']
    records += EXTRA_RECORDS.splitlines()
    tlds = dict.fromkeys([line.split()[0].rstrip('.').rsplit('.', 1)[-1] for line in records]
                         + ['invalid'])
    soa = f'SOA {NAMESERVER.name}. hostmaster.example.com. 1 3600 600 86400 60'
    return '\n'.join(['$TTL 300'] + [f'{tld}.  {soa}' for tld in tlds] + records) + '\n'


def tls_names():
    """The names (and address) the server host's certificate is valid for."""
    server, names = address_of(SERVER), [SERVER.name]
    for line in EXTRA_RECORDS.splitlines():
        owner, kind, target = line.split(None, 2)
        if (kind, target) in (('CNAME', SERVER.name + '.'), ('A', server)):
            names.append(owner.rstrip('.'))
    return names + [server, 'localhost', '127.0.0.1']
