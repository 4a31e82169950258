"""The lifecycles of the game, declared as data and run by `transitions` machines.

Why this shape: the state of each lifecycle lives in `GameState` as a plain
name (machines do not pickle or serialise well), and one shared `Machine`
serves each kind of lifecycle. To move something along we park its current
name on a small token, fire the trigger, and read the new name back; a refused
trigger raises `IllegalOrder` with a reason a player can read, and nothing is
half-applied. A plain table derived from the same definition answers "could
this trigger fire?" on the hot path (legal-move generation) without touching
the machine.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast, get_args

from transitions import Machine, MachineError

from engine.core.errors import IllegalOrder
from engine.core.state import Phase

TransitionDef = tuple[str, str | Sequence[str], str]  # trigger, source(s), dest


@dataclass
class _Token:
    """The model a shared machine drives; holds nothing but the current state's name."""

    state: str = ""


@dataclass
class Lifecycle:
    """One kind of lifecycle: states, transitions, and the machine built from them."""

    name: str
    states: tuple[str, ...]
    transitions: tuple[TransitionDef, ...]
    table: dict[tuple[str, str], str] = field(init=False)

    def __post_init__(self) -> None:
        self.table = {}
        for trigger, sources, dest in self.transitions:
            for src in [sources] if isinstance(sources, str) else sources:
                self.table[(trigger, src)] = dest
        self._token: Any = _Token(self.states[0])  # transitions adds `trigger` to it at run time
        self._machine = Machine(
            model=self._token,
            states=list(self.states),
            transitions=[{"trigger": t, "source": list(s) if not isinstance(s, str) else s, "dest": d}
                         for t, s, d in self.transitions],
            initial=self.states[0],
            auto_transitions=False,
            send_event=False,
        )

    @property
    def triggers(self) -> set[str]:
        return {t for t, _, _ in self.transitions}

    def can(self, trigger: str, current: str) -> bool:
        return (trigger, current) in self.table

    def allowed_from(self, current: str) -> list[str]:
        return sorted({t for (t, s) in self.table if s == current})

    def fire(self, trigger: str, current: str, what: str = "") -> str:
        """Run `trigger` from state `current` through the machine; return the new state name."""
        if current not in self.states:
            raise IllegalOrder(f"{what or self.name} is in unknown state {current!r}")
        if trigger not in self.triggers:
            raise IllegalOrder(f"{self.name}: no such step {trigger!r}")
        self._machine.set_state(current, model=self._token)
        try:
            ok = self._token.trigger(trigger)
        except MachineError:
            ok = False
        if not ok:
            allowed = ", ".join(self.allowed_from(current)) or "nothing (final)"
            raise IllegalOrder(
                f"cannot {trigger.replace('_', ' ')} {what or self.name}: it is {current.replace('_', ' ')} "
                f"(possible: {allowed})"
            )
        return self._token.state


GAME_PHASES = Lifecycle(
    "game",
    get_args(Phase),
    (
        ("brief", "setup", "briefing"),
        ("open_planning", "briefing", "planning"),
        ("pause", "planning", "paused"),
        ("resume", "paused", "planning"),
        ("adjudicate", "planning", "adjudication"),
        ("deliver_injects", "adjudication", "injects"),
        ("assess", "injects", "assessment"),
        ("next_turn", "assessment", "planning"),
        ("finish", "assessment", "end"),
        ("debrief", "end", "debrief"),
    ),
)

AGREEMENT = Lifecycle(
    "agreement",
    ("proposed", "negotiating", "signed", "in_force", "invoked", "suspended", "lapsed", "withdrawn"),
    (
        ("propose", ("lapsed", "withdrawn"), "proposed"),
        ("negotiate", "proposed", "negotiating"),
        ("sign", "negotiating", "signed"),
        ("ratify", "signed", "in_force"),
        ("invoke", "in_force", "invoked"),
        ("conclude", "invoked", "in_force"),
        ("suspend", ("in_force", "invoked"), "suspended"),
        ("resume", "suspended", "in_force"),
        ("withdraw", ("negotiating", "signed", "in_force", "invoked", "suspended"), "withdrawn"),
        ("lapse", ("proposed", "negotiating", "signed"), "lapsed"),
    ),
)

#: Agreement states in which the agreement binds its parties.
AGREEMENT_ACTIVE = frozenset({"in_force", "invoked"})
#: States an idle agreement can lapse from.
AGREEMENT_PENDING = frozenset({"proposed", "negotiating", "signed"})

COMMITMENT = Lifecycle(
    "commitment",
    ("committed", "conditional", "withdrawing", "withdrawn"),
    (
        ("waver", "committed", "conditional"),
        ("reaffirm", "conditional", "committed"),
        ("announce_withdrawal", "conditional", "withdrawing"),
        ("reverse", "withdrawing", "conditional"),
        ("complete_withdrawal", "withdrawing", "withdrawn"),
        ("rejoin", "withdrawn", "conditional"),
    ),
)


def ladder_lifecycle(rung_ids: Sequence[str]) -> Lifecycle:
    """The escalation ladder of one scenario: `climb` and `descend` move one rung at a time."""
    transitions: list[TransitionDef] = []
    for low, high in itertools.pairwise(rung_ids):
        transitions.append(("climb", low, high))
        transitions.append(("descend", high, low))
    return Lifecycle("escalation ladder", tuple(rung_ids), tuple(transitions))


def next_phase(trigger: str, current: Phase) -> Phase:
    """The game's phase after `trigger`, or IllegalOrder if the game cannot take that step now."""
    return cast(Phase, GAME_PHASES.fire(trigger, current, "the game"))
