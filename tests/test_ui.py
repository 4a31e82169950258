"""The map front end driven with real pygame events, as a seminar room would use it.

Set UI_SCREENSHOTS=DIR to keep the screenshots of every screen.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pygame
import pytest

from engine.core import paths
from tests.ui_driver import Driver


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    return Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path


def start(d: Driver, humans: list[str], seed: int = 3) -> None:
    start_screen = d.screen
    assert start_screen.name == "start"
    start_screen.seed_entry.set_text(str(seed))
    for side in humans:  # each click moves on: quick bot -> strong bot -> team
        d.click(start_screen.side_buttons[side].rect.center)
        assert start_screen.levels[side] == "strong" and side not in start_screen.humans
        d.click(start_screen.side_buttons[side].rect.center)
    assert start_screen.humans == set(humans)
    d.click(start_screen.start_button.rect.center)


def card_row(d: Driver, card_id: str) -> int:
    return next(i for i, st in enumerate(d.screen.statuses) if st.card.id == card_id)


def test_two_teams_hotseat_hidden_orders_to_the_end(shots):
    d = Driver(shots=shots)
    d.shot("01-start")
    start(d, ["poland", "ukraine"])
    # Poland first: a hand-over screen that shows nothing of the game
    assert d.screen.name == "handover" and d.screen.side == "poland"
    seen = d.texts_on_screen()
    assert any("Poland team" in t for t in seen)
    assert not any("orders" in t.lower() and "your" in t.lower() for t in seen)
    d.shot("02-handover-poland")
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning" and d.screen.side == "poland"
    # choose a card aimed at an actor, pick the target on the map, add it; then one without a target
    sc = d.app.session.game.scenario
    aimed = next(st for st in d.screen.statuses if st.orders and st.card.target and st.card.target.kind == "actor"
                 and st.orders[0].targets and sc.actor(st.orders[-1].targets[0]).capital is not None
                 and not any(c.card.id == st.card.id for c in d.app.session.game.card_statuses("ukraine")))
    target = aimed.orders[-1].targets[0]
    for _ in range(card_row(d, aimed.card.id) + 1):
        d.key(pygame.K_DOWN)
    if d.screen.card_index != card_row(d, aimed.card.id):
        d.key(pygame.K_UP)
    assert d.screen.current().card.id == aimed.card.id
    d.click(d.screen.mapview.anchor[target])
    assert d.screen.current().orders[d.screen.aim_index].targets[0] == target
    d.click(d.screen.add_button.rect.center)
    assert [(o.card, o.targets[0]) for o in d.screen.pending] == [(aimed.card.id, target)]
    d.move(d.screen.mapview.anchor["germany"])
    seen = d.texts_on_screen()
    assert any(aimed.card.name in t for t in seen)
    d.shot("03-planning-poland")
    # an illegal card is greyed with its reason and cannot be added
    greyed = next((i for i, st in enumerate(d.screen.statuses) if not st.orders), None)
    if greyed is not None:
        d.screen.select_card(greyed)
        d.key(pygame.K_a)
        assert len(d.screen.pending) == 1 and "cannot be played now" in d.screen.message
    d.key(pygame.K_c)
    assert d.screen.name == "committed" and d.screen.side == "poland"
    d.key(pygame.K_RETURN)  # Poland hands the screen on
    # Ukraine's turn at the screen: nothing of Poland's orders can be seen
    assert d.screen.name == "handover" and d.screen.side == "ukraine"
    assert not any(aimed.card.name in t for t in d.texts_on_screen())
    d.shot("04-handover-ukraine")
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning" and d.screen.side == "ukraine"
    assert "poland" not in d.screen.view()["pending"]
    seen = d.texts_on_screen()
    assert not any(aimed.card.name in t for t in seen), "Poland's order is visible to Ukraine"
    d.shot("05-planning-ukraine")
    d.click(d.screen.commit_button.rect.center)
    d.key(pygame.K_RETURN)
    # results, one at a time, then skippable
    assert d.screen.name == "results"
    first = d.screen.index
    d.key(pygame.K_SPACE)
    assert d.screen.index == first + 1
    d.shot("06-results")
    assert any(aimed.card.name in t for t in d.texts_on_screen()) or d.screen.items
    d.key(pygame.K_ESCAPE)
    assert d.screen.done()
    d.shot("07-results-done")
    # play on to the end: each team commits with no orders
    for _ in range(400):
        name = d.screen.name
        if name == "end":
            break
        if name == "handover":
            d.key(pygame.K_RETURN)
        elif name == "planning":
            d.key(pygame.K_c)
        elif name == "committed":
            d.key(pygame.K_RETURN)
        elif name == "results":
            d.key(pygame.K_RETURN)
            d.key(pygame.K_RETURN)
    assert d.screen.name == "end"
    game = d.app.session.game
    assert game.over and len(game.state.log) >= 1
    seen = d.texts_on_screen()
    assert any(t.startswith("Ended because") for t in seen)
    scores = [t for t in seen if re.fullmatch(r".+: \d+ of \d+ points", t)]
    assert sorted(t.split(":")[0] for t in scores) == sorted(sc.actor(a).name for a in sc.playable_ids)
    d.shot("08-end")
    assert d.app.error is None


def test_watching_bots_plays_through_without_stopping(shots):
    d = Driver(shots=shots)
    start(d, [], seed=5)
    assert d.screen.name == "results" and d.screen.auto
    for _ in range(2000):
        if d.screen.name == "end":
            break
        d.frame(1.0)
        if d.screen.name == "results" and d.screen.done():
            d.key(pygame.K_RETURN)
    assert d.screen.name == "end" and d.app.session.game.over


def test_map_hover_tooltip_modes_and_help(shots):
    d = Driver(shots=shots)
    start(d, ["russia"])
    d.key(pygame.K_RETURN)
    screen = d.screen
    d.move(screen.mapview.anchor["germany"])
    assert screen.hover == "germany"
    seen = d.texts_on_screen()
    assert "Germany (state)" in seen
    private = [v.label for v in d.app.session.game.scenario.variables.values() if v.private]
    assert all(any(t.startswith(f"{p}: hidden") for t in seen) for p in private)  # fog of war
    modes = []
    for _ in range(3):
        d.key(pygame.K_m)
        modes.append(screen.mode)
    assert sorted(modes) == ["commitment", "sides", "spending"]
    d.shot("09-map-spending" if screen.mode == "spending" else "09-map")
    d.key(pygame.K_F1)
    assert d.app.help and "Keyboard shortcuts" in d.texts_on_screen()
    d.shot("10-help")
    d.key(pygame.K_F1)
    assert not d.app.help


def test_a_drawing_error_is_reported_and_the_game_goes_on(shots, monkeypatch):
    d = Driver(shots=shots)
    start(d, ["france"])
    d.key(pygame.K_RETURN)
    before = d.app.session.game.state.digest()
    from engine.ui import panels

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("a panel failed")
    monkeypatch.setattr(panels, "ladder", broken)
    d.frame()
    assert d.app.error and "a panel failed" in d.app.error
    assert any("The game state is safe" in t for t in d.texts_on_screen())
    d.shot("11-error-banner")
    monkeypatch.undo()
    d.key(pygame.K_c)  # the game carries on
    d.key(pygame.K_RETURN)
    assert d.app.session.game.state.digest() != before or d.screen.name in ("results", "handover")


@pytest.mark.parametrize(("size", "scale"), [((1280, 720), 1.0), ((1920, 1080), 1.0), ((1920, 1080), 1.5)])
def test_sizes_and_projector_scale(shots, size, scale):
    d = Driver(size=size, scale=scale, shots=shots)
    start(d, ["uk"])
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning"
    s = d.screen
    for rect in (s.left, s.map_rect, s.right, s.log_rect, s.ladder_rect, s.budget_rect):
        assert d.app.window.get_rect().contains(rect), rect
    assert s.agree_rect.h > 0 and s.cards.rect.h >= s.cards.row_h * 3
    d.shot(f"12-planning-{size[0]}x{size[1]}-x{scale}")
    d.key(pygame.K_EQUALS, pygame.KMOD_CTRL)
    assert d.app.scale == scale + 0.25


def test_save_from_the_map_and_load_from_the_start_screen(shots, tmp_path, monkeypatch):
    import engine.ui.game_screen
    import engine.ui.start_screen

    monkeypatch.setattr(paths, "written", lambda kind: tmp_path / kind)
    (tmp_path / "saves").mkdir()
    d = Driver(shots=shots)
    start(d, ["italy"], seed=9)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_c)
    d.key(pygame.K_RETURN)  # turn 1 committed and adjudicated
    d.key(pygame.K_ESCAPE)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)  # Italy's hand-over for turn 2, then its planning screen
    assert d.screen.name == "planning" and d.app.session.game.state.turn == 2
    d.key(pygame.K_s, pygame.KMOD_CTRL)
    assert d.screen.message.startswith("Saved to saves/"), d.screen.message
    digest = d.app.session.game.state.digest()
    saved = sorted((tmp_path / "saves").glob("*.json"))
    assert len(saved) == 1
    monkeypatch.setattr(engine.ui.start_screen, "list_saves", lambda: saved)
    d2 = Driver(shots=shots)
    s = d2.screen
    assert s.load_menu is not None
    s.humans = {"italy"}
    d2.click(s.load_button.rect.center)
    assert d2.app.session.game.state.digest() == digest
    assert d2.screen.name == "handover" and d2.screen.side == "italy"


def test_only_a_team_takes_back_its_orders_then_end_screen_report_replay_and_rewind(shots, tmp_path,
                                                                                    default_scenario):
    from engine.bots.controllers import controller
    from engine.rules.game import Game
    from engine.ui.game_screen import EndScreen
    from engine.ui.session import Session
    from tests.conftest import DEFAULT

    d = Driver(shots=shots)
    start(d, ["poland", "ukraine"])
    assert d.screen.name == "handover" and d.screen.side == "poland"
    d.key(pygame.K_RETURN)
    screen = d.screen
    screen.select_card(0)
    d.key(pygame.K_a)
    orders = list(screen.pending)
    assert orders
    d.key(pygame.K_c)  # Poland commits, and is still at the screen
    assert d.screen.name == "committed" and d.screen.side == "poland"
    assert "poland" in d.app.session.game.state.committed
    assert any("Take back our orders" in t for t in d.texts_on_screen())
    d.shot("10-committed-undo")
    d.click(d.screen.undo_button.rect.center)  # Poland wants its orders back: it gets them to change
    assert d.screen.name == "planning" and d.screen.side == "poland" and d.screen.pending == orders
    assert "poland" not in d.app.session.game.state.committed
    d.key(pygame.K_c)
    d.key(pygame.K_RETURN)  # Poland hands the screen on: now its orders stand
    assert d.screen.name == "handover" and d.screen.side == "ukraine"
    assert not any("Take back" in t or "Undo" in t for t in d.texts_on_screen())
    d.key(pygame.K_u)  # Ukraine cannot take Poland's orders back
    assert d.screen.name == "handover" and d.screen.side == "ukraine"
    assert d.app.session.game.state.pending["poland"] == orders

    # a finished game at the end screen (played by bots, as the room would have reached it)
    g = Game(default_scenario, seed=4)  # a game that runs to its last turn (some end early in a ceasefire)
    g.play_out(dict.fromkeys(default_scenario.playable_ids, controller("quick")))
    d.app.session = Session(g, DEFAULT, ["poland"])
    d.app.reports_dir = tmp_path / "reports"
    d.app.show(EndScreen(d.app))
    d.key(pygame.K_r)
    reports = list((tmp_path / "reports").glob("post_nato_2024-turn16-*/report.html"))
    assert len(reports) == 1 and "Report written to" in d.screen.message
    assert "seed" not in str(reports[0].parent.name)  # the room's report does not name the seed
    d.key(pygame.K_r)  # a second report goes beside the first, never over it
    assert len(list((tmp_path / "reports").glob("post_nato_2024-turn16-*/report.html"))) == 2
    assert any("Write report" in t for t in d.texts_on_screen())
    d.shot("11-end-report")

    d.click(next(b for b in d.screen.buttons if b.label.startswith("Replay")).rect.center)
    assert d.screen.name == "replay" and d.screen.index == len(g.history) - 1
    for _ in range(10):
        d.key(pygame.K_LEFT)
    assert d.screen.index == len(g.history) - 11
    turn = g.history[d.screen.index].turn
    texts = d.texts_on_screen()
    assert any(f"After turn {d.screen.index} of {len(g.history) - 1}" in t for t in texts)
    assert any(t.startswith("Inject:") or ": success" in t or ": failure" in t for t in texts)
    d.shot("12-replay")
    d.key(pygame.K_RIGHT)
    d.key(pygame.K_LEFT)
    d.key(pygame.K_RETURN)  # asks first: a rewind drops every team's play since
    assert d.screen.name == "replay" and "Facilitator: press Y to confirm" in d.screen.message
    d.key(pygame.K_n)
    assert d.screen.name == "replay" and len(g.turns) == len(g.history) - 1 and g.over
    d.key(pygame.K_RETURN)
    d.key(pygame.K_y)  # the facilitator confirms and plays on from here
    assert g.state.turn == turn and len(g.turns) == turn - 1 and not g.over
    assert d.screen.name == "handover" and d.screen.side == "poland"


def test_a_team_sees_its_objectives_and_what_they_still_need(shots, default_scenario):
    d = Driver(shots=shots)
    start(d, ["poland"])
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning"
    d.key(pygame.K_o)
    seen = " ".join(d.texts_on_screen())
    mine = [o for o in default_scenario.objectives if o.actor == "poland"]
    assert "Your objectives" in seen
    assert all(o.description.split()[0] in seen for o in mine)  # each one begins on the screen
    assert "needs: " in seen  # what is still missing is said, not only met / not met
    others = [o for o in default_scenario.objectives if o.actor != "poland"]
    assert not any(o.description in seen for o in others if o.description not in {m.description for m in mine})
    d.shot("13-objectives")
    d.key(pygame.K_o)
    assert "Your objectives (O: back to the card)" not in d.texts_on_screen()


def test_a_two_team_game_saved_on_the_map_resumes_with_the_same_teams_and_bots(shots, tmp_path, monkeypatch):
    import engine.ui.game_screen
    import engine.ui.start_screen

    monkeypatch.setattr(paths, "written", lambda kind: tmp_path / kind)
    (tmp_path / "saves").mkdir()
    d = Driver(shots=shots)
    s = d.screen
    d.click(s.side_buttons["russia"].rect.center)  # Russia: a strong bot
    start(d, ["ukraine", "poland"], seed=9)
    seated = (list(d.app.session.humans), dict(d.app.session.levels))
    assert seated[0] == ["poland", "ukraine"] and seated[1]["russia"] == "strong"
    for _ in range(2):  # both teams commit turn 1
        d.key(pygame.K_RETURN)
        d.key(pygame.K_c)
        d.key(pygame.K_RETURN)
    d.key(pygame.K_ESCAPE)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)  # Poland's planning screen of turn 2, where it saves
    assert d.screen.name == "planning" and d.app.session.game.state.turn == 2
    d.key(pygame.K_s, pygame.KMOD_CTRL)
    saved = sorted((tmp_path / "saves").glob("*.json"))
    assert len(saved) == 1

    # another day, another start screen whose toggles say something else: the save's seating wins
    monkeypatch.setattr(engine.ui.start_screen, "list_saves", lambda: saved)
    d2 = Driver(shots=shots)
    d2.screen.humans = {"italy"}
    d2.click(d2.screen.load_button.rect.center)
    session = d2.app.session
    assert session.humans == ["poland", "ukraine"] and session.levels["russia"] == "strong"
    assert d2.screen.name == "handover" and d2.screen.side == "poland"

    # and `play --load` on the map seats it the same way
    from engine.persistence.saves import read_save
    from engine.ui.app import seat_loaded

    d3 = Driver(shots=shots)
    seat_loaded(d3.app, read_save(saved[0]))
    assert d3.app.session.humans == ["poland", "ukraine"] and d3.app.session.levels["russia"] == "strong"
    assert d3.screen.name == "handover" and d3.screen.side == "poland"


def test_a_window_larger_than_the_desktop_is_shrunk_to_fit():
    from engine.ui.app import fit_desktop

    assert fit_desktop((3840, 2160), [(1920, 1080)]) == (1920, 1020)
    assert fit_desktop((1280, 800), [(1920, 1080)]) == (1280, 800)
    assert fit_desktop((1280, 800), []) == (1280, 800)


def test_play_as_a_side_on_the_map_seats_that_side_and_skips_the_start_screen(monkeypatch):
    """`main.py play --as poland` with a display: Poland is the team, the others bots (it used to be ignored)."""
    import engine.cli.main as cli
    import engine.ui.app

    seen = {}

    def run(app):  # type: ignore[no-untyped-def]
        seen["screen"], seen["humans"] = app.screen.name, list(app.session.humans)
    monkeypatch.setattr(engine.ui.app.App, "run", run)
    monkeypatch.setattr(cli, "_has_display", lambda: True)
    assert cli.main(["play", "--as", "poland", "--seed", "4", "--autosave", "off"]) == 0
    assert seen == {"screen": "handover", "humans": ["poland"]}


def test_every_letter_of_europe_is_drawn_not_boxed():
    """Suwałki, Łódź, Šiauliai, Ελλάδα, Україна: a letter the main face lacks switches to one that has it."""
    import pygame.freetype

    from engine.ui import fonts

    pygame.font.init()
    pygame.freetype.init()
    for word in ("Suwałki", "Łódź", "Šiauliai", "Ελλάδα", "Україна", "≥ 2% ✓ → ·"):
        f = fonts.font_for(word, 20)
        face = pygame.freetype.Font(str(fonts._WIDE / fonts._WIDE_FACES[False] if f is fonts.font(20, False, True)
                                        else fonts._DATA / fonts._FACES[False]), 20)
        assert all(ch.isspace() or face.get_metrics(ch)[0] is not None for ch in word), word
        assert fonts.text(word, 20).get_width() > 0
    assert fonts.font_for("Poland", 20) is fonts.font(20, False, False)  # plain text keeps the main face
