"""Authoring tools as an exercise designer uses them: the JSON Schemas, `new-scenario` and `check`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine.analysis.check import check_scenario
from engine.bots.controllers import LEVELS, controller
from engine.rules.game import Game
from engine.scenario.load import load_scenario
from engine.scenario.safe_yaml import load_file
from tests.conftest import FIXTURES, ROOT
from tests.test_cli import run

SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
EXERCISES = sorted((ROOT / "scenarios" / "exercises").glob("*.yaml"))
DECKS = sorted(p for p in (ROOT / "scenarios").glob("*/*.yaml") if p not in EXERCISES)


def _plain(value: Any) -> Any:
    """YAML dates become the strings an editor sees, as the JSON Schema describes them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _schema(name: str) -> dict:
    return json.loads((ROOT / "docs" / name).read_text(encoding="utf-8"))


def test_at_least_two_scenarios_and_their_decks_are_shipped():
    assert len(SHIPPED) >= 2 and DECKS


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_exported_schema_validates_each_shipped_scenario(path):
    schema = _schema("scenario.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_plain(load_file(path).data), schema)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/scenario.schema.json"


@pytest.mark.parametrize("path", DECKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_deck_schema_validates_each_shipped_deck(path):
    schema = _schema("deck.schema.json")
    jsonschema.validate(_plain(load_file(path).data), schema)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../docs/deck.schema.json"
    assert (path.parent / first.split("=", 1)[1]).resolve() == ROOT / "docs" / "deck.schema.json"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_the_exercise_schema_validates_each_shipped_exercise_script(path):
    schema = _schema("exercise.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_plain(load_file(path).data), schema)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert (path.parent / first.split("=", 1)[1]).resolve() == ROOT / "docs" / "exercise.schema.json"


def test_the_shipped_exercise_schema_is_the_exported_one():
    out = run("schema", "--exercise")
    assert out.returncode == 0
    assert json.loads(out.stdout) == _schema("exercise.schema.json")


def test_the_schema_catches_what_an_editor_should_mark():
    schema = _schema("scenario.schema.json")
    data = _plain(load_file(FIXTURES / "mini.yaml").data)
    jsonschema.validate(data, schema)
    bad = json.loads(json.dumps(data))
    bad["cards"][0]["famly"] = "budget"  # a typo in a field name
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = json.loads(json.dumps(data))
    bad["cards"][0]["family"] = "diplomacy"  # not a family
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_deck_schema_is_printed_and_matches_the_shipped_copy():
    res = run("schema", "--deck")
    assert res.returncode == 0
    assert json.loads(res.stdout) == _schema("deck.schema.json"), \
        "regenerate docs/deck.schema.json with `python main.py schema --deck`"


# ------------------------------------------------------------------ new-scenario


def test_new_scenario_writes_a_valid_scenario_that_plays_at_every_level(tmp_path):
    out = tmp_path / "drafts" / "standoff.yaml"
    res = run("new-scenario", "Standoff at the Straits", "--out", str(out))
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    ref = text.splitlines()[0].split("$schema=", 1)[1]
    assert (out.parent / ref).resolve() == ROOT / "docs" / "scenario.schema.json"
    assert "\n# " in text and "  # " in text  # it is commented
    res = run("validate", str(out))
    assert res.returncode == 0, res.stderr
    sc = load_scenario(out)
    assert sc.meta.id == "standoff_at_the_straits" and sc.meta.title == "Standoff at the Straits"
    jsonschema.validate(_plain(load_file(out).data), _schema("scenario.schema.json"))
    for level in LEVELS:
        game = Game(sc, seed=4)
        game.play_out({a: controller(level) for a in sc.playable_ids})
        assert game.over and game.state.results
    played = run("play", "--headless", "--scenario", str(out))
    assert played.returncode == 0 and "End of game" in played.stdout


def test_new_scenario_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("my work\n", encoding="utf-8")
    res = run("new-scenario", "Mine", "--out", str(out))
    assert res.returncode == 2 and "already exists" in res.stderr and "--force" in res.stderr
    assert out.read_text(encoding="utf-8") == "my work\n"
    res = run("new-scenario", "Mine", "--out", str(out), "--force")
    assert res.returncode == 0 and load_scenario(out).meta.id == "mine"


def test_new_scenario_needs_a_usable_name(tmp_path):
    res = run("new-scenario", "!!!", "--out", str(tmp_path / "x.yaml"))
    assert res.returncode == 2 and "cannot make a scenario id" in res.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_check_finds_nothing_wrong_with_the_starting_scenario(tmp_path):
    out = tmp_path / "start.yaml"
    assert run("new-scenario", "Start", "--out", str(out)).returncode == 0
    report = check_scenario(load_scenario(out), runs=40, quick_runs=4)
    assert report.total_games == 44
    assert not [f for f in report.findings if f.kind in ("never_legal", "never_chosen", "dominant")], report.findings


# ------------------------------------------------------------------ check


def test_check_flags_every_fault_of_the_broken_deck():
    report = check_scenario(load_scenario(FIXTURES / "broken.yaml"), runs=30, quick_runs=4)
    found = {(f.kind, f.subject) for f in report.findings}
    assert ("never_legal", "miracle") in found
    assert ("dominant", "free_power") in found
    assert ("objective_always_met", "green_exists") in found
    assert ("objective_never_met", "green_impossible") in found
    assert ("never_ends", "broken") in found
    assert ("event_never_fired", "storm") in found
    # and nothing about the cards that are fine
    assert not {s for k, s in found if s in ("costly_power", "posture")}
    assert report.objective_share["green_exists"] == 1 and report.card_legal["miracle"] == 0


def test_check_results_do_not_depend_on_worker_processes():
    sc = load_scenario(FIXTURES / "broken.yaml")
    one = check_scenario(sc, runs=6, quick_runs=2, jobs=1)
    two = check_scenario(sc, runs=6, quick_runs=2, jobs=2)
    assert one == two


def test_check_command_prints_warnings_and_exits_0():
    res = run("check", str(FIXTURES / "broken.yaml"), "--runs", "20", "--quick-runs", "2", "--jobs", "1")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any(line.startswith("warning: card miracle was never legal") for line in lines)
    assert any(line.startswith("warning: card free_power was chosen") for line in lines)
    assert "22 games" in res.stdout and lines[-1].endswith("warnings.")


def test_check_refuses_an_invalid_scenario(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(FIXTURES / "mini.yaml").read_text(encoding="utf-8").replace("turns: 6", "turns: many"))
    res = run("check", str(bad))
    assert res.returncode == 2 and "bad.yaml:" in res.stderr and "Traceback" not in res.stderr
