"""Every client listing against peers that misbehave: one that accepts and never
answers, one that speaks garbage, one that closes at once (harness.BadPeer).

What a reader must see in each case: one clear line on stderr that starts with the
listing's name (`popconn: 127.0.0.1: ...`), a non-zero exit, within 15 seconds of
reaching the peer (the time the listing itself can spend; not its start-up, which a
loaded machine stretches), and never a traceback. A listing that speaks a raw
protocol of its own may instead end cleanly after printing what it got, where its
row says so (`tolerates`). The table of listings and the campaign that runs them
are in bad_peers.py; conftest.py starts it at the first test and runs these tests last.
"""
import pathlib

import pytest

from bad_peers import CLIENTS, HARD_STOP, LIMIT
from harness import BadPeer, script_path


@pytest.mark.timeout(6 * HARD_STOP)
@pytest.mark.parametrize('kind', BadPeer.KINDS)
@pytest.mark.parametrize('client', CLIENTS, ids=lambda c: pathlib.Path(c.script).stem)
def test_client_against_a_bad_peer(client, kind, bad_peer_campaign):
    outcome = bad_peer_campaign.outcome(client, kind, timeout=5 * HARD_STOP)
    name = pathlib.Path(client.script).stem
    assert outcome.returncode is not None, f'the harness failed\n{outcome.err}'
    assert outcome.contacted, f'{name} never reached the {kind} peer\n{outcome}'
    assert 'Traceback' not in outcome.err, f'a traceback against a {kind} peer\n{outcome}'
    assert outcome.elapsed <= LIMIT, f'{name} took too long against a {kind} peer\n{outcome}'
    if outcome.returncode == 0 and kind in client.tolerates:
        return
    assert outcome.returncode != 0, f'{name} claimed success against a {kind} peer\n{outcome}'
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    assert len(lines) == 1, f'expected one line on stderr\n{outcome}'
    assert lines[0].startswith(f'{name}: '), f'the line should start "{name}: "\n{outcome}'


def test_every_row_is_a_listing():
    missing = [c.script for c in CLIENTS if not pathlib.Path(script_path(c.script)).is_file()]
    assert not missing
