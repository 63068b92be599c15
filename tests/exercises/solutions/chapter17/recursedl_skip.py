#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 17 - recursedl.py
# Walk a remote folder tree, printing every folder and file, and copy it into a local folder.
# Exercise solution: run again, it fetches only the files it does not have yet.

import argparse, ftplib, os, sys


# MLSD's facts say whether an entry is a folder; without them, the book's test: can we cd there?
def is_folder(f, path, facts):
    if facts:
        return facts['type'] == 'dir'
    try:
        return bool(f.cwd(path))
    except ftplib.error_perm:    # 550: not a folder (or not one for us)
        return False


def walk(f, remote, local, mlsd):
    """Print and copy the remote folder, and all beneath it, into the local folder."""
    print(remote + '/')
    os.makedirs(local, exist_ok=True)   # there already, from an earlier run: go in
    f.cwd(remote)
    # MLSD (RFC 3659) lists names with facts; NLST lists bare names (of the working
    # folder: given a folder, some servers answer with paths).
    entries = f.mlsd(facts=['type']) if mlsd else [(name, {}) for name in f.nlst()]
    for name, facts in sorted(entries):   # the whole list first: then RETR, CWD...
        if '/' in name or name in ('.', '..'):
            continue   # a hostile server must not make us write outside the copy
        path = f'{remote}/{name}'
        if is_folder(f, path, facts):
            walk(f, path, os.path.join(local, name), mlsd)
        elif os.path.exists(os.path.join(local, name)):
            print(f'Skipping {path}: already here')
        else:
            print(path)
            # Under another name first: a file cut short must not pass for a whole one.
            with open(os.path.join(local, name + '.part'), 'wb') as fd:
                f.retrbinary(f'RETR {path}', fd.write)
            os.rename(os.path.join(local, name + '.part'), os.path.join(local, name))


def main(host, port):
    """Copy /pub/linux/kernel/Historic into the local folder Historic, or what it lacks."""
    # A run cut short leaves its whole files in Historic: the next run goes on from there.
    with ftplib.FTP(timeout=5) as f:
        f.connect(host, port)
        f.login()
        mlsd = 'MLST' in f.sendcmd('FEAT')   # a server with MLSD lists the feature as MLST
        walk(f, '/pub/linux/kernel/Historic', 'Historic', mlsd)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Copy the folder tree /pub/linux/kernel/Historic.')
    parser.add_argument('host', nargs='?', default='127.0.0.1', help='default: the playground')
    parser.add_argument('-p', '--port', type=int, default=10021)
    args = parser.parse_args()
    try:
        main(args.host, args.port)
    except (ftplib.Error, EOFError, UnicodeError) as e:  # said no, hung up, spoke garbage
        sys.exit(f'recursedl: {args.host}:{args.port}: {str(e) or "connection closed"}')
    except OSError as e:                                 # refused, unreachable, timed out
        sys.exit(f'recursedl: {args.host}:{args.port}: {e.strerror or e}')
