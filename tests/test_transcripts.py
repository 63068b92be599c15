"""The console transcripts in every chapter README still match real runs (see transcripts.py)."""
import shutil
import socket

import pytest

from harness import Playground, require_binary
from transcripts import REPO, WRITES, Runner, blocks, check_block

from playground.services import BY_NAME

READMES = sorted(REPO.glob('chapter[0-9][0-9]/README.md'))


@pytest.mark.timeout(300)
@pytest.mark.parametrize('readme', READMES, ids=lambda readme: readme.parent.name)
def test_transcripts(readme, tmp_path, shared_playgrounds):
    """A README's blocks, in order, as a reader would run them, against the services
    they use: a playground of its own for a README whose blocks change its state
    (transcripts.WRITES, started at the first block that needs one), else the test
    run's shared playground. Blocks that need memcached are skipped where it is not
    installed, after the rest."""
    runnable, missing = [], []
    for block in blocks(readme):
        needs_missing = 'memcached' in block.services and not shutil.which('memcached')
        (missing if needs_missing else runnable).append(block)
    services = sorted(set().union(*(block.services for block in runnable)))
    problems, playground = [], None
    try:
        for block in runnable:
            if block.services and playground is None:
                playground = (Playground(services, tmp_path / 'playground')
                              if readme.parent.name in WRITES else shared_playgrounds('all'))
            relative = {rel for name in block.services for rel in BY_NAME[name].ports.values()}
            workdir = tmp_path / f'block{block.line}'
            workdir.mkdir()
            runner = Runner(workdir, playground if block.services else None, relative,
                            block.inputs)
            problems += [f'{readme}:{block.line}:\n{problem}'
                         for problem in check_block(runner, block.text)]
    finally:
        if playground is not None and readme.parent.name in WRITES:
            playground.stop()
    assert not problems, f'{readme} is out of date:\n\n' + '\n\n'.join(problems)
    if missing:   # chapter 8's squares.py against memcached
        require_binary('memcached')


def test_every_chapter_has_checked_transcripts():
    missing = [readme.parent.name for readme in READMES if not list(blocks(readme))]
    assert not missing, f'READMEs without a ```console transcript: {missing}'


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
