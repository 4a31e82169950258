"""A game in progress: the scenario's rules, the current state, and its history.

This is the facade every controller uses, whether a person at the terminal or
the map, a bot, or a script: read your side's view, look at legal orders,
submit, and let the turn be adjudicated when every side has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.loader import load_scenario
from engine.rules import CardStatus, Rules
from engine.scenario import Scenario
from engine.state import GameState, Order, TurnRecord
from engine.view import side_view

Controller = Callable[["Game", str], list[Order]]


class Game:
    def __init__(self, scenario: Scenario, seed: int = 0, state: GameState | None = None):
        self.scenario = scenario
        self.rules = Rules(scenario)
        self.state = state if state is not None else self.rules.new_game(seed)
        #: the state at the start of each turn's planning, for rewind and review
        self.history: list[GameState] = [self.state]

    @classmethod
    def from_file(cls, path: str | Path, seed: int = 0) -> Game:
        return cls(load_scenario(path), seed)

    # -- reading
    @property
    def over(self) -> bool:
        return self.state.ended

    def view(self, side: str | None) -> dict:
        return side_view(self.scenario, self.state, side)

    def legal_orders(self, side: str) -> list[Order]:
        return self.rules.legal_orders(self.state, side)

    def card_statuses(self, side: str) -> list[CardStatus]:
        return self.rules.card_statuses(self.state, side)

    def waiting_for(self) -> list[str]:
        return self.rules.waiting_for(self.state)

    # -- acting
    def submit(self, side: str, orders: list[Order]) -> None:
        self.rules.submit(self.state, side, orders)

    def undo(self, side: str) -> None:
        self.rules.withdraw_orders(self.state, side)

    def adjudicate(self, overrides: dict[int, str] | None = None) -> TurnRecord:
        self.state = self.rules.adjudicate(self.state, overrides)
        self.history.append(self.state)
        return self.state.log[-1]

    def play_turn(self, controllers: dict[str, Controller]) -> TurnRecord:
        """Ask each side that has not committed for its orders, then adjudicate."""
        for side in self.waiting_for():
            self.submit(side, controllers[side](self, side))
        return self.adjudicate()

    def play_out(self, controllers: dict[str, Controller]) -> GameState:
        while not self.over:
            self.play_turn(controllers)
        return self.state

    def scores(self) -> dict[str, int]:
        return self.rules.scores(self.state)
