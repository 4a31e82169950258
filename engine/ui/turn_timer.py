"""The facilitator's turn timer on the map: when a team's planning began, and what its screen shows.

The rule (time left, warning, time-out) is `engine/core/clock.py`; this keeps the
start of each team's planning per game and turn, so that a team that steps
away (its briefing, the control panel) and comes back finds its clock running,
not restarted. The setting is the app's: the facilitator sets it once
(`--turn-timer`, or the control panel's Timer tab) for the whole session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.core.clock import TimerSetting, TurnClock

if TYPE_CHECKING:
    from engine.ui.app import App


def planning_clock(app: App, who: str) -> TurnClock | None:
    """The running clock of `who`'s planning this turn (started the first time it is asked), or None (no timer)."""
    setting: TimerSetting | None = app.turn_timer
    if setting is None or app.session is None:
        return None
    game = app.session.game
    key = (id(game), game.state.turn, who)
    started = app.turn_clocks.setdefault(key, app.now())
    return TurnClock(setting, started)


def timer_words(setting: TimerSetting | None) -> str:
    """The timer as the room is told it on the hand-over screen."""
    if setting is None:
        return ""
    minutes = f"{setting.minutes:g} minute{'s' if setting.minutes != 1 else ''}"
    then = ("your entered orders are committed as they stand" if setting.auto_commit
            else "the facilitator asks you to commit")
    return f"Turn timer: {minutes} to plan, a warning {setting.warn_minutes:g} min before the end; then {then}."
