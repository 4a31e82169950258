"""The batch engine plays the same games as the reference engine, bit for bit.

Each test plays games with quick bots on every side in both engines and
compares their outcomes: the ladder's peak, every objective, every agreement
signed and when, every final figure, and the dice's final state (equal only
if every die was rolled in the same order).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.bots.batch_quick import play_batch
from engine.bots.controllers import controller
from engine.rules.batch import BatchRules, Unsupported
from engine.rules.game import Game
from engine.rules.outcome import Outcome, outcome_of
from engine.rules.turn import Rules
from engine.scenario.load import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "tests" / "fixtures" / "batch_features.yaml"

_RULES: dict[Path, BatchRules] = {}


def batch_rules(path: Path) -> BatchRules:
    if path not in _RULES:
        _RULES[path] = BatchRules(Rules(load_scenario(path)))
    return _RULES[path]


def reference(br: BatchRules, seed: int) -> Outcome:
    game = Game(br.sc, seed=seed)
    game.play_out(dict.fromkeys(br.sc.playable_ids, controller("quick")))
    return outcome_of(game.rules, game.state)


def assert_same(br: BatchRules, seeds: list[int]) -> list[Outcome]:
    got = play_batch(br, seeds)
    assert [o.seed for o in got] == seeds
    for seed, out in zip(seeds, got, strict=True):
        want = reference(br, seed)
        assert out == want, f"seed {seed}: " + ", ".join(
            f"{f}: batch {getattr(out, f)!r} != reference {getattr(want, f)!r}"
            for f in Outcome.__dataclass_fields__ if getattr(out, f) != getattr(want, f))[:2000]
    return got


def test_every_feature_gives_the_same_games():
    got = assert_same(batch_rules(FEATURES), list(range(1, 61)))
    # the fixture really exercises the engine: games differ, some end early, agreements get signed
    assert len({o.rng for o in got}) == 60
    assert any(o.end_turn < 10 for o in got)
    assert sum(len(o.signed) for o in got) > 20
    assert {o.peak_rung for o in got} >= {"crisis", "clash"}


@pytest.mark.parametrize("name, seeds", [("post_nato_2024.yaml", range(1, 7)), ("baltic_2027.yaml", range(1, 21))])
def test_shipped_scenarios_give_the_same_games(name, seeds):
    assert_same(batch_rules(ROOT / "scenarios" / name), list(seeds))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=-(2**70), max_value=2**70), min_size=1, max_size=6, unique=True))
def test_any_seeds_in_any_batch_give_the_reference_games(seeds):
    assert_same(batch_rules(FEATURES), seeds)


def test_a_game_does_not_depend_on_the_rest_of_its_batch():
    br = batch_rules(FEATURES)
    together = play_batch(br, list(range(100, 130)))
    reversed_ = play_batch(br, list(range(129, 99, -1)))
    alone = [play_batch(br, [s])[0] for s in (100, 117, 129)]
    assert together == reversed_[::-1]
    assert alone == [together[0], together[17], together[29]]


def test_alliances_that_change_membership_are_left_to_the_reference_engine():
    text = FEATURES.read_text(encoding="utf-8").replace(
        "      - {change: global.cred, by: 4}\n",
        "      - {change: global.cred, by: 4}\n      - {leave: club, actor: self}\n", 1)
    sc = load_scenario_text(text, "leaving.yaml")
    with pytest.raises(Unsupported, match="membership"):
        BatchRules(Rules(sc))


def test_check_records_the_same_games_on_the_batch_engine():
    from engine.analysis.check import play_for_check, quick_games_at_once

    sc = load_scenario(FEATURES)
    seeds = [1, 2, 3, 4, 5]
    assert quick_games_at_once(sc, seeds) == [play_for_check(sc, s, "quick") for s in seeds]


def test_a_step_made_impossible_by_an_earlier_effect_is_skipped_in_both_engines():
    # Both effects pass the checks made before the list runs; the second finds the commitment already wavering.
    text = (ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8").replace("events:\n", """\
  - id: double_waver
    name: Waver twice
    family: agreement
    playable_by: [alpha]
    effects:
      - {commitment: waver, actor: self, alliance: pact}
      - {commitment: waver, actor: self, alliance: pact}
      - {agreement: propose, type: bilateral, parties: [self, gamma]}
      - {agreement: propose, type: bilateral, parties: [gamma, self]}
events:
""", 1)
    sc = load_scenario_text(text, "double.yaml")
    game = Game(sc, seed=1)
    order = next(o for o in game.legal_orders("alpha") if o.card == "double_waver")
    for side in sc.playable_ids:
        game.submit(side, [order] if side == "alpha" else [])
    record = game.adjudicate()
    res = next(r for r in record.resolutions if r.order.card == "double_waver")
    assert res.outcome == "success"
    notes = [e["text"] for e in res.effects if e["kind"] == "note"]
    assert len(notes) == 2 and all(n.startswith("no effect: ") for n in notes)
    assert game.state.commitments["pact"]["alpha"] == "conditional"
    assert game.state.agreements["bilateral__alpha_gamma"].state == "proposed"
    # the batch engine, given the same orders, reaches the same state
    br = BatchRules(Rules(sc))
    st = br.start([1])
    cand = next(i for i, c in enumerate(br.cands["alpha"]) if c.card.card.id == "double_waver")
    pending = {side: [np.array([cand if side == "alpha" else -1]), np.array([-1])] for side in sc.playable_ids}
    br.adjudicate(st, pending)
    from engine.rules.batch.interpret import AG, COM

    assert COM.states[int(st.get(("com", "pact", "alpha"))[0])] == "conditional"
    assert AG.states[int(st.get(("ag", "bilateral__alpha_gamma"))[0])] == "proposed"
    assert int(st.get(("rng",))[0]) == game.state.rng
