"""Bots: legal orders only, red lines never crossed, deterministic, each choice explained."""

from __future__ import annotations

import pytest

from engine.bots.controllers import LEVELS, bot_orders, doctrines_for
from engine.rules.game import Game
from engine.scenario.load import load_scenario_text
from engine.scenario.model import Scenario
from tests.conftest import MINI


def checked(level: str, log: list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
    """A controller that asserts what every bot must do before its orders are submitted."""
    def play(game: Game, side: str):  # type: ignore[no-untyped-def]
        orders = bot_orders(level, game.rules, game.state, side)
        assert game.rules.check_orders(game.state, side, orders) is None, (side, orders)
        doc = doctrines_for(game.rules)
        for o in orders:
            after = game.rules.preview(game.state, o, True)
            assert doc.crosses_red_line(game.state, side, o, after) is None, (side, o)
            assert o.rationale and "\n" not in o.rationale and len(o.rationale) < 200
            if log is not None:
                log.append((side, o.card))
        return orders
    return play


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_plays_legal_orders_on_the_small_scenario(mini: Scenario, level: str):
    for seed in range(3):
        g = Game(mini, seed=seed)
        g.play_out(dict.fromkeys(mini.playable_ids, checked(level)))
        assert g.over


def test_quick_bots_on_the_default_scenario_obey_legality_and_red_lines(default_scenario: Scenario):
    played: list[tuple[str, str]] = []
    for seed in range(1, 7):
        g = Game(default_scenario, seed=seed)
        g.play_out(dict.fromkeys(default_scenario.playable_ids, checked("quick", played)))
        assert g.over
    for d in default_scenario.doctrines:
        forbidden = {c for line in d.red_lines for c in line.cards}
        assert not any(side == d.actor and card in forbidden for side, card in played)
    assert len({card for _, card in played}) >= 20  # the bots use much of the deck, not one card


def test_strong_bots_on_the_default_scenario(default_scenario: Scenario):
    g = Game(default_scenario, seed=4)
    controllers = dict.fromkeys(default_scenario.playable_ids, checked("quick"))
    controllers["russia"] = checked("strong")
    controllers["poland"] = checked("strong")
    for _ in range(4):
        g.play_turn(controllers)
    assert all(r.order.rationale for rec in g.state.log for r in rec.resolutions)


def _mini_with_doctrine(doctrine: str) -> Scenario:
    return load_scenario_text(MINI.read_text() + "doctrines:\n" + doctrine)


def test_a_card_red_line_is_never_crossed_even_when_it_is_the_best_move():
    wants_escalation = (
        "  - actor: gamma\n    values: [{name: tension, weight: 1, escalation: true}]\n"
        "    red_lines: [{text: never threaten, cards: [threaten]}]\n")
    sc = _mini_with_doctrine(wants_escalation)
    free = _mini_with_doctrine(wants_escalation.replace("    red_lines: [{text: never threaten, cards: [threaten]}]\n", ""))
    g_free = Game(free, seed=1)
    assert any(o.card == "threaten" for o in bot_orders("quick", g_free.rules, g_free.state, "gamma"))
    for level in ("quick", "strong"):
        g = Game(sc, seed=1)
        g.play_out(dict.fromkeys(sc.playable_ids, checked(level)))
        assert not any(r.order.card == "threaten" and r.order.actor == "gamma"
                       for rec in g.state.log for r in rec.resolutions)


def test_a_max_rung_red_line_stops_escalation_but_not_calming_down():
    sc = _mini_with_doctrine(
        "  - actor: gamma\n    values: [{name: tension, weight: 1, escalation: true}]\n"
        "    red_lines: [{text: not past tense, max_rung: calm}]\n")
    g = Game(sc, seed=1)
    g.state.escalation = 12.0
    g.state.rung = g.state.peak_rung = "tense"
    orders = bot_orders("quick", g.rules, g.state, "gamma")
    assert all(o.card != "threaten" for o in orders)
    doc = doctrines_for(g.rules)
    calm = next(o for o in g.rules.legal_orders(g.state, "gamma") if o.card == "calm_down")
    assert doc.crosses_red_line(g.state, "gamma", calm, g.rules.preview(g.state, calm)) is None


@pytest.mark.parametrize("level", LEVELS)
def test_bots_are_deterministic_given_the_seed(mini: Scenario, level: str):
    def run() -> list[tuple[str, str, tuple[str, ...], str]]:
        g = Game(mini, seed=21)
        g.play_out(dict.fromkeys(mini.playable_ids, checked(level)))
        return [(r.order.actor, r.order.card, r.order.targets, r.order.rationale)
                for rec in g.state.log for r in rec.resolutions]
    assert run() == run()


def test_bots_do_not_read_other_sides_pending_orders(mini: Scenario):
    g = Game(mini, seed=3)
    before = bot_orders("strong", g.rules, g.state, "gamma")
    g.submit("alpha", [o for o in g.legal_orders("alpha") if o.card == "propose"][:1])
    after = bot_orders("strong", g.rules, g.state, "gamma")
    assert before == after


def test_unknown_level_is_refused(mini: Scenario):
    g = Game(mini, seed=1)
    with pytest.raises(ValueError, match="unknown bot level"):
        bot_orders("genius", g.rules, g.state, "alpha")


def _final_value(sc: Scenario, side: str, level: str, seed: int) -> float:
    from engine.bots.controllers import controller

    g = Game(sc, seed=seed)
    controllers = dict.fromkeys(sc.playable_ids, controller("quick"))
    controllers[side] = controller(level)
    g.play_out(controllers)
    return doctrines_for(g.rules).value(g.state, side)


def test_the_strong_bot_beats_the_quick_one_in_its_doctrines_terms(default_scenario: Scenario):
    """Fixed seeds, the Nordic states: every other side a quick bot, the same seed both times.
    (bench/bot_strength.py measures every side over more seeds.)"""
    seeds = (1, 2, 3)
    strong = [_final_value(default_scenario, "nordics", "strong", s) for s in seeds]
    quick = [_final_value(default_scenario, "nordics", "quick", s) for s in seeds]
    assert sum(strong) > sum(quick)
    assert sum(a > b for a, b in zip(strong, quick, strict=True)) >= 2
