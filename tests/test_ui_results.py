"""The results screen ends with what changed this turn, for the room, and rings on the map where it happened."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from engine.present.changes import turn_changes
from engine.ui.game_screen import MARKED
from tests.test_ui import start
from tests.ui_driver import Driver


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    return Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path


def _to_results(d: Driver) -> None:
    start(d, ["poland"])
    d.key(pygame.K_RETURN)  # Poland's hand-over
    assert d.screen.name == "planning"
    d.key(pygame.K_DOWN)
    d.key(pygame.K_a)
    d.key(pygame.K_c)
    d.key(pygame.K_RETURN)  # committed: hand the screen on
    assert d.screen.name == "results"


@pytest.mark.parametrize(("size", "scale"), [((1280, 800), 1.5), ((1920, 1080), None)])
def test_the_room_is_told_what_changed_and_shown_where(shots, size, scale):
    d = Driver(size=size, scale=scale, shots=shots)
    _to_results(d)
    screen = d.screen
    # while stepping, the order shown is ringed on the map: who gave it and at whom
    first = screen.resolutions[0]["order"]
    assert set(screen.map_marks()) <= {first["actor"], *first["targets"]} and screen.map_marks()
    d.key(pygame.K_ESCAPE)  # all results shown
    texts = d.texts_on_screen()
    assert "What changed this turn" in texts
    assert not any("orders succeeded" in t and t.endswith("fizzled.") and len(texts) < 3 for t in texts)
    view = screen.view()
    tc = turn_changes(screen.sc, screen.before, view)
    assert tc == screen.changes  # the room's own views, nothing else
    joined = " ".join(texts)
    assert "Shared figures:" in joined or "Escalation" in joined
    moved = tc.globals[0] if tc.globals else None
    if moved is not None:  # the first shared figure that moved, with its old and new value
        assert f"{moved.label} " in joined, joined
    # every side something happened to (an order aimed at it, an agreement, a commitment, an inject) is ringed,
    # with what happened there; a side's own routine orders are left to the panel
    marks = screen.map_marks()
    shown = [p for p in tc.places if p.kind in MARKED and p.actor in screen.mapview.anchor]
    assert marks and set(marks) == {p.actor for p in shown}
    assert all(marks[p.actor].startswith(next(q.what for q in shown if q.actor == p.actor)) for p in shown)
    assert not any(p.kind == "order" and p.actor in marks and all(q.kind == "order" for q in tc.places_at(p.actor))
                   for p in tc.places)
    shot = d.shot(f"results-summary-{size[0]}x{size[1]}")
    # the summary scrolls when it is longer than the panel, with real wheel events
    box = screen.summary_text
    if box.scroll.offset == 0 and box.scroll.max_offset() > 0:
        d.wheel(box.rect.center, -5)
        assert box.scroll.offset > 0
    assert d.app.error is None and (shot is None or shot.exists())
