"""The command line as a user runs it: validate, headless play (twice, same seed), and playing one side."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import DEFAULT, ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8",
                               "WARGAME_AUTOSAVE": os.environ["WARGAME_AUTOSAVE"]})


def test_validate_the_default_scenario():
    res = run("validate", "scenarios/post_nato_2024.yaml")
    assert res.returncode == 0, res.stderr
    assert "valid" in res.stdout and "cards:" in res.stdout and "actors:" in res.stdout and "turns" in res.stdout


def test_headless_play_is_the_same_game_for_the_same_seed():
    a = run("play", "--headless", "--seed", "7")
    b = run("play", "--headless", "--seed", "7")
    c = run("play", "--headless", "--seed", "8")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    assert a.stdout != c.stdout
    out = a.stdout
    for needle in ("Turn 1", "Orders", "Escalation:", "Budgets:", "Agreements:", "End of game", "Objectives:"):
        assert needle in out, needle
    assert "d100" in out  # dice are shown


def test_no_arguments_and_no_display_plays_headless():
    res = run()
    assert res.returncode == 0, res.stderr
    assert "No display found" in res.stdout and "End of game" in res.stdout


def test_a_person_plays_ukraine_with_numbered_choices():
    answers = "1\n\n99\nabc\n" + "1 2\n" * 30
    res = run("play", "--headless", "--as", "ukraine", "--seed", "3", stdin=answers)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Ukraine (you)" in out and "Ukraine: your orders for turn 1" in out
    assert "Please type numbers between 1 and" in out
    assert "End of game" in out
    assert "Traceback" not in res.stderr


def test_end_of_input_hands_the_side_to_the_policy():
    res = run("play", "--headless", "--as", "poland", "--seed", "2", stdin="")
    assert res.returncode == 0
    assert "built-in policy plays this side" in res.stdout and "End of game" in res.stdout


def test_unknown_side_is_refused():
    res = run("play", "--headless", "--as", "atlantis")
    assert res.returncode == 2 and "unknown side" in res.stderr


def test_default_scenario_path_exists():
    assert DEFAULT.is_file()


def test_schema_is_printed_and_matches_the_shipped_copy():
    import json

    res = run("schema")
    assert res.returncode == 0
    schema = json.loads(res.stdout)
    assert "meta" in schema["properties"] and "cards" in schema["properties"]
    shipped = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())
    assert shipped == schema, "regenerate docs/scenario.schema.json with `python main.py schema`"
