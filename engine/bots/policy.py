"""The simple built-in policy: plays any side with legal, plausible orders.

Why not uniform random: a side that spends its budget on noise is a poor
opponent and a poor test of a scenario. Once per scenario we read each actor's
objectives for what it wants (a variable up or down, the ladder low or high,
agreements made) and score each card by how its success effects point the
same way. Each turn the policy draws among legal orders weighted by that score
and the card's chance, with noise from a stream derived from the side's own
key and the turn: bots are deterministic, never disturb the game's dice and
never depend on what their side may not see (engine/scenario/visibility.py).
"""

from __future__ import annotations

from functools import lru_cache

from engine.core import dice
from engine.core.state import GameState, Order
from engine.rules.turn import Rules
from engine.scenario import model as S


def _wants(sc: S.Scenario, actor: str) -> tuple[dict[tuple[str, str], int], int, int]:
    """What an actor's objectives push toward: {(who, var): ±1}, ladder direction, agreements wanted."""
    want: dict[tuple[str, str], int] = {}
    ladder = 0
    agreements = 0

    def visit(c: object, sign: int) -> None:
        nonlocal ladder, agreements
        if isinstance(c, S.VarCondition):
            who, var = c.var.split(".", 1)
            who = actor if who == "self" else who
            d = 1 if (c.at_least is not None or c.above is not None) else -1
            want[(who, var)] = want.get((who, var), 0) + d * sign
        elif isinstance(c, S.RungCondition):
            ladder += (1 if c.rung_at_least else -1) * sign
        elif isinstance(c, S.AgreementCondition):
            agreements += (1 if c.exists else -1) * sign
        elif isinstance(c, S.AllCondition):
            for x in c.all:
                visit(x, sign)
        elif isinstance(c, S.AnyCondition):
            for x in c.any:
                visit(x, sign)
        elif isinstance(c, S.NotCondition):
            visit(c.not_, -sign)

    for obj in sc.objectives:
        if obj.actor == actor:
            for c in obj.conditions:
                visit(c, obj.points)
    return want, ladder, agreements


_AGREEMENT_SIGN = {"propose": 1, "negotiate": 1, "sign": 1, "ratify": 1, "invoke": 1, "resume": 1,
                   "conclude": 0, "suspend": -1, "withdraw": -1, "lapse": -1}


@lru_cache(maxsize=64)
def affinities(rules: Rules) -> dict[tuple[str, str], float]:
    """(actor, card) -> how well the card's success effects serve the actor's objectives."""
    sc = rules.sc
    out: dict[tuple[str, str], float] = {}
    for actor in sc.playable_ids:
        want, ladder, agreements = _wants(sc, actor)
        for card in sc.cards:
            score = 0.0
            for e in card.effects:
                if isinstance(e, S.ChangeEffect):
                    who, var = e.change.split(".", 1)
                    who = actor if who == "self" else who
                    sign = 1 if not isinstance(e.by, (int, float)) or e.by >= 0 else -1
                    score += sign * want.get((who, var), 0)
                elif isinstance(e, S.EscalateEffect):
                    sign = 1 if not isinstance(e.escalate, (int, float)) or e.escalate >= 0 else -1
                    score += sign * ladder
                elif isinstance(e, S.AgreementEffect):
                    score += _AGREEMENT_SIGN[e.agreement] * agreements * 0.5
            out[(actor, card.id)] = score
    return out


def bot_stream(state: GameState, actor: str, *parts: str | int) -> dice.Stream:
    """A side's bot's own random stream for this turn: from the side's secret key, never the game's seed or dice."""
    return dice.Stream(dice.derived(state.keys.get(actor, 0), *parts, state.turn))


def simple_orders(rules: Rules, state: GameState, actor: str) -> list[Order]:
    """Reads only the side's legal orders and its own figures, both of which it may see."""
    rng = bot_stream(state, actor, "simple")
    legal = rules.legal_orders(state, actor)
    if not legal:
        return []
    aff = affinities(rules)
    limit = rules.orders_allowed(actor)
    spendable = dict(state.vars[actor])
    chosen: list[Order] = []
    used_cards: set[str] = set()
    scored = []
    for o in legal:
        w = max(0.15, 1.0 + 0.4 * aff.get((actor, o.card), 0.0))
        scored.append((w * (0.3 + rng.random()), o))
    scored.sort(key=lambda x: -x[0])
    for _, order in scored:
        if len(chosen) >= limit:
            break
        cost = rules.sc.card(order.card).cost
        if order.card in used_cards or any(spendable[v] < c for v, c in cost.items()):
            continue
        for v, c in cost.items():
            spendable[v] -= c
        used_cards.add(order.card)
        chosen.append(order)
    return chosen


def random_orders(rules: Rules, state: GameState, actor: str, stream: dice.Stream) -> list[Order]:
    """Random legal orders (benchmarks, fuzzing): a random card that has a legal aim, then a random legal aim.

    Drawing the card first and trying aims in random order until one is legal
    keeps this cheap; every order returned has passed the checks a submitted
    order passes.
    """
    cards = rules.playable_cards(state, actor)
    limit = rules.orders_allowed(actor)
    chosen: list[Order] = []
    spendable = dict(state.vars[actor])
    while cards and len(chosen) < limit:
        card_id = cards.pop(stream.randrange(len(cards)))
        cost = rules.sc.card(card_id).cost
        if any(spendable[v] < c for v, c in cost.items()):
            continue
        order = rules.sample_order(state, actor, card_id, stream)
        if order is None:
            continue
        for v, c in cost.items():
            spendable[v] -= c
        chosen.append(order)
    return chosen
