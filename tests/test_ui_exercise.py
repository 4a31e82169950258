"""A facilitated exercise on the map, driven with real pygame events as a seminar room would use it.

Set UI_SCREENSHOTS=DIR to keep the screenshots (briefing, inject, facilitator panel, pause, debrief).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pygame
import pytest

from engine.core import paths
from engine.exercise.script import load_exercise
from engine.ui.exercise_session import LOCK_AFTER_S
from engine.ui.exercise_start import ExerciseStartScreen
from tests.conftest import FIXTURES, ROOT
from tests.ui_driver import Driver

MINI_EXERCISE = FIXTURES / "exercise_mini.yaml"
US_WITHDRAWAL = ROOT / "scenarios" / "exercises" / "us_withdrawal.yaml"
PASS = "white cell"


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    return Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path


def type_into(d: Driver, entry, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click an entry line and type into it, as the keyboard would."""
    d.click(entry.rect.center)
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    d.frame()


def click_row(d: Driver, sl, i: int) -> None:  # type: ignore[no-untyped-def]
    d.click((sl.rect.x + 30, sl.rect.y + i * sl.row_h + sl.row_h // 2 - sl.offset))


def unlock(d: Driver, passphrase: str = PASS) -> None:
    """Type the passphrase, unless the control cell is still unlocked from the facilitator's last act."""
    if d.screen.name != "passphrase":
        assert d.app.session.control_unlocked()
        return
    type_into(d, d.screen.entry, passphrase)
    d.key(pygame.K_RETURN)
    d.frame()  # the entry line reports Enter on the next frame


def start(d: Driver, path: Path, seed: int = 3, bots: tuple[str, ...] = (), adjudication: str | None = None) -> None:
    ex = load_exercise(path)
    if adjudication:
        ex.script = ex.script.model_copy(update={"exercise": ex.script.exercise.model_copy(
            update={"adjudication": adjudication})})
    d.app.show(ExerciseStartScreen(d.app, ex, seed))
    for team in bots:
        d.click(d.screen.team_buttons[team].rect.center)
    type_into(d, d.screen.passphrase, PASS)
    d.click(d.screen.start_button.rect.center)


def test_passphrase_injects_private_views_control_and_debrief(shots, tmp_path, monkeypatch):
    from engine.persistence.saves import load_game

    monkeypatch.setattr(paths, "written", lambda kind: tmp_path / kind)
    (tmp_path / "saves").mkdir()
    d = Driver(shots=shots)
    d.app.show(ExerciseStartScreen(d.app, load_exercise(MINI_EXERCISE), 3))
    seen = d.texts_on_screen()
    assert "Mini drill" in seen and any("Read the other side's signals" in t for t in seen)
    type_into(d, d.screen.passphrase, "abc")  # too short: refused with the reason, nothing starts
    d.click(d.screen.start_button.rect.center)
    assert d.screen.name == "exercise_start" and "at least 4 characters" in d.screen.message
    assert d.app.session is None
    type_into(d, d.screen.passphrase, PASS)
    d.click(d.screen.start_button.rect.center)

    # each team's briefing, privately, after a hand-over that shows nothing
    assert d.screen.name == "handover" and d.screen.team == "north" and d.screen.briefing
    seen = d.texts_on_screen()
    assert any("Pass the screen to Team North" in t for t in seen)
    assert not any("briefing, for Team" in t for t in seen)
    d.key(pygame.K_RETURN)
    assert d.screen.name == "briefing"
    seen = d.texts_on_screen()
    assert "North briefing, for Team North only." in seen and not any("South briefing" in t for t in seen)
    d.shot("ex-01-briefing")
    d.key(pygame.K_RETURN)
    assert d.screen.name == "handover" and d.screen.team == "south"
    assert not any("North briefing" in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)

    # turn 1: the public inject is shown to the whole room
    assert d.screen.name == "inject"
    seen = d.texts_on_screen()
    assert "Public news flash" in seen and "Everyone in the room hears this." in seen
    assert any("NEWS FLASH" in t for t in seen)
    d.shot("ex-02-inject-room")
    d.key(pygame.K_RETURN)

    # North gives an order; South's hand-over shows nothing of it
    assert d.screen.name == "handover" and d.screen.team == "north"
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning" and d.screen.side == "alpha"
    d.key(pygame.K_a)
    assert [o.card for o in d.screen.pending] == ["raise"]
    d.key(pygame.K_c)
    assert d.screen.name == "handover" and d.screen.team == "south"
    assert not any("Raise defence spending" in t for t in d.texts_on_screen())

    # the facilitator panel: a wrong passphrase is refused and nothing opens
    d.key(pygame.K_F10)
    assert d.screen.name == "passphrase"
    unlock(d, "wrong guess")
    assert d.screen.name == "passphrase" and "Wrong passphrase" in d.screen.message
    assert not any("Control cell" in t for t in d.texts_on_screen())
    unlock(d)
    assert d.screen.name == "facilitator" and d.screen.tab == "overview"
    seen = d.texts_on_screen()
    assert "Alpha: Raise defence spending" in seen  # North's pending order, hidden from the other team
    assert "Gamma: Threaten → Alpha" in seen  # the script's move
    assert any(t.startswith("Alpha: Intelligence") for t in seen)  # a private figure
    d.shot("ex-03-facilitator")

    # adjust a figure: refused without a reason, recorded with one
    d.click(next(b for b in d.screen.buttons if b.label == "Adjust a figure").rect.center)
    panel = d.screen
    assert panel.tab == "adjust" and panel.figure.startswith("alpha.")
    ref = panel.figure
    type_into(d, panel.value, "7")
    d.click(next(b for b in panel.buttons if b.label == "Apply the change").rect.center)
    assert "reason" in panel.message and panel.error_message
    assert not [c for c in d.app.session.game.state.control if c.action == "adjust"]
    assert panel.value.get_text() == "7"  # what was typed is kept after the refusal
    type_into(d, panel.reason, "the budget deal passed")
    d.click(next(b for b in panel.buttons if b.label == "Apply the change").rect.center)
    adj = [c for c in d.app.session.game.state.control if c.action == "adjust"]
    assert len(adj) == 1 and adj[0].reason == "the budget deal passed" and adj[0].by == "facilitator"
    who, var = ref.split(".")
    assert d.app.session.game.state.vars[who][var] == 7
    d.key(pygame.K_ESCAPE)  # closing returns to where the room was
    assert d.screen.name == "handover" and d.screen.team == "south"

    # South commits; the control cell reviews the rules' proposals and overrules one, with a reason
    d.key(pygame.K_RETURN)
    d.key(pygame.K_c)
    assert d.screen.name == "gate"
    d.key(pygame.K_RETURN)
    unlock(d)
    panel = d.screen
    assert panel.tab == "adjudication" and len(panel.proposals) == 2
    i = next(k for k, r in enumerate(panel.proposals) if r.order.actor == "gamma")
    flip = "success" if panel.proposals[i].outcome == "failure" else "failure"
    click_row(d, panel.proposal_list, i)
    type_into(d, panel.reason, "the threat lands for the drill")
    d.click(next(b for b in panel.buttons if b.label == f"Set: {flip}").rect.center)
    assert d.screen.proposals[i].outcome == flip and d.screen.proposals[i].decided_by == "facilitator"
    d.click(next(b for b in d.screen.buttons if b.label.startswith("Confirm all")).rect.center)
    assert d.screen.name == "results"
    rec = d.app.session.game.state.log[-1]
    ruled = next(r for r in rec.resolutions if r.order.actor == "gamma")
    assert (ruled.outcome, ruled.decided_by, ruled.decided_because) == (flip, "facilitator",
                                                                         "the threat lands for the drill")
    shown = next(i for i, item in enumerate(d.screen.items) if item[0].startswith("Gamma: Threaten"))
    while d.screen.index < shown:
        d.key(pygame.K_SPACE)
    assert "Outcome set by the facilitator: the threat lands for the drill" in " ".join(d.texts_on_screen())
    # Ctrl+S saves the exercise; the save (with the override) loads back to the same game
    d.key(pygame.K_s, pygame.KMOD_CTRL)
    assert d.screen.message.startswith("Saved to saves/mini_drill-turn"), d.screen.message
    loaded, path = load_game(next((tmp_path / "saves").glob("*.json")))
    assert path.name == "exercise_mini.yaml" and loaded.state.digest() == d.app.session.game.state.digest()

    # the script's discussion pause, for the room; resumed only with the passphrase
    d.key(pygame.K_ESCAPE)
    d.key(pygame.K_RETURN)
    assert d.screen.name == "pause"
    seen = d.texts_on_screen()
    assert "Hot seat after the threat" in seen and any("How did North read" in t for t in seen)
    d.shot("ex-04-pause")
    # the facilitator has been away from the desk for longer than the lock waits: the passphrase is asked again
    d.app.session.clock = lambda: time.monotonic() + LOCK_AFTER_S + 1
    d.key(pygame.K_RETURN)
    unlock(d, "nope nope")
    assert d.app.session.game.state.phase == "paused"
    unlock(d)
    assert d.app.session.game.state.phase == "planning"

    # turn 2: the private cable is on North's planning screen and nowhere else
    cable = "Cable for North only"
    assert d.screen.name == "handover" and d.screen.team == "north"
    assert not any(cable in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    seen = d.texts_on_screen()
    assert cable in seen and "Only Team North may read this cable." in seen
    assert any("FOR YOUR TEAM ONLY" in t for t in seen)
    d.shot("ex-05-inject-private")
    d.key(pygame.K_c)
    assert d.screen.name == "handover" and d.screen.team == "south"
    assert not any(cable in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning" and d.screen.team == "south"
    assert not any(cable in t or "Only Team North" in t for t in d.texts_on_screen())
    d.key(pygame.K_c)

    # on to the debrief: learning objectives, objectives met, who decided what
    for _ in range(40):
        name = d.screen.name
        if name == "debrief":
            break
        if name == "gate":
            d.key(pygame.K_RETURN)
            unlock(d)
            d.click(next(b for b in d.screen.buttons if b.label.startswith("Confirm all")).rect.center)
        elif name == "planning":
            d.key(pygame.K_c)
        else:
            d.key(pygame.K_RETURN)
    assert d.screen.name == "debrief" and d.app.session.game.over
    seen = d.texts_on_screen()
    assert "Read the other side's signals before acting." in " ".join(seen)
    assert any(t.startswith("Alpha (Team North):") and "points" in t for t in seen)
    assert any("facilitator: adjust" in t for t in seen) and any("the budget deal passed" in t for t in seen)
    assert any("facilitator: override" in t for t in seen)
    d.shot("ex-06-debrief")
    assert d.app.error is None


def test_control_fires_an_inject_for_the_room_and_rewinds(shots):
    d = Driver(shots=shots)
    start(d, MINI_EXERCISE, bots=("south",))
    assert d.app.session.teams == ["north"]
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)  # North's briefing read
    d.key(pygame.K_RETURN)  # the public inject
    assert d.screen.name == "handover" and d.screen.team == "north"
    d.click(d.screen.control_button.rect.center)
    unlock(d)
    d.click(next(b for b in d.screen.buttons if b.label == "Fire an inject").rect.center)
    panel = d.screen
    i = next(k for k, e in enumerate(panel.candidates) if e.id == "spare_inject")
    click_row(d, panel.inject_list, i)
    assert "Control may fire this one early." in d.texts_on_screen()
    d.click(panel.fire_button.rect.center)  # first click asks for confirmation
    assert "spare_inject" not in d.app.session.game.state.fired and "confirm" in panel.message
    type_into(d, panel.reason, "the room is ahead of the script")
    d.click(panel.fire_button.rect.center)
    state = d.app.session.game.state
    assert "spare_inject" in state.fired and state.inbox[-1].source == "facilitator"
    assert state.control[-1].action == "fire_inject" and state.control[-1].reason == "the room is ahead of the script"
    d.key(pygame.K_ESCAPE)  # the room sees the new public inject, then is back where it was
    assert d.screen.name == "inject" and "Spare inject held by control" in d.texts_on_screen()
    assert any("fired by the control cell" in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    assert d.screen.name == "handover" and d.screen.team == "north"

    # rewind to the start of the turn: the inject is undone, the rewind is in the control log
    d.key(pygame.K_F10)
    unlock(d)
    d.click(next(b for b in d.screen.buttons if b.label == "Rewind").rect.center)
    panel = d.screen
    click_row(d, panel.turn_list, 0)
    go = next(b for b in panel.buttons if b.label == "Go back to the chosen turn")
    d.click(go.rect.center)
    assert "reason" in panel.message and panel.error_message  # a reason is required
    type_into(d, panel.reason, "play the turn as scripted")
    d.click(go.rect.center)
    assert "confirm" in panel.message and "spare_inject" in d.app.session.game.state.fired
    d.click(go.rect.center)
    state = d.app.session.game.state
    assert "spare_inject" not in state.fired and state.control[-1].action == "rewind"
    assert state.control[-1].reason == "play the turn as scripted"
    assert d.screen.name == "inject"  # the turn starts again for the room
    assert d.app.error is None


def test_two_actor_team_orders_for_each_actor_and_free_actions(shots):
    d = Driver(shots=shots)
    start(d, US_WITHDRAWAL, seed=2, bots=("washington", "warsaw", "kyiv"), adjudication="free")
    assert d.app.session.teams == ["berlin_paris"]
    d.key(pygame.K_RETURN)
    assert any("You play Germany, France." in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    assert d.screen.name == "inject" and "Situation, February 2024" in d.texts_on_screen()
    d.shot("ex-07-inject-us")
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)  # Team Berlin–Paris at the screen
    screen = d.screen
    assert screen.name == "planning" and screen.actors == ["germany", "france"] and screen.side == "germany"
    seen = d.texts_on_screen()
    assert "Situation, February 2024" in seen  # this turn's injects, as the team received them
    assert not any("Options memo" in t for t in seen)
    d.key(pygame.K_a)
    german = list(screen.pending)
    d.click(screen.tabs[1].rect.center)  # France's tab
    assert screen.side == "france" and screen.pending == []
    d.key(pygame.K_a)
    french = list(screen.pending)
    assert german and french and german[0].actor == "germany" and french[0].actor == "france"
    d.shot("ex-08-planning-two-actors")
    # a free (matrix) argument for France
    d.key(pygame.K_f)
    assert d.screen.name == "argue"
    type_into(d, d.screen.entry, "Paris convenes a European defence summit, because the guarantee wavers")
    d.key(pygame.K_RETURN)
    d.frame()
    assert d.screen is screen
    state = d.app.session.game.state
    assert state.free_pending["france"][0].argument.startswith("Paris convenes")
    assert any("Paris convenes" in t for t in d.texts_on_screen())
    d.key(pygame.K_c)
    assert state.pending["germany"] == german and state.pending["france"] == french
    assert d.screen.name == "gate"
    d.key(pygame.K_RETURN)
    unlock(d)
    panel = d.screen
    assert panel.tab == "adjudication" and len(panel.free_items) == 1
    click_row(d, panel.free_list, 0)
    type_into(d, panel.chance, "100")
    type_into(d, panel.chance_reason, "a summit is within France's power")
    d.click(next(b for b in panel.buttons if b.label == "Set the chance").rect.center)
    assert state.free_pending["france"][0].chance == 100
    assert state.control[-1].action == "set_chance"
    d.click(next(b for b in d.screen.buttons if b.label == "Overview").rect.center)
    seen = d.texts_on_screen()
    assert any(t.startswith("Russia:") for t in seen) and any("France (free action)" in t for t in seen)
    d.shot("ex-09-facilitator-us")
    d.click(next(b for b in d.screen.buttons if b.label == "Outcomes").rect.center)
    d.click(next(b for b in d.screen.buttons if b.label.startswith("Confirm all")).rect.center)
    assert d.screen.name == "results"
    free = d.app.session.game.state.log[-1].free
    assert len(free) == 1 and free[0].outcome == "success"
    shown = next(i for i, item in enumerate(d.screen.items) if item[0] == "France: a free action")
    while d.screen.index < shown:
        d.key(pygame.K_SPACE)
    seen = d.texts_on_screen()
    assert "SUCCESS" in seen and any(t.startswith("Argued: Paris convenes") for t in seen)
    d.shot("ex-10-results-us")
    assert d.app.error is None


def test_the_replay_screen_leaves_rewinding_an_exercise_to_control(shots):
    """A team at the screen cannot rewind an exercise from the replay screen: only the control panel can."""
    from engine.ui.game_screen import ReplayScreen

    d = Driver(shots=shots)
    start(d, MINI_EXERCISE, bots=("north", "south"))
    from engine.bots.controllers import controller

    game = d.app.session.game
    for _ in range(2):  # two turns played, as the room would have
        game.play_turn(dict.fromkeys(game.scenario.playable_ids, controller("quick")))
    back = d.screen
    d.app.show(ReplayScreen(d.app, back=back))
    d.key(pygame.K_LEFT)
    turns = len(game.turns)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_y)
    assert len(game.turns) == turns and "is the facilitator's" in d.screen.message


def test_a_saved_exercise_resumes_on_the_map_with_its_teams_and_script(shots, tmp_path, monkeypatch):
    """Saved in turn 2 with one team at the screen; loaded from the exercise's start screen, it goes on as it was."""
    import engine.ui.exercise_start
    import engine.ui.game_screen
    from engine.persistence.saves import read_save

    monkeypatch.setattr(paths, "written", lambda kind: tmp_path / kind)
    monkeypatch.setattr(engine.ui.exercise_start, "list_saves", lambda: sorted((tmp_path / "saves").glob("*.json")))
    (tmp_path / "saves").mkdir()
    d = Driver(shots=shots)
    start(d, MINI_EXERCISE, bots=("south",), adjudication="rigid")
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)  # North's briefing read
    d.key(pygame.K_RETURN)  # the public inject
    d.key(pygame.K_RETURN)  # North's screen
    assert d.screen.name == "planning"
    d.key(pygame.K_a)
    d.key(pygame.K_c)
    for _ in range(20):  # committed, the results stepped through: until the next turn's first screen
        if d.app.session.game.state.turn == 2 and d.screen.name != "results":
            break
        d.key(pygame.K_ESCAPE if d.screen.name == "results" else pygame.K_RETURN)
    d.key(pygame.K_s, pygame.KMOD_CTRL)
    saved = d.app.session.game
    assert saved.state.turn == 2
    [path] = (tmp_path / "saves").glob("*.json")
    assert read_save(path).room.teams == ["alpha"]

    # a fresh window: the exercise's start screen offers the save; resuming seats Team North alone, as saved
    d2 = Driver(shots=shots)
    d2.app.show(ExerciseStartScreen(d2.app, load_exercise(MINI_EXERCISE)))
    assert path.name in d2.screen.save_files
    d2.click(d2.screen.load_button.rect.center)
    assert d2.screen.loaded is not None and "turn 2 next" in d2.screen.message
    assert d2.screen.at_screen == {"north"} and d2.screen.start_button.text == "Resume the exercise"
    d2.shot("ex-resume-start")
    type_into(d2, d2.screen.passphrase, PASS)
    d2.click(d2.screen.start_button.rect.center)
    s = d2.app.session
    assert s.teams == ["north"] and s.game.state.digest() == saved.state.digest()
    assert s.exercise.script.exercise.id == "mini_drill"  # still under its script, not a plain game
    # saved during the script's discussion pause after turn 1: it resumes in that pause, for control to end
    assert d2.screen.name == "pause" and "Hot seat after the threat" in d2.texts_on_screen()
    d2.key(pygame.K_RETURN)
    unlock(d2)
    while d2.screen.name == "inject":
        d2.key(pygame.K_RETURN)
    assert d2.screen.name == "handover" and d2.screen.team == "north"
    assert d2.app.error is None


def test_control_stays_open_while_the_facilitator_is_at_the_desk_and_records_observations(shots):
    d = Driver(shots=shots)
    start(d, MINI_EXERCISE, bots=("south",))
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    assert d.screen.name == "handover"
    d.key(pygame.K_F10)
    assert d.screen.name == "passphrase"
    unlock(d)
    assert d.screen.name == "facilitator"
    d.click(next(b for b in d.screen.buttons if b.label == "Observations").rect.center)
    panel = d.screen
    click_row(d, panel.objective_list, 0)
    type_into(d, panel.observation, "North read the flash as a bluff")
    d.click(next(b for b in panel.buttons if b.label == "Record the observation").rect.center)
    rec = d.app.session.game.state.control[-1]
    assert (rec.action, rec.detail, rec.reason) == ("observation", "lo_signals", "North read the flash as a bluff")
    assert "North read the flash as a bluff" in d.texts_on_screen()
    d.shot("ex-observations")
    d.key(pygame.K_ESCAPE)
    # back within the idle time: no passphrase again
    d.key(pygame.K_F10)
    assert d.screen.name == "facilitator"
    d.click(next(b for b in d.screen.buttons if b.label == "Lock now").rect.center)
    assert d.screen.name == "handover"
    d.key(pygame.K_F10)
    assert d.screen.name == "passphrase"  # locked again
    d.key(pygame.K_ESCAPE)
    # after the idle time the lock closes by itself
    unlock_time = time.monotonic()
    d.key(pygame.K_F10)
    unlock(d)
    d.key(pygame.K_ESCAPE)
    d.app.session.clock = lambda: unlock_time + LOCK_AFTER_S + 5
    d.key(pygame.K_F10)
    assert d.screen.name == "passphrase"


def test_a_team_rereads_its_briefing_and_keeps_its_orders(shots):
    d = Driver(shots=shots)
    start(d, MINI_EXERCISE, bots=("south",))
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    planning = d.screen
    assert planning.name == "planning"
    d.key(pygame.K_a)
    d.key(pygame.K_b)
    assert d.screen.name == "briefing" and "North briefing, for Team North only." in d.texts_on_screen()
    assert not any("South briefing" in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    assert d.screen is planning and [o.card for o in planning.pending] == ["raise"]


def test_a_long_inject_and_briefing_scroll_on_their_card_and_nothing_is_cut_off(tmp_path):
    """A real inject can run to a page: the card scrolls to its last sentence instead of ending in an ellipsis."""
    import shutil

    shutil.copy(FIXTURES / "mini.yaml", tmp_path / "mini.yaml")
    long_text = " ".join(f"Paragraph sentence number {i} of the cable." for i in range(1, 121))
    script = MINI_EXERCISE.read_text(encoding="utf-8")
    script = script.replace("text: Everyone in the room hears this.", f"text: {long_text} The last line.")
    script = script.replace("briefing: North briefing, for Team North only.",
                            f"briefing: North briefing. {long_text} End of the North briefing.")
    (tmp_path / "long.yaml").write_text(script, encoding="utf-8")
    d = Driver(size=(1280, 800), scale=1.5)
    start(d, tmp_path / "long.yaml")
    d.key(pygame.K_RETURN)  # North's hand-over -> its briefing
    assert d.screen.name == "briefing"

    def read_to_the_end(last: str) -> None:
        seen = d.texts_on_screen()
        assert "…" not in seen and not any(last in t for t in seen)  # too long for the card: the end is below
        for _ in range(40):
            if any(last in t for t in d.texts_on_screen()):
                break
            d.key(pygame.K_PAGEDOWN)
        assert any(last in t for t in d.texts_on_screen()), "the end of the text is never reached"

    read_to_the_end("End of the North briefing.")
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)  # South's hand-over -> its briefing
    d.key(pygame.K_RETURN)
    assert d.screen.name == "inject"
    read_to_the_end("The last line.")
    d.key(pygame.K_HOME)  # back to the top
    assert any("NEWS FLASH" in t for t in d.texts_on_screen())
    d.wheel(d.screen.text.rect.center, -3)  # the wheel over the card scrolls it too
    assert not any("NEWS FLASH" in t for t in d.texts_on_screen())
