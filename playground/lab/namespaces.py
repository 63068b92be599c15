"""The few Linux system calls the lab needs that Python 3.10 lacks (os.setns came in 3.12)."""
import ctypes
import os

CLONE_NEWNET = 0x40000000
CLONE_NEWUTS = 0x04000000
MS_BIND = 0x1000
PR_SET_PDEATHSIG = 1

_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result, what):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f'{what}: {os.strerror(number)}')


def unshare(flags):
    """Move this thread into new namespaces of the given kinds."""
    _check(libc().unshare(flags), 'unshare')


def setns(fd, kind):
    """Move this thread into the namespace that an open /proc/.../ns/ file names."""
    _check(libc().setns(fd, kind), 'setns')


def bind_mount(source, target):
    """Show the file `source` at `target` (in this mount namespace only)."""
    _check(libc().mount(os.fsencode(source), os.fsencode(target), None, MS_BIND, None),
           f'mount {source} on {target}')


def die_with_parent(signal_number):
    """Ask the kernel to send us `signal_number` when our parent dies (prctl)."""
    _check(libc().prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0), 'prctl')
