"""An exercise's after-action report: by learning objective, for the facilitator and (cut down) for the room."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.core.commands import Resume
from engine.core.errors import IllegalOrder
from engine.exercise.debrief import GENERAL, exercise_review, observations, observe
from engine.exercise.script import ExerciseRun, load_exercise
from engine.persistence.saves import load_game, save_game

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scenarios" / "exercises" / "us_withdrawal.yaml"


def _played(seed: int = 3) -> ExerciseRun:
    ex = load_exercise(SCRIPT)
    run = ExerciseRun(ex, seed=seed)
    g = run.game
    observe(g, ex, "lo_us_choices", "Washington weighed the memo <script>alert(1)</script> for ten minutes")
    while not g.over:
        run.play_turn()
        if g.state.phase == "paused":
            observe(g, ex, GENERAL, f"hot seat after turn {g.state.turn - 1}: lively")
            g.control(Resume(by="facilitator"))
    return run


def test_observations_are_tied_to_an_objective_and_kept_in_saves(tmp_path):
    run = _played()
    ex, g = run.exercise, run.game
    with pytest.raises(IllegalOrder, match="no learning objective 'lo_nothing'"):
        observe(g, ex, "lo_nothing", "x")
    with pytest.raises(IllegalOrder, match="needs some text"):
        observe(g, ex, "lo_us_choices", "   ")
    path = save_game(tmp_path / "ex.json", g, SCRIPT, label="done")
    back, _ = load_game(path)
    assert [(o.objective, o.text) for o in observations(back)] == [(o.objective, o.text) for o in observations(g)]
    assert len(observations(back)) == 3  # one before play, one at each of the two pauses


def test_the_review_ties_injects_expected_actions_team_actions_and_observations_to_each_objective():
    run = _played()
    r = exercise_review(run.exercise, run.game)
    assert r.title == "US withdrawal announced" and ("Team Kyiv", "Ukraine") in r.teams
    by_id = {o.id: o for o in r.objectives}
    us = by_id["lo_us_choices"]
    memo = next(i for i in us.injects if i.id == "cabinet_memo")
    assert memo.turn == 2 and memo.to == "Team Washington" and "weighs the options" in memo.expected_action
    assert memo.responses and {a.team for a in memo.responses} == {"Team Washington"}
    assert [o.text for o in us.observations] == ["Washington weighed the memo <script>alert(1)</script> for ten minutes"]
    euro = by_id["lo_european_response"]
    notice = next(i for i in euro.injects if i.id == "withdrawal_notice")
    assert notice.turn == 5 and notice.to == "the room"
    assert {a.team for a in notice.responses} == {t.name for t in run.exercise.script.teams}
    assert any("script set Russia's Cyber attack" in x for x in euro.rulings)  # the forced outcome, that turn
    assert [p[3] for p in r.pauses] == [True, True]
    assert len(r.general) == 2
    # the room's version: no expected actions, private injects, rulings or observations
    room = exercise_review(run.exercise, run.game, "")
    room_ids = {i.id for o in room.objectives for i in o.injects}
    assert "cabinet_memo" not in room_ids and "suwalki_report" not in room_ids and "withdrawal_notice" in room_ids
    assert all(not i.expected_action for o in room.objectives for i in o.injects)
    assert not room.general and not room.control_log and all(not o.observations and not o.rulings
                                                              for o in room.objectives)


def test_report_of_an_exercise_save_reviews_it_by_objective(tmp_path):
    run = _played()
    save = save_game(tmp_path / "ex.json", run.game, SCRIPT, label="done")
    for flag, name in (("--facilitator", "fac"), (None, "room")):
        cmd = [sys.executable, "main.py", "report", str(save), "--out", str(tmp_path / name)]
        out = subprocess.run(cmd + ([flag] if flag else []), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    fac = (tmp_path / "fac" / "report.md").read_text()
    for text in ("## Exercise: US withdrawal announced", "| Team Washington | United States |",
                 "### 1. Understand the choices open to Washington", "**Options memo: the Article 13 notice**",
                 "expected: Team Washington weighs the options", "Team Washington (United States):",
                 "observed, turn 1: Washington weighed the memo", "## Discussion pauses", "Hot seat 1",
                 "## Control log", "hot seat after turn 3: lively"):
        assert text in fac, text
    assert "<script>" not in fac and "&lt;script&gt;" in fac
    page = (tmp_path / "fac" / "report.html").read_text()
    assert "<script>" not in page and "id='learning-objectives'" in page
    room = (tmp_path / "room" / "report.md").read_text()
    assert "## Exercise: US withdrawal announced" in room and "Understand the choices open to Washington" in room
    for secret in ("Options memo", "expected:", "observed", "## Control log", "Polish intelligence"):
        assert secret not in room, secret
