"""Replay, undo and rewind: a game re-run from its seed and orders is the same game, and a tampered log is caught."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.bots.controllers import controller
from engine.bots.policy import simple_orders
from engine.core.errors import PhaseError
from engine.core.state import Order
from engine.persistence.replay import replay
from engine.persistence.saves import save_game
from engine.rules.game import Game
from tests.conftest import MINI, ROOT


def bots(game: Game, side: str) -> list[Order]:
    return simple_orders(game.rules, game.state, side)


def play(mini, turns: int | None = None, seed: int = 3) -> Game:
    g = Game(mini, seed=seed)
    ctl = dict.fromkeys(mini.playable_ids, bots)
    while not g.over and (turns is None or len(g.turns) < turns):
        g.play_turn(ctl)
    return g


def main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def with_digests(g: Game):  # type: ignore[no-untyped-def]
    return [t.model_copy(update={"digest": h.digest()}) for t, h in zip(g.turns, g.history[1:], strict=True)]


def test_replay_rebuilds_every_turn_exactly(mini):
    g = play(mini, seed=8)
    result = replay(g.rules, 8, with_digests(g), final=g.state)
    assert result.matches and result.checked == len(g.turns) >= 3
    assert [h.digest() for h in result.history] == [h.digest() for h in g.history]


def test_replay_names_the_first_turn_that_differs(mini):
    g = play(mini, seed=8)
    turns = with_digests(g)
    side = next(s for s, orders in turns[2].orders.items() if orders)
    turns[2] = turns[2].model_copy(update={"orders": {**turns[2].orders, side: []}})
    result = replay(g.rules, 8, turns, final=g.state)
    assert not result.matches and result.mismatch.turn == 3 and result.checked == 2
    assert "differs from the one recorded" in result.mismatch.reason
    # an override that was never given turns a success into a failure: caught at its turn
    i, j = next((i, j) for i, rec in enumerate(g.state.log) for j, res in enumerate(rec.resolutions)
                if res.outcome == "success" and res.roll is not None)
    turns = with_digests(g)
    turns[i] = turns[i].model_copy(update={"overrides": {j: "failure"}})
    bad = replay(g.rules, 8, turns)
    assert bad.mismatch is not None and bad.mismatch.turn == i + 1 and bad.checked == i


def test_undo_takes_back_committed_orders_before_adjudication(mini):
    g = Game(mini, seed=2)
    g.submit("alpha", bots(g, "alpha"))
    assert "alpha" not in g.waiting_for()
    g.undo("alpha")
    assert "alpha" in g.waiting_for() and "alpha" not in g.state.pending
    assert g.state.digest() == Game(mini, seed=2).state.digest()


def test_rewind_restores_an_earlier_turn_and_plays_on_the_same(mini):
    g = play(mini, seed=5)
    full = [h.digest() for h in g.history]
    end = g.state.digest()
    g.rewind(2)
    assert g.state.turn == 2 and len(g.turns) == 1 and len(g.history) == 2
    assert g.state.digest() == full[1]
    assert not g.over
    g.play_out(dict.fromkeys(mini.playable_ids, bots))  # the same bots with the same seed: the same game again
    assert g.state.digest() == end and [h.digest() for h in g.history] == full
    g.rewind(1)
    g.submit("alpha", [])
    g.rewind(1)  # rewinding to the current turn takes back every committed order
    assert g.state.pending == {} and g.state.digest() == full[0]
    with pytest.raises(PhaseError, match="cannot rewind to turn 9"):
        g.rewind(9)


def test_history_is_not_changed_by_orders_committed_now(mini):
    g = play(mini, turns=1)
    before = g.history[-1].digest()
    g.submit("alpha", bots(g, "alpha"))
    assert g.history[-1].digest() == before and g.history[-1].pending == {}


# ----------------------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def saved_game(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "game.json"
    res = main("play", "--headless", "--bots", "all", "--seed", "6", "--scenario", str(MINI), "--save", str(path))
    assert res.returncode == 0, res.stderr
    assert f"Saved to {path}" in res.stdout
    return path


def test_cli_replay_matches_a_saved_game(saved_game):
    res = main("replay", str(saved_game))
    assert res.returncode == 0, res.stderr
    assert "turn  1 (" in res.stdout and "The replay matches the record" in res.stdout


def test_cli_replay_detects_a_tampered_log(saved_game, tmp_path):
    doc = json.loads(saved_game.read_text())
    last = doc["turns"][-1]
    side = next(s for s, orders in last["orders"].items() if orders)
    last["orders"][side] = []
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    res = main("replay", str(tampered))
    assert res.returncode == 1
    assert f"MISMATCH at turn {last['turn']}" in res.stderr and "Traceback" not in res.stderr
    # the same file is refused by play --load and report (it is not the game it claims to be)
    for args in (("play", "--headless", "--load", str(tampered)), ("report", str(tampered), "--out", str(tmp_path))):
        res = main(*args)
        assert res.returncode == 2 and "altered or damaged" in res.stderr and "Traceback" not in res.stderr


def test_cli_play_load_continues_the_game(mini, tmp_path):
    g = Game(mini, seed=6)
    quick = dict.fromkeys(mini.playable_ids, controller("quick"))  # the command line's default bots
    g.play_turn(quick)
    g.play_turn(quick)
    half = save_game(tmp_path / "half.json", g, MINI)
    res = main("play", "--headless", "--bots", "all", "--load", str(half), "--save", str(tmp_path / "done.json"))
    assert res.returncode == 0, res.stderr
    assert "continuing with turn 3" in res.stdout
    whole = main("play", "--headless", "--bots", "all", "--seed", "6", "--scenario", str(MINI),
                 "--save", str(tmp_path / "whole.json"))
    assert whole.returncode == 0
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("done.json", "whole.json"))
    assert a["state"] == b["state"] and a["turns"] == b["turns"]
