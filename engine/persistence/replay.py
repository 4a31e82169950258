"""Re-running a game from its scenario, seed and order log, checking every turn against what was recorded.

Why replay instead of storing every turn's state: the rules are deterministic
(one seeded die, bots outside adjudication), so the orders and overrides are
the whole story; the states follow. Storing a digest of each turn's result
lets a replay say exactly where a log and its record part ways, which catches
a damaged or hand-edited save and any change in the rules' behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.core.errors import IllegalOrder
from engine.core.state import ControlStep, GameState, Order, TurnOrders
from engine.rules import control
from engine.rules.turn import Rules, working_copy


@dataclass(frozen=True)
class Mismatch:
    """Where a replay first parts from the record: the turn, and what differed."""

    turn: int
    reason: str

    def __str__(self) -> str:
        return f"turn {self.turn}: {self.reason}"


@dataclass
class ReplayResult:
    """The replayed game: `history[k]` is the state after k turns; `checked` turns matched their digests."""

    history: list[GameState] = field(default_factory=list)
    checked: int = 0
    mismatch: Mismatch | None = None

    @property
    def matches(self) -> bool:
        return self.mismatch is None


def replay(rules: Rules, seed: int, turns: list[TurnOrders], final: GameState | None = None,
           planning: list[ControlStep] | None = None) -> ReplayResult:
    """Play `turns` again from a new game with `seed`; stop at the first turn that differs from the record.

    A turn's recorded `digest` (when not empty) must equal the replayed
    state's. `final`, when given, is the state the record ends in; it must be
    the replayed end state, except for orders committed in the planning phase
    it was saved in (those are checked for legality, not replayed).
    """
    state = rules.new_game(seed)
    out = ReplayResult(history=[state])
    for t in turns:
        if state.ended:
            out.mismatch = Mismatch(t.turn, f"the log has orders after the game ended on turn {state.turn}")
            return out
        if t.turn != state.turn:
            out.mismatch = Mismatch(state.turn, f"the log's next entry is for turn {t.turn}")
            return out
        live = working_copy(state)
        try:
            moments = [working_copy(live)] if t.control else []  # the game as it stood before each control act
            for step in t.control:
                control.apply_step(rules, live, step)
                moments.append(working_copy(live))
            for side, orders in t.orders.items():
                try:
                    rules.submit(live, side, orders)
                except IllegalOrder:
                    if side in live.committed or not _legal_when_given(rules, moments, side, orders):
                        raise
                    # The control cell changed the game after these orders were given: as in the live game,
                    # they stand, and adjudication lets any that no longer fit fizzle.
                    live.pending[side] = list(orders)
                    live.committed.append(side)
            state = rules.adjudicate(live, dict(t.overrides))
        except IllegalOrder as exc:  # PhaseError too: a side missing from the log
            out.mismatch = Mismatch(t.turn, f"the recorded orders cannot be played: {exc.reason}")
            return out
        out.history.append(state)
        if t.digest and state.digest() != t.digest:
            out.mismatch = Mismatch(t.turn, "the state after adjudication differs from the one recorded "
                                            f"(digest {state.digest()[:12]}…, recorded {t.digest[:12]}…)")
            return out
        out.checked += 1
    if final is not None:
        if planning:
            state = working_copy(state)
            try:
                for step in planning:
                    control.apply_step(rules, state, step)
            except IllegalOrder as exc:
                out.mismatch = Mismatch(state.turn, f"the control cell's acts of this turn cannot be done: {exc}")
                return out
        end = working_copy(final)
        if end.phase == "planning":
            end.pending, end.committed = {}, []
        if end.digest() != state.digest():
            out.mismatch = Mismatch(final.turn, "the saved current state is not where the recorded orders lead "
                                                f"({_first_difference(state, end)})")
    return out


def _legal_when_given(rules: Rules, moments: list[GameState], side: str, orders: list[Order]) -> bool:
    """Whether `orders` were legal at some moment of the turn's planning, between the control cell's acts.

    In the live game a side's orders are checked when given; a later act of
    the control cell (a budget cut, say) may leave them unaffordable, and they
    stand. A replay does not know when in the turn the orders were given, so
    it accepts them if they were legal before any act, between two, or after
    the last; orders never legal (too many, a card twice, a card the side may
    not play) are refused however many harmless notes the turn holds.
    """
    return any(m.phase == "planning" and rules.check_orders(m, side, orders) is None for m in moments)


def _first_difference(replayed: GameState, saved: GameState) -> str:
    """Name the first top-level field that differs, so a person can see what was changed."""
    a, b = replayed.model_dump(), saved.model_dump()
    for key in a:
        if a[key] != b.get(key):
            if key == "log":
                for i, (x, y) in enumerate(zip(a["log"], b["log"], strict=False)):
                    if x != y:
                        return f"the log of turn {x.get('turn', i + 1)} differs"
                return f"the log has {len(b['log'])} turns, the replay {len(a['log'])}"
            return f"'{key}' differs"
    return "the states differ"
