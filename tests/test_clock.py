"""The facilitator's turn timer, as plain functions of the clock."""

from __future__ import annotations

import math

import pytest

from engine.core.clock import TimerSetting, TurnClock, parse_minutes


def test_time_left_warning_and_time_out():
    c = TurnClock(TimerSetting(minutes=5, warn_minutes=1, auto_commit=True), started=100.0)
    assert c.label(100.0) == "5:00 left" and not c.warning(100.0) and not c.expired(100.0)
    assert c.label(100.0 + 239.5) == "1:01 left" and not c.warning(100.0 + 239.5)
    assert c.warning(100.0 + 240.0) and c.label(100.0 + 240.0) == "1:00 left"
    assert c.label(100.0 + 299.2) == "0:01 left" and c.warning(100.0 + 299.2)
    assert c.expired(100.0 + 300.0) and not c.warning(100.0 + 300.0) and c.label(400.0) == "time is up"
    assert c.remaining(10_000.0) == 0.0
    assert math.isclose(c.next_change(100.25), 0.75)


@pytest.mark.parametrize("text", ["", "ten", "0", "-3", "nan", "inf", "1e9", "1:xx"])
def test_unusable_times_are_refused_with_the_reason(text):
    with pytest.raises(ValueError, match="minutes"):
        parse_minutes(text)


def test_typed_times():
    assert parse_minutes("10") == 10 and parse_minutes(" 2.5 ") == 2.5 and parse_minutes("1:30") == 1.5
    with pytest.raises(ValueError, match="before the end"):
        TimerSetting(minutes=2, warn_minutes=2)
    with pytest.raises(ValueError):
        TimerSetting(minutes=float("nan"))
