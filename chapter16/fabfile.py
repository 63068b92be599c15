#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - fabfile.py
# A Fabric task: run commands on each host named on fab's command line, then fetch a file.
#
# Run it with Fabric's command line (-r names the folder of this fabfile):
#   fab -r chapter16 -H brandon@127.0.0.1:10022 --prompt-for-login-password report \
#       --known-hosts .playground/ssh/known_hosts
# `python chapter16/fabfile.py -H ...` with the same options does the same.

import logging, os, sys

import fabric.main, paramiko
from fabric import task


@task
def report(c, known_hosts=None):
    """Say hello, show the system and its uptime, and fetch its log file."""
    # Fabric trusts any host key it has never seen (AutoAddPolicy): refuse them, as ssh
    # does; trust ~/.ssh/known_hosts, or the file named with --known-hosts.
    c.client.load_system_host_keys(known_hosts)
    c.client.set_missing_host_key_policy(paramiko.RejectPolicy())
    c.connect_kwargs.update(timeout=10, banner_timeout=5, auth_timeout=5)   # as in ssh_simple.py
    logging.getLogger('paramiko').addHandler(logging.NullHandler())  # we report errors
    try:
        c.run('echo "Hello from $USER on the far side"')
        c.run('uname')
        c.run('uptime')
        if os.path.exists('messages'):
            print('Not downloading /var/log/messages: a local file messages exists')
        else:   # under another name first: a failed copy must not pass for a whole one
            print('Downloading /var/log/messages')
            c.get('/var/log/messages', 'messages.part')
            os.rename('messages.part', 'messages')
    except (paramiko.SSHException, EOFError) as e:   # refused key or login, not SSH, hung up
        sys.exit(f'fabfile: {c.host}:{c.port}: {str(e) or "connection closed"}')
    except OSError as e:                             # refused, timed out, no such remote file
        sys.exit(f'fabfile: {c.host}:{c.port}: {e.strerror or e}')


if __name__ == '__main__':   # python fabfile.py ARGS: fab -r <this folder> ARGS
    fabric.main.program.run(['fab', '-r', os.path.dirname(os.path.abspath(__file__)), *sys.argv[1:]])
