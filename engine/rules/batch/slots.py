"""Every agreement that can ever exist in a game of a scenario, found before play.

The reference engine creates agreements as they are proposed, naming each by
its type and parties. The batch engine gives each possible one a fixed place
(a "slot") instead, so an agreement's state is one array over games. The
slots are the scenario's own agreements plus every (type, parties) that a
`propose` effect could produce, from every side that may play the card, at
every target it may aim at, repeated until no new one appears (a proposal can
be aimed at an agreement that was itself proposed in play).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from engine.rules.batch.interpret import BCtx, BTables, Unsupported
from engine.scenario import model as S
from engine.scenario.language import agreement_id, unique


def target_pool(bt: BTables, card: S.Card, actor: str) -> list[str]:
    """The actors a card may aim at, in the reference engine's order (`Rules._target_candidates`)."""
    tgt = card.target
    assert tgt is not None and tgt.kind == "actor"
    if tgt.among:
        pool: list[str] = []
        for ref in tgt.among:
            for a in bt.actors(ref)(BCtx(actor)):
                if a not in pool:
                    pool.append(a)
    else:
        pool = list(bt.all_actors)
    kinds = set(tgt.kinds) if tgt.kinds else None
    return [a for a in pool if (tgt.allow_self or a != actor) and (kinds is None or bt.t.kind[a] in kinds)]


def may_play(bt: BTables, actor: str, card: S.Card) -> bool:
    """`playable_by` / `not_playable_by` with the alliances as they stand (membership never changes in a batch)."""
    def hits(refs: list[str]) -> bool:
        return any(r == "*" or r == actor or (r.startswith("@") and actor in bt.members.get(r[1:], ()))
                   for r in refs)
    return hits(card.playable_by) and not hits(card.not_playable_by)


def actor_aims(bt: BTables, card: S.Card, actor: str) -> list[tuple[str, ...]]:
    """Every combination of targets of an actor-aimed card, in the order the reference engine lists them."""
    assert card.target is not None
    return list(itertools.combinations(target_pool(bt, card, actor), card.target.count))


def _effect_lists(sc: S.Scenario) -> Iterator[tuple[str, Any]]:
    for card in sc.cards:
        yield "card", card
    for ev in sc.events:
        yield "event", ev.effects
    for up in sc.each_turn:
        yield "upkeep", up
    for at in sc.agreement_types:
        yield "agreement_type", at


def find_slots(bt: BTables) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(agreement id -> parties, agreement id -> type) for every agreement a game could hold."""
    sc = bt.sc
    slots: dict[str, tuple[str, ...]] = {a.id: tuple(a.parties) for a in sc.agreements}
    types: dict[str, str] = {a.id: a.type for a in sc.agreements}
    orders_differ: set[str] = set()

    def visit(effects: list[Any], x: BCtx) -> None:
        for e in effects:
            if isinstance(e, S.AgreementEffect) and e.agreement == "propose" and e.type is not None:
                parties = tuple(unique(a for p in e.parties or [] for a in bt.actors(p)(x)))
                atype = bt.t.atypes[e.type]
                if len(parties) >= 2 and atype.min_parties <= len(parties) <= atype.max_parties:
                    aid = agreement_id(e.type, parties)
                    if aid in slots and slots[aid] != parties:
                        orders_differ.add(aid)
                    slots.setdefault(aid, parties)
                    types.setdefault(aid, e.type)

    seen = -1
    while seen != len(slots):
        seen = len(slots)
        for kind, item in _effect_lists(sc):
            if kind == "card":
                card: S.Card = item
                for actor in sc.playable_ids:
                    if not may_play(bt, actor, card):
                        continue
                    if card.target is None:
                        ctxs = [BCtx(actor)]
                    elif card.target.kind == "agreement":
                        ctxs = [BCtx(actor, (), aid, p) for aid, p in list(slots.items())]
                    else:
                        ctxs = [BCtx(actor, aim) for aim in actor_aims(bt, card, actor)]
                    for x in ctxs:
                        visit(card.effects, x)
                        visit(card.on_failure, x)
            elif kind == "event":
                visit(item, BCtx())
            elif kind == "upkeep":
                for ref in item.for_:
                    for actor in bt.actors(ref)(BCtx()):
                        visit(item.effects, BCtx(actor))
            else:
                for aid, p in list(slots.items()):
                    if types[aid] == item.id:
                        visit(item.each_turn, BCtx("", (), aid, p))
    if orders_differ and _sums_over_parties(sc):
        raise Unsupported("agreements whose parties are listed in different orders, with amounts summed over parties")
    return slots, types


def _sums_over_parties(sc: S.Scenario) -> bool:
    return any(isinstance(m, S.Scaled) and m.var.startswith("parties.") for m in _models(sc))


def _models(obj: Any) -> Iterator[Any]:
    if isinstance(obj, BaseModel):
        yield obj
        for name in type(obj).model_fields:
            yield from _models(getattr(obj, name))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _models(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _models(item)
