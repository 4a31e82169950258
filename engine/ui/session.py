"""A game being played at one screen: which sides are people, which are bots, and whose turn it is.

The turn flow of a hotseat game: bots commit at once; each human team in turn
gets a hand-over screen and then its own view; when all have committed the
turn is adjudicated and shown (engine/ui/flow.py: `begin_turn`). The session
holds no game state of its own: everything is in `game.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.bots.controllers import bot_orders
from engine.core.state import TurnRecord
from engine.persistence.saves import Room
from engine.rules.game import Game
from engine.scenario.model import Scenario


@dataclass
class Session:
    game: Game
    scenario_path: Path
    humans: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # side -> bot level (quick if absent)
    #: where this game's end-of-turn autosaves go, chosen at its first (engine/ui/board.py: autosave_file)
    autosave_file: Path | None = field(default=None, init=False, repr=False, compare=False)
    autosave_chosen: bool = field(default=False, init=False, repr=False, compare=False)

    @property
    def sc(self) -> Scenario:
        return self.game.scenario

    @property
    def save_stem(self) -> str:
        """What its saves are named after: the scenario (an exercise's are named after the exercise)."""
        return self.game.scenario.meta.id

    def room(self) -> Room:
        """Who plays what, for saves: the teams in their order, every other side's bot level."""
        return Room(teams=list(self.humans), levels={a: self.levels.get(a, "quick") for a in self.bots()})

    def bots(self) -> list[str]:
        return [a for a in self.sc.playable_ids if a not in self.humans]

    def run_bots(self) -> None:
        """Bots commit their orders at once: they never hold up the room."""
        for side in self.game.waiting_for():
            if side not in self.humans:
                level = self.levels.get(side, "quick")
                self.game.submit(side, bot_orders(level, self.game.rules, self.game.state, side))

    def next_human(self) -> str | None:
        for side in self.humans:
            if side in self.game.waiting_for():
                return side
        return None

    def ready(self) -> bool:
        return not self.game.waiting_for()

    def adjudicate(self) -> TurnRecord:
        return self.game.adjudicate()
