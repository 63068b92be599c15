"""The exercise checkers' machinery (the option and the report are in tests/conftest.py).

An exercise is a test function marked

    @pytest.mark.exercise('chapter02/udp_remote.py', 'chapter02/udp_remote_deadline.py')

with the listing it changes and its reference solution (under solutions/). It takes
the `solution` fixture (a Solution: .script to run, .env for its imports) and the
`check` fixture, and says what works and what does not yet:

    check.that(condition, 'what works, in plain words', 'what does not yet')

Without --solution it runs twice: against the reference solution, where it must
pass, and against the unmodified listing, where it must fail with its message (so
CI proves that every exercise can be done and that every checker can fail). With
--solution FILE it runs once, against that file, and reports in plain words.
"""
import dataclasses
import os
import pathlib

import pytest

from harness import REPO

HERE = pathlib.Path(__file__).resolve().parent


class NotYet(AssertionError):
    """What a solution does not do yet, in plain words for the student."""


class Check:
    """Collects what works; the first thing that does not yet ends the check."""

    def __init__(self):
        self.works = []

    def that(self, condition, works, not_yet):
        if not condition:
            raise NotYet(not_yet)
        self.works.append(works)
        return condition


@dataclasses.dataclass
class Solution:
    kind: str          # 'yours', 'reference' or 'unmodified'
    path: pathlib.Path

    @property
    def script(self):
        return str(self.path)

    @property
    def env(self):
        """Its environment: a copy beside its chapter imports the chapter's modules too."""
        chapter = REPO / self.path.parent.name
        return {'PYTHONPATH': os.pathsep.join([str(REPO), str(chapter)])}


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker('exercise')
    if marker is None:
        return
    listing, reference = marker.args
    yours = metafunc.config.getoption('solution')
    if yours:
        solutions = [Solution('yours', pathlib.Path(yours).resolve())]
    else:
        solutions = [Solution('reference', HERE / 'solutions' / reference),
                     Solution('unmodified', REPO / listing)]
    metafunc.parametrize('solution', solutions, ids=[s.kind for s in solutions])


@pytest.hookimpl(trylast=True)   # after -k has deselected what it does not name
def pytest_collection_modifyitems(config, items):
    if not config.getoption('solution'):
        return
    chosen = sorted({item.originalname for item in items
                     if item.get_closest_marker('exercise')})
    if len(chosen) != 1:
        raise pytest.UsageError(
            f'--solution checks one exercise: choose it with -k (the README of each chapter '
            f'gives the command); {len(chosen)} are selected: {", ".join(chosen) or "none"}')
    missing = pathlib.Path(config.getoption('solution'))
    if not missing.is_file():
        raise pytest.UsageError(f'--solution: no such file: {missing}')


@pytest.fixture
def check(request):
    found = Check()
    request.node.user_properties.append(('works', found.works))   # filled in as it runs
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    solution = item.funcargs.get('solution') if hasattr(item, 'funcargs') else None
    if solution is None:
        return (yield)
    try:
        result = yield
    except NotYet as e:
        not_yet = str(e).strip()
    else:
        if solution.kind == 'unmodified':
            pytest.fail('the checker accepts the unmodified listing: it could never fail',
                        pytrace=False)
        return result
    if solution.kind == 'unmodified':   # right: the listing as printed does not do it
        assert not_yet, 'the checker refuses the unmodified listing without saying why'
        return None
    pytest.fail(f'Not yet: {not_yet}', pytrace=False)
