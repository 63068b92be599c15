"""The README transcripts that run on the lab (marked <!-- transcript: lab -->).

Each README's lab blocks run in order, on one worker, against a lab of their
own (python -m playground lab), with the rules of transcripts.py except its
port map: inside the lab the ports are the very ones the README shows (the
lab's hosts are namespaces of their own, where nothing else listens), and
`python -m playground lab run ...` finds this lab by FOPNP_LAB.  The README's
'.playground/lab/' is the test lab's state folder; SSL_CERT_FILE is its CA.
"""
import dataclasses
import pathlib

import pytest

from labharness import Lab, require_lab
from transcripts import REPO, Runner, blocks, check_block

from playground.lab.topology import SERVER_SERVICES

READMES = sorted(REPO.glob('chapter[0-9][0-9]/README.md'))
CASES = [pytest.param(block, id=f'{readme.parent.name}:{block.line}',
                      marks=pytest.mark.xdist_group(f'{readme.parent.name}-lab'))
         for readme in READMES for block in blocks(readme, lab=True)]
# The lessons of issue 12 that need more than one host, by chapter.
LESSONS = ('chapter02', 'chapter03', 'chapter04', 'chapter06', 'chapter07', 'chapter13',
           'chapter14', 'chapter15', 'chapter16', 'chapter17')


@dataclasses.dataclass
class Place:
    """What transcripts.Runner maps '.playground/' to: the folder holding the lab's state."""
    state: pathlib.Path


class LabRunner(Runner):
    """transcripts.Runner for a lab: no port map, the lab's name, state and CA."""

    def __init__(self, workdir, lab, inputs=None):
        super().__init__(workdir, None, inputs=inputs)
        self.to_real = {}
        self.playground = Place(lab.state.parent)   # .playground/lab/ -> <folder>/lab/
        self.env.update(FOPNP_PORT_MAP='', FOPNP_LAB=lab.name,
                        SSL_CERT_FILE=str(lab.state / 'ca.pem'))


@pytest.fixture(scope='session')
def readme_lab(tmp_path_factory):
    """readme_lab(readme) -> the Lab of that README's lab blocks, with the playground's
    services that its chapter uses (transcripts.SERVICES) on the server host; the
    previous README's is stopped then (a worker runs one README's blocks after another)."""
    current = {}

    def get(readme):
        if readme not in current:
            for each in current.values():
                each.stop()
            current.clear()
            require_lab()
            needed = set().union(*(block.services for block in blocks(readme, lab=True)))
            current[readme] = Lab(tmp_path_factory.mktemp(f'{readme.parent.name}-lab'),
                                  services=sorted(needed & set(SERVER_SERVICES)))
        return current[readme]
    yield get
    for each in current.values():
        each.stop()


@pytest.mark.timeout(180)
@pytest.mark.parametrize('block', CASES)
def test_lab_transcript(block, readme_lab, tmp_path):
    runner = LabRunner(tmp_path, readme_lab(block.readme), block.inputs)
    problems = check_block(runner, block.text)
    assert not problems, (f'{block.readme}:{block.line} is out of date:\n\n'
                          + '\n\n'.join(problems))


def test_every_lesson_of_the_lab_has_a_checked_transcript():
    missing = [chapter for chapter in LESSONS
               if not list(blocks(REPO / chapter / 'README.md', lab=True))]
    assert not missing, f'chapters without a lab transcript: {missing}'
