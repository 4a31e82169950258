"""Saves: exact round trips, atomic writes, and every kind of broken or hostile file refused with a reason."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.bots.policy import simple_orders
from engine.core.state import Order
from engine.persistence import files, saves
from engine.persistence.saves import MAX_SAVE_BYTES, SAVE_FORMAT, SaveError, load_game, read_save, save_game
from engine.rules.game import Game
from tests.conftest import DEFAULT, MINI, ROOT


def bots(game: Game, side: str) -> list[Order]:
    return simple_orders(game.rules, game.state, side)


def controllers(game: Game) -> dict[str, Callable[[Game, str], list[Order]]]:
    return {side: bots for side in game.scenario.playable_ids}


def digests(game: Game) -> list[str]:
    return [h.digest() for h in game.history]


def played(mini, turns: int, seed: int = 3) -> Game:
    g = Game(mini, seed=seed)
    for _ in range(turns):
        if not g.over:
            g.play_turn(controllers(g))
    return g


@pytest.fixture
def good_doc(mini, tmp_path) -> dict[str, Any]:
    """A real save (two turns in, one side committed) as parsed JSON, for the broken-file corpus to damage."""
    g = played(mini, 2)
    g.submit("alpha", bots(g, "alpha"))
    p = save_game(tmp_path / "good.json", g, MINI)
    return json.loads(p.read_text())


def write_doc(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc))
    return path


def refused(path: Path, **kw: Any) -> str:
    with pytest.raises(SaveError) as info:
        load_game(path, **kw)
    assert info.value.path == path
    return info.value.reason


# ----------------------------------------------------------------------------- round trips


def test_round_trip_is_exact_at_every_turn(mini, tmp_path):
    g = Game(mini, seed=5)
    path = tmp_path / "saves" / "game.json"  # the folder does not exist yet
    checked = 0
    while True:
        for stage in ("start", "one side committed"):
            if stage == "one side committed":
                if g.over:
                    break
                g.submit("beta", bots(g, "beta"))
            assert save_game(path, g, MINI, label=f"turn {g.state.turn}, {stage}") == path.resolve()
            loaded = read_save(path)
            assert loaded.game.state.digest() == g.state.digest()
            assert loaded.game.state == g.state
            assert digests(loaded.game) == digests(g)
            # history is rebuilt by replay, as copies: committing orders now never touches the past
            assert loaded.game.history[-1] is not loaded.game.state
            assert loaded.game.history[-1].pending == {}
            assert [(t.turn, t.orders, t.overrides) for t in loaded.game.turns] == [
                (t.turn, t.orders, t.overrides) for t in g.turns]
            assert loaded.scenario_path == MINI.resolve()
            assert loaded.label == f"turn {g.state.turn}, {stage}"
            checked += 1
        if g.over:
            break
        g.play_turn(controllers(g))
    assert checked >= 7 and g.over


def test_the_file_is_the_documented_json_object(mini, tmp_path):
    g = played(mini, 1)
    doc = json.loads(save_game(tmp_path / "s.json", g, MINI, label="Ünïcode label").read_text(encoding="utf-8"))
    assert doc["format"] == SAVE_FORMAT == 3
    assert doc["kind"] == "wargame-save"
    assert doc["scenario"] == "tests/fixtures/mini.yaml"
    assert doc["scenario_digest"] == g.rules.digest
    assert doc["seed"] == 3
    assert doc["label"] == "Ünïcode label"
    assert "history" not in doc  # rebuilt by replaying the order log
    assert [t["turn"] for t in doc["turns"]] == [1]
    assert doc["turns"][0]["digest"] == g.history[1].digest()
    assert set(doc["turns"][0]["orders"]) == set(g.scenario.playable_ids)
    assert doc["state"] == json.loads(g.state.to_json())


def test_a_loaded_game_plays_on_with_the_same_dice_and_bot_choices(mini, tmp_path):
    original = played(mini, 2, seed=11)
    save_game(tmp_path / "s.json", original, MINI)
    loaded, _ = load_game(tmp_path / "s.json")
    original.play_out(controllers(original))
    loaded.play_out(controllers(loaded))
    assert loaded.state.digest() == original.state.digest()
    assert digests(loaded) == digests(original)


def test_unknown_keys_are_ignored_so_later_versions_can_add_some(good_doc, tmp_path):
    good_doc["replay"] = {"marks": [1, 2]}
    game, _ = load_game(write_doc(tmp_path / "s.json", good_doc))
    assert game.state.turn == 3


def test_a_byte_order_mark_is_tolerated(good_doc, tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_doc).encode())
    assert load_game(p)[0].state.turn == 3


# ----------------------------------------------------------------------------- atomic writes


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_save_leaves_the_previous_one_and_no_temp_file(mini, tmp_path, monkeypatch, failing):
    g = played(mini, 1)
    path = save_game(tmp_path / "s.json", g, MINI)
    before = path.read_bytes()
    g.play_turn(controllers(g))

    def boom(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(SaveError, match=r"disk is full.*earlier save there is unchanged"):
        save_game(path, g, MINI)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load_game(path)[0].state.turn == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_replacing_a_save_keeps_its_permissions(mini, tmp_path):
    path = save_game(tmp_path / "s.json", played(mini, 0), MINI)
    assert path.stat().st_mode & 0o777 != 0o600  # not the temp file's private mode
    path.chmod(0o640)
    save_game(path, played(mini, 1), MINI)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_read_only_folder_is_a_save_error(mini, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not stop writing")
        with pytest.raises(SaveError, match="could not write the save"):
            save_game(folder / "s.json", played(mini, 0), MINI)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_read_only_filesystem_is_a_save_error_even_as_root(mini, tmp_path, monkeypatch):
    path = save_game(tmp_path / "s.json", played(mini, 0), MINI)
    before = path.read_bytes()

    def read_only(*args: Any, **kw: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", read_only)
    with pytest.raises(SaveError, match=r"could not write the save \(the folder is read-only\)"):
        save_game(path, played(mini, 1), MINI)
    assert path.read_bytes() == before


def test_unwritable_places_are_save_errors_even_as_root(mini, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SaveError, match="cannot create the folder"):
        save_game(tmp_path / "file" / "s.json", played(mini, 0), MINI)
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(SaveError, match="there is a folder by that name"):
        save_game(tmp_path / "dir.json", played(mini, 0), MINI)


def test_saving_refuses_a_scenario_that_could_not_be_loaded_back(mini, tmp_path):
    g = played(mini, 0)
    outside = tmp_path / "mini.yaml"
    shutil.copy(MINI, outside)
    with pytest.raises(SaveError, match="outside the project folder"):
        save_game(tmp_path / "s.json", g, outside)
    with pytest.raises(SaveError, match="not the one this game is played under"):
        save_game(tmp_path / "s.json", g, DEFAULT)
    with pytest.raises(SaveError, match="cannot read the scenario file"):
        save_game(tmp_path / "s.json", g, ROOT / "tests" / "fixtures" / "missing.yaml")
    g.state.escalation = float("nan")
    with pytest.raises(SaveError, match="cannot be saved"):
        save_game(tmp_path / "s.json", g, MINI)
    assert not (tmp_path / "s.json").exists()


# ----------------------------------------------------------------------------- broken files


def _set(doc: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, last = dotted.split(".")
    here: Any = doc
    for key in parents:
        here = here[int(key)] if isinstance(here, list) else here[key]
    here[last] = value
    return doc


def compact(doc: Any) -> str:
    """The JSON as save_game writes it (no spaces), so the corpus can damage it by text replacement."""
    return json.dumps(doc, separators=(",", ":"))


def _reroll(doc: dict[str, Any]) -> dict[str, Any]:
    """Change the first die rolled for an order, as someone rewriting history would."""
    for rec in doc["state"]["log"]:
        for res in rec["resolutions"]:
            if res["roll"] is not None:
                res["roll"] = 101 - res["roll"]
                return doc
    raise AssertionError("the fixture game rolled no dice")


def _drop(doc: dict[str, Any], key: str) -> dict[str, Any]:
    del doc[key]
    return doc


# (name, damage to the parsed good save -> bytes to write, what the message must say)
CORPUS: list[tuple[str, Callable[[dict[str, Any]], bytes], str]] = [
    ("truncated", lambda d: json.dumps(d).encode()[: len(json.dumps(d)) // 2],
     r"not valid JSON: .* \(line 1, column \d+\); the file may be cut short"),
    ("wrong type in the state", lambda d: json.dumps(_set(d, "state.turn", "x")).encode(),
     r"saved game state is invalid: state\.turn: Input should be a valid integer.*\(got 'x'\)"),
    ("wrong type deep in the order log", lambda d: json.dumps(_set(d, "turns.0.orders.alpha", {})).encode(),
     r"order log is invalid: turns\[0\]\.orders\.alpha: Input should be a valid list"),
    ("an override that is not an outcome", lambda d: json.dumps(_set(d, "turns.1.overrides", {"0": "win"})).encode(),
     r"turns\[1\]\.overrides\.0\S*: Input should be 'success' or 'failure'"),
    ("unknown state field", lambda d: json.dumps(_set(d, "state.cheat", 1)).encode(),
     r"state\.cheat is not a field the game state has"),
    ("missing state field", lambda d: json.dumps(_drop(d["state"], "rung") and d).encode(),
     r"state\.rung is missing"),
    ("newer format", lambda d: json.dumps(_set(d, "format", 99)).encode(),
     r"made by a newer version of the engine \(save format 99; this version reads format 3"),
    ("format as a string", lambda d: json.dumps(_set(d, "format", "1")).encode(),
     r"format version must be a whole number, not a string \"1\""),
    ("format as a boolean", lambda d: json.dumps(_set(d, "format", True)).encode(), r"not a boolean"),
    ("format missing", lambda d: json.dumps(_drop(d, "format")).encode(), r"no format version"),
    ("older format with no migration", lambda d: json.dumps(_set(d, "format", 0)).encode(),
     r"save format 0 is older than this version can read \(it reads format 1 to 3\)"),
    ("wrong kind", lambda d: json.dumps(_set(d, "kind", "scenario")).encode(),
     r"not a wargame save: it has kind 'scenario'"),
    ("no kind", lambda d: json.dumps(_drop(d, "kind")).encode(), r"not a wargame save: it has no 'kind'"),
    ("a bare game state", lambda d: json.dumps(d["state"]).encode(), r"not a wargame save: .*a bare game state"),
    ("not JSON at all", lambda d: b"meta:\n  id: mini\n", r"not valid JSON: Expecting value \(line 1, column 1\)"),
    ("binary garbage", lambda d: bytes(range(256)) * 8, r"not UTF-8 text \(byte 0x80 at offset 128"),
    ("empty", lambda d: b"", r"the file is empty"),
    ("only whitespace", lambda d: b" \n\t\n", r"the file is empty"),
    ("a JSON array", lambda d: b"[1, 2, 3]", r"holds an array, but a save is a JSON object"),
    ("deeply nested", lambda d: b"[" * 100000, r"nested too deeply"),
    ("deeply nested inside a save", lambda d: compact(d).replace('"label":""', '"label":' + "[" * 100000).encode(),
     r"nested too deeply"),
    ("NaN", lambda d: compact(d).replace('"escalation":', '"escalation":NaN,"x":').encode(), r"contains NaN"),
    ("Infinity", lambda d: compact(_set(d, "seed", 1)).replace('"seed":1', '"seed":-Infinity').encode(),
     r"contains -Infinity"),
    ("a number too long to convert", lambda d: compact(d).replace('"seed":3', '"seed":' + "9" * 5000).encode(),
     r"not valid JSON: Exceeds the limit"),
    ("scenario path escaping with ..", lambda d: json.dumps(_set(d, "scenario", "../../etc/passwd")).encode(),
     r"scenario path '\.\./\.\./etc/passwd' points outside the project folder"),
    ("absolute scenario path", lambda d: json.dumps(_set(d, "scenario", "/etc/passwd")).encode(),
     r"scenario path '/etc/passwd' is absolute"),
    ("Windows absolute scenario path", lambda d: json.dumps(_set(d, "scenario", "C:/x/mini.yaml")).encode(),
     r"is absolute"),
    ("backslashes", lambda d: json.dumps(_set(d, "scenario", "tests\\fixtures\\mini.yaml")).encode(),
     r"uses backslashes"),
    ("scenario path as a number", lambda d: json.dumps(_set(d, "scenario", 5)).encode(),
     r"'scenario' must be text, not a number"),
    ("missing scenario file", lambda d: json.dumps(_set(d, "scenario", "tests/fixtures/nope.yaml")).encode(),
     r"scenario file 'tests/fixtures/nope.yaml' named by this save does not exist"),
    ("scenario path that is a folder", lambda d: json.dumps(_set(d, "scenario", "tests/fixtures")).encode(),
     r"does not exist"),
    ("scenario digest mismatch", lambda d: json.dumps(_set(d, "scenario_digest", "0" * 16)).encode(),
     r"the scenario file 'tests/fixtures/mini.yaml' has changed since this game was saved"),
    ("scenario of another game", lambda d: json.dumps(_set(d, "state.scenario_id", "other")).encode(),
     r"does not fit the scenario .*: it is a game of scenario 'other', but the file is scenario 'mini'"),
    ("state under other rules", lambda d: json.dumps(_set(d, "state.scenario_digest", "f" * 16)).encode(),
     r"played under different rules"),
    ("seed mismatch", lambda d: json.dumps(_set(d, "seed", 4)).encode(),
     r"the save says seed 4 but its state was played with seed 3"),
    ("rng out of range", lambda d: json.dumps(_set(d, "state.rng", -1)).encode(),
     r"state\.rng: Input should be greater than or equal to 0"),
    ("impossible turn", lambda d: json.dumps(_set(d, "state.turn", 99)).encode(),
     r"saved state does not fit the scenario .*turn 99 outside 1\.\.6"),
    ("unknown actor", lambda d: json.dumps(_set(d, "state.vars.zeta", {"gdp": 1})).encode(),
     r"does not fit the scenario .*variables for actors the scenario does not have: zeta"),
    ("illegal pending order", lambda d: json.dumps(_set(d, "state.pending", {"alpha": [
        {"actor": "alpha", "card": "nuke"}]})).encode(), r"alpha's committed orders are not legal: .*no card 'nuke'"),
    ("turn entry not an object", lambda d: json.dumps(_set(d, "turns", [1])).encode(),
     r"turns\[0\] must be one turn's orders"),
    ("order log not a list", lambda d: json.dumps(_set(d, "turns", {})).encode(),
     r"'turns' must be a JSON array, not an object"),
    ("order log missing", lambda d: json.dumps(_drop(d, "turns")).encode(), r"the save has no 'turns'"),
    ("a recorded order changed", lambda d: json.dumps(_set(d, "turns.0.orders.gamma", [])).encode(),
     r"does not replay as it was saved \(turn 1: the state after adjudication differs .*altered or damaged"),
    ("a recorded digest changed", lambda d: json.dumps(_set(d, "turns.1.digest", "0" * 64)).encode(),
     r"does not replay as it was saved \(turn 2: the state after adjudication differs"),
    ("an illegal order in the log", lambda d: json.dumps(_set(d, "turns.0.orders.alpha", [
        {"actor": "alpha", "card": "nuke"}])).encode(), r"turn 1: the recorded orders cannot be played: .*no card 'nuke'"),
    ("a turn missing from the log", lambda d: json.dumps(_set(d, "turns", d["turns"][1:])).encode(),
     r"turn 1: the log's next entry is for turn 2"),
    ("a side missing from a turn", lambda d: json.dumps(_drop(d["turns"][0]["orders"], "beta") and d).encode(),
     r"turn 1: the recorded orders cannot be played: waiting for orders from"),
    ("the current state edited", lambda d: json.dumps(_set(d, "state.vars.alpha.gdp", 1.0)).encode(),
     r"the saved current state is not where the recorded orders lead \('vars' differs\)"),
    ("a die in the log edited", lambda d: json.dumps(_reroll(d)).encode(),
     r"the saved current state is not where the recorded orders lead \(the log of turn \d differs\)"),
    ("label not text", lambda d: json.dumps(_set(d, "label", 5)).encode(), r"'label' must be text"),
]


@pytest.mark.parametrize(("damage", "expected"), [(c[1], c[2]) for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_broken_files_are_refused_with_a_reason(good_doc, tmp_path, damage, expected):
    path = tmp_path / "broken.json"
    path.write_bytes(damage(good_doc))
    reason = refused(path)
    assert re.search(expected, reason), reason


def test_missing_file_and_folder(tmp_path):
    assert refused(tmp_path / "nope.json") == "no such save file"
    assert "folder, not a save" in refused(tmp_path)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(MAX_SAVE_BYTES + 1)  # sparse: takes no disk space

    def no_reading(*args: Any, **kw: Any) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    assert refused(path) == "the file is 52,428,801 bytes; a save may be at most 50 MB (52,428,800 bytes)"


def test_a_scenario_changed_since_the_save_is_refused(mini, tmp_path):
    (tmp_path / "scenarios").mkdir()
    scenario = tmp_path / "scenarios" / "mini.yaml"
    shutil.copy(MINI, scenario)
    save = save_game(tmp_path / "s.json", played(mini, 1), scenario, root=tmp_path)
    assert json.loads(save.read_text())["scenario"] == "scenarios/mini.yaml"
    assert load_game(save, root=tmp_path)[1] == scenario.resolve()
    scenario.write_text(MINI.read_text().replace("turns: 6", "turns: 7"))
    assert "has changed since this game was saved" in refused(save, root=tmp_path)
    scenario.write_text(MINI.read_text().replace("turns: 6", "turns: [6"))
    reason = refused(save, root=tmp_path)
    assert "named by this save is invalid" in reason and "YAML syntax error" in reason


def test_a_symlink_out_of_the_project_is_refused(mini, tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(MINI, outside)
    try:
        (root / "link.yaml").symlink_to(outside)
    except OSError:
        pytest.skip("cannot make symlinks here")
    save = tmp_path / "s.json"
    doc = {"format": 2, "kind": "wargame-save", "scenario": "link.yaml", "scenario_digest": played(mini, 0).rules.digest,
           "seed": 3, "state": json.loads(played(mini, 0).state.to_json()), "turns": []}
    write_doc(save, doc)
    assert "points outside the project folder" in refused(save, root=root)
    doc["scenario"] = "sub/../../elsewhere.yaml"
    write_doc(save, doc)
    assert "points outside the project folder" in refused(save, root=root)
    with pytest.raises(SaveError, match="outside the project folder"):
        save_game(tmp_path / "t.json", played(mini, 0), root / "link.yaml", root=root)


def test_dots_that_stay_inside_the_project_are_fine(good_doc, tmp_path):
    good_doc["scenario"] = "tests/../tests/fixtures/mini.yaml"
    assert load_game(write_doc(tmp_path / "s.json", good_doc))[1] == MINI.resolve()


def test_random_damage_only_ever_raises_save_error(good_doc, tmp_path):
    data = json.dumps(good_doc).encode()
    rng = random.Random(1)
    path = tmp_path / "fuzz.json"
    for _ in range(150):
        mutant = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(mutant))
            mutant[i] = rng.choice(b'{}[]",:0123456789tfn-. \x00\xff')
        if rng.random() < 0.3:
            mutant = mutant[: rng.randrange(len(mutant))]
        path.write_bytes(bytes(mutant))
        try:
            load_game(path)
        except SaveError as exc:
            assert exc.reason and "could not be read" not in exc.reason  # a specific reason, not the safety net


def test_migrations_upgrade_older_formats(good_doc, tmp_path, monkeypatch):
    def from_zero(doc: dict[str, Any]) -> dict[str, Any]:
        doc["label"] = doc.pop("title")
        return doc

    monkeypatch.setitem(saves.MIGRATIONS, 0, from_zero)
    good_doc["format"] = 0
    good_doc["title"] = good_doc.pop("label") or "old"
    assert read_save(write_doc(tmp_path / "old.json", good_doc)).label == "old"
    del good_doc["title"]
    assert "could not be upgraded" in refused(write_doc(tmp_path / "bad.json", good_doc))


# ----------------------------------------------------------------------------- format 2: replayed, migrated


def test_default_scenario_round_trips_through_a_whole_game(default_scenario, tmp_path):
    """The shipped scenario at the start, mid-game and the end (the mini scenario is checked at every turn above)."""
    from engine.bots.controllers import controller

    g = Game(default_scenario, seed=2)
    quick = dict.fromkeys(default_scenario.playable_ids, controller("quick"))
    path = tmp_path / "s.json"
    resumed = None
    while True:
        if len(g.turns) in (0, 5) or g.over:
            save_game(path, g, DEFAULT)
            loaded = load_game(path)[0]
            assert loaded.state.digest() == g.state.digest() and digests(loaded) == digests(g)
            if len(g.turns) == 5:
                resumed = loaded
        if g.over:
            break
        g.play_turn(quick)
    assert resumed is not None
    resumed.play_out(quick)  # a loaded game rolls the same dice and its bots choose the same orders
    assert resumed.state.digest() == g.state.digest() and digests(resumed) == digests(g)


def format_1(g: Game) -> dict[str, Any]:
    """A save as format 1 wrote it: every history entry a whole state (with the orders committed into it)."""
    return {"format": 1, "kind": "wargame-save", "scenario": "tests/fixtures/mini.yaml",
            "scenario_digest": g.rules.digest, "seed": g.state.seed, "label": "old",
            "state": json.loads(g.state.to_json()), "history": [json.loads(h.to_json()) for h in g.history]}


def test_format_1_saves_are_migrated_and_replayed(mini, tmp_path):
    g = played(mini, 2, seed=9)
    g.submit("alpha", [])  # a side that gives no orders appears nowhere in format 1's log
    g.play_turn(controllers(g))
    g.submit("alpha", bots(g, "alpha"))
    loaded = read_save(write_doc(tmp_path / "v1.json", format_1(g)))
    assert loaded.format == 1 and loaded.label == "old"
    assert loaded.game.state == g.state and digests(loaded.game) == digests(g)

    def orders(game: Game) -> list[dict[str, list[str]]]:
        return [{side: sorted(o.label() for o in os) for side, os in t.orders.items()} for t in game.turns]
    assert orders(loaded.game) == orders(g) and loaded.game.turns[2].orders["alpha"] == []
    # Saves older than format 3 are rebuilt from their order log: an outcome edited by hand in what they
    # stored never enters the game, which is the one the recorded orders lead to.
    doc = format_1(g)
    doc["history"][2]["globals"]["credibility"] = 1.0
    assert read_save(write_doc(tmp_path / "e.json", doc)).game.state == g.state
    doc["state"]["log"][1]["resolutions"][0]["order"]["card"] = "no_such_card"  # orders the rules refuse still are
    assert "cannot be played" in refused(write_doc(tmp_path / "f.json", doc))


# ----------------------------------------------------------------------------- interrupted saves


STEPS = ["NamedTemporaryFile", "write", "flush", "fsync", "chmod", "replace"]


@pytest.mark.parametrize("step", STEPS)
def test_a_save_interrupted_at_any_step_leaves_the_previous_save(mini, tmp_path, monkeypatch, step):
    """Each step of an atomic save fails in turn, as a killed process or a dying disk would stop it there."""
    g = played(mini, 1)
    path = save_game(tmp_path / "s.json", g, MINI)
    before = path.read_bytes()
    g.play_turn(controllers(g))

    class Killed(OSError):
        pass

    def die(*args: Any, **kw: Any) -> None:
        raise Killed(errno.EIO, f"interrupted at {step}")

    if step in ("write", "flush"):
        real = files.tempfile.NamedTemporaryFile

        def half_file(*args: Any, **kw: Any) -> Any:
            f = real(*args, **kw)
            if step == "write":  # half the bytes reach the temp file, then the process "dies"
                inner = f.write
                f.write = lambda data: (inner(data[: len(data) // 2]), die())[1]  # type: ignore[method-assign]
            else:
                f.flush = die  # type: ignore[method-assign]
            return f
        monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", half_file)
    elif step == "NamedTemporaryFile":
        monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", die)
    else:
        monkeypatch.setattr(os, step, die)
    if step == "chmod":  # a failed chmod is only a nicety: the save goes through
        save_game(path, g, MINI)
        monkeypatch.undo()
        assert load_game(path)[0].state.turn == 3
        return
    with pytest.raises(SaveError, match="earlier save there is unchanged"):
        save_game(path, g, MINI)
    monkeypatch.undo()
    assert path.read_bytes() == before and load_game(path)[0].state.turn == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


KILLER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from engine.bots.controllers import controller
from engine.rules.game import Game
from engine.scenario.load import load_scenario
from engine.persistence.saves import save_game
sc = load_scenario({scenario!r})
g = Game(sc, seed=1)
quick = dict.fromkeys(sc.playable_ids, controller("quick"))
for _ in range(8):
    g.play_turn(quick)
save_game(Path({path!r}), g, Path({scenario!r}))
print("first save written", flush=True)
while True:  # keep rewriting the save until killed, so the kill lands mid-write as often as not
    save_game(Path({path!r}), g, Path({scenario!r}), label="again")
"""


def test_a_process_killed_while_saving_leaves_a_readable_save(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "s.json"
    script = KILLER.format(root=str(ROOT), scenario=str(DEFAULT), path=str(path))
    for delay in (0.0, 0.013, 0.037, 0.071):  # the kill lands at different points of a write
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "first save written"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = read_save(path)  # whatever the moment, the file is a whole save
        assert loaded.game.state.turn == 9
        for leftover in tmp_path.glob(".s.json.*.tmp"):  # a temp file may be left; it is never the save
            leftover.unlink()


# ----------------------------------------------------------------------------- the command line


# the whole corpus is checked in-process above; these show each command turns a refusal into exit 2
CLI_CORPUS = ["truncated", "wrong type in the state", "newer format", "binary garbage",
              "scenario path escaping with ..", "an illegal order in the log"]


@pytest.mark.parametrize("command", ["play", "replay", "report"])
def test_broken_saves_exit_2_with_a_message_and_no_traceback(good_doc, tmp_path, command):
    import subprocess
    import sys

    for name, damage, _ in (c for c in CORPUS if c[0] in CLI_CORPUS):
        path = tmp_path / "broken.json"
        path.write_bytes(damage(json.loads(json.dumps(good_doc))))
        args = {"play": ["play", "--headless", "--load", str(path)], "replay": ["replay", str(path)],
                "report": ["report", str(path), "--out", str(tmp_path / "out")]}[command]
        res = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                             cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
        expect = 1 if command == "replay" and name == "an illegal order in the log" else 2
        assert res.returncode == expect, (name, res.stderr)
        assert "Traceback" not in res.stderr and str(path) in res.stderr, (name, res.stderr)
        assert len(res.stderr.strip().splitlines()) <= 2, res.stderr  # one clear message, not a dump
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:
        f.truncate(MAX_SAVE_BYTES + 1)
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "replay", str(huge)], capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert res.returncode == 2 and "a save may be at most 50 MB" in res.stderr


def test_temporary_files_left_by_a_killed_save_are_cleared_by_the_next(mini, tmp_path):
    g = Game(mini, seed=1)
    path = save_game(tmp_path / "s.json", g, MINI)
    old = tmp_path / ".s.json.abc123.tmp"
    fresh = tmp_path / ".s.json.def456.tmp"  # another save may be writing this one right now
    other = tmp_path / ".t.json.abc123.tmp"
    for f in (old, fresh, other):
        f.write_bytes(b"{half a sav")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    save_game(path, g, MINI)
    assert not old.exists() and fresh.exists() and other.exists()
    assert load_game(path)[0].state.digest() == g.state.digest()


def test_a_save_written_by_the_previous_format_loads_and_plays_on():
    """A format-2 save (from before sides had keys) is rebuilt from its order log, committed orders included."""
    from engine.persistence.saves import read_save

    loaded = read_save(Path(__file__).parent / "fixtures" / "saves" / "format2_mini.json")
    game = loaded.game
    assert loaded.format == 2 and game.state.turn == 4 and len(game.turns) == 3
    assert game.state.committed == ["alpha"] and game.state.keys  # the committed orders survive; keys are new
    for side in game.waiting_for():
        game.submit(side, simple_orders(game.rules, game.state, side))
    game.adjudicate()
    assert game.state.turn == 5


def test_every_game_autosaves_to_a_file_of_its_own(tmp_path, monkeypatch):
    """Two games (or a game and an exercise) never autosave over each other, and nothing existing is reused."""
    from engine.persistence.saves import AUTOSAVE_ENV, autosave_path, fresh_path

    monkeypatch.delenv(AUTOSAVE_ENV, raising=False)
    first, second = autosave_path(None, "mini"), autosave_path(None, "mini")
    assert first != second and first.parent.name == "saves" and first.name.startswith("autosave-mini-")
    assert autosave_path("off", "mini") is None and autosave_path(str(tmp_path / "a.json")) == tmp_path / "a.json"
    (tmp_path / "r").mkdir()
    assert fresh_path(tmp_path, "r") == tmp_path / "r-2"
