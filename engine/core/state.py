"""Everything that changes during a game, as one plain, serialisable pydantic model.

Nothing else holds game state: not the UI, not a bot, not a state machine. The
state round-trips through JSON exactly (`GameState.from_json(s.to_json()) == s`),
which is what saves, replay and the per-turn history rely on. During
adjudication the rules mutate a private copy in place (containers are plain
dicts and lists) because validating on every assignment would cost more than
the rules themselves.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

STATE_FORMAT = 1

#: The most entries any list or table in a state may hold. Far above what a game of the format can build (200
#: turns, a few hundred actors and cards), it lets a crafted save of a million empty records be refused at its
#: first oversized list instead of after validating (and reporting) every record: pydantic checks the length
#: before the items.
MAX_ITEMS = 10_000
#: the most turns a log may hold (the format allows 200 a game)
MAX_LOGGED_TURNS = 1_000


def _within(n: int = MAX_ITEMS) -> BeforeValidator:
    """A bound on a list's or table's length, checked before its entries are (pydantic's own max_length checks
    a dict after validating every entry, and reports every bad one)."""
    def check(value: Any) -> Any:
        if isinstance(value, (list, dict, tuple)) and len(value) > n:
            raise ValueError(f"at most {n:,} entries are allowed here, not {len(value):,}")
        return value
    return BeforeValidator(check)


Ids = Annotated[list[str], _within()]
Turns = Annotated[list[int], _within()]
Table = Annotated[dict[str, float], _within()]
Effects = Annotated[list[dict[str, Any]], _within()]
Needs = Annotated[list[Ids], _within()]


class Order(BaseModel):
    """One side's order: play `card`, aimed at `targets` (actors) or `agreement`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    actor: str
    card: str
    targets: Annotated[tuple[str, ...], _within()] = ()
    agreement: str | None = None
    rationale: str = ""

    def label(self) -> str:
        aim = ", ".join(self.targets) if self.targets else (self.agreement or "")
        return f"{self.card}({aim})" if aim else self.card


Orders = Annotated[list[Order], _within()]


class AgreementState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    type: str
    name: str
    parties: Ids
    state: str
    proposer: str | None = None
    since_turn: int = 0
    history: Annotated[list[tuple[int, str]], _within()] = []


#: what became of an order or a matrix argument
Outcome = Literal["success", "failure", "fizzled"]
#: the phases of a game, in the order engine/core/lifecycles.py's GAME_PHASES moves through them
Phase = Literal["setup", "briefing", "planning", "paused", "adjudication", "injects", "assessment", "end", "debrief"]


class Resolution(BaseModel):
    """How one order was resolved: what was rolled and what changed."""

    model_config = ConfigDict(extra="forbid")
    order: Order
    outcome: Outcome
    chance: int | None = None  # percent, when dice were rolled
    roll: int | None = None  # d100
    reason: str = ""
    #: who may read `reason`: an observer must share an actor with each list (empty: everyone; see engine/scenario/visibility.py)
    reason_needs: Needs = []
    #: who may know `chance` exactly, as `reason_needs`; the others are shown `chance_range`
    chance_needs: Needs = []
    #: the chance as an observer who cannot see its hidden inputs may know it: lowest and highest percent
    chance_range: tuple[int, int] | None = None
    effects: Effects = []
    #: who settled the outcome: "rules" (the dice), "script" (a forced outcome) or "facilitator"
    decided_by: str = "rules"
    #: why, when someone other than the dice decided
    decided_because: str = ""


class EventRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str
    name: str
    text: str
    to: Ids | None = None  # None: public
    roll: int | None = None
    chance: int | None = None
    effects: Effects = []
    #: the turn in which it was delivered
    turn: int = 0
    #: who sent it: "scenario" (the world), "script" (an exercise's timeline) or "facilitator" (fired by hand)
    source: str = "scenario"


class FreeAction(BaseModel):
    """A matrix-game argument: an action that is not on the side's cards, argued in words.

    The facilitator sets its chance; the game's dice decide; on success the
    listed adjustments apply (the facilitator may add more by hand).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    actor: str
    argument: str
    chance: int | None = Field(None, ge=0, le=100)
    #: "actor.var" or "global.var" -> change applied on success
    on_success: Table = {}
    chance_set_by: str = ""


class FreeResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: FreeAction
    outcome: Outcome
    roll: int | None = None
    effects: Effects = []
    decided_by: str = "dice"


class ControlRecord(BaseModel):
    """Something the control cell did by hand, with who did it and why: the exercise's audit trail."""

    model_config = ConfigDict(extra="forbid")
    turn: int
    by: str
    action: str  # pause | resume | fire_inject | adjust | set_chance | confirm | rewind | inject_skipped | ...
    detail: str
    reason: str = ""


class TurnRecord(BaseModel):
    """The log of one turn: orders in the order they were resolved, then events, then upkeep."""

    model_config = ConfigDict(extra="forbid")
    turn: int
    date: str
    rung_before: str
    rung_after: str
    escalation_before: float
    escalation_after: float
    resolutions: Annotated[list[Resolution], _within()] = []
    events: Annotated[list[EventRecord], _within()] = []
    upkeep: Effects = []
    notes: Ids = []
    #: injects delivered before this turn's orders (at the turn's start or fired by the facilitator)
    briefing: Annotated[list[EventRecord], _within()] = []
    #: free (matrix) actions argued this turn and how the dice settled them
    free: Annotated[list[FreeResolution], _within()] = []


class Ruling(BaseModel):
    """An outcome decided by someone other than the dice, and why: a script's forced outcome or a facilitator's
    override. The dice are still rolled, so every later roll stays the same."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    outcome: Literal["success", "failure"]
    by: str = "facilitator"
    reason: str = ""


#: the acts of the control cell, each one function of engine/rules/control.py
ControlOp = Literal["pause", "resume", "fire_inject", "adjust", "argue", "set_chance", "confirm", "note"]


class ControlStep(BaseModel):
    """One act of the control cell during planning, kept so that a replay can do it again (see engine/rules/control.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op: ControlOp
    args: Annotated[dict[str, Any], _within()] = {}


class TurnOrders(BaseModel):
    """What went into one turn's adjudication: every side's committed orders and the facilitator's overrides.

    Together with the scenario and the seed this is all a game needs to be
    replayed; the state after each turn is a consequence, checked by digest.
    """

    model_config = ConfigDict(extra="forbid")
    turn: int = Field(ge=1)
    orders: Annotated[dict[str, Orders], _within()] = {}
    #: an order's position in resolution order -> "success"/"failure", or a Ruling with who decided and why
    overrides: Annotated[dict[int, Literal["success", "failure"] | Ruling], _within()] = {}
    #: the control cell's acts during this turn's planning, in the order they were done
    control: Annotated[list[ControlStep], _within()] = []
    #: the digest of the state after this turn was adjudicated ("" when unknown)
    digest: str = ""


class GameState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: int = STATE_FORMAT
    scenario_id: str
    scenario_digest: str
    seed: int
    rng: int = Field(ge=0, lt=1 << 64)
    #: each playable side's own secret for its bot's choices (`dice.side_key`); a side sees only its own
    keys: Annotated[dict[str, int], _within()] = {}
    turn: int = 1
    phase: Phase = "setup"
    vars: Annotated[dict[str, Table], _within()]
    globals: Table = {}
    relations: Annotated[dict[str, Table], _within()] = {}
    members: Annotated[dict[str, Ids], _within()] = {}
    commitments: Annotated[dict[str, Annotated[dict[str, str], _within()]], _within()] = {}
    escalation: float = 0.0
    rung: str
    peak_rung: str
    agreements: Annotated[dict[str, AgreementState], _within()] = {}
    pending: Annotated[dict[str, Orders], _within()] = {}
    committed: Ids = []
    fired: Annotated[dict[str, Turns], _within()] = {}
    attempts: Annotated[dict[str, Turns], _within()] = {}
    successes: Annotated[dict[str, Turns], _within()] = {}
    ever_met: Ids = []
    #: injects delivered in this turn's planning; moved into the turn's record when it is adjudicated
    inbox: Annotated[list[EventRecord], _within()] = []
    #: free (matrix) actions argued this turn, by side; hidden from the other sides like orders
    free_pending: Annotated[dict[str, Annotated[list[FreeAction], _within()]], _within()] = {}
    #: everything the control cell did by hand, for the whole game (seen only by the facilitator)
    control: Annotated[list[ControlRecord], _within()] = []
    #: why the game is paused (phase "paused"): a discussion prompt or the facilitator's reason
    pause_note: str = ""
    log: Annotated[list[TurnRecord], _within(MAX_LOGGED_TURNS)] = []
    ended: bool = False
    end_reason: str = ""
    results: Annotated[dict[str, Ids], _within()] = {}

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> GameState:
        return cls.model_validate_json(text)

    def digest(self) -> str:
        """A hash of the whole state: equal digests mean equal games."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    def snapshot(self) -> GameState:
        """An independent copy (validate-from-dump is faster than deepcopy for this shape)."""
        return GameState.model_validate(self.model_dump())


def relation_key(a: str, b: str) -> str:
    return f"{a}|{b}" if a < b else f"{b}|{a}"
