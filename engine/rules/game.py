"""A game in progress: the scenario's rules, the current state, and its history.

This is the facade every controller uses, whether a person at the terminal or
the map, a bot, or a script: read your side's view, look at legal orders,
submit, and let the turn be adjudicated when every side has committed.

The facade also keeps what a save, a replay and the after-action review need:
`history` (the state at the start of each turn's planning, as independent
copies, so orders committed now never leak into the past) and `turns` (each
adjudicated turn's orders and overrides, from which the game can be replayed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from engine.core.commands import ControlCommand, Note, step_of
from engine.core.errors import PhaseError
from engine.core.state import ControlStep, GameState, Order, Ruling, TurnOrders, TurnRecord
from engine.rules import control
from engine.rules.turn import CardStatus, Rules, working_copy
from engine.rules.views import side_view
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario

Controller = Callable[["Game", str], list[Order]]


def planning_start(state: GameState) -> GameState:
    """A copy of `state` without the orders committed since planning opened (what history keeps)."""
    copy = working_copy(state)
    if copy.phase == "planning":
        copy.pending = {}
        copy.committed = []
    return copy


class Game:
    def __init__(self, scenario: Scenario, seed: int = 0, state: GameState | None = None):
        self.scenario = scenario
        self.rules = Rules(scenario)
        self.state = state if state is not None else self.rules.new_game(seed)
        #: the state at the start of each turn's planning (and the final state), oldest first; never the live object
        self.history: list[GameState] = [planning_start(self.state)]
        #: what went into each adjudicated turn, oldest first (one fewer than `history`)
        self.turns: list[TurnOrders] = []
        #: the control cell's acts in this turn's planning so far (they go into the turn's TurnOrders)
        self.planning_steps: list[ControlStep] = []

    @classmethod
    def from_file(cls, path: str | Path, seed: int = 0) -> Game:
        return cls(load_scenario(path), seed)

    # -- reading
    @property
    def over(self) -> bool:
        return self.state.ended

    def view(self, side: str | None, recent: int | None = None) -> dict:
        """What `side` may see (None: the facilitator); `recent`: only the log's last turns (see side_view)."""
        return side_view(self.scenario, self.state, side, self.rules.fog, recent)

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
        """Take back `side`'s committed orders; allowed until the turn is adjudicated."""
        self.rules.withdraw_orders(self.state, side)

    def overrule(self, rulings: dict[int, Ruling], index: int, outcome: str, reason: str,
                 by: str = "facilitator") -> None:
        """The facilitator sets order `index` (resolution order) to `outcome` for this turn, with a reason.

        The ruling goes into `rulings` (pass them to `adjudicate`: the turn's
        overrides, which a replay applies again) and a note into the control
        log, so the debrief shows who decided and why. The map, the terminal
        and the tests all rule through here.
        """
        control.override(self.rules, self.state, rulings, index, outcome, reason, by)
        o = self.rules.resolution_sequence(self.state)[index]
        self.control(Note(action="override", detail=f"{o.actor}: {self.scenario.card(o.card).name} → {outcome}",
                          reason=rulings[index].reason, by=by))

    def control(self, command: ControlCommand) -> None:
        """Do one act of the control cell (engine/core/commands.py) and keep it for saves and replays.

        Refused acts raise IllegalOrder or PhaseError and leave no trace.
        """
        step = step_of(command)  # the saved form, checked against the state's bounds before anything changes
        control.apply_command(self.rules, self.state, command)
        self.planning_steps.append(step)

    def adjudicate(self, overrides: Mapping[int, str | Ruling] | None = None) -> TurnRecord:
        before = self.state
        after = self.rules.adjudicate(before, overrides)
        self.turns.append(TurnOrders(turn=before.turn, orders={a: list(o) for a, o in before.pending.items()},
                                     overrides=dict(overrides or {}), control=self.planning_steps))
        self.planning_steps = []
        self.history.append(after)
        # the live state is a copy, so committing next turn's orders leaves history[-1] as it was
        self.state = working_copy(after)
        return after.log[-1]

    def rewind(self, turn: int, reason: str = "", by: str = "facilitator") -> None:
        """Go back to the start of `turn`'s planning, dropping everything played since (a facilitator's call).

        Rewinding to the current turn takes back every side's committed orders
        and the control cell's acts of this turn. The rewind itself is written
        to the control log of the state it returns to.
        """
        came_from = self.state.turn
        playable = [h.turn for h in self.history if not h.ended]
        if turn not in playable:
            raise PhaseError(f"cannot rewind to turn {turn}: the turns that can be replayed are "
                             f"{playable[0]} to {playable[-1]}" if playable else "there is no turn to rewind to")
        i = turn - self.history[0].turn
        self.history = self.history[: i + 1]
        self.turns = self.turns[:i]
        self.state = working_copy(self.history[i])
        self.planning_steps = []
        if reason or by != "facilitator":
            self.control(Note(action="rewind", detail=f"rewound from turn {came_from} to turn {turn}",
                         reason=reason, by=by))

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
