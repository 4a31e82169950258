"""The batch engine: many games of one scenario played at once, with numpy, for analysis at scale.

The reference engine (engine/rules/turn.py) plays one game at a time and keeps
everything a person needs: the log, the per-side views, saves, undo. Analysts
asking "how often does this end in open conflict?" need thousands of games,
and only their outcomes. This package plays the same rules, with the quick
doctrine bot on every side, over arrays with one entry per game: game k of a
batch is the same game, bit for bit, as `Game(scenario, seed=k)` played by
quick bots, and `tests/test_batch.py` checks it on both shipped scenarios.

A scenario the batch engine cannot reproduce exactly raises `Unsupported`
when it is compiled (today: alliances whose membership changes during play);
the simulator then falls back to the reference engine. The quick bots that
play these games are `engine.bots.batch_quick`.
"""

from engine.rules.batch.interpret import Unsupported
from engine.rules.batch.rules import BatchRules

__all__ = ["BatchRules", "Unsupported"]
