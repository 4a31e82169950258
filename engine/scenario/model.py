"""The scenario format: what a YAML scenario may say, as typed pydantic models.

A scenario is read once, validated, and never changed during play. Conditions
and effects are data (discriminated unions), interpreted by `engine.scenario.language`;
nothing here is ever evaluated as code. Every model forbids unknown fields so
that a typo in a card is an error with a line number, not a silent no-op.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    Tag,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

#: The largest magnitude any number in a scenario (or exercise script) may have: a quadrillion.
#:
#: Large enough for any real figure in its plainest unit: world GDP is about 1.1e14 dollars, the world's
#: population 8e9. Small enough that nothing the engine computes from clamped figures can overflow: a
#: scaled amount (`var` × `times` + `plus`) is at most about 1e30, a sum of thousands of them 1e34, a
#: chart's or a summary's squares 1e60, all far from the float limit of 1.8e308 (a `max_score` of 1.7e308
#: used to overflow in the batch engine and the report charts). It is also below 2**53 (9.0e15), so every
#: whole number up to it is held exactly. Not-a-number and infinity are refused outright: a NaN compares
#: false with everything (a NaN cost made a card free for ever, a NaN variable failed every save).
LIMIT = 1e15

#: The largest whole number (turns, counts, plays, cooldowns, parties, objective points) a scenario may give.
#:
#: Far above anything a game counts (at most 200 turns, a few dozen actors, points in the tens), and far below
#: the 32-bit counters the batch engine keeps per game (2.1e9): a `cooldown` or `within` of 10**20 used to
#: overflow numpy's integer arithmetic there.
MAX_COUNT = 1_000_000


def _finite_within_limit(v: float) -> float:
    if not -LIMIT <= v <= LIMIT:
        raise ValueError(f"{v:g} is beyond the limit of ±{LIMIT:g} for a number in a scenario (larger figures "
                         "would overflow sums and charts): use a larger unit, e.g. billions")
    return v


def _count_within_limit(v: int) -> int:
    if not -MAX_COUNT <= v <= MAX_COUNT:
        raise ValueError(f"{v:,} is beyond the limit of ±{MAX_COUNT:,} for a whole number in a scenario")
    return v


class _LimitInSchema:
    """Shows the limit in the JSON Schema (for editors), unless the field has tighter bounds of its own."""

    def __init__(self, limit: float):
        self.limit = limit

    def __get_pydantic_json_schema__(self, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        schema.setdefault("minimum", -self.limit)
        schema.setdefault("maximum", self.limit)
        return schema


#: Every real number of the format: finite, and within ±LIMIT. Give a field tighter bounds with
#: `Field(default, ge=..., le=...)` (not with `Annotated[Number, Field(...)]`, which the schema would not show).
Number = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_finite_within_limit), _LimitInSchema(LIMIT)]
#: Every whole number of the format: within ±MAX_COUNT (most fields add `ge=0` or `ge=1`).
Whole = Annotated[int, AfterValidator(_count_within_limit), _LimitInSchema(MAX_COUNT)]
#: A whole number from 1, for optional fields (`PositiveWhole | None`: a union hides a field's own `ge` from the schema).
PositiveWhole = Annotated[int, Field(ge=1), AfterValidator(_count_within_limit), _LimitInSchema(MAX_COUNT)]

Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]

#: The deepest chain of events firing events (`fire:`) one firing may set off, and the most events it may set
#: off in all. A scenario whose events fire each other in a loop, or deeper or more often than this, is refused
#: when it is loaded (engine/scenario/xref.py); both engines also stop a chain at this depth whatever they are given.
MAX_FIRE_DEPTH = 50
MAX_FIRED_AT_ONCE = 1_000

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$", description="lower-case id: letters, digits, _")]

#: Reference to one or more actors in a condition or effect.
#: `self` (who plays the card), `target` (its first target), `targets` (all of them),
#: `parties` (parties of the agreement in play), an actor id, `@alliance` (its members), `*` (every actor).
ActorRef = Annotated[str, Field(pattern=r"^(self|target|targets|parties|\*|@?[a-z][a-z0-9_]{0,47})$")]
#: `<actor-ref>.<variable>` or `global.<variable>`.
VarRef = Annotated[str, Field(pattern=r"^(self|target|targets|parties|\*|@?[a-z][a-z0-9_]{0,47})\.[a-z][a-z0-9_]{0,47}$")]

AgreementStateName = Literal["proposed", "negotiating", "signed", "in_force", "invoked", "suspended", "lapsed", "withdrawn"]
CommitmentStateName = Literal["committed", "conditional", "withdrawing", "withdrawn"]
AgreementTrigger = Literal["propose", "negotiate", "sign", "ratify", "invoke", "conclude", "suspend", "resume", "withdraw", "lapse"]
CommitmentTrigger = Literal["waver", "reaffirm", "announce_withdrawal", "reverse", "complete_withdrawal", "rejoin"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- amounts


class Scaled(Strict):
    """A number read from the state: `var` × `times` + `plus`."""

    var: VarRef
    times: Number = 1.0
    plus: Number = 0.0


def _amount_tag(value: Any) -> str:
    return "scaled" if isinstance(value, (dict, Scaled)) else "number"


#: A number, or one read from the state. Tagged, so that a mistake inside a `{var: ...}` mapping is reported as
#: that mistake alone (not also as "not a number").
Amount = Annotated[Annotated[Number, Tag("number")] | Annotated[Scaled, Tag("scaled")], Discriminator(_amount_tag)]


# ---------------------------------------------------------------- conditions


class _Compare(Strict):
    at_least: Number | None = None
    at_most: Number | None = None
    above: Number | None = None
    below: Number | None = None
    equals: Number | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> _Compare:
        if all(getattr(self, k) is None for k in ("at_least", "at_most", "above", "below", "equals")):
            raise ValueError("give at least one of at_least, at_most, above, below, equals")
        return self


class VarCondition(_Compare):
    """A variable compared with bounds. With several actors (`@alliance.x`, `*.x`), all must hold
    unless `count_at_least` asks for only that many."""

    var: VarRef
    count_at_least: Whole | None = None


class RelationCondition(_Compare):
    relation: Id
    between: tuple[ActorRef, ActorRef]


class RungCondition(Strict):
    """The escalation ladder's current (or highest reached) rung against named rungs."""

    rung_at_least: Id | None = None
    rung_at_most: Id | None = None
    peak: bool = False

    @model_validator(mode="after")
    def _one(self) -> RungCondition:
        if self.rung_at_least is None and self.rung_at_most is None:
            raise ValueError("give rung_at_least or rung_at_most")
        return self


class AgreementSelector(Strict):
    """Which agreement: by `id`, by `type` and `parties`, or the card's `target` agreement."""

    id: Id | None = None
    type: Id | None = None
    parties: list[ActorRef] | None = None
    target: bool = False

    @model_validator(mode="after")
    def _exactly_one_way(self) -> AgreementSelector:
        ways = (self.id is not None) + (self.type is not None) + self.target
        if ways != 1:
            raise ValueError("select an agreement by exactly one of: id, type (with parties), target: true")
        if self.parties is not None and self.type is None:
            raise ValueError("parties only go with type")
        return self


class AgreementCondition(Strict):
    """Holds when the selected agreement exists and is in one of `in` (any state if omitted).
    With `exists: false`, holds when no such agreement is in any of those states."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    agreement: AgreementSelector
    in_: list[AgreementStateName] | None = Field(default=None, alias="in")
    exists: bool = True
    self_is_party: bool | None = None
    self_is_proposer: bool | None = None


class CommitmentCondition(Strict):
    """An actor's commitment toward an alliance is in one of the listed states."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    commitment: ActorRef
    alliance: Id
    in_: list[CommitmentStateName] = Field(alias="in")


class MemberCondition(Strict):
    member: ActorRef
    of: Id
    is_: bool = Field(default=True, alias="is")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TurnCondition(Strict):
    turn_at_least: Whole | None = None
    turn_at_most: Whole | None = None

    @model_validator(mode="after")
    def _one(self) -> TurnCondition:
        if self.turn_at_least is None and self.turn_at_most is None:
            raise ValueError("give turn_at_least or turn_at_most")
        return self


class PlayedCondition(Strict):
    """A card was played successfully by an actor, ever or within the last `within` turns."""

    played: Id
    by: ActorRef = "self"
    within: Whole | None = None
    is_: bool = Field(default=True, alias="is")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EventCondition(Strict):
    """An event has (or has not) fired."""

    fired: Id
    is_: bool = Field(default=True, alias="is")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class IsActorCondition(Strict):
    """The referenced actor is (or is not) one of the listed actors / has one of the kinds."""

    actor: ActorRef
    among: list[ActorRef] | None = None
    kind: list[Literal["state", "bloc", "organisation"]] | None = None
    is_: bool = Field(default=True, alias="is")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AllCondition(Strict):
    all: list[Condition]


class AnyCondition(Strict):
    any: list[Condition]


class NotCondition(Strict):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


_CONDITION_KEYS = {
    "var": "var",
    "relation": "relation",
    "rung_at_least": "rung",
    "rung_at_most": "rung",
    "agreement": "agreement",
    "commitment": "commitment",
    "member": "member",
    "turn_at_least": "turn",
    "turn_at_most": "turn",
    "played": "played",
    "fired": "fired",
    "actor": "actor",
    "all": "all",
    "any": "any",
    "not": "not",
}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return _MODEL_TAGS.get(type(value))
    if isinstance(value, dict):
        for key in value:
            if key in _CONDITION_KEYS:
                return _CONDITION_KEYS[key]
    return None


Condition = Annotated[
    Annotated[VarCondition, Tag("var")] | Annotated[RelationCondition, Tag("relation")] | Annotated[RungCondition, Tag("rung")] | Annotated[AgreementCondition, Tag("agreement")] | Annotated[CommitmentCondition, Tag("commitment")] | Annotated[MemberCondition, Tag("member")] | Annotated[TurnCondition, Tag("turn")] | Annotated[PlayedCondition, Tag("played")] | Annotated[EventCondition, Tag("fired")] | Annotated[IsActorCondition, Tag("actor")] | Annotated[AllCondition, Tag("all")] | Annotated[AnyCondition, Tag("any")] | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="unknown_condition",
        custom_error_message="not a known condition: start it with one of " + ", ".join(sorted(_CONDITION_KEYS)),
    ),
]

_MODEL_TAGS: dict[type, str] = {
    VarCondition: "var", RelationCondition: "relation", RungCondition: "rung", AgreementCondition: "agreement",
    CommitmentCondition: "commitment", MemberCondition: "member", TurnCondition: "turn",
    PlayedCondition: "played", EventCondition: "fired", IsActorCondition: "actor",
    AllCondition: "all", AnyCondition: "any", NotCondition: "not",
}

# ---------------------------------------------------------------- effects


class ChangeEffect(Strict):
    """Add `by` to a variable (clamped to its declared range)."""

    change: VarRef
    by: Amount


class SetEffect(Strict):
    set: VarRef
    to: Amount


class RelationEffect(Strict):
    """Change a relation variable between two actors (symmetric)."""

    relation: Id
    between: tuple[ActorRef, ActorRef]
    by: Amount


class EscalateEffect(Strict):
    """Move the escalation score by `escalate` points (negative de-escalates); the ladder follows."""

    escalate: Amount


class AgreementEffect(Strict):
    """Drive an agreement's lifecycle. `propose` creates it (type + parties); other steps select it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    agreement: AgreementTrigger
    id: Id | None = None
    type: Id | None = None
    parties: list[ActorRef] | None = None
    target: bool = False

    @model_validator(mode="after")
    def _selector(self) -> AgreementEffect:
        ways = (self.id is not None) + (self.type is not None) + self.target
        if ways != 1:
            raise ValueError("select the agreement by exactly one of: id, type (with parties), target: true")
        if self.agreement == "propose" and self.type is None:
            raise ValueError("propose needs type and parties")
        if self.type is not None and not self.parties:
            raise ValueError("type needs parties")
        return self


class CommitmentEffect(Strict):
    """Drive an actor's commitment lifecycle toward an alliance."""

    commitment: CommitmentTrigger
    actor: ActorRef
    alliance: Id


class MemberEffect(Strict):
    """Add an actor to, or remove it from, an alliance."""

    join: Id | None = None
    leave: Id | None = None
    actor: ActorRef

    @model_validator(mode="after")
    def _one(self) -> MemberEffect:
        if (self.join is None) == (self.leave is None):
            raise ValueError("give exactly one of join, leave")
        return self


class FireEffect(Strict):
    """Fire an event now (its own conditions are not checked)."""

    fire: Id


class NoteEffect(Strict):
    """A line for the log; no change to the state."""

    note: str


_EFFECT_KEYS = {
    "change": "change", "set": "set", "relation": "relation", "escalate": "escalate", "agreement": "agreement",
    "commitment": "commitment", "join": "member", "leave": "member", "fire": "fire", "note": "note",
}


def _effect_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return _EFFECT_MODEL_TAGS.get(type(value))
    if isinstance(value, dict):
        for key in value:
            if key in _EFFECT_KEYS:
                return _EFFECT_KEYS[key]
    return None


Effect = Annotated[
    Annotated[ChangeEffect, Tag("change")] | Annotated[SetEffect, Tag("set")] | Annotated[RelationEffect, Tag("relation")] | Annotated[EscalateEffect, Tag("escalate")] | Annotated[AgreementEffect, Tag("agreement")] | Annotated[CommitmentEffect, Tag("commitment")] | Annotated[MemberEffect, Tag("member")] | Annotated[FireEffect, Tag("fire")] | Annotated[NoteEffect, Tag("note")],
    Discriminator(
        _effect_tag,
        custom_error_type="unknown_effect",
        custom_error_message="not a known effect: start it with one of " + ", ".join(sorted(_EFFECT_KEYS)),
    ),
]

_EFFECT_MODEL_TAGS: dict[type, str] = {
    ChangeEffect: "change", SetEffect: "set", RelationEffect: "relation", EscalateEffect: "escalate",
    AgreementEffect: "agreement", CommitmentEffect: "commitment", MemberEffect: "member",
    FireEffect: "fire", NoteEffect: "note",
}

# ---------------------------------------------------------------- scenario parts


class Source(Strict):
    id: Id
    title: str
    publisher: str = ""
    date: str = ""
    note: str = ""


class SpendingTarget(Strict):
    """A line the front ends draw and count against, e.g. an alliance's 2% of GDP."""

    var: Id
    at_least: Number
    label: str
    members_of: Id | None = Field(None, description="count only members of this alliance")


class Meta(Strict):
    id: Id
    title: str
    summary: str
    start_date: dt.date
    turn_months: Whole = Field(1, ge=1, le=24, description="game time of one turn, in months")
    turns: Whole = Field(ge=1, le=200)
    orders_per_turn: Whole = Field(2, ge=1, le=10)
    sources: list[Source] = []
    dashboard: list[Id] = Field([], description="actor variables shown in each turn's summary (first four if empty)")
    spending_target: SpendingTarget | None = None


class VarDef(Strict):
    label: str
    min: Number
    max: Number
    default: Number = 0.0
    unit: str = ""
    private: bool = Field(False, description="seen only by its own actor (and the facilitator); for a shared "
                                             "figure, only by `seen_by`; for a relation, only by its two actors")
    description: str = ""

    @model_validator(mode="after")
    def _range(self) -> VarDef:
        if self.min > self.max:
            raise ValueError("min is above max")
        if not self.min <= self.default <= self.max:
            raise ValueError("default is outside min..max")
        return self


class GlobalDef(VarDef):
    initial: Number | None = None
    source: Id | None = None
    seen_by: list[Id] = Field([], description="with private: the actors who see this shared figure "
                                               "(nobody but the facilitator if empty)")


class Actor(Strict):
    id: Id
    name: str
    kind: Literal["state", "bloc", "organisation"]
    playable: bool = True
    description: str = ""
    members: list[str] = Field([], description="for a bloc: the states it stands for")
    territory: list[str] = Field([], description="ISO 3166-1 alpha-2 codes of the land it holds on the map")
    capital: tuple[Longitude, Latitude] | None = Field(None, description="longitude, latitude")
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$", description="map colour, #RRGGBB")
    variables: dict[Id, Number] = {}
    sources: dict[Id, Id] = Field({}, description="variable -> source id for each cited figure")
    orders_per_turn: int | None = Field(None, ge=0, le=10)


class RelationSeed(Strict):
    between: tuple[Id, Id]
    values: dict[Id, Number]


class Alliance(Strict):
    id: Id
    name: str
    members: list[Id]
    credibility: Id | None = Field(None, description="the global variable that measures its guarantee")
    commitments: dict[Id, CommitmentStateName] = Field({}, description="member -> starting commitment")
    description: str = ""


class Rung(Strict):
    id: Id
    name: str
    threshold: Number
    description: str = ""


class Ladder(Strict):
    """Named rungs with rising thresholds over one escalation score."""

    rungs: list[Rung] = Field(min_length=2)
    initial_score: Number = 0.0
    min_score: Number = 0.0
    max_score: Number = 100.0
    decay: Number = Field(0.0, ge=0, description="points the score falls each turn with no escalation")

    @model_validator(mode="after")
    def _rising(self) -> Ladder:
        th = [r.threshold for r in self.rungs]
        if any(b <= a for a, b in itertools.pairwise(th)):
            raise ValueError("rung thresholds must rise strictly from first to last")
        if th[0] > self.min_score:
            raise ValueError("the first rung's threshold must be at or below min_score")
        if not self.min_score <= self.initial_score <= self.max_score:
            raise ValueError("initial_score is outside min_score..max_score")
        return self


class AgreementType(Strict):
    id: Id
    name: str
    min_parties: Whole = Field(2, ge=2)
    max_parties: Whole = Field(2, ge=2)
    lapse_after: PositiveWhole | None = Field(3, description="turns a proposal or negotiation may sit idle before it lapses")
    each_turn: list[Effect] = Field([], description="effects each turn while in force; `parties` are its parties")
    description: str = ""


class AgreementSeed(Strict):
    id: Id
    type: Id
    name: str
    parties: list[Id] = Field(min_length=2)
    state: AgreementStateName = "in_force"
    signed: str = ""
    source: Id | None = None


class Target(Strict):
    """What a card is aimed at: actors (one or more) or an agreement."""

    kind: Literal["actor", "agreement"] = "actor"
    count: Whole = Field(1, ge=1, le=5)
    among: list[ActorRef] | None = None
    kinds: list[Literal["state", "bloc", "organisation"]] | None = None
    allow_self: bool = False
    where: list[Condition] = Field([], description="must hold for each target (`target` is the candidate)")


class Chance(Strict):
    base: Number = Field(ge=0, le=1)
    modifiers: list[ChanceModifier] = []


class ChanceModifier(Strict):
    when: list[Condition]
    add: Number = Field(ge=-1, le=1)
    why: str = ""


Family = Literal["budget", "agreement", "escalation"]


def _chance_tag(value: Any) -> str:
    return "chance" if isinstance(value, (dict, Chance)) else "number"


class Card(Strict):
    id: Id
    name: str
    family: Family
    text: str = ""
    playable_by: list[ActorRef] = Field(["*"], description="actor ids, @alliance, or * for any playable actor")
    not_playable_by: list[ActorRef] = []
    target: Target | None = None
    conditions: list[Condition] = []
    cost: dict[Id, Number] = Field({}, description="own variables spent when the order is given")
    chance: Annotated[Annotated[Number, Tag("number")] | Annotated[Chance, Tag("chance")],
                      Discriminator(_chance_tag)] = 1.0
    effects: list[Effect] = []
    on_failure: list[Effect] = []
    max_plays: PositiveWhole | None = Field(None, description="times per game for each actor")
    cooldown: Whole = Field(0, ge=0, description="turns before the same actor may play it again")
    category: Literal["deescalation", "status_quo", "posturing", "nonviolent", "violent", "nuclear"] | None = None

    @field_validator("chance")
    @classmethod
    def _prob(cls, v: float | Chance) -> float | Chance:
        if isinstance(v, float) and not 0 <= v <= 1:
            raise ValueError("chance must be between 0 and 1")
        return v


class Event(Strict):
    """An event or inject: fires at a turn, or when its conditions hold, at most once unless repeatable."""

    id: Id
    name: str
    text: str = ""
    at_turn: PositiveWhole | None = None
    when: list[Condition] = []
    chance: Number = Field(1.0, ge=0, le=1)
    repeatable: bool = False
    to: list[Id] | None = Field(None, description="actors who receive it privately; everyone if omitted")
    effects: list[Effect] = []
    delivered: Literal["after_orders", "before_orders"] = Field(
        "after_orders", description="after the turn's orders are resolved, or at the start of the turn, before "
                                    "anyone gives orders (how an exercise's injects reach the teams)")
    by: Literal["scenario", "script"] = Field("scenario", description="the world, or an exercise's control cell")

    @model_validator(mode="after")
    def _trigger(self) -> Event:
        if self.at_turn is None and not self.when:
            raise ValueError("an event needs at_turn or when (or both)")
        return self


class Objective(Strict):
    id: Id
    actor: Id
    description: str
    conditions: list[Condition]
    points: Whole = Field(1, ge=1)
    judged: Literal["end", "ever"] = Field("end", description="met at the end, or met if it ever held after a turn")


class EndCondition(Strict):
    id: Id
    text: str
    when: list[Condition]


class ValueTerm(Strict):
    """One thing a side cares about, measured in this scenario's own figures, scaled to 0..1.

    Give exactly one measure: `var` (an actor or global variable, scaled by
    its declared range), `escalation` (the ladder's score), `relation` with
    `with` (a relation variable), or `objectives` (the share of the side's
    objective points met now). A negative weight means the side wants less.
    """

    name: str = Field(description="what it stands for: security, economy, domestic support, cohesion, ...")
    weight: Number
    var: VarRef | None = None
    escalation: bool = False
    relation: Id | None = None
    with_: ActorRef | None = Field(None, alias="with")
    objectives: bool = False
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_measure(self) -> ValueTerm:
        n = (self.var is not None) + self.escalation + (self.relation is not None) + self.objectives
        if n != 1:
            raise ValueError("give exactly one measure: var, escalation: true, relation (with `with`), objectives: true")
        if (self.relation is None) != (self.with_ is None):
            raise ValueError("relation and with go together")
        return self


class RedLine(Strict):
    """What a side's bot will never do, whatever the gain."""

    text: str
    cards: list[Id] = Field([], description="never play these cards")
    max_rung: Id | None = Field(
        None, description="never give an order whose success would push the ladder higher while above this rung")
    keep: VarCondition | None = Field(None, description="never give an order whose success would break this")

    @model_validator(mode="after")
    def _something(self) -> RedLine:
        if not self.cards and self.max_rung is None and self.keep is None:
            raise ValueError("a red line needs cards, max_rung or keep")
        return self


class Doctrine(Strict):
    """How a side's bot weighs its choices: what it values, how much risk it takes, its red lines."""

    actor: Id
    summary: str = ""
    risk: Number = Field(0.5, ge=0, le=1, description="0: avoids gambles; 1: judges by expected value alone")
    values: list[ValueTerm] = Field(min_length=1)
    red_lines: list[RedLine] = []


class EachTurn(Strict):
    """Upkeep applied after adjudication for each listed actor (`self` is that actor)."""

    for_: list[ActorRef] = Field(["*"], alias="for")
    effects: list[Effect]
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Scenario(Strict):
    schema_: str | None = Field(None, alias="$schema")
    format: Literal[1] = 1
    meta: Meta
    decks: list[str] = Field([], description="card decks to include, relative to this file")
    variables: dict[Id, VarDef]
    globals: dict[Id, GlobalDef] = {}
    relation_variables: dict[Id, VarDef] = {}
    actors: list[Actor] = Field(min_length=2)
    relations: list[RelationSeed] = []
    alliances: list[Alliance] = []
    ladder: Ladder
    agreement_types: list[AgreementType] = []
    agreements: list[AgreementSeed] = []
    cards: list[Card] = []
    events: list[Event] = []
    each_turn: list[EachTurn] = []
    objectives: list[Objective] = []
    doctrines: list[Doctrine] = []
    end: list[EndCondition] = []
    end_on_rung: Id | None = Field(None, description="the game ends when the ladder reaches this rung")
    resolution_order: list[Family] = ["budget", "agreement", "escalation"]
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # Lookups built once; the model is frozen so these never go stale.
    def actor(self, actor_id: str) -> Actor:
        return self._index("actors")[actor_id]

    def card(self, card_id: str) -> Card:
        return self._index("cards")[card_id]

    def _index(self, name: str) -> dict[str, Any]:
        cache = self.__dict__.setdefault("_indexes", {})
        if name not in cache:
            cache[name] = {x.id: x for x in getattr(self, name)}
        return cache[name]

    @property
    def playable_ids(self) -> list[str]:
        return [a.id for a in self.actors if a.playable]

    def turn_date(self, turn: int) -> dt.date:
        months = (turn - 1) * self.meta.turn_months
        y, m = divmod(self.meta.start_date.month - 1 + months, 12)
        return dt.date(self.meta.start_date.year + y, m + 1, 1)


class Deck(Strict):
    """A card deck file listed under a scenario's `decks:`: its cards and events join the scenario's."""

    description: str = ""
    cards: list[Card] = []
    events: list[Event] = []


AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()
Target.model_rebuild()
Chance.model_rebuild()
