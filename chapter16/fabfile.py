#!/usr/bin/env python3
# Foundations of Python Network Programming - Chapter 16 - fabfile.py
# A Fabric task: run commands on each server named on fab's command line, and fetch a file.
#
# Run it with Fabric's own command line (-r names the folder of this fabfile):
#   fab -r chapter16 -H brandon@127.0.0.1:10022 --prompt-for-login-password \
#       report --known-hosts .playground/ssh/known_hosts

import os
import sys

import paramiko
from fabric import task
from invoke.exceptions import Exit

KNOWN_HOSTS = os.path.expanduser('~/.ssh/known_hosts')
LOG_FILE = '/var/log/messages'


def open_checked(c, known_hosts):
    """Connect, checking the server's key against known_hosts as ssh does."""
    # Fabric's Connection trusts any host key it has never seen
    # (paramiko.AutoAddPolicy): whoever sits between you and the server could
    # pose as it and collect your password. Refuse keys we do not know.
    if os.path.exists(known_hosts):
        c.client.load_host_keys(known_hosts)
    c.client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        c.open()
    except (OSError, paramiko.SSHException) as exc:
        raise Exit(f'{c.host}:{c.port}: {exc}', code=1) from None


@task
def report(c, known_hosts=KNOWN_HOSTS):
    """Say hello, show the system and its uptime, and download its log file."""
    open_checked(c, known_hosts)
    c.run('echo "Hello from $USER on the far side"')
    c.run('uname')
    c.run('uptime')
    name = os.path.basename(LOG_FILE)
    if os.path.exists(name):
        print(f'Not downloading {LOG_FILE}: a local file {name} exists')
    else:
        c.get(LOG_FILE, name)
        print(f'Downloaded {LOG_FILE} ({os.path.getsize(name)} bytes)')


if __name__ == '__main__':
    sys.exit('This is a fabfile: run it through Fabric, for example\n'
             '  fab -r chapter16 -H brandon@127.0.0.1:10022 --prompt-for-login-password '
             'report --known-hosts .playground/ssh/known_hosts')
