"""Property-based: random legal orders over whole games never break the invariants."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.state import GameState, Order
from engine.rules.game import Game
from engine.rules.invariants import broken_invariants
from engine.scenario.model import Scenario


def play_random(sc: Scenario, seed: int, data: st.DataObject) -> Game:
    g = Game(sc, seed=seed)
    assert broken_invariants(g.rules, g.state) == []
    while not g.over:
        for side in sc.playable_ids:
            legal = g.legal_orders(side)
            picks: list[Order] = []
            if legal:
                n = data.draw(st.integers(0, g.rules.orders_allowed(side)), label=f"{side} n")
                for _ in range(n):
                    o = legal[data.draw(st.integers(0, len(legal) - 1), label=f"{side} order")]
                    if g.rules.check_orders(g.state, side, [*picks, o]) is None:
                        picks.append(o)
            g.submit(side, picks)
        g.adjudicate()
        problems = broken_invariants(g.rules, g.state)
        assert problems == [], problems
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), data=st.data())
def test_random_legal_play_on_the_small_scenario(mini, seed, data):
    g = play_random(mini, seed, data)
    assert GameState.from_json(g.state.to_json()) == g.state


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.integers(0, 2**32), data=st.data())
def test_random_legal_play_on_the_default_scenario(default_scenario, seed, data):
    g = play_random(default_scenario, seed, data)
    assert g.over and g.state.results.keys() == {a.id for a in default_scenario.actors}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**64))
def test_bots_give_only_legal_orders_and_games_are_reproducible(mini, seed):
    from engine.bots.policy import simple_orders

    def bot(game: Game, side: str) -> list[Order]:
        orders = simple_orders(game.rules, game.state, side)
        assert game.rules.check_orders(game.state, side, orders) is None
        return orders
    a = Game(mini, seed=seed)
    a.play_out({s: bot for s in mini.playable_ids})
    b = Game(mini, seed=seed)
    b.play_out({s: bot for s in mini.playable_ids})
    assert a.state.digest() == b.state.digest()
