"""The lab's topology as an SVG picture, drawn from topology.py (and only from it).

    python -m playground lab picture      rewrites playground/lab/topology.svg

Each network is a vertical line (its switch) labelled with its subnet and MTU;
a host on one network hangs beside it, a host on two (a router) sits between
them, wired to both.  Written by hand, so that it needs no plotting library
and the same data always gives the same file (a test compares them).
"""
import pathlib
from xml.sax.saxutils import escape

from playground.lab import topology

DEFAULT = pathlib.Path(__file__).with_name('topology.svg')
BOX_WIDTH, BOX_HEIGHT, ROW, GAP, MARGIN, TOP = 200, 58, 74, 36, 16, 74
COLORS = {1500: '#4a6fa5', 1280: '#c0561b'}


def placements():
    """(column, hosts) for each column: left of the first network, between each two
    networks, right of the last; each host in the column nearest its networks."""
    networks = [network.name for network in topology.NETWORKS]
    columns = [[] for _ in range(len(networks) + 1)]
    for host in topology.HOSTS:
        indexes = sorted(networks.index(name) for name in host.addresses)
        if len(indexes) == 2:
            columns[indexes[0] + 1].insert(0, host)   # routers first, at the top
        elif indexes[0] == 0:
            columns[0].append(host)
        else:
            columns[indexes[0] + 1].append(host)
    return columns


def role(host):
    if host.masquerade:
        return 'NAT to the isp network'
    if host.services == 'playground':
        return ' '.join(topology.SERVER_SERVICES)
    if host.services == 'dns':
        return 'DNS server, port 53'
    return 'IP forwarding' if host.forwards else ''


def text(x, y, content, size=12, anchor='start', weight='normal', color='#222'):
    return (f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{color}">{escape(content)}</text>')


def svg():
    columns = placements()
    networks = topology.NETWORKS
    box_x = [MARGIN + i * (BOX_WIDTH + 2 * GAP) for i in range(len(columns))]
    bus_x = [x + BOX_WIDTH + GAP for x in box_x[:-1]]
    rows = max(len(column) for column in columns)
    width = box_x[-1] + BOX_WIDTH + MARGIN
    height = TOP + rows * ROW + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    lowest = {network.name: TOP for network in networks}
    for column, hosts in enumerate(columns):
        for row, host in enumerate(hosts):
            x, y = box_x[column], TOP + row * ROW
            middle = y + BOX_HEIGHT / 2
            parts.append(f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" '
                         'rx="6" fill="#f4f6f9" stroke="#555"/>')
            parts.append(text(x + BOX_WIDTH / 2, y + 17, host.name, 13, 'middle', 'bold'))
            for network_name, (address, _) in host.addresses.items():
                index = [n.name for n in networks].index(network_name)
                left = index < column  # the network's line is left of this box
                edge, bus = (x, bus_x[index]) if left else (x + BOX_WIDTH, bus_x[index])
                color = COLORS.get(topology.NETWORK_BY_NAME[network_name].mtu, '#555')
                parts.append(f'<line x1="{edge}" y1="{middle}" x2="{bus}" y2="{middle}" '
                             f'stroke="{color}" stroke-width="2"/>')
                parts.append(f'<circle cx="{bus}" cy="{middle}" r="3.5" fill="{color}"/>')
                parts.append(text(x + 8 if left else x + BOX_WIDTH - 8, y + 34, address, 11,
                                  'start' if left else 'end'))
                lowest[network_name] = max(lowest[network_name], middle)
            parts.append(text(x + BOX_WIDTH / 2, y + 50, role(host), 10, 'middle',
                              color='#666'))
    for index, network in enumerate(networks):
        color = COLORS.get(network.mtu, '#555')
        parts.append(f'<line x1="{bus_x[index]}" y1="{TOP - 16}" x2="{bus_x[index]}" '
                     f'y2="{lowest[network.name] + 14}" stroke="{color}" stroke-width="5"/>')
        parts.append(text(bus_x[index], 22, network.name, 14, 'middle', 'bold', color))
        parts.append(text(bus_x[index], 38, network.subnet, 11, 'middle', color=color))
        parts.append(text(bus_x[index], 52, f'MTU {network.mtu}', 11, 'middle', color=color))
    parts.append('</svg>')
    return '\n'.join(parts) + '\n'
