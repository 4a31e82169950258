"""Bounded work: a scenario whose cards would have more aims than any decision can weigh is refused at load.

One card aimed at 5 of 40 actors has C(39, 5) = 575,757 aims; before this
bound the game never finished and memory grew past 1 GB. Now `validate`
refuses it with the figure and the location of `count`, and a scenario
inside the bound lists a proportional number of legal orders.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from math import comb
from pathlib import Path

import pytest
import yaml

from engine.core.errors import ScenarioError
from engine.rules.game import Game
from engine.scenario.limits import MAX_AIMS_PER_CARD
from engine.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"


def crowded(tmp_path: Path, actors: int, count: int, among: list[str] | None = None) -> Path:
    """The mini scenario with `actors` more states and a card aimed at `count` of them."""
    doc = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    for i in range(actors):
        doc["actors"].append({"id": f"extra_{i}", "name": f"Extra {i}", "kind": "state",
                              "variables": {"gdp": 100, "defence_pct": 1}})
    target: dict = {"kind": "actor", "count": count}
    if among:
        target["among"] = among
    doc["cards"].append({"id": "summit", "name": "Call a summit", "family": "agreement", "target": target,
                         "effects": [{"relation": "trust", "between": ["self", "target"], "by": 1}]})
    path = tmp_path / "crowded.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_a_card_with_too_many_aims_is_refused_at_validate_with_its_location(tmp_path):
    path = crowded(tmp_path, 37, 5)  # 40 actors: C(39, 5) = 575,757 aims for each
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    [problem] = err.value.problems
    assert "575,757 combinations of 5 targets" in problem.message and "among" in problem.message
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "count: 5" in text)
    assert problem.line == line
    out = subprocess.run([sys.executable, "main.py", "validate", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"crowded.yaml:{line}:" in out.stderr and "575,757" in out.stderr


def test_many_sides_each_with_many_choices_are_refused_for_the_whole_turn(tmp_path):
    """20 sides with 3,917 choices each (found by the semantic fuzzer): every card within its own bound, but a
    turn's choosing took seconds; the total a turn is bounded too."""
    path = crowded(tmp_path, 17, 3)  # C(19, 3) = 969 aims for each of 20 sides
    doc = yaml.safe_load(path.read_text())
    for k in range(3):
        doc["cards"].append({**copy.deepcopy(doc["cards"][-1]), "id": f"summit_{k}"})
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"choose among [\d,]+ single orders a turn .* at most 10,000"):
        load_scenario(path)


def test_narrowing_the_target_brings_the_card_inside_the_bound_and_the_game_plays(tmp_path):
    among = ["alpha", "beta", "gamma", "extra_0", "extra_1", "extra_2"]
    path = crowded(tmp_path, 37, 3, among=among)
    sc = load_scenario(path)
    game = Game(sc, seed=1)
    summits = [o for o in game.legal_orders("alpha") if o.card == "summit"]
    assert len(summits) == comb(len(among) - 1, 3) <= MAX_AIMS_PER_CARD
    from engine.bots.policy import simple_orders

    for _ in range(2):
        for side in game.waiting_for():
            game.submit(side, simple_orders(game.rules, game.state, side))
        game.adjudicate()
    assert game.state.turn == 3


def test_an_alliance_that_changes_members_counts_as_every_actor(tmp_path):
    """The bound holds whatever happens in play: `@pact` may grow to every actor if some effect joins it."""
    doc = yaml.safe_load(crowded(tmp_path, 37, 4, among=["@pact"]).read_text())
    load_scenario(crowded(tmp_path, 37, 4, among=["@pact"]))  # two members: C(1, 4) = 0 aims, fine
    doc["events"].append({"id": "grow", "name": "Grow", "at_turn": 3, "effects": [{"join": "pact",
                                                                                   "actor": "extra_5"}]})
    path = tmp_path / "growing.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError, match="combinations of 4 targets"):
        load_scenario(path)


def test_a_sweep_grid_too_big_to_run_is_refused_before_any_game():
    values = ",".join(str(i / 100) for i in range(101))
    out = subprocess.run([sys.executable, "main.py", "simulate", "--runs", "2", "--sweep",
                          f"doctrines.russia.risk={values}", "--sweep", f"events.trump_remark.chance={values}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "10,201 points (101 × 101 values)" in out.stderr and "at most 400" in out.stderr


def test_validate_says_how_many_choices_a_side_has_and_warns_when_bots_will_be_slow(tmp_path):
    ok = subprocess.run([sys.executable, "main.py", "validate", "scenarios/post_nato_2024.yaml"], cwd=ROOT,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "choices: 1,633 single orders a turn for all sides (up to 180 for russia)" \
        in ok.stdout
    assert "warning" not in ok.stdout
    path = crowded(tmp_path, 17, 2)  # 20 actors, C(19, 2) = 171 aims for the one card
    doc = yaml.safe_load(path.read_text())
    for k in range(1):  # one more such card: some 7,000 choices a turn for all sides, allowed but slow
        doc["cards"].append({**copy.deepcopy(doc["cards"][-1]), "id": f"summit_{k}"})
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    slow = subprocess.run([sys.executable, "main.py", "validate", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert slow.returncode == 0, slow.stderr
    assert "warning:" in slow.stdout and "will be slow" in slow.stdout
