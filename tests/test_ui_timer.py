"""The facilitator's turn timer on the map, with real events and a clock the test moves."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from engine.core.clock import TimerSetting
from tests.test_ui import start
from tests.test_ui_exercise import MINI_EXERCISE, type_into, unlock
from tests.test_ui_exercise import start as start_exercise
from tests.ui_driver import Driver


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    return Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _timed(d: Driver, auto: bool) -> Clock:
    clock = Clock()
    d.app.now = clock
    d.app.turn_timer = TimerSetting(minutes=2, warn_minutes=1, auto_commit=auto)
    return clock


def test_time_left_warning_and_auto_commit_of_the_entered_orders(shots):
    d = Driver(shots=shots)
    clock = _timed(d, auto=True)
    start(d, ["poland", "ukraine"])
    assert d.screen.name == "handover"
    assert any("Turn timer: 2 minutes to plan" in t and "committed as they stand" in t for t in d.texts_on_screen())
    d.key(pygame.K_RETURN)
    screen = d.screen
    assert screen.name == "planning" and screen.side == "poland"
    assert "2:00 left" in d.texts_on_screen()
    assert 0 < screen.wake_in() <= 1.0  # the idle loop is woken for every second shown
    d.key(pygame.K_DOWN)
    d.key(pygame.K_a)
    entered = list(screen.pending)
    assert entered
    clock.now += 61
    d.frame()
    assert "0:59 left" in d.texts_on_screen()  # in the warning minute
    d.shot("timer-warning")
    clock.now += 60
    d.frame()
    assert d.screen.name == "committed"  # committed by the clock, as entered
    assert d.app.session.game.state.pending["poland"] == entered
    d.key(pygame.K_RETURN)
    assert d.screen.name == "handover" and d.screen.side == "ukraine"
    d.key(pygame.K_RETURN)
    assert "2:00 left" in d.texts_on_screen()  # Ukraine's own clock, from its own start
    assert d.app.error is None


def test_without_auto_commit_the_team_is_told_and_nothing_is_committed(shots):
    d = Driver(shots=shots)
    clock = _timed(d, auto=False)
    start(d, ["poland"])
    d.key(pygame.K_RETURN)
    clock.now += 125
    d.frame()
    assert d.screen.name == "planning" and "time is up" in d.texts_on_screen()
    assert any("asks you to commit" in t for t in d.texts_on_screen())
    assert "poland" not in d.app.session.game.state.committed
    assert d.screen.wake_in() is None  # nothing more to count: the loop sleeps
    d.key(pygame.K_c)  # the team still commits by hand
    assert "poland" in d.app.session.game.state.committed


def test_the_control_panel_sets_the_timer(shots):
    d = Driver(shots=shots)
    start_exercise(d, MINI_EXERCISE, bots=("south",))
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_F10)
    unlock(d)
    d.click(next(b for b in d.screen.buttons if b.label == "Timer").rect.center)
    panel = d.screen
    type_into(d, panel.timer_minutes, "abc")
    d.click(next(b for b in panel.buttons if b.label == "Set the timer").rect.center)
    assert panel.error_message and "not a number of minutes" in panel.message and d.app.turn_timer is None
    panel.timer_minutes.set_text("")
    type_into(d, panel.timer_minutes, "7:30")
    d.click(panel.auto_button.rect.center)
    d.click(next(b for b in panel.buttons if b.label == "Set the timer").rect.center)
    assert d.app.turn_timer == TimerSetting(7.5, 1.0, True)
    d.shot("timer-panel")
    d.key(pygame.K_ESCAPE)
    assert d.screen.name == "handover"
    assert any("Turn timer: 7.5 minutes" in t for t in d.texts_on_screen())
