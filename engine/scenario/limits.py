"""Bounds on the work a scenario can ask of the engine, checked when it is loaded.

A scenario can be valid to the schema and still unplayable: one card aimed at
5 of 40 actors has C(39, 5) = 575,757 aims, and every bot decision, every
legal-order list and the batch engine's tables would enumerate them all. The
engine does not sample or cut such a list silently (a bot's choice would then
depend on a cap rather than on the game); `validate` refuses the scenario up
front with the figure and the way out (narrow `among`/`kinds`, lower
`count`). The bound is on an upper estimate that holds whatever happens in
play (alliances that change membership count as every actor), so a scenario
that loads can never grow past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

from engine.scenario import model as S

Loc = tuple[str | int, ...]

#: the most aims (target combinations) one card may have for one actor; the shipped scenarios have at most 28
MAX_AIMS_PER_CARD = 1_000
#: the most single orders all sides together may choose among in a turn (the default scenario has 1,633): a
#: quick bot weighs each one (about 20 microseconds here), so this keeps a turn's choosing under a second
MAX_CHOICES_PER_TURN = 10_000
#: above this many, `validate` warns that bots (and so play and simulate) will be slow
SLOW_CHOICES_PER_TURN = 4_000


@dataclass(frozen=True)
class _Actors:
    """What `_pool_bound` reads of the scenario's actors, worked out once per scenario."""

    every: list[str]
    kind: dict[str, str]
    members: dict[str, set[str]]
    changing: set[str]


def _pool_bound(t: _Actors, card: S.Card, actor: S.Actor) -> int:
    """At most how many actors `actor` could choose among for `card`'s target, whatever happens in play."""
    tgt = card.target
    assert tgt is not None
    pool: set[str] = set()
    for ref in tgt.among or ["*"]:
        if ref == "*":
            pool.update(t.every)
        elif ref.startswith("@"):
            name = ref[1:]
            pool.update(t.every if name in t.changing else t.members.get(name, set()))
        elif ref == "self":
            pool.add(actor.id)
        elif ref in ("target", "targets", "parties"):
            pool.update(t.every)  # read from the order itself: no tighter bound here
        else:
            pool.add(ref)
    kinds = set(tgt.kinds) if tgt.kinds else None
    return sum(1 for a in pool if a in t.kind and (tgt.allow_self or a != actor.id)
               and (kinds is None or t.kind[a] in kinds))


def _changing_alliances(sc: S.Scenario) -> set[str]:
    """Alliances some effect can join or leave (their members are not known before play)."""
    found: set[str] = set()

    def scan(effects: list[S.Effect]) -> None:
        for e in effects:
            if isinstance(e, S.MemberEffect):
                found.add(e.join or e.leave or "")

    for card in sc.cards:
        scan(card.effects)
        scan(card.on_failure)
    for ev in sc.events:
        scan(ev.effects)
    for up in sc.each_turn:
        scan(up.effects)
    for at in sc.agreement_types:
        scan(at.each_turn)
    return found


@dataclass(frozen=True)
class Workload:
    """How much choosing costs in this scenario: per playable actor, the single orders it may choose among in
    a turn (an upper estimate), and per actor-aimed card its worst number of aims (with the actor)."""

    orders: dict[str, int]
    aims: dict[int, tuple[str, int]]

    @property
    def per_turn(self) -> int:
        return sum(self.orders.values())

    @property
    def heaviest(self) -> tuple[str, int]:
        return max(self.orders.items(), key=lambda kv: kv[1], default=("", 0))


def workload(sc: S.Scenario) -> Workload:
    t = _Actors([a.id for a in sc.actors], {a.id: a.kind for a in sc.actors},
                {al.id: set(al.members) for al in sc.alliances}, _changing_alliances(sc))
    players = [a for a in sc.actors if a.playable]
    per_actor = {a.id: 0 for a in players}
    worst: dict[int, tuple[str, int]] = {}
    for i, card in enumerate(sc.cards):
        if card.target is None or card.target.kind != "actor":
            for a in players:
                per_actor[a.id] += 1
            continue
        for a in players:
            aims = comb(_pool_bound(t, card, a), card.target.count)
            per_actor[a.id] += aims
            if aims > worst.get(i, ("", -1))[1]:
                worst[i] = (a.id, aims)
    return Workload(per_actor, worst)


def check(sc: S.Scenario) -> list[tuple[Loc, str]]:
    """Problems (location, message) for cards whose aims would grow past the bounds above."""
    w = workload(sc)
    problems: list[tuple[Loc, str]] = []
    for i, (actor, aims) in sorted(w.aims.items()):
        if aims <= MAX_AIMS_PER_CARD:
            continue
        card = sc.cards[i]
        assert card.target is not None
        problems.append((("cards", i, "target", "count"),
                         f"card {card.id} can be aimed at {aims:,} combinations of {card.target.count} targets "
                         f"(for {actor}); at most {MAX_AIMS_PER_CARD:,} are allowed, since every decision weighs "
                         "each one: narrow the target with among: or kinds:, or lower count"))
    total = w.per_turn
    if not problems and total > MAX_CHOICES_PER_TURN:
        actor, n = w.heaviest
        problems.append((("cards",), f"the sides would choose among {total:,} single orders a turn (up to {n:,} "
                                     f"for {actor}); at most {MAX_CHOICES_PER_TURN:,} are allowed, since bots weigh "
                                     "each one: fewer cards aimed at actors, or narrower targets (among:, kinds:)"))
    return problems


def warnings(sc: S.Scenario) -> list[str]:
    """What is allowed but will make play slow, for `validate` to say (a scenario that loads has no problems)."""
    w = workload(sc)
    out = []
    if w.per_turn > SLOW_CHOICES_PER_TURN:
        actor, n = w.heaviest
        out.append(f"the sides may choose among up to {w.per_turn:,} single orders a turn (up to {n:,} for "
                   f"{actor}): the quick and strong bots weigh each one, so play and simulate will be slow "
                   "(narrower targets make them faster)")
    return out
