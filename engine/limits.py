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

from math import comb

from engine import scenario as S

Loc = tuple[str | int, ...]

#: the most aims (target combinations) one card may have for one actor; the shipped scenarios have at most 28
MAX_AIMS_PER_CARD = 1_000
#: the most single orders one actor may have to choose from in a turn, over all its cards (the default scenario has at most 180)
MAX_ORDERS_PER_ACTOR = 5_000


def _pool_bound(sc: S.Scenario, card: S.Card, actor: S.Actor, changing: set[str]) -> int:
    """At most how many actors `actor` could choose among for `card`'s target, whatever happens in play."""
    tgt = card.target
    assert tgt is not None
    every = [a.id for a in sc.actors]
    members = {al.id: set(al.members) for al in sc.alliances}
    pool: set[str] = set()
    for ref in tgt.among or ["*"]:
        if ref == "*":
            pool.update(every)
        elif ref.startswith("@"):
            name = ref[1:]
            pool.update(every if name in changing else members.get(name, set()))
        elif ref == "self":
            pool.add(actor.id)
        elif ref in ("target", "targets", "parties"):
            pool.update(every)  # read from the order itself: no tighter bound here
        else:
            pool.add(ref)
    kinds = set(tgt.kinds) if tgt.kinds else None
    kind = {a.id: a.kind for a in sc.actors}
    return sum(1 for a in pool if a in kind and (tgt.allow_self or a != actor.id)
               and (kinds is None or kind[a] in kinds))


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


def check(sc: S.Scenario) -> list[tuple[Loc, str]]:
    """Problems (location, message) for cards whose aims would grow past the bounds above."""
    problems: list[tuple[Loc, str]] = []
    changing = _changing_alliances(sc)
    players = [a for a in sc.actors if a.playable]
    per_actor = {a.id: 0 for a in players}
    worst: dict[int, tuple[str, int]] = {}
    for i, card in enumerate(sc.cards):
        if card.target is None or card.target.kind != "actor":
            for a in players:
                per_actor[a.id] += 1
            continue
        for a in players:
            n = _pool_bound(sc, card, a, changing)
            aims = comb(n, card.target.count)
            per_actor[a.id] += aims
            if aims > MAX_AIMS_PER_CARD and aims > worst.get(i, ("", 0))[1]:
                worst[i] = (a.id, aims)
    for i, (actor, aims) in sorted(worst.items()):
        card = sc.cards[i]
        assert card.target is not None
        problems.append((("cards", i, "target", "count"),
                         f"card {card.id} can be aimed at {aims:,} combinations of {card.target.count} targets "
                         f"(for {actor}); at most {MAX_AIMS_PER_CARD:,} are allowed, since every decision weighs "
                         "each one: narrow the target with among: or kinds:, or lower count"))
    if not problems:
        for actor, n in per_actor.items():
            if n > MAX_ORDERS_PER_ACTOR:
                problems.append((("cards",), f"{actor} would choose among {n:,} single orders a turn; at most "
                                             f"{MAX_ORDERS_PER_ACTOR:,} are allowed: fewer cards, or narrower "
                                             "targets"))
                break
    return problems

