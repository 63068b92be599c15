"""The console transcripts in every chapter README still match real runs (see transcripts.py)."""
import pathlib

import pytest

from playground.services import SERVICES
from transcripts import REPO, Runner, blocks, check_block

READMES = sorted(REPO.glob('chapter[0-9][0-9]/README.md'))
CASES = [pytest.param(readme, line, text, id=f'{readme.parent.name}:{line}')
         for readme in READMES for line, text in blocks(readme)]


# One xdist worker runs them all: the book's servers listen on fixed ports (1060).
@pytest.mark.xdist_group('transcripts')
@pytest.mark.parametrize('readme, line, block', CASES)
def test_transcript(readme, line, block, playground, tmp_path):
    everything = playground(*(service.name for service in SERVICES))
    relative = {rel for service in SERVICES for rel in service.ports.values()}
    problems = check_block(Runner(tmp_path, everything, relative), block)
    assert not problems, f'{readme}:{line} is out of date:\n\n' + '\n\n'.join(problems)


def test_every_chapter_has_checked_transcripts():
    missing = [readme.parent.name for readme in READMES if not list(blocks(readme))]
    assert not missing, f'READMEs without a ```console transcript: {missing}'
