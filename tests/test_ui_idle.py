"""The real frame loop idles: a screen where nothing happens is not redrawn, and input or a timed step still is.

Each test runs the App's own `loop()` (what `run()` runs) with real pygame
timers posting the events, and counts the frames that reach the display by
counting the real `pygame.display.flip` calls.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pygame
import pytest

from tests.test_ui import start
from tests.ui_driver import Driver


@pytest.fixture()
def flips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The time of every frame put on the display (the real flip still runs)."""
    seen: list[float] = []
    real = pygame.display.flip

    def counted() -> None:
        seen.append(time.perf_counter())
        real()
    monkeypatch.setattr(pygame.display, "flip", counted)
    yield seen


def run_loop(d: Driver, seconds: float, *events: tuple[float, pygame.event.Event]) -> float:
    """Run the real loop for `seconds`, posting each (after_s, event) with a pygame timer; returns when it began."""
    for after, event in events:
        pygame.time.set_timer(event, int(after * 1000), 1)
    pygame.time.set_timer(pygame.QUIT, int(seconds * 1000), 1)
    d.app.running = True
    began = time.perf_counter()
    d.app.loop()
    return began


def planning(d: Driver) -> None:
    start(d, ["poland"])
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning"
    pygame.event.clear()


def key_down(key: int) -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0)


def test_planning_screen_left_alone_is_not_redrawn_but_a_key_redraws_it(flips):
    d = Driver()
    planning(d)
    screen = d.screen
    chosen = screen.card_index
    flips.clear()
    run_loop(d, 1.2)
    assert len(flips) <= 3, f"{len(flips)} frames drawn in 1.2 s with nothing happening"  # was ~70 at 60 fps
    assert d.screen is screen
    flips.clear()
    began = run_loop(d, 0.6, (0.2, key_down(pygame.K_DOWN)))
    assert screen.card_index != chosen  # the real key went through the loop to the screen
    assert any(t > began + 0.15 for t in flips), "no frame drawn after the key"
    assert len(flips) < 30, f"{len(flips)} frames for one key press"


def test_results_of_a_room_of_bots_still_step_on_by_themselves(flips):
    """The one screen that changes with time asks for its frames (`wake_in`), and gets them idle or not."""
    d = Driver()
    start(d, [])
    screen = d.screen
    assert screen.name == "results" and screen.auto and len(screen.items) >= 3
    pygame.event.clear()
    flips.clear()
    run_loop(d, 2.0)
    assert screen.index >= 2  # one step every 0.9 s
    assert len(flips) <= 8, f"{len(flips)} frames for {screen.index} timed steps"
