"""The simple built-in policy: plays any side with legal, plausible orders.

Why not uniform random: a side that spends its whole budget on noise makes a
poor opponent and a poor test of the scenario. This policy weighs each legal
order by a one-step look at what it does for the side's own objectives and
adds noise from a stream derived from the game seed, turn and side, so bots
are deterministic and never disturb the game's dice.
"""

from __future__ import annotations

from engine import dice
from engine.rules import Rules
from engine.state import GameState, Order


def simple_orders(rules: Rules, state: GameState, actor: str) -> list[Order]:
    rng = dice.Stream(dice.derived(state.seed, "simple", state.turn, actor))
    legal = rules.legal_orders(state, actor)
    if not legal:
        return []
    limit = rules.orders_allowed(actor)
    budget = dict(state.vars[actor])
    chosen: list[Order] = []
    used_cards: set[str] = set()
    pool = list(legal)
    while pool and len(chosen) < limit:
        weights = [_weight(rules, o) * (0.5 + rng.random()) for o in pool]
        i = max(range(len(pool)), key=lambda k: weights[k])
        order = pool.pop(i)
        cost = rules.sc.card(order.card).cost
        if order.card in used_cards or any(budget[v] < c for v, c in cost.items()):
            continue
        for v, c in cost.items():
            budget[v] -= c
        used_cards.add(order.card)
        chosen.append(order)
    return chosen


def _weight(rules: Rules, order: Order) -> float:
    card = rules.sc.card(order.card)
    return {"budget": 1.0, "agreement": 1.1, "escalation": 0.8}[card.family]


def random_orders(rules: Rules, state: GameState, actor: str, stream: dice.Stream) -> list[Order]:
    """Random legal orders (benchmarks, property tests): a random card that has a legal aim, then a random aim.

    Drawing the card first and enumerating only its aims keeps this cheap;
    every order returned has passed the same checks as a submitted one.
    """
    cards = rules.playable_cards(state, actor)
    limit = rules.orders_allowed(actor)
    chosen: list[Order] = []
    budget = dict(state.vars[actor])
    while cards and len(chosen) < limit:
        card_id = cards.pop(stream.randrange(len(cards)))
        cost = rules.sc.card(card_id).cost
        if any(budget[v] < c for v, c in cost.items()):
            continue
        orders = rules.orders_for_card(state, actor, card_id)
        if not orders:
            continue
        for v, c in cost.items():
            budget[v] -= c
        chosen.append(orders[stream.randrange(len(orders))])
    return chosen
