"""The facilitator's turn timer: how long a team has to plan, when to warn it, and what happens at time-out.

Seminars run on the clock: a team gets so many minutes for its orders, the
room sees the time left, a warning comes before the end, and at time-out the
facilitator may have the team's entered orders committed as they stand. The
timer is wall-clock time, so it is not game state (a replay never needs it):
what it causes is an ordinary commit, recorded like any other. Pure data and
functions of `now`, so the map, a server and the tests share one definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: the longest planning time the timer takes (a whole day is no longer a turn timer)
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class TimerSetting:
    """What the facilitator chose: minutes to plan, minutes before the end to warn, commit at time-out or not."""

    minutes: float
    warn_minutes: float = 1.0
    auto_commit: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.minutes) and 0 < self.minutes <= MAX_MINUTES):
            raise ValueError(f"a turn timer runs for more than 0 and at most {MAX_MINUTES} minutes")
        if not (math.isfinite(self.warn_minutes) and 0 <= self.warn_minutes < self.minutes):
            raise ValueError("the warning comes before the end: between 0 and the timer's minutes")


@dataclass(frozen=True)
class TurnClock:
    """One running timer: a setting, and when (clock seconds) this team's planning began."""

    setting: TimerSetting
    started: float

    def remaining(self, now: float) -> float:
        return max(0.0, self.setting.minutes * 60 - (now - self.started))

    def warning(self, now: float) -> bool:
        """Inside the warning time, not yet out."""
        left = self.remaining(now)
        return 0 < left <= self.setting.warn_minutes * 60

    def expired(self, now: float) -> bool:
        return self.remaining(now) <= 0

    def next_change(self, now: float) -> float:
        """Seconds until the display of the time left next changes (whole seconds), for the frame loop."""
        left = self.remaining(now)
        if left <= 0:
            return 1.0
        return (left - math.floor(left)) or 1.0

    def label(self, now: float) -> str:
        left = math.ceil(self.remaining(now))
        if left <= 0:
            return "time is up"
        return f"{left // 60}:{left % 60:02d} left"


def parse_minutes(text: str) -> float:
    """Minutes typed by a person ("10", "2.5", "1:30"), refused with the reason if not a usable time."""
    text = text.strip()
    try:
        if ":" in text:
            m, _, s = text.partition(":")
            value = int(m) + int(s) / 60
        else:
            value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of minutes (e.g. 10, 2.5 or 1:30)") from None
    if not (math.isfinite(value) and 0 < value <= MAX_MINUTES):
        raise ValueError(f"a turn timer runs for more than 0 and at most {MAX_MINUTES} minutes")
    return value
