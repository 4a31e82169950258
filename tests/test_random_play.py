"""Random legal play with the control cell's acts on both shipped scenarios: invariants and views hold.

A short run of the harness that `bench/long_run.py` drives for 100,000 steps.
"""

from __future__ import annotations

import pytest

from engine.scenario.load import load_scenario
from tests.conftest import ROOT
from tests.random_play import Tally, play_randomly


@pytest.mark.parametrize(("path", "steps"), [("scenarios/post_nato_2024.yaml", 300),
                                             ("scenarios/baltic_2027.yaml", 700)])
def test_random_steps_keep_every_invariant_and_every_secret(path, steps):
    tally = Tally()
    play_randomly(load_scenario(ROOT / path), seed=5, steps=steps, tally=tally)
    assert tally.problems == []
    assert tally.steps == steps
    # The run really exercised the game: turns played, views checked, control acts done, refusals met.
    assert tally.turns >= steps // 6 and tally.views_checked > 0
    assert {"orders", "adjudicate", "adjust", "argue"} <= set(tally.by_kind)
