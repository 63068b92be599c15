"""The console transcripts in every chapter README still match real runs (see transcripts.py)."""
import contextlib
import fcntl
import pathlib
import tempfile

import pytest

from playground.services import SERVICES
from transcripts import REPO, Runner, blocks, check_block

READMES = sorted(REPO.glob('chapter[0-9][0-9]/README.md'))
CASES = [pytest.param(readme, line, text, id=f'{readme.parent.name}:{line}')
         for readme in READMES for line, text in blocks(readme)]


@contextlib.contextmanager
def book_ports(readme):
    """The book's servers listen on fixed ports (1060, 7001, 18861...), and their
    chapters show clients failing where no server listens: the blocks of those
    chapters run one at a time, across xdist workers and concurrent runs of the
    suite. Chapters that only talk to the playground run freely."""
    if ' &\n' not in readme.read_text(encoding='utf-8'):
        yield
        return
    with open(pathlib.Path(tempfile.gettempdir()) / 'fopnp-book-ports.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.mark.timeout(180)  # blocks wait their turn for the book's ports
@pytest.mark.parametrize('readme, line, block', CASES)
def test_transcript(readme, line, block, playground, tmp_path):
    everything = playground(*(service.name for service in SERVICES))
    relative = {rel for service in SERVICES for rel in service.ports.values()}
    with book_ports(readme):
        problems = check_block(Runner(tmp_path, everything, relative), block)
    assert not problems, f'{readme}:{line} is out of date:\n\n' + '\n\n'.join(problems)


def test_every_chapter_has_checked_transcripts():
    missing = [readme.parent.name for readme in READMES if not list(blocks(readme))]
    assert not missing, f'READMEs without a ```console transcript: {missing}'
