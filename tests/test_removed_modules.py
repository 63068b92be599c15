"""No file imports a standard-library module that Python 3.12 or 3.13 removed."""
import ast

import pytest

from harness import REPO

REMOVED = {'asyncore', 'asynchat', 'smtpd', 'imp', 'distutils', 'cgi', 'cgitb',
           'nntplib', 'pipes', 'crypt', 'telnetlib', 'audioop', 'chunk', 'mailcap',
           'msilib', 'nis', 'ossaudiodev', 'sndhdr', 'spwd', 'sunau', 'uu', 'xdrlib',
           'lib2to3'}
SOURCES = sorted(path for path in REPO.rglob('*.py')
                 if not any(part.startswith('.') or part in ('venv', 'build')
                            for part in path.relative_to(REPO).parts))


def allowed():
    """telnetlib is fine where its redistribution is installed for Python 3.13+."""
    config = (REPO / 'setup.cfg').read_text()
    return {'telnetlib'} if 'standard-telnetlib; python_version >= "3.13"' in config else set()


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split('.')[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split('.')[0]


@pytest.mark.parametrize('path', SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_removed_module_is_imported(path):
    bad = [f'line {line}: import {name}' for line, name in imported_modules(path)
           if name in REMOVED - allowed()]
    assert not bad, f'{path.relative_to(REPO)} imports modules removed from Python: {bad}'


def test_the_check_catches_a_removed_import(tmp_path):
    sample = tmp_path / 'old.py'
    sample.write_text('import os\nif True:\n    from asyncore import dispatcher\n')
    assert [name for _, name in imported_modules(sample)] == ['os', 'asyncore']
