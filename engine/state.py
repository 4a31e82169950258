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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

STATE_FORMAT = 1


class Order(BaseModel):
    """One side's order: play `card`, aimed at `targets` (actors) or `agreement`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    actor: str
    card: str
    targets: tuple[str, ...] = ()
    agreement: str | None = None
    rationale: str = ""

    def label(self) -> str:
        aim = ", ".join(self.targets) if self.targets else (self.agreement or "")
        return f"{self.card}({aim})" if aim else self.card


class AgreementState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    type: str
    name: str
    parties: list[str]
    state: str
    proposer: str | None = None
    since_turn: int = 0
    history: list[tuple[int, str]] = []


class Resolution(BaseModel):
    """How one order was resolved: what was rolled and what changed."""

    model_config = ConfigDict(extra="forbid")
    order: Order
    outcome: str  # success | failure | fizzled
    chance: int | None = None  # percent, when dice were rolled
    roll: int | None = None  # d100
    reason: str = ""
    #: who may read `reason`: an observer must share an actor with each list (empty: everyone; see engine/fog.py)
    reason_needs: list[list[str]] = []
    #: who may know `chance` exactly, as `reason_needs`; the others are shown `chance_range`
    chance_needs: list[list[str]] = []
    #: the chance as an observer who cannot see its hidden inputs may know it: lowest and highest percent
    chance_range: tuple[int, int] | None = None
    effects: list[dict[str, Any]] = []
    #: who settled the outcome: "rules" (the dice), "script" (a forced outcome) or "facilitator"
    decided_by: str = "rules"
    #: why, when someone other than the dice decided
    decided_because: str = ""


class EventRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str
    name: str
    text: str
    to: list[str] | None = None  # None: public
    roll: int | None = None
    chance: int | None = None
    effects: list[dict[str, Any]] = []
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
    on_success: dict[str, float] = {}
    chance_set_by: str = ""


class FreeResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: FreeAction
    outcome: str  # success | failure | fizzled
    roll: int | None = None
    effects: list[dict[str, Any]] = []
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
    resolutions: list[Resolution] = []
    events: list[EventRecord] = []
    upkeep: list[dict[str, Any]] = []
    notes: list[str] = []
    #: injects delivered before this turn's orders (at the turn's start or fired by the facilitator)
    briefing: list[EventRecord] = []
    #: free (matrix) actions argued this turn and how the dice settled them
    free: list[FreeResolution] = []


class Ruling(BaseModel):
    """An outcome decided by someone other than the dice, and why: a script's forced outcome or a facilitator's
    override. The dice are still rolled, so every later roll stays the same."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    outcome: Literal["success", "failure"]
    by: str = "facilitator"
    reason: str = ""


class ControlStep(BaseModel):
    """One act of the control cell during planning, kept so that a replay can do it again (see engine/control.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op: Literal["pause", "resume", "fire_inject", "adjust", "argue", "set_chance", "confirm", "note"]
    args: dict[str, Any] = {}


class TurnOrders(BaseModel):
    """What went into one turn's adjudication: every side's committed orders and the facilitator's overrides.

    Together with the scenario and the seed this is all a game needs to be
    replayed; the state after each turn is a consequence, checked by digest.
    """

    model_config = ConfigDict(extra="forbid")
    turn: int = Field(ge=1)
    orders: dict[str, list[Order]] = {}
    #: an order's position in resolution order -> "success"/"failure", or a Ruling with who decided and why
    overrides: dict[int, Literal["success", "failure"] | Ruling] = {}
    #: the control cell's acts during this turn's planning, in the order they were done
    control: list[ControlStep] = []
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
    keys: dict[str, int] = {}
    turn: int = 1
    phase: str = "setup"
    vars: dict[str, dict[str, float]]
    globals: dict[str, float] = {}
    relations: dict[str, dict[str, float]] = {}
    members: dict[str, list[str]] = {}
    commitments: dict[str, dict[str, str]] = {}
    escalation: float = 0.0
    rung: str
    peak_rung: str
    agreements: dict[str, AgreementState] = {}
    pending: dict[str, list[Order]] = {}
    committed: list[str] = []
    fired: dict[str, list[int]] = {}
    attempts: dict[str, list[int]] = {}
    successes: dict[str, list[int]] = {}
    ever_met: list[str] = []
    #: injects delivered in this turn's planning; moved into the turn's record when it is adjudicated
    inbox: list[EventRecord] = []
    #: free (matrix) actions argued this turn, by side; hidden from the other sides like orders
    free_pending: dict[str, list[FreeAction]] = {}
    #: everything the control cell did by hand, for the whole game (seen only by the facilitator)
    control: list[ControlRecord] = []
    #: why the game is paused (phase "paused"): a discussion prompt or the facilitator's reason
    pause_note: str = ""
    log: list[TurnRecord] = []
    ended: bool = False
    end_reason: str = ""
    results: dict[str, list[str]] = {}

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
