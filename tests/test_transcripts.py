"""The console transcripts in every chapter README still match real runs (see transcripts.py)."""
import socket

import pytest

from harness import Playground, require_binary
from transcripts import REPO, Runner, blocks, check_block

from playground.services import BY_NAME

READMES = sorted(REPO.glob('chapter[0-9][0-9]/README.md'))
# A README's blocks run in order, on one worker, against one playground of its own.
CASES = [pytest.param(block, id=f'{readme.parent.name}:{block.line}',
                      marks=pytest.mark.xdist_group(readme.parent.name))
         for readme in READMES for block in blocks(readme)]


@pytest.fixture(scope='session')
def readme_playground(tmp_path_factory):
    """readme_playground(readme) -> the Playground of that README's blocks, with every
    service they need, started at the first block that needs one; the previous
    README's is stopped then (a worker runs one README's blocks after another)."""
    current = {}

    def get(readme):
        if readme not in current:
            for each in current.values():
                each.stop()
            current.clear()
            services = set().union(*(block.services for block in blocks(readme)))
            current[readme] = Playground(sorted(services),
                                         tmp_path_factory.mktemp(readme.parent.name))
        return current[readme]
    yield get
    for each in current.values():
        each.stop()


@pytest.mark.timeout(120)
@pytest.mark.parametrize('block', CASES)
def test_transcript(block, readme_playground, tmp_path):
    if 'memcached' in block.services:
        require_binary('memcached')
    playground = readme_playground(block.readme) if block.services else None
    relative = {rel for name in block.services for rel in BY_NAME[name].ports.values()}
    problems = check_block(Runner(tmp_path, playground, relative, block.inputs), block.text)
    assert not problems, (f'{block.readme}:{block.line} is out of date:\n\n'
                          + '\n\n'.join(problems))


def test_every_chapter_has_checked_transcripts():
    missing = [readme.parent.name for readme in READMES if not list(blocks(readme))]
    assert not missing, f'READMEs without a ```console transcript: {missing}'


@pytest.mark.xfail(strict=True, reason='the chapter READMEs are being converted (issue 10)')
def test_no_block_is_left_unchecked():
    unchecked = [f'{readme.parent.name}:{text.count(chr(10), 0, at) + 1}'
                 for readme in READMES
                 for text in [readme.read_text(encoding='utf-8')]
                 for at in [i for i in range(len(text)) if text.startswith('not checked', i)]]
    assert not unchecked, f'blocks marked "not checked": {unchecked}'


@pytest.mark.timeout(120)
def test_a_readers_own_servers_do_not_disturb_the_transcripts(tmp_path):
    """A reader's `tcp_sixteen.py server` on 1060 and playground on 10080 keep running
    while the suite checks the transcripts that use those very ports."""
    held = []
    for number, kind in ((1060, socket.SOCK_STREAM), (1060, socket.SOCK_DGRAM),
                         (10080, socket.SOCK_STREAM)):
        sock = socket.socket(socket.AF_INET, kind)
        try:
            sock.bind(('127.0.0.1', number))
            if kind == socket.SOCK_STREAM:
                sock.listen()   # accepts, and never answers: a test that reached it hangs
        except OSError:   # a reader's program holds it already: just as good
            sock.close()
            continue
        held.append(sock)
    sixteen = next(blocks(REPO / 'chapter03' / 'README.md'))
    search = next(block for block in blocks(REPO / 'chapter01' / 'README.md')
                  if 'search2.py' in block.text)
    web = Playground(['web'], tmp_path / 'state')
    try:
        for block in sixteen, search:
            playground = web if block.services else None
            workdir = tmp_path / f'block{block.line}'
            workdir.mkdir()
            relative = set(BY_NAME['web'].ports.values()) if block.services else set()
            problems = check_block(Runner(workdir, playground, relative), block.text)
            assert not problems, '\n\n'.join(problems)
    finally:
        web.stop()
        for sock in held:
            sock.close()
