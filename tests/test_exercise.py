"""Facilitator-scripted exercises and the control cell, on the engine's own data (no UI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.analysis.exercise_check import script_findings
from engine.core.commands import Adjust, Argue, FireInject, Pause, Resume, SetChance
from engine.core.errors import IllegalOrder, PhaseError, ScenarioError
from engine.core.state import GameState
from engine.exercise.passphrase import make_lock
from engine.exercise.script import ExerciseRun, load_exercise, turn_of_date
from engine.persistence.saves import load_game, replay_save, save_game
from engine.rules import control
from engine.rules.game import Game

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SCRIPTS = ROOT / "scenarios" / "exercises"
US_WITHDRAWAL = SCRIPTS / "us_withdrawal.yaml"
BALTICS = SCRIPTS / "article5_baltics.yaml"


@pytest.fixture(scope="module")
def withdrawal():
    return load_exercise(US_WITHDRAWAL)


def _play(ex, seed: int, level: str = "simple", each_planning=None) -> ExerciseRun:
    """Play a whole exercise with bots in the teams' places; `each_planning(run)` sees every full planning phase."""
    run = ExerciseRun(ex, seed=seed, bot_level=level)
    g = run.game
    while not g.over:
        if g.state.phase == "paused":
            g.control(Resume(by="test"))
        run.give_orders()
        if each_planning:
            each_planning(run)
        run.adjudicate()
    return run


def test_both_shipped_scripts_load_and_name_their_scenario():
    for path in (US_WITHDRAWAL, BALTICS):
        ex = load_exercise(path)
        assert ex.scenario_path == (ROOT / "scenarios" / "post_nato_2024.yaml").resolve()
        assert ex.script.teams and ex.script.injects and ex.script.pauses
        injects = {i.id for i in ex.script.injects}
        assert injects <= {e.id for e in ex.scenario.events}


def test_injects_arrive_before_the_orders_of_their_turn(withdrawal):
    run = _play(withdrawal, seed=1)
    g = run.game
    delivered = {ev.event: rec.turn for rec in g.state.log for ev in rec.briefing}
    for inj in withdrawal.script.injects:
        if inj.at_turn is not None and inj.when:  # a branch: at its turn, if its conditions held then
            assert delivered.get(inj.id) in (inj.at_turn, None), inj.id
        elif inj.at_turn is not None:
            assert delivered.get(inj.id) == inj.at_turn, inj.id
        elif inj.at_date is not None:
            assert delivered.get(inj.id) == turn_of_date(withdrawal.scenario, inj.at_date), inj.id
    assert turn_of_date(withdrawal.scenario, withdrawal.script.injects[2].at_date) == 3  # 10 April 2024: turn 3
    assert ("withdrawal_notice" in delivered) != ("notice_shelved" in delivered)  # turn 5 takes one branch
    # Private injects carry their team's actors; public ones go to the room.
    by_id = {ev.event: ev for rec in g.state.log for ev in rec.briefing}
    assert by_id["cabinet_memo"].to == ["us"] and by_id["cabinet_memo"].source == "script"
    assert by_id["situation_brief"].to is None
    # The exercise ends after its last scripted turn, not at the scenario's.
    assert g.over and len(g.state.log) == 8
    assert g.state.end_reason == "the exercise's second module ended"


def test_a_conditional_inject_fires_at_the_first_turn_its_condition_holds(withdrawal):
    fired_at: list[int] = []
    held_at: list[int] = []

    def look(run: ExerciseRun) -> None:
        s = run.game.state
        if any(ev.event == "paris_nuclear_dialogue" for ev in s.inbox):
            fired_at.append(s.turn)
        start = run.game.history[-1]  # the state as planning opened
        if start.commitments["nato_alliance"]["us"] == "withdrawing":
            held_at.append(start.turn)

    for seed in (1, 2, 3):
        fired_at.clear()
        held_at.clear()
        _play(withdrawal, seed=seed, each_planning=look)
        if held_at:
            assert fired_at == [held_at[0]], seed
        else:
            assert fired_at == [], seed


def test_forced_outcomes_and_facilitator_overrides_are_logged_with_their_reasons(withdrawal):
    run = ExerciseRun(withdrawal, seed=4, bot_level="simple")
    g = run.game
    while g.state.turn < 5:
        if g.state.phase == "paused":
            g.control(Resume())
        run.play_turn()
    if g.state.phase == "paused":
        g.control(Resume())
    run.give_orders()
    seq = g.rules.resolution_sequence(g.state)
    proposals = control.propose(g.rules, g.state)
    assert [p.order for p in proposals] == seq
    # The facilitator overrules the first order that the rules would not let fail.
    target = next(i for i, p in enumerate(proposals) if p.order.actor != "russia" and p.outcome == "success")
    rulings: dict = {}
    with pytest.raises(IllegalOrder, match="reason"):
        control.override(g.rules, g.state, rulings, target, "failure", "  ")
    control.override(g.rules, g.state, rulings, target, "failure", "the minister is ill; the visit is off")
    rec = run.adjudicate(rulings)
    res = rec.resolutions
    forced = next(r for r in res if r.order.actor == "russia" and r.order.card == "cyber_attack")
    assert forced.outcome == "success" and forced.decided_by == "script"
    assert "allied solidarity" in forced.decided_because
    assert res[target].outcome == "failure" and res[target].decided_by == "facilitator"
    assert res[target].decided_because == "the minister is ill; the visit is off"
    # Rulings never change the dice: the rolls are the ones the proposal showed.
    assert [r.roll for r in res] == [p.roll for p in proposals]


def test_no_team_ever_sees_another_teams_private_injects_or_orders(withdrawal):
    """Every planning phase of a whole scripted game, every team, on the engine's views."""
    sc = withdrawal.scenario
    private_vars = {k for k, d in sc.variables.items() if d.private}
    private_injects = {i.id: set(i.to) for i in withdrawal.script.injects if i.to}
    checked = 0

    def look(run: ExerciseRun) -> None:
        nonlocal checked
        s = run.game.state
        assert s.pending, "everyone has committed by now"
        for team in withdrawal.script.teams:
            mine = set(team.actors)
            view = withdrawal.team_view(s, team.id)
            assert set(view["pending"]) <= mine
            assert set(view["free_pending"]) <= mine
            assert view["control"] == [] and view["rng"] is None
            events = view["inbox"] + [e for rec in view["log"] for e in rec["briefing"] + rec["events"]]
            for e in events:
                assert e["to"] is None or mine & set(e["to"]), (team.id, e["event"])
            text = json.dumps(view)
            for inject, teams in private_injects.items():
                if team.id not in teams:
                    assert inject not in text, (team.id, inject)
            for actor, row in view["vars"].items():
                if actor not in mine:
                    assert all(row[k] is None for k in private_vars)
            checked += 1

    run = _play(withdrawal, seed=2, each_planning=look)
    assert checked == len(run.game.state.log) * len(withdrawal.script.teams)
    # And the private injects really were delivered, so the check had something to hide.
    delivered = {ev.event for rec in run.game.state.log for ev in rec.briefing}
    assert {"cabinet_memo", "suwalki_report", "aid_pause"} <= delivered


def test_a_wrong_passphrase_does_not_open_the_lock():
    lock = make_lock("white cell 7")
    assert lock.opens_with("white cell 7")
    for attempt in ("", "white cell", "White cell 7", "white cell 7 ", "x" * 200):
        assert not lock.opens_with(attempt)
    with pytest.raises(ValueError, match="at least 4"):
        make_lock("abc")
    assert make_lock("white cell 7").salt != lock.salt  # salted: two locks never share a hash


def test_pause_holds_the_orders_until_control_resumes(withdrawal):
    g = Game(withdrawal.scenario, seed=1)
    orders = g.legal_orders("poland")[:1]
    g.control(Pause(note="coffee"))
    assert g.state.phase == "paused"
    with pytest.raises(PhaseError, match="paused"):
        g.submit("poland", orders)
    with pytest.raises(IllegalOrder):
        g.control(Pause(note="again"))  # already paused: refused, and not recorded
    g.control(Resume())
    g.submit("poland", orders)
    assert [c.action for c in g.state.control] == ["pause", "resume"]


def test_adjust_fire_and_free_actions(withdrawal):
    g = Game(withdrawal.scenario, seed=9)
    with pytest.raises(IllegalOrder, match="reason"):
        g.control(Adjust(ref="poland.readiness", value=90, reason=""))
    with pytest.raises(IllegalOrder, match="no variable"):
        g.control(Adjust(ref="poland.morale", value=90, reason="x"))
    g.control(Adjust(ref="poland.readiness", value=999, reason="the brigade arrived early"))
    assert g.state.vars["poland"]["readiness"] == withdrawal.scenario.variables["readiness"].max
    g.control(Adjust(ref="ladder", value=0, reason="calm the room"))
    assert g.state.rung == withdrawal.scenario.ladder.rungs[0].id
    g.control(FireInject(event="withdrawal_notice", reason="run module 2 early"))
    assert g.state.inbox[-1].event == "withdrawal_notice" and g.state.inbox[-1].source == "facilitator"
    with pytest.raises(IllegalOrder, match="already"):
        g.control(FireInject(event="withdrawal_notice", reason="twice"))
    g.control(Argue(actor="poland", argument="Close the Suwałki gap with a joint brigade",
              on_success={"poland.readiness": -5, "global.article5_credibility": 4}))
    g.control(Argue(actor="germany", argument="Buy gas elsewhere"))
    g.control(SetChance(actor="poland", index=0, chance=100, reason="strong argument, no opposition"))
    for side in g.waiting_for():
        g.submit(side, [])
    rec = g.adjudicate()
    free = {f.action.actor: f for f in rec.free}
    assert free["poland"].outcome == "success" and free["germany"].outcome == "fizzled"
    assert any(e["var"] == "article5_credibility" and e["to"] - e["from"] == pytest.approx(4)
               for e in free["poland"].effects)
    assert [ev.event for ev in rec.briefing][-1] == "withdrawal_notice"
    # The inbox now holds only the next turn's injects; the arguments were settled.
    assert [ev.event for ev in g.state.inbox] == ["cabinet_memo"] and g.state.inbox[0].turn == 2
    assert g.state.free_pending == {}


def test_a_facilitated_exercise_saves_replays_and_continues_exactly(tmp_path, withdrawal):
    run = ExerciseRun(withdrawal, seed=6, bot_level="simple")
    g = run.game
    run.play_turn()
    g.control(Adjust(ref="global.sanctions_pressure", value=80, reason="EU package agreed off-line"))
    g.control(Argue(actor="poland", argument="Host a US brigade", on_success={"poland.readiness": 3}))
    g.control(SetChance(actor="poland", index=0, chance=60))
    run.give_orders()
    rulings: dict = {}
    control.override(g.rules, g.state, rulings, 0, "failure", "weather")
    run.adjudicate(rulings)
    if g.state.phase == "paused":
        g.control(Resume())
    g.control(FireInject(event="withdrawal_notice", reason="early"))
    g.rewind(g.state.turn, reason="the room wants the inject next turn instead")
    g.control(Adjust(ref="ladder", value=20, reason="after the rewind"))
    path = save_game(tmp_path / "ex.json", g, US_WITHDRAWAL, label="mid-exercise")
    _, result = replay_save(path)
    assert result.matches, result.mismatch
    loaded, scenario_path = load_game(path)
    assert scenario_path == US_WITHDRAWAL.resolve()
    assert loaded.state.digest() == g.state.digest()
    assert [c.action for c in loaded.state.control] == [c.action for c in g.state.control]
    # Both continue the same way: the same dice, the same bot choices.
    again = ExerciseRun(withdrawal, seed=6, bot_level="simple", game=loaded)
    run.play_turn()
    again.play_turn()
    assert loaded.state.digest() == g.state.digest()
    # A tampered control log is caught.
    doc = json.loads(path.read_text())
    doc["turns"][1]["control"][0]["args"]["value"] = 10
    path.write_text(json.dumps(doc))
    _, result = replay_save(path)
    assert not result.matches and result.mismatch.turn == 2


def _broken_script_dir(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "tests" / "fixtures" / "mini.yaml", tmp_path / "mini.yaml")
    (tmp_path / "exercises").mkdir()
    return tmp_path / "exercises" / "broken.yaml"


BROKEN = """\
exercise:
  id: broken
  title: Broken
  summary: Mistakes on purpose.
  scenario: ../mini.yaml
  objectives: [{id: lo, text: Learn.}]
teams:
  - {id: red, name: Red, actors: [alpha, delta]}
  - {id: blue, name: Blue, actors: [alpha]}
injects:
  - {id: one, title: One, text: x, at_turn: 2, to: [green]}
  - {id: two, title: Two, text: x, at_date: 2031-01-01}
  - {id: three, title: Three, text: x, at_turn: 3, effects: [{change: beta.morale, by: 1}]}
moves:
  - {turn: 2, actor: alpha, card: raise}
  - {turn: 2, actor: gamma, card: nuke_everything}
"""


def test_a_script_with_mistakes_is_reported_by_line(tmp_path):
    script = _broken_script_dir(tmp_path)
    script.write_text(BROKEN)
    with pytest.raises(ScenarioError) as err:
        load_exercise(script)
    found = {(p.line, p.message) for p in err.value.problems}
    lines = {p.line for p in err.value.problems}
    assert any(line == 8 and "'delta' is not a playable actor" in m for line, m in found)
    assert any(line == 9 and "already played by team 'red'" in m for line, m in found)
    assert any(line == 11 and "no team 'green'" in m for line, m in found)
    assert any(line == 12 and "outside the exercise" in m for line, m in found)
    assert any(line == 15 and "scripted moves are for sides no team plays" in m for line, m in found)
    assert any(line == 16 and "no card 'nuke_everything'" in m for line, m in found)
    assert lines <= {8, 9, 11, 12, 13, 15, 16}
    # the unknown variable is found once the script is merged with its scenario, and located in the script
    script.write_text(BROKEN.split("  - {id: red")[0] + "  - {id: red, name: Red, actors: [alpha]}\n"
                      + "injects:\n" + BROKEN.split("injects:\n")[1].split("  - {id: one")[0]
                      + "  - {id: three, title: Three, text: x, at_turn: 3, effects: [{change: beta.morale, by: 1}]}\n")
    with pytest.raises(ScenarioError) as err:
        load_exercise(script)
    assert [(p.line, "morale" in p.message) for p in err.value.problems] == [(10, True)]


def test_a_script_cannot_reach_outside_its_folders(tmp_path):
    script = _broken_script_dir(tmp_path)
    script.write_text(BROKEN.replace("../mini.yaml", "../../../../etc/passwd"))
    with pytest.raises(ScenarioError, match="must be relative and stay inside"):
        load_exercise(script)
    script.write_text(BROKEN.replace("../mini.yaml", "/etc/passwd"))
    with pytest.raises(ScenarioError, match="must be relative"):
        load_exercise(script)


def test_run_exercise_headless_from_the_command_line(tmp_path):
    out = subprocess.run([sys.executable, "main.py", "run-exercise", str(BALTICS), "--headless", "--seed", "3",
                          "--bot-level", "simple", "--save", str(tmp_path / "b.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "EXERCISE: Article 5 test in the Baltics" in text
    assert "Unmarked personnel in a Baltic border district [for next turn's planning]" in text
    assert "DISCUSSION PAUSE — Hot seat: is this an Article 5 attack?" in text
    assert "[forced by the script]" in text and "DEBRIEF" in text
    # each turn says what changed and why, one line of orders per side; --detail gives every order in full
    assert "Figures that changed:" in text and "Orders (in resolution order):" not in text
    saved = json.loads((tmp_path / "b.json").read_text())
    assert saved["scenario"] == "scenarios/exercises/article5_baltics.yaml"
    assert GameState.model_validate(saved["state"]).ended
    replay = subprocess.run([sys.executable, "main.py", "replay", str(tmp_path / "b.json")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert replay.returncode == 0, replay.stdout + replay.stderr


def test_run_exercise_detail_prints_every_order_in_full_and_script_text_is_made_harmless(tmp_path):
    """--detail is the full log (reasons, effects, dice); text from a script never reaches the terminal raw."""
    script = tmp_path / "exercises" / "hostile.yaml"
    script.parent.mkdir()
    shutil.copy(FIXTURES / "mini.yaml", tmp_path / "mini.yaml")
    text = (FIXTURES / "exercise_mini.yaml").read_text(encoding="utf-8").replace("scenario: mini.yaml",
                                                                                 "scenario: ../mini.yaml")
    text = text.replace("title: Mini drill", 'title: "Mini\\e[2J drill"').replace(
        "text: Everyone in the room hears this.", 'text: "Everyone\\e]52;c;ZXZpbA==\\a hears this."')
    script.write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "main.py", "run-exercise", str(script), "--headless", "--seed", "3",
                          "--autosave", "off", "--detail"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    assert "Orders (in resolution order):" in out.stdout and "why:" in out.stdout
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "Mini" in out.stdout and "hears this." in out.stdout


def test_run_exercise_refuses_a_broken_script_without_a_traceback(tmp_path):
    script = _broken_script_dir(tmp_path)
    script.write_text(BROKEN)
    out = subprocess.run([sys.executable, "main.py", "run-exercise", str(script), "--headless"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "broken.yaml:16:" in out.stderr and "problems found" in out.stderr


def test_a_saved_exercise_resumes_under_its_script_from_the_command_line(tmp_path):
    """`run-exercise SCRIPT --load SAVE` goes on with the script's timeline: the same exercise as one never stopped."""
    script = ROOT / "scenarios" / "exercises" / "us_withdrawal.yaml"
    ex = load_exercise(script)
    whole = ExerciseRun(ex, seed=2)
    while not whole.game.over:
        whole.play_turn()
        if whole.game.state.phase == "paused":
            whole.game.control(Resume(by="script"))
    part = ExerciseRun(ex, seed=2)
    for _ in range(5):
        part.play_turn()
        if part.game.state.phase == "paused":
            part.game.control(Resume(by="script"))
    halfway = save_game(tmp_path / "halfway.json", part.game, script, label="stopped after turn 5")
    end = tmp_path / "end.json"
    res = subprocess.run([sys.executable, "main.py", "run-exercise", str(script), "--headless", "--load", str(halfway),
                          "--save", str(end), "--autosave", "off"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert res.returncode == 0, res.stderr
    assert "continuing with turn 6" in res.stdout
    resumed, _ = load_game(end)
    assert resumed.state.digest() == whole.game.state.digest()
    # a save of another exercise or scenario is refused, not played under the wrong script
    other = ROOT / "scenarios" / "exercises" / "article5_baltics.yaml"
    res = subprocess.run([sys.executable, "main.py", "run-exercise", str(other), "--headless", "--load", str(halfway)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "not of this exercise" in res.stderr


def test_validate_recognises_an_exercise_script_and_summarises_it():
    out = subprocess.run([sys.executable, "main.py", "validate", "scenarios/exercises/us_withdrawal.yaml"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "valid exercise script" in out.stdout
    assert "US withdrawal announced" in out.stdout and "Team Washington (United States)" in out.stdout
    assert "injects: 8; scripted moves: 4; forced outcomes: 1; discussion pauses: 2; holds on bots: 1" in out.stdout


def test_validate_reports_schema_and_cross_reference_mistakes_of_a_script_at_once(tmp_path):
    """A malformed inject does not hide the unknown actor two lines up: every problem, FILE:LINE:COLUMN, exit 2."""
    script = _broken_script_dir(tmp_path)
    script.write_text(BROKEN + "  - {turn: 0, actor: beta, card: raise}\n")
    out = subprocess.run([sys.executable, "main.py", "validate", str(script)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    err = out.stderr
    assert "broken.yaml:17:12: Input should be greater than or equal to 1" in err  # the schema's
    assert "broken.yaml:8:" in err and "'delta' is not a playable actor" in err  # the scenario's, at once
    assert "broken.yaml:16:" in err and "no card 'nuke_everything'" in err
    assert "unknown field" not in err and "missing field 'meta'" not in err


WEAK_STEPS = """\
exercise:
  id: weak
  title: Weak
  summary: Steps that cannot work.
  scenario: ../mini.yaml
  objectives: [{id: lo, text: Learn.}]
teams:
  - {id: red, name: Red, actors: [alpha]}
injects:
  - {id: calm, title: Calm, text: x, at_turn: 2}
  - {id: never, title: Never, text: x, at_turn: 2, when: [{turn_at_least: 5}]}
moves:
  - {turn: 2, actor: beta, card: threaten, targets: [alpha]}
forced:
  - {turn: 3, actor: gamma, card: calm_down, outcome: success, reason: the story needs it}
  - {turn: 3, actor: beta, card: raise, outcome: failure, reason: the story needs it}
"""


def test_validate_and_check_warn_about_script_steps_that_cannot_take_effect(tmp_path):
    script = _broken_script_dir(tmp_path)
    script.write_text(WEAK_STEPS)
    val = subprocess.run([sys.executable, "main.py", "validate", str(script)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert val.returncode == 0, val.stderr
    assert "warning: scripted move in turn 2: Beta may never play 'threaten'" in val.stdout
    chk = subprocess.run([sys.executable, "main.py", "check", str(script), "--runs", "3"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert chk.returncode == 0, chk.stderr
    text = chk.stdout
    assert "inject 'never' (Never) was never delivered" in text
    assert "forced outcome in turn 3: gamma did not play 'calm_down'" in text
    assert "could not be played" in text or "may never play 'threaten'" in text
    assert "No warnings" not in text
    shipped = subprocess.run([sys.executable, "main.py", "check", "scenarios/exercises/us_withdrawal.yaml", "--runs",
                              "3"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert shipped.returncode == 0 and "No warnings: every scripted step took effect." in shipped.stdout


#: seeds 1-20 at every level; the strong bot's share in halves, so parallel workers can take one each
_SCRIPT_RUNS = [pytest.param("simple", range(1, 21), id="simple-1-20"), pytest.param("quick", range(1, 21), id="quick-1-20"),
                pytest.param("strong", range(1, 11), id="strong-1-10", marks=pytest.mark.slow),
                pytest.param("strong", range(11, 21), id="strong-11-20", marks=pytest.mark.slow)]


@pytest.mark.parametrize(("level", "seeds"), _SCRIPT_RUNS)
@pytest.mark.parametrize("script", ["us_withdrawal.yaml", "article5_baltics.yaml"])
def test_every_scripted_step_takes_effect_under_every_bot_level(script, level, seeds):
    """A script written for the room must not fall flat whatever the bots do: its branches cover their choices."""
    ex = load_exercise(ROOT / "scenarios" / "exercises" / script)
    assert [f.message for f in script_findings(ex, [level], seeds)] == []


def test_play_load_of_an_exercise_save_goes_on_under_its_script(tmp_path):
    """`play --load` of an exercise's save is not a plain game: the script's timeline goes on."""
    ex = load_exercise(BALTICS)
    whole = ExerciseRun(ex, seed=4, bot_level="simple")
    part = ExerciseRun(ex, seed=4, bot_level="simple")
    for run, turns in ((whole, 99), (part, 2)):
        while not run.game.over and len(run.game.turns) < turns:
            run.play_turn()
            if run.game.state.phase == "paused":
                run.game.control(Resume(by="script"))
    halfway = save_game(tmp_path / "halfway.json", part.game, BALTICS, label="stopped")
    end = tmp_path / "end.json"
    res = subprocess.run([sys.executable, "main.py", "play", "--headless", "--load", str(halfway), "--bot-level",
                          "simple", "--save", str(end), "--autosave", "off"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr
    assert "goes on under its script" in res.stdout and "EXERCISE: Article 5 test in the Baltics" in res.stdout
    resumed, _ = load_game(end)
    assert resumed.state.digest() == whole.game.state.digest()
