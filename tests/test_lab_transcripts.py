"""The README transcripts that run on the lab (marked <!-- transcript: lab -->).

One test per README: its lab blocks run in order against a lab of their own
(python -m playground lab), with the rules of transcripts.py except its
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

READMES = [readme for readme in sorted(REPO.glob('chapter[0-9][0-9]/README.md'))
           if list(blocks(readme, lab=True))]
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


@pytest.mark.timeout(300)
@pytest.mark.parametrize('readme', READMES, ids=lambda readme: readme.parent.name)
def test_lab_transcripts(readme, tmp_path):
    """A README's lab blocks, in order, as a reader would run them, against a lab of its
    own whose server host runs the playground's services that the chapter uses
    (transcripts.SERVICES)."""
    require_lab()
    lab_blocks = list(blocks(readme, lab=True))
    needed = set().union(*(block.services for block in lab_blocks)) & set(SERVER_SERVICES)
    lab = Lab(tmp_path / 'lab', services=sorted(needed))
    problems = []
    try:
        for block in lab_blocks:
            workdir = tmp_path / f'block{block.line}'
            workdir.mkdir()
            problems += [f'{readme}:{block.line}:\n{problem}' for problem in
                         check_block(LabRunner(workdir, lab, block.inputs), block.text)]
    finally:
        lab.stop()
    assert not problems, f'{readme} is out of date:\n\n' + '\n\n'.join(problems)


def test_every_lesson_of_the_lab_has_a_checked_transcript():
    missing = [chapter for chapter in LESSONS
               if not list(blocks(REPO / chapter / 'README.md', lab=True))]
    assert not missing, f'chapters without a lab transcript: {missing}'
