"""Saves that are forged or built to exhaust the loader are refused quickly, with a reason.

A replay checks every turn's orders against the rules; a control note in the
turn must not open a way round that check, and a file crafted to hold a
million empty records is refused before the engine validates them one by one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.core.commands import Adjust, Note
from engine.core.state import Order, TurnOrders
from engine.persistence.saves import SaveError, read_save, replay_save, save_game
from engine.rules.turn import working_copy
from engine.scenario.load import load_scenario
from tests.conftest import FIXTURES, ROOT

MINI = FIXTURES / "mini.yaml"


def _forge(tmp_path: Path) -> Path:
    """A one-turn game of the mini scenario with a harmless control note; Alpha's orders then replaced by
    four plays of the same card (two allowed, each card once), the digests recomputed as a forger would."""
    from engine.rules.game import Game

    game = Game(load_scenario(MINI), seed=5)
    game.control(Note(action="note", detail="coffee break", reason=""))
    for side in game.waiting_for():
        game.submit(side, [])
    game.adjudicate()
    path = save_game(tmp_path / "honest.json", game, MINI, label="honest", root=ROOT)
    doc = json.loads(path.read_text())
    forged = [Order(actor="alpha", card="calm_down")] * 4
    rules = game.rules
    live = working_copy(rules.new_game(5))
    for step in game.turns[0].control:
        from engine.rules import control

        control.apply_step(rules, live, step)
    for side in rules.sc.playable_ids:
        live.pending[side] = forged if side == "alpha" else []
        live.committed.append(side)
    after = rules.adjudicate(live, {})
    turn = TurnOrders.model_validate(doc["turns"][0])
    turn = turn.model_copy(update={"orders": {**turn.orders, "alpha": forged}, "digest": after.digest()})
    doc["turns"][0] = json.loads(turn.model_dump_json())
    doc["state"] = json.loads(working_copy(after).model_dump_json())
    out = tmp_path / "forged.json"
    out.write_text(json.dumps(doc))
    return out


def test_a_forged_turn_with_a_control_note_does_not_replay_as_matching(tmp_path):
    forged = _forge(tmp_path)
    _, result = replay_save(forged, root=ROOT)
    assert not result.matches and "cannot be played" in str(result.mismatch)
    assert "at most 2 order" in str(result.mismatch)
    with pytest.raises(SaveError, match="does not replay"):
        read_save(forged, root=ROOT)
    out = subprocess.run([sys.executable, "main.py", "replay", str(forged)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode != 0 and "matches the record" not in out.stdout


def test_orders_given_before_the_control_cell_changed_the_game_still_replay(tmp_path):
    """The honest case the lenient path exists for: orders legal when given, then the facilitator's adjustment
    left the side unable to pay for them; they stand (and fizzle) in the live game and in its replay."""
    from engine.rules.game import Game

    game = Game(load_scenario(MINI), seed=5)
    game.submit("alpha", [Order(actor="alpha", card="raise")])
    game.control(Adjust(ref="alpha.budget", value=0, reason="a budget cut"))
    for side in game.waiting_for():
        game.submit(side, [])
    game.adjudicate()
    path = save_game(tmp_path / "cut.json", game, MINI, label="cut", root=ROOT)
    _, result = replay_save(path, root=ROOT)
    assert result.matches, result.mismatch


BOMBS = {
    "the state's log": lambda doc, n: doc["state"].__setitem__("log", [{}] * n),
    "the control log": lambda doc, n: doc["state"].__setitem__("control", [{}] * n),
    "the inbox": lambda doc, n: doc["state"].__setitem__("inbox", [{"id": "x"}] * n),
    "a side's figures": lambda doc, n: doc["state"]["vars"].__setitem__("alpha", {f"v{i}": "x" for i in range(n)}),
    "the order log": lambda doc, n: doc.__setitem__("turns", [{}] * n),
    "the planning acts": lambda doc, n: doc.__setitem__("planning", [{}] * n),
    "objects beyond the bound": lambda doc, n: doc.__setitem__("padding", [[]] * (3 * n)),
}


@pytest.mark.parametrize("where", sorted(BOMBS))
def test_a_save_of_a_million_empty_records_is_refused_quickly_and_in_little_memory(tmp_path, where):
    from engine.rules.game import Game

    game = Game(load_scenario(MINI), seed=5)
    path = save_game(tmp_path / "base.json", game, MINI, label="base", root=ROOT)
    doc = json.loads(path.read_text())
    BOMBS[where](doc, 1_000_000)
    bomb = tmp_path / "bomb.json"
    bomb.write_text(json.dumps(doc))
    assert bomb.stat().st_size > 3_000_000
    with pytest.raises(SaveError) as err:
        read_save(bomb, root=ROOT)
    # refused by a bound checked before the records are (bench/saves.py measures how fast and in how much memory)
    assert "at most" in str(err.value), err.value


def test_a_save_nested_far_deeper_than_the_engine_writes_is_refused_with_the_reason(tmp_path):
    """Found by the semantic fuzzer: a record nested 300 levels deep in an effect's fields passed the loader and
    then failed in the state's serialiser (caught only by the loader's safety net)."""
    from engine.rules.game import Game

    game = Game(load_scenario(MINI), seed=5)
    for side in game.waiting_for():
        game.submit(side, [])
    game.adjudicate()
    path = save_game(tmp_path / "base.json", game, MINI, label="base", root=ROOT)
    doc = json.loads(path.read_text())
    deep: list = []
    for _ in range(300):
        deep = [deep]
    doc["state"]["log"][0]["upkeep"].append({"kind": "note", "text": deep})
    bomb = tmp_path / "deep.json"
    bomb.write_text(json.dumps(doc))
    with pytest.raises(SaveError, match="nested 33 levels deep"):
        read_save(bomb, root=ROOT)
