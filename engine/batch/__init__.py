"""The batch engine: many games of one scenario played at once, with numpy, for analysis at scale.

The reference engine (engine/rules.py) plays one game at a time and keeps
everything a person needs: the log, the per-side views, saves, undo. Analysts
asking "how often does this end in open conflict?" need thousands of games,
and only their outcomes. This package plays the same rules, with the quick
doctrine bot on every side, over arrays with one entry per game: game k of a
batch is the same game, bit for bit, as `Game(scenario, seed=k)` played by
quick bots, and `tests/test_batch.py` checks it on both shipped scenarios.

A scenario the batch engine cannot reproduce exactly raises `Unsupported`
when it is compiled (today: alliances whose membership changes during play);
the simulator then falls back to the reference engine.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.outcome import Outcome
from engine.rules import Rules

from .interpret import Unsupported
from .quickbot import play_quick
from .rules import BatchRules

__all__ = ["BatchRules", "Unsupported", "play_batch"]


def play_batch(rules: Rules | BatchRules, seeds: list[int],
               on_turn: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Play one game per seed with quick bots on every side; their outcomes, in the order of `seeds`."""
    br = rules if isinstance(rules, BatchRules) else BatchRules(rules)
    return br.outcomes(play_quick(br, seeds, on_turn))
