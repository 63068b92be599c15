"""The lab: a small internet of hosts in Linux namespaces, for the multi-host lessons.

Start it with `python -m playground lab` (see cli.py); the hosts and networks
are in topology.py.
"""
