"""What changed in one turn, as one audience may see it: the figures that moved and why, and where.

After a turn the room and each team need a summary they can act on, not a
list of every resolved order: which figures moved and by how much, what moved
them (an order, its cost, an inject, the end-of-turn upkeep), which agreements
and commitments changed state, whether the escalation ladder moved, and where
on the map things happened.

`turn_changes` computes that from two *views* of one audience (engine/rules/views.py):
the view at the start of the turn's planning and the view right after the
turn, whose last log record is the turn's. It never reads a game state, so it
can only repeat what that audience may see: a figure hidden from it is not in
either view and so never in the summary, and an effect record it may not see
is not in the after view's log, so it is never given as a cause.

What a figure's change is made of:

- every effect record of the turn that touched it, in the after view's log:
  orders (their costs apart), free actions, injects, the end-of-turn upkeep;
- injects fired by hand during planning after the before view was taken (the
  record's `briefing` past the before view's `inbox`);
- injects delivered at the start of the next turn's planning (the after
  view's `inbox`: they are applied when the turn ends, before anyone sees it);
- whatever is left: a change this audience can see but whose cause is not in
  its log (a control cell's adjustment; an inject sent to someone else), given
  as one `unexplained` cause so that the causes always add up to the change.

Everything returned is frozen plain data (dataclasses of strings, numbers and
tuples), the same for the same two views.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from engine.rules.views import seen_chance, side_view
from engine.scenario.language import round6
from engine.scenario.model import Scenario

if TYPE_CHECKING:
    from engine.rules.game import Game

#: what made something happen in a turn
SourceKind = Literal["order", "cost", "free", "inject", "upkeep", "unexplained"]
#: which kind of figure moved
Scope = Literal["actor", "global", "relation", "escalation"]
#: when an inject reached this audience, relative to the turn's orders
Delivered = Literal["planning", "after orders", "next turn"]

#: two figures closer than this are the same (figures are kept to six decimals, engine/scenario/language.py `round6`)
EPSILON = 1e-6
#: the label of the cause that stands for what the audience's log does not explain
UNEXPLAINED = "not in this turn's log as you may see it"
#: the label of the end-of-turn upkeep (the scenario's `each_turn`, agreements' per-turn effects, decay)
UPKEEP = "end of turn"


@dataclass(frozen=True)
class Source:
    """What made something happen: an order (or its cost), a free action, an inject, the end of turn.

    `actor` is who gave the order or argued the free action, `card` the card's
    id, `event` the inject's id, `outcome` the order's (success, failure,
    fizzled); fields that do not apply are empty. `label` says it in words,
    and `what` the same without who did it (the card and its aim, the
    argument), for a side's own orders.
    """

    kind: SourceKind
    label: str
    actor: str = ""
    card: str = ""
    event: str = ""
    outcome: str = ""
    what: str = ""


@dataclass(frozen=True)
class Cause:
    """One source's share of a figure's change (the shares of one figure add up to its delta)."""

    source: Source
    delta: float


@dataclass(frozen=True)
class FigureChange:
    """One figure the audience can see that moved: `new - old == delta`, and `causes` add up to `delta`.

    `scope` says which kind: an actor's variable (`actor`, `var`), a shared
    figure (`var` names the scenario's global), a relation (`between`, `var`
    names the relation variable) or the escalation score (`var` is empty).
    """

    scope: Scope
    actor: str
    var: str
    label: str
    old: float
    new: float
    delta: float
    causes: tuple[Cause, ...]
    between: tuple[str, ...] = ()


@dataclass(frozen=True)
class RungChange:
    """The escalation ladder before and after the turn (`moved` is "none" when the rung is the same)."""

    before: str
    after: str
    before_name: str
    after_name: str
    score_before: float
    score_after: float
    moved: Literal["up", "down", "none"]

    @property
    def changed(self) -> bool:
        return self.moved != "none"


@dataclass(frozen=True)
class AgreementStep:
    """One step of an agreement's lifecycle in the turn (`before` None: it was proposed, new)."""

    before: str | None
    after: str
    source: Source


@dataclass(frozen=True)
class AgreementChange:
    """An agreement that appeared or changed state this turn (`before` None: it is new)."""

    id: str
    name: str
    type: str
    parties: tuple[str, ...]
    before: str | None
    after: str
    steps: tuple[AgreementStep, ...]


@dataclass(frozen=True)
class CommitmentChange:
    """An actor's commitment to an alliance that changed (None: not a member, i.e. it joined or left)."""

    alliance: str
    alliance_name: str
    actor: str
    before: str | None
    after: str | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class OrderResult:
    """A resolved order (or free action, `kind` "free") as the audience may know it.

    `chance` is (lowest, highest) percent, equal when known exactly, None when
    no dice were rolled; `reason` is why it fizzled, in the audience's words.
    """

    kind: Literal["order", "free"]
    actor: str
    card: str
    label: str
    #: the label without who gave it: the card and its aim, or the argument
    what: str
    targets: tuple[str, ...]
    agreement: str
    outcome: str
    roll: int | None
    chance: tuple[int, int] | None
    reason: str
    decided_by: str


@dataclass(frozen=True)
class InjectNews:
    """An inject (or event) the audience received with this turn; `to` None: public."""

    event: str
    name: str
    text: str
    to: tuple[str, ...] | None
    delivered: Delivered


@dataclass(frozen=True)
class Place:
    """Something that happened at an actor, for a marker on the map: `what` in a few words."""

    actor: str
    what: str
    source: Source
    #: "order" (its own order), "target" (someone's order aimed at it), "agreement", "commitment", "inject"
    kind: str = "order"


@dataclass(frozen=True)
class TurnChanges:
    """What changed in one turn, as one audience may see it (see the module's docstring)."""

    turn: int
    date: str
    #: actors' figures that moved, by actor (scenario order), then variable (scenario order)
    figures: tuple[FigureChange, ...]
    #: shared figures (the scenario's `globals`) that moved
    globals: tuple[FigureChange, ...]
    #: relation values that moved
    relations: tuple[FigureChange, ...]
    #: the escalation score, if it moved
    escalation: FigureChange | None
    rung: RungChange
    agreements: tuple[AgreementChange, ...]
    commitments: tuple[CommitmentChange, ...]
    #: every resolved order and free action, in resolution order
    orders: tuple[OrderResult, ...]
    #: injects received with this turn, in the order they came
    injects: tuple[InjectNews, ...]
    #: where things happened (an actor may have several), for markers on the map
    places: tuple[Place, ...] = field(default=())

    def of(self, actor: str) -> tuple[FigureChange, ...]:
        """The figures of one actor that moved."""
        return tuple(f for f in self.figures if f.actor == actor)

    def orders_of(self, actor: str) -> tuple[OrderResult, ...]:
        return tuple(o for o in self.orders if o.actor == actor)

    def places_at(self, actor: str) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.actor == actor)


View = dict[str, Any]
Record = dict[str, Any]


def turn_changes(sc: Scenario, before: View, after: View) -> TurnChanges:
    """What changed in the last turn of `after`, for the audience both views belong to.

    `before` is that audience's view at the start of the turn's planning (a
    `Game.history` entry, or `game.view(side)` before the orders are given),
    `after` its view once the turn is adjudicated; the turn's record is
    `after["log"][-1]`. Raises ValueError if the views do not frame one turn.
    """
    if not after.get("log"):
        raise ValueError("the after view has no adjudicated turn")
    rec = after["log"][-1]
    if before.get("turn") != rec["turn"]:
        raise ValueError(f"the before view is of turn {before.get('turn')}, the last record of turn {rec['turn']}")
    w = _Words(sc, before, after)
    moved: dict[tuple[str, ...], list[Cause]] = {}
    steps: list[tuple[Source, Record]] = []  # the records that are not a number's change
    for source, records in _sources(w, before, rec, after):
        for e in records:
            key = _key(e)
            if key is None:
                steps.append((source, e))
            elif isinstance(e.get("from"), (int, float)) and isinstance(e.get("to"), (int, float)):
                moved.setdefault(key, []).append(Cause(source, e["to"] - e["from"]))
    figures = tuple(_var_changes(w, before, after, moved))
    shared = tuple(_global_changes(w, before, after, moved))
    relations = tuple(_relation_changes(w, before, after, moved))
    escalation = _figure(("escalation",), "escalation", "", "escalation score", before["escalation"],
                         after["escalation"], moved)
    agreements = tuple(_agreement_changes(before, after, steps))
    commitments = tuple(_commitment_changes(w, before, after, steps))
    orders = tuple(_orders(w, rec))
    news = tuple(_news(before, rec, after))
    return TurnChanges(
        turn=rec["turn"], date=rec["date"], figures=figures, globals=shared, relations=relations,
        escalation=escalation, rung=_rung(sc, before, after), agreements=agreements, commitments=commitments,
        orders=orders, injects=news, places=tuple(_places(w, orders, figures, agreements, commitments)),
    )


def game_turn_changes(game: Game, audience: str | None, turn: int | None = None) -> TurnChanges:
    """`turn_changes` of an adjudicated turn of `game` (the last by default), for `audience`.

    `audience` is a side, "" for the room or None for the facilitator; the two
    views are taken from `game.history`, so what was done in the planning
    since (a control act, an inject fired by hand) is not mixed in.
    """
    first = game.history[0].turn
    last = game.history[-1].turn - (0 if game.history[-1].ended else 1)
    turn = last if turn is None else turn
    i = turn - first
    if not game.turns or not 0 <= i < len(game.history) - 1:
        raise ValueError(f"turn {turn} has not been adjudicated in this game")
    fog = game.rules.fog
    return turn_changes(game.scenario, side_view(game.scenario, game.history[i], audience, fog),
                        side_view(game.scenario, game.history[i + 1], audience, fog))


# --------------------------------------------------------------------------------------------- words


class _Words:
    """Names and labels for one scenario, and the agreements both views know."""

    def __init__(self, sc: Scenario, before: View, after: View):
        self.sc = sc
        self.names = {a.id: a.name for a in sc.actors}
        self.cards = {c.id: c.name for c in sc.cards}
        self.alliances = {al.id: al.name for al in sc.alliances}
        self.agreements = {aid: ag["name"] for aid, ag in {**before["agreements"], **after["agreements"]}.items()}

    def name(self, actor: str) -> str:
        return self.names.get(actor, actor)

    def aim(self, order: dict[str, Any]) -> str:
        if order.get("targets"):
            return " → " + ", ".join(self.name(t) for t in order["targets"])
        if order.get("agreement"):
            return " → " + self.agreements.get(order["agreement"], order["agreement"])
        return ""

    def order_what(self, order: dict[str, Any]) -> str:
        return f"{self.cards.get(order['card'], order['card'])}{self.aim(order)}"

    def order_label(self, order: dict[str, Any]) -> str:
        return f"{self.name(order['actor'])}: {self.order_what(order)}"


# --------------------------------------------------------------------------------------------- causes


def _sources(w: _Words, before: View, rec: Record, after: View) -> Iterator[tuple[Source, list[Record]]]:
    """Each source of the turn with its effect records, in the order they happened."""
    late = rec["briefing"][len(before.get("inbox") or []):]
    for ev in late:
        yield _inject_source(ev), ev["effects"]
    for res in rec["resolutions"]:
        order = res["order"]
        label = w.order_label(order)
        common = {"actor": order["actor"], "card": order["card"], "outcome": res["outcome"],
                  "what": w.order_what(order)}
        costs = [e for e in res["effects"] if e.get("kind") == "cost"]
        if costs:
            yield Source("cost", f"cost of {label}", **common), costs
        yield Source("order", label, **common), [e for e in res["effects"] if e.get("kind") != "cost"]
    for free in rec.get("free") or []:
        act = free["action"]
        yield (Source("free", f"{w.name(act['actor'])}: “{act['argument']}”", actor=act["actor"],
                      outcome=free["outcome"], what=f"“{act['argument']}”"), free["effects"])
    for ev in rec["events"]:
        yield _inject_source(ev), ev["effects"]
    yield Source("upkeep", UPKEEP), rec["upkeep"]
    if not after.get("ended"):
        for ev in after.get("inbox") or []:
            yield _inject_source(ev), ev["effects"]


def _inject_source(ev: Record) -> Source:
    return Source("inject", ev["name"], event=ev["event"])


def _key(e: Record) -> tuple[str, ...] | None:
    """Which figure a numeric effect record moved, or None if it is not a number's change."""
    kind = e.get("kind")
    if kind in ("change", "cost"):
        return ("global", e["var"]) if e["actor"] == "global" else ("actor", e["actor"], e["var"])
    if kind == "relation":
        a, b = e["between"]
        return ("relation", _pair(a, b), e["var"])
    if kind == "escalate":
        return ("escalation",)
    return None


def _pair(a: str, b: str) -> str:
    """A relation's key in a view (engine/core/state.py `relation_key`)."""
    return f"{a}|{b}" if a < b else f"{b}|{a}"


def _figure(key: tuple[str, ...], scope: Scope, actor: str, label: str, old: Any, new: Any,
            moved: dict[tuple[str, ...], list[Cause]], var: str = "", between: tuple[str, ...] = ()
            ) -> FigureChange | None:
    """The change of one figure both views show, with its causes merged by source; None if it did not move."""
    if not isinstance(old, (int, float)) or not isinstance(new, (int, float)) or abs(new - old) < EPSILON:
        return None
    delta = round6(new - old)
    merged: dict[Source, float] = {}
    for c in moved.get(key, []):
        merged[c.source] = merged.get(c.source, 0.0) + c.delta
    causes = [Cause(s, round6(d)) for s, d in merged.items() if abs(d) >= EPSILON]
    rest = round6(delta - sum(c.delta for c in causes))
    if abs(rest) >= EPSILON:
        causes.append(Cause(Source("unexplained", UNEXPLAINED), rest))
    return FigureChange(scope, actor, var, label, float(old), float(new), delta, tuple(causes), between)


def _var_changes(w: _Words, before: View, after: View, moved: dict[tuple[str, ...], list[Cause]]
                 ) -> Iterator[FigureChange]:
    for a in w.sc.actors:
        old_row, new_row = before["vars"].get(a.id) or {}, after["vars"].get(a.id) or {}
        for var, d in w.sc.variables.items():
            fc = _figure(("actor", a.id, var), "actor", a.id, d.label, old_row.get(var), new_row.get(var), moved, var)
            if fc is not None:
                yield fc


def _global_changes(w: _Words, before: View, after: View, moved: dict[tuple[str, ...], list[Cause]]
                    ) -> Iterator[FigureChange]:
    for name, d in w.sc.globals.items():
        fc = _figure(("global", name), "global", "", d.label, before["globals"].get(name),
                     after["globals"].get(name), moved, name)
        if fc is not None:
            yield fc


def _relation_changes(w: _Words, before: View, after: View, moved: dict[tuple[str, ...], list[Cause]]
                      ) -> Iterator[FigureChange]:
    """Relation values the view shows after the turn; one it did not show before started at its default."""
    for key in sorted(after["relations"]):
        for rel, new in after["relations"][key].items():
            d = w.sc.relation_variables.get(rel)
            if d is None:
                continue
            old = (before["relations"].get(key) or {}).get(rel, d.default)
            pair = tuple(key.split("|"))
            label = f"{d.label} {w.name(pair[0])}–{w.name(pair[1])}"
            fc = _figure(("relation", key, rel), "relation", "", label, old, new, moved, rel, pair)
            if fc is not None:
                yield fc


# --------------------------------------------------------------------------------------------- states


def _rung(sc: Scenario, before: View, after: View) -> RungChange:
    ids = [r.id for r in sc.ladder.rungs]
    names: dict[str, str] = {r.id: r.name for r in sc.ladder.rungs}
    b: str = before["rung"]
    a: str = after["rung"]
    moved: Literal["up", "down", "none"] = "none" if a == b else ("up" if ids.index(a) > ids.index(b) else "down")
    return RungChange(b, a, names.get(b, b), names.get(a, a), float(before["escalation"]),
                      float(after["escalation"]), moved)


def _of_kind(steps: Iterable[tuple[Source, Record]], kinds: tuple[str, ...]) -> Iterator[tuple[Source, Record]]:
    return ((source, e) for source, e in steps if e.get("kind") in kinds)


def _agreement_changes(before: View, after: View, records: list[tuple[Source, Record]]
                       ) -> Iterator[AgreementChange]:
    steps: dict[str, list[AgreementStep]] = {}
    for source, e in _of_kind(records, ("agreement",)):
        steps.setdefault(e["id"], []).append(AgreementStep(e.get("from"), e["to"], source))
    for aid, ag in after["agreements"].items():
        old = (before["agreements"].get(aid) or {}).get("state")
        if old == ag["state"]:
            continue
        yield AgreementChange(aid, ag["name"], ag["type"], tuple(ag["parties"]), old, ag["state"],
                              tuple(steps.get(aid, ())))


def _commitment_changes(w: _Words, before: View, after: View, records: list[tuple[Source, Record]]
                        ) -> Iterator[CommitmentChange]:
    sources: dict[tuple[str, str], list[Source]] = {}
    for source, e in _of_kind(records, ("commitment", "join", "leave")):
        sources.setdefault((e["alliance"], e["actor"]), []).append(source)
    b_all, a_all = before.get("commitments") or {}, after.get("commitments") or {}
    for al in [*a_all, *(x for x in b_all if x not in a_all)]:
        old_t, new_t = b_all.get(al) or {}, a_all.get(al) or {}
        for actor in [*new_t, *(x for x in old_t if x not in new_t)]:
            old, new = old_t.get(actor), new_t.get(actor)
            if old != new:
                yield CommitmentChange(al, w.alliances.get(al, al), actor, old, new,
                                       tuple(dict.fromkeys(sources.get((al, actor), []))))


def _orders(w: _Words, rec: Record) -> Iterator[OrderResult]:
    for res in rec["resolutions"]:
        o = res["order"]
        yield OrderResult("order", o["actor"], o["card"], w.order_label(o), w.order_what(o),
                          tuple(o.get("targets") or ()),
                          o.get("agreement") or "", res["outcome"], res.get("roll"), seen_chance(res),
                          res.get("reason") or "", res.get("decided_by", "rules"))
    for free in rec.get("free") or []:
        act = free["action"]
        chance = act.get("chance")
        yield OrderResult("free", act["actor"], "", f"{w.name(act['actor'])}: “{act['argument']}”",
                          f"“{act['argument']}”", (), "",
                          free["outcome"], free.get("roll"), (chance, chance) if chance is not None else None, "",
                          free.get("decided_by", "dice"))


def _news(before: View, rec: Record, after: View) -> Iterator[InjectNews]:
    def news(ev: Record, when: Delivered) -> InjectNews:
        to = tuple(ev["to"]) if ev.get("to") is not None else None
        return InjectNews(ev["event"], ev["name"], ev.get("text") or "", to, when)

    for ev in rec["briefing"][len(before.get("inbox") or []):]:
        yield news(ev, "planning")
    for ev in rec["events"]:
        yield news(ev, "after orders")
    if not after.get("ended"):
        for ev in after.get("inbox") or []:
            yield news(ev, "next turn")


# --------------------------------------------------------------------------------------------- places

#: an outcome in the words of a map marker
_DONE = {"success": "succeeded", "failure": "failed"}


def _places(w: _Words, orders: Iterable[OrderResult], figures: Iterable[FigureChange],
            agreements: Iterable[AgreementChange], commitments: Iterable[CommitmentChange]) -> Iterator[Place]:
    """Where things happened: the actors of orders carried out (and their targets), the parties of agreements
    that changed, commitments that changed, and actors whose figures an inject moved. Each (actor, what) once."""
    seen: set[tuple[str, str]] = set()

    def place(actor: str, what: str, source: Source, kind: str) -> Iterator[Place]:
        if (actor, what) not in seen:
            seen.add((actor, what))
            yield Place(actor, what, source, kind)

    for o in orders:
        if o.kind != "order" or o.outcome not in _DONE:
            continue
        source = Source("order", o.label, actor=o.actor, card=o.card, outcome=o.outcome, what=o.what)
        card = w.cards.get(o.card, o.card)
        yield from place(o.actor, f"{card} {_DONE[o.outcome]}", source, "order")
        for t in o.targets:
            yield from place(t, f"{card} by {w.name(o.actor)} {_DONE[o.outcome]}", source, "target")
    for ag in agreements:
        what = f"{ag.name} {'proposed' if ag.before is None else ag.after.replace('_', ' ')}"
        source = ag.steps[-1].source if ag.steps else Source("unexplained", UNEXPLAINED)
        for p in ag.parties:
            yield from place(p, what, source, "agreement")
    for c in commitments:
        what = (f"joins {c.alliance_name}" if c.before is None else f"leaves {c.alliance_name}" if c.after is None
                else f"commitment to {c.alliance_name}: {c.after.replace('_', ' ')}")
        yield from place(c.actor, what, c.sources[-1] if c.sources else Source("unexplained", UNEXPLAINED),
                         "commitment")
    for f in figures:
        for cause in f.causes:
            if cause.source.kind == "inject":
                yield from place(f.actor, cause.source.label, cause.source, "inject")


__all__ = [
    "AgreementChange", "AgreementStep", "Cause", "CommitmentChange", "FigureChange", "InjectNews", "OrderResult",
    "Place", "RungChange", "Source", "TurnChanges", "game_turn_changes", "turn_changes",
]
