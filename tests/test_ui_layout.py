"""The screen in the room: a projector at 1280×800 with the text at ×1.5, and a 1920×1080 display.

Driven with real pygame events. Panels that hold more than fits must scroll
(mouse wheel, PageUp/PageDown) rather than cut text off; figures reflow
instead of overlapping; the map's key stays small, out of the theatre, and
says what the map draws. Set UI_SCREENSHOTS=DIR to keep the screenshots.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pygame
import pytest

from engine.ui import fonts
from tests.conftest import DEFAULT, ROOT
from tests.test_ui import start
from tests.ui_driver import Driver

PROJECTOR = {"size": (1280, 800), "scale": 1.5}
US_WITHDRAWAL = ROOT / "scenarios" / "exercises" / "us_withdrawal.yaml"


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    return Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path


class Recording(pygame.Surface):
    """A surface that remembers where each image was put on it: the rectangles a person sees text in."""

    def __init__(self, size: tuple[int, int]):
        super().__init__(size)
        self.placed: list[tuple[pygame.Surface, pygame.Rect]] = []

    def blit(self, source, dest, area=None, special_flags=0):  # type: ignore[no-untyped-def, override]
        at = dest.topleft if isinstance(dest, pygame.Rect) else (int(dest[0]), int(dest[1]))
        self.placed.append((source, pygame.Rect(at, source.get_size())))
        return super().blit(source, dest, area, special_flags)


def drawn_rects(d: Driver) -> tuple[list[tuple[str, pygame.Rect]], list[pygame.Rect]]:
    """One frame of the current screen drawn for real: (text, where it went) for every text, and every blit."""
    d.frame()
    names: dict[int, str] = {}
    real = fonts.text

    def spy(s, *args, **kwargs):  # type: ignore[no-untyped-def]
        img = real(s, *args, **kwargs)
        names[id(img)] = s
        return img
    rec = Recording(d.app.size)
    fonts.text = spy  # type: ignore[assignment]
    try:
        d.screen.draw(rec)
    finally:
        fonts.text = real  # type: ignore[assignment]
    texts = [(names[id(img)], r) for img, r in rec.placed if id(img) in names]
    return texts, [r for _, r in rec.placed]


def frames_while(d: Driver, step: Callable[[], None], n: int = 60) -> list[str]:
    """The joined text of the first frame and of each frame after each of up to `n` steps (e.g. wheel notches)."""
    frames = [" ".join(d.texts_on_screen())]
    for _ in range(n):
        step()
        frames.append(" ".join(d.texts_on_screen()))
        if frames[-1] == frames[-2] and len(frames) > 3:
            break
    return frames


def marked_more(d: Driver, rect: pygame.Rect) -> bool:
    """Does a panel inside `rect` say that more is below?"""
    return any("more below" in t and rect.contains(r) for t, r in drawn_rects(d)[0])


def finished_game_end_screen(d: Driver):  # type: ignore[no-untyped-def]
    """A game played to its last turn by bots, at the end screen (as the room reaches it)."""
    from engine.bots.controllers import controller
    from engine.rules.game import Game
    from engine.scenario.load import load_scenario
    from engine.ui.game_screen import EndScreen
    from engine.ui.session import Session

    sc = load_scenario(DEFAULT)
    g = Game(sc, seed=4)
    g.play_out(dict.fromkeys(sc.playable_ids, controller("quick")))
    d.app.session = Session(g, DEFAULT, ["poland"])  # type: ignore[assignment]
    d.app.show(EndScreen(d.app))
    d.frame()  # the map is drawn (and cached) once
    return sc


def test_end_screen_objectives_are_all_reached_with_the_mouse_wheel_and_page_down(shots):
    d = Driver(shots=shots, **PROJECTOR)
    sc = finished_game_end_screen(d)
    first = " ".join(d.texts_on_screen())
    last = sc.objectives[-1]
    assert last.description not in first, "the whole end screen fits: nothing to scroll"
    assert marked_more(d, d.screen.box)  # said, not cut off silently
    d.shot("layout-end-top")
    centre = d.screen.box.center
    frames = frames_while(d, lambda: d.wheel(centre, -1))
    d.shot("layout-end-bottom")
    for o in sc.objectives:
        assert any(o.description in f for f in frames), f"never shown: {o.description}"
    assert last.description in frames[-1] and not marked_more(d, d.screen.box)
    for _ in range(30):  # and back to the top with the keyboard
        d.key(pygame.K_PAGEUP)
    assert " ".join(d.texts_on_screen()) == first
    d.key(pygame.K_PAGEDOWN)
    assert " ".join(d.texts_on_screen()) != first
    assert d.app.error is None


def test_end_screen_buttons_stay_inside_the_box():
    d = Driver(**PROJECTOR)
    finished_game_end_screen(d)
    for b in d.screen.buttons:
        assert d.screen.box.contains(b.rect), b.label
    texts, _ = drawn_rects(d)
    for label in (b.label for b in d.screen.buttons):
        r = next(r for t, r in texts if t == label)  # each label whole, not shortened
        assert d.screen.box.contains(r)


def play_exercise_to_the_debrief(d: Driver) -> None:
    from engine.exercise.script import load_exercise
    from engine.ui.exercise_start import ExerciseStartScreen

    def typed(entry, text: str) -> None:  # type: ignore[no-untyped-def]
        d.click(entry.rect.center)
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
        d.frame()

    d.app.show(ExerciseStartScreen(d.app, load_exercise(US_WITHDRAWAL), 2))
    for team in ("washington", "warsaw", "kyiv"):
        d.click(d.screen.team_buttons[team].rect.center)
    typed(d.screen.passphrase, "white cell")
    d.click(d.screen.start_button.rect.center)
    for _ in range(300):
        name = d.screen.name
        if name == "debrief":
            return
        if name == "planning":
            d.key(pygame.K_c)
        elif name in ("gate", "pause"):
            d.key(pygame.K_RETURN)
            if d.screen.name == "passphrase":  # the control cell may still be unlocked from a moment ago
                typed(d.screen.entry, "white cell")
                d.key(pygame.K_RETURN)
                d.frame()
            if name == "gate":
                d.click(next(b for b in d.screen.buttons if b.label.startswith("Confirm all")).rect.center)
        else:
            d.key(pygame.K_RETURN)
    raise AssertionError(f"never reached the debrief: {d.screen.name}")


def test_debrief_objectives_and_learning_objectives_scroll_with_the_wheel(shots):
    d = Driver(shots=shots, **PROJECTOR)
    play_exercise_to_the_debrief(d)
    s = d.app.session
    objs = [o for t in s.exercise.script.teams for a in t.actors for o in s.sc.objectives if o.actor == a]
    learning = [o.text for o in s.exercise.script.exercise.objectives]
    first = " ".join(d.texts_on_screen())
    assert not all(o.description in first for o in objs), "every objective fits: nothing to scroll"
    d.shot("layout-debrief-top")
    texts, _ = drawn_rects(d)
    head = next(r for t, r in texts if t == "Objectives met")
    frames = frames_while(d, lambda: d.wheel((head.centerx, head.bottom + 40), -1))
    for o in objs:
        assert any(o.description in f for f in frames), f"never shown: {o.description}"
    d.shot("layout-debrief-scrolled")
    head = next(r for t, r in texts if t.startswith("Learning objectives"))
    frames = frames_while(d, lambda: d.wheel((head.x + 20, head.bottom + 30), -1))
    for text in learning:
        assert any(text in f for f in frames), f"never shown: {text}"
    assert d.app.error is None


def planning(d: Driver):  # type: ignore[no-untyped-def]
    start(d, ["poland", "ukraine"])
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning"
    return d.screen


@pytest.mark.parametrize("size_scale", [PROJECTOR, {"size": (1920, 1080), "scale": None}], ids=["1280x1.5", "1920"])
def test_budget_figures_reflow_instead_of_overlapping(shots, size_scale):
    d = Driver(shots=shots, **size_scale)
    s = planning(d)
    sc = d.app.session.game.scenario
    names = {sc.actor(a).name for a in sc.playable_ids}
    seen: set[str] = set()
    for _ in range(len(names)):  # the panel may scroll when the column is short: every frame is checked
        texts, _ = drawn_rects(d)
        inside = [(t, r) for t, r in texts if s.budget_rect.colliderect(r)]
        for i, (t1, r1) in enumerate(inside):
            assert s.budget_rect.contains(r1), f"{t1!r} leaves the panel"
            for t2, r2 in inside[i + 1:]:
                assert not r1.colliderect(r2), f"{t1!r} overlaps {t2!r}"
        assert not any(t.endswith("…") for t, _ in inside)  # nothing shortened: the note wraps
        seen |= {t for t, _ in inside}
        d.wheel(s.budget_rect.center, -1)
    assert names <= seen  # every side's name, whole
    for rect in (s.ladder_rect, s.budget_rect, s.agree_rect):
        assert d.app.window.get_rect().contains(rect) and rect.h > 0
    d.shot(f"layout-budgets-{d.app.size[0]}")


def test_card_detail_scrolls_instead_of_asking_to_shrink_the_text(shots):
    from engine.present.describe import card_lines

    d = Driver(shots=shots, **PROJECTOR)
    s = planning(d)
    rules = d.app.session.game.rules
    longest = max(range(len(s.statuses)), key=lambda i: sum(len(t) + 40 for _, t in card_lines(rules, s.statuses[i].card)))
    s.select_card(longest)
    s.cards.ensure_visible(longest)
    head, text = card_lines(rules, s.statuses[longest].card)[-1]
    tail = f"{head}: {text}" if head else text
    first = " ".join(d.texts_on_screen())
    assert "Ctrl -" not in first and "enlarge the window" not in first
    assert tail not in first, "the whole card fits: nothing to scroll"
    d.shot("layout-card-top")
    frames = frames_while(d, lambda: d.wheel(s.detail.center, -1))
    assert tail in frames[-1]
    d.shot("layout-card-scrolled")
    # the objectives (O) scroll the same way
    d.key(pygame.K_o)
    progress = s.progress
    frames = frames_while(d, lambda: d.wheel(s.detail.center, -1))
    assert all(any(p.description in f for f in frames) for p in progress)


def legend_box(d: Driver) -> pygame.Rect:
    """The key's rectangle as drawn: the smallest image put on the screen under all of its labels
    (or under its folded tab, "Key (L)", when the whole key would not fit beside the theatre)."""
    from engine.ui.mapstyle import legend

    texts, blits = drawn_rects(d)
    s = d.screen
    labels = {label for label, _ in legend(s.sc, s.mode)}
    mine = [r for t, r in texts if (t in labels or "Key (L)" in t) and s.map_rect.colliderect(r)]
    assert mine, "no key drawn"
    union = mine[0].unionall(mine)
    return min((r for r in blits if r.contains(union) and r != s.map_rect and r.w < d.app.size[0]),
               key=lambda r: r.w * r.h, default=union)


@pytest.mark.parametrize("size_scale", [PROJECTOR, {"size": (1920, 1080), "scale": None}], ids=["1280x1.5", "1920"])
def test_the_legend_is_small_and_leaves_the_theatre_clear(shots, size_scale):
    d = Driver(shots=shots, **size_scale)
    s = planning(d)
    m = s.map_rect
    for _ in range(3):
        box = legend_box(d)
        assert m.contains(box)
        assert box.w * box.h < 0.2 * m.w * m.h, f"{s.mode}: the key covers {box.w * box.h / (m.w * m.h):.0%}"
        covered = [a for a, p in s.mapview.anchor.items() if box.collidepoint(p) and a not in s.mapview.offmap]
        assert not covered, f"{s.mode}: the key covers {covered}"
        d.shot(f"layout-legend-{d.app.size[0]}-{s.mode}")
        d.key(pygame.K_m)


def territory_colour(d: Driver, actor: str) -> tuple[int, int, int] | None:
    """The colour the map fills most of this actor's land with, read from the drawn map (None: off the map)."""
    from engine.ui.geo import point_in_ring

    s = d.screen
    layer = s.mapview.layer(s.map_view_data(), s.mode)
    ox, oy = s.map_rect.topleft
    seen: Counter[tuple[int, int, int]] = Counter()
    for iso, pts, box in s.mapview.screen_rings:
        if s.mapview.owner.get(iso) != actor:
            continue
        for x in range(box.left, box.right, 2):
            for y in range(box.top, box.bottom, 2):
                if s.map_rect.collidepoint(x, y) and point_in_ring(x, y, pts):
                    seen[tuple(layer.get_at((x - ox, y - oy)))[:3]] += 1  # type: ignore[index]
    return seen.most_common(1)[0][0] if seen else None


def test_every_legend_entry_is_a_colour_the_map_draws_for_that_state():
    from engine.ui.mapstyle import legend

    d = Driver()
    s = planning(d)
    sc = s.sc
    on_map = [a.id for a in sc.actors if a.territory]
    for _ in range(3):
        entries = legend(sc, s.mode)
        colours = {c for _, c in entries}
        drawn = {a: c for a in on_map if (c := territory_colour(d, a)) is not None}
        assert len(drawn) >= len(on_map) - 1  # all but the United States, off the map
        for a, c in drawn.items():
            assert c in colours, f"{s.mode}: {sc.actor(a).name} is drawn in {c}, which the key does not show"
        if s.mode == "commitment":
            key = dict(entries)
            members = set(s.view()["commitments"][sc.alliances[0].id])
            assert "ukraine" not in members and drawn["ukraine"] == key["not a member"]
            assert drawn["ukraine"] != key.get("conditional")
            for a in members & set(drawn):
                state = s.view()["commitments"][sc.alliances[0].id][a]
                assert drawn[a] == key[state.replace("_", " ")]
        d.key(pygame.K_m)


def test_the_key_can_be_hidden_and_shown_with_l(shots):
    from engine.ui.mapstyle import legend

    d = Driver(shots=shots, **PROJECTOR)
    s = planning(d)
    labels = {label for label, _ in legend(s.sc, s.mode)}
    shown = set(d.texts_on_screen())
    assert labels & shown
    d.key(pygame.K_l)
    assert not labels & set(d.texts_on_screen()) and any("Key (L)" in t for t in d.texts_on_screen())
    d.key(pygame.K_l)
    assert labels & set(d.texts_on_screen())


def test_report_charts_draw_each_side_in_its_map_colour(default_scenario):
    """The spending chart's line for each side is the side's colour on the map."""
    import io

    import matplotlib.image as mpimg

    from engine.bots.controllers import controller
    from engine.present.report import make_charts
    from engine.rules.game import Game
    from engine.ui.mapstyle import actor_colours

    g = Game(default_scenario, seed=4)
    for _ in range(4):
        g.play_turn(dict.fromkeys(default_scenario.playable_ids, controller("quick")))
    chart = next(c for c in make_charts(g) if c.name == "spending")
    pixels = (mpimg.imread(io.BytesIO(chart.png))[:, :, :3] * 255).round().astype(int)
    present = {tuple(p) for p in pixels.reshape(-1, 3)}
    members = g.view(None)["members"][default_scenario.meta.spending_target.members_of]
    colours = actor_colours(default_scenario)
    for side in members:
        assert colours[side] in present, f"{side}'s map colour {colours[side]} is not in the chart"
