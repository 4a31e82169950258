"""The command line as a user runs it: validate, headless play (twice, same seed), and playing one side."""

from __future__ import annotations

import os
import re
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


# The default scenario's `intel` ("Intelligence picture") is private; "intel_warning" is a private inject to the
# Baltic states, the Nordic states and Poland at turn 3 that raises their intel. Seed 3 plays past turn 3.
PRIVATE_INJECT_NAME = "assessment of Russian force regeneration"
PRIVATE_INJECT_TEXT = "rebuilding its forces faster than expected"


def _others_private_figures(out: str, side_name: str) -> list[str]:
    """Lines showing another side's private figure: as an effect of the turn in full ("Poland Intelligence
    picture 5 → 7"), or on that side's line of the turn's summary ("  Poland: … · Intelligence picture 5 → 7")."""
    names = ("United States", "United Kingdom", "Germany", "France", "Poland", "Italy", "Baltic states",
             "Nordic states", "Ukraine", "Russia")
    return [line for line in out.splitlines() for n in names
            if n != side_name and (f"{n} Intelligence picture" in line
                                   or (line.startswith(f"  {n}: ") and "Intelligence picture" in line))]


def test_playing_one_side_prints_only_that_sides_view():
    a = run("play", "--headless", "--as", "ukraine", "--seed", "3", stdin="")
    b = run("play", "--headless", "--as", "ukraine", "--seed", "3", stdin="")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout  # still one game for one seed
    out = a.stdout
    assert "Turn 3 " in out and "End of game" in out
    assert PRIVATE_INJECT_NAME not in out and PRIVATE_INJECT_TEXT not in out
    assert _others_private_figures(out, "Ukraine") == []
    assert "seed 3" not in out  # the seed is not part of a side's view
    assert "Ukraine's view: only what Ukraine may see" in out.splitlines()[1]


def test_a_recipient_sees_its_private_inject_and_its_own_figure_only():
    res = run("play", "--headless", "--as", "poland", "--seed", "3", stdin="")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert PRIVATE_INJECT_NAME in out and PRIVATE_INJECT_TEXT in out
    # its own private figure moved, and the turn's summary says so first, with why
    moved = re.search(rf"^Your figures, and why they changed:\n(  .*\n)*?  Intelligence picture [\d.]+ → [\d.]+ "
                      rf"\(\+[\d.]+\): .*{PRIVATE_INJECT_NAME}", out, re.M)
    assert moved, out[:3000]
    assert _others_private_figures(out, "Poland") == []


def test_all_bots_is_the_facilitators_view_and_says_so():
    res = run("play", "--headless", "--seed", "3")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert out.splitlines()[1] == "Facilitator's view: every side's figures, private ones included"
    assert PRIVATE_INJECT_NAME in out and PRIVATE_INJECT_TEXT in out
    assert _others_private_figures(out, "Ukraine")  # every side's private figures are shown


def test_the_report_is_the_rooms_unless_the_facilitator_asks(tmp_path):
    save = tmp_path / "game.json"
    assert run("play", "--headless", "--seed", "3", "--autosave", "off", "--save", str(save)).returncode == 0
    room = run("report", str(save), "--out", str(tmp_path / "room"))
    assert room.returncode == 0, room.stderr
    md = (tmp_path / "room" / "report.md").read_text(encoding="utf-8")
    assert PRIVATE_INJECT_NAME not in md and "Intelligence picture" not in md
    assert room.stdout.startswith("Room's report: no side's private information.")
    fac = run("report", str(save), "--out", str(tmp_path / "fac"), "--facilitator")
    assert fac.returncode == 0, fac.stderr
    assert fac.stdout.startswith("Facilitator's report: contains every side's private information")
    md = (tmp_path / "fac" / "report.md").read_text(encoding="utf-8")
    assert PRIVATE_INJECT_NAME in md and "Intelligence picture" in md
    bad = run("report", str(save), "--out", str(tmp_path / "x"), "--side", "atlantis")
    assert bad.returncode == 2 and "unknown side" in bad.stderr
    both = run("report", str(save), "--facilitator", "--side", "ukraine")
    assert both.returncode == 2


def test_playing_one_side_shows_its_objectives_and_what_is_missing_before_its_first_choices():
    from engine.scenario.load import load_scenario
    from tests.conftest import DEFAULT

    sc = load_scenario(DEFAULT)
    res = subprocess.run([sys.executable, "main.py", "play", "--headless", "--as", "poland", "--seed", "3",
                          "--autosave", "off"], cwd=ROOT, input="\n", capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    first_choices = res.stdout.index("    1. ")
    head = res.stdout[:first_choices]
    assert "Your objectives:" in head
    mine = {o.description for o in sc.objectives if o.actor == "poland"}
    assert mine and all(d in head for d in mine)
    assert not any(o.description in head for o in sc.objectives if o.description not in mine)
    assert "missing: " in head


def test_a_terminal_game_loaded_again_is_seated_as_it_was(tmp_path):
    """`play --load` keeps who played what: the person's side and every bot's level, without repeating them."""
    save = tmp_path / "g.json"
    run = [sys.executable, "main.py", "play", "--headless", "--autosave", "off"]
    first = subprocess.run([*run, "--as", "poland", "--bot-level", "russia=strong", "--seed", "5", "--save", str(save)],
                           cwd=ROOT, input="", capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([*run, "--load", str(save)], cwd=ROOT, input="", capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert "Poland's view" in again.stdout and "Facilitator's view" not in again.stdout
    assert "Poland (you)" in again.stdout and "Russia (strong bot)" in again.stdout
