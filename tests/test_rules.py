"""The rules engine on a small scenario: orders, refusals with reasons, adjudication, views, determinism."""

from __future__ import annotations

import pytest

from engine.bots.policy import simple_orders
from engine.core.errors import IllegalOrder, PhaseError
from engine.core.state import GameState, Order
from engine.rules.game import Game


def bots(game: Game, side: str) -> list[Order]:
    return simple_orders(game.rules, game.state, side)


def commit_all(game: Game, orders: dict[str, list[Order]]) -> None:
    for side in game.scenario.playable_ids:
        game.submit(side, orders.get(side, []))


def test_new_game_reads_the_scenario(mini):
    g = Game(mini, seed=1)
    s = g.state
    assert s.phase == "planning" and s.turn == 1
    assert s.vars["alpha"]["defence_pct"] == 1.5
    assert s.vars["beta"]["budget"] == 3  # the declared default
    assert s.globals["credibility"] == 70
    assert s.relations["alpha|gamma"]["trust"] == -40
    assert s.agreements["alpha_beta"].state == "in_force"
    assert s.commitments["pact"] == {"alpha": "committed", "beta": "committed"}
    assert s.rung == "calm"


def test_legal_orders_and_refusals_with_reasons(mini):
    g = Game(mini, seed=1)
    legal = {o.label() for o in g.legal_orders("gamma")}
    assert "threaten(alpha)" in legal and "threaten(beta)" in legal
    assert "threaten(gamma)" not in legal
    assert "threaten(alpha)" not in {o.label() for o in g.legal_orders("alpha")}  # only gamma may
    with pytest.raises(IllegalOrder, match="may not play Threaten"):
        g.submit("alpha", [Order(actor="alpha", card="threaten", targets=("gamma",))])
    with pytest.raises(IllegalOrder, match="cannot be targeted"):
        g.submit("gamma", [Order(actor="gamma", card="threaten", targets=("gamma",))])
    with pytest.raises(IllegalOrder, match="at most 2 order"):
        g.submit("alpha", [Order(actor="alpha", card=c) for c in ("raise", "calm_down")]
                 + [Order(actor="alpha", card="propose", targets=("beta",))])
    with pytest.raises(IllegalOrder, match="twice"):
        g.submit("alpha", [Order(actor="alpha", card="raise"), Order(actor="alpha", card="raise")])
    with pytest.raises(IllegalOrder, match="no card"):
        g.submit("alpha", [Order(actor="alpha", card="nuke")])
    assert g.state.pending == {}  # nothing half-applied


def test_accepting_an_agreement_never_proposed_is_refused(mini):
    g = Game(mini, seed=1)
    with pytest.raises(IllegalOrder, match="no agreement 'bilateral__alpha_beta'"):
        g.submit("beta", [Order(actor="beta", card="accept", agreement="bilateral__alpha_beta")])
    # the existing pact is in force, not proposed: accept is refused with the condition that failed
    with pytest.raises(IllegalOrder, match="the target must meet"):
        g.submit("beta", [Order(actor="beta", card="accept", agreement="alpha_beta")])


def test_the_proposer_cannot_accept_its_own_proposal(mini):
    g = Game(mini, seed=1)
    commit_all(g, {"alpha": [Order(actor="alpha", card="propose", targets=("beta",))]})
    g.adjudicate()
    aid = "bilateral__alpha_beta"
    assert g.state.agreements[aid].state == "proposed"
    assert g.state.agreements[aid].proposer == "alpha"
    assert g.rules.check_order(g.state, Order(actor="alpha", card="accept", agreement=aid)) is not None
    assert g.rules.check_order(g.state, Order(actor="beta", card="accept", agreement=aid)) is None
    commit_all(g, {"beta": [Order(actor="beta", card="accept", agreement=aid)]})
    g.adjudicate()
    assert g.state.agreements[aid].state == "negotiating"


def test_idle_proposals_lapse(mini):
    g = Game(mini, seed=1)
    commit_all(g, {"alpha": [Order(actor="alpha", card="propose", targets=("gamma",))]})
    g.adjudicate()
    aid = "bilateral__alpha_gamma"
    commit_all(g, {})
    g.adjudicate()
    assert g.state.agreements[aid].state == "proposed"  # one idle turn of the two allowed
    commit_all(g, {})
    g.adjudicate()
    assert g.state.agreements[aid].state == "lapsed"  # lapse_after: 2
    assert any(e.get("id") == aid and e["to"] == "lapsed" for e in g.state.log[-1].upkeep)


def test_a_refused_second_proposal_fizzles_whole(mini):
    """Both sides propose the same pact in one turn: the second finds it exists and changes nothing."""
    g = Game(mini, seed=1)
    commit_all(g, {"alpha": [Order(actor="alpha", card="propose", targets=("beta",))],
                   "beta": [Order(actor="beta", card="propose", targets=("alpha",))]})
    rec = g.adjudicate()
    outcomes = [(r.order.actor, r.outcome) for r in rec.resolutions]
    assert outcomes == [("alpha", "success"), ("beta", "fizzled")]
    assert rec.resolutions[1].effects == []


def test_costs_are_checked_together_and_paid(mini):
    g = Game(mini, seed=1)
    g.state.vars["alpha"]["budget"] = 0
    with pytest.raises(IllegalOrder, match="costs 1"):
        g.submit("alpha", [Order(actor="alpha", card="raise")])
    g.state.vars["alpha"]["budget"] = 1
    g.submit("alpha", [Order(actor="alpha", card="raise")])
    commit_all(g, {"alpha": [Order(actor="alpha", card="raise")]})
    g.adjudicate()
    assert g.state.vars["alpha"]["budget"] == 1  # paid 1, then +1 upkeep
    assert g.state.vars["alpha"]["defence_pct"] == pytest.approx(1.5 + 0.3 + 0.05)


def test_adjudication_needs_every_side_and_the_planning_phase(mini):
    g = Game(mini, seed=1)
    g.submit("alpha", [])
    with pytest.raises(PhaseError, match="waiting for orders from Beta, Gamma"):
        g.adjudicate()
    g.undo("alpha")
    assert g.waiting_for() == ["alpha", "beta", "gamma"]
    g.state.phase = "adjudication"
    with pytest.raises(IllegalOrder, match="planning phase"):
        g.submit("alpha", [])


def test_resolution_order_is_family_then_actor(mini):
    g = Game(mini, seed=1)
    commit_all(g, {
        "gamma": [Order(actor="gamma", card="calm_down"), Order(actor="gamma", card="raise")],
        "alpha": [Order(actor="alpha", card="propose", targets=("gamma",)), Order(actor="alpha", card="raise")],
    })
    rec = g.adjudicate()
    assert [(r.order.actor, r.order.card) for r in rec.resolutions] == [
        ("alpha", "raise"), ("gamma", "raise"), ("alpha", "propose"), ("gamma", "calm_down")]


def test_dice_chance_modifiers_and_failure_effects(mini):
    g = Game(mini, seed=5)
    seen = set()
    for seed in range(40):
        g = Game(mini, seed=seed)
        commit_all(g, {"gamma": [Order(actor="gamma", card="threaten", targets=("alpha",))]})
        rec = g.adjudicate()
        (res,) = rec.resolutions
        assert res.chance == 60 and 1 <= res.roll <= 100
        assert res.outcome == ("success" if res.roll <= 60 else "failure")
        if res.outcome == "failure":
            assert res.effects == [{"kind": "note", "text": "The threat fell flat."}]
        else:
            assert g.state.escalation == 12 - 0 and g.state.rung == "tense"
            assert g.state.relations["alpha|gamma"]["trust"] == -50
        seen.add(res.outcome)
    assert seen == {"success", "failure"}
    g = Game(mini, seed=1)
    g.state.globals["credibility"] = 40
    assert g.rules.chance_percent(g.rules.cards["threaten"], g.rules._ctx_for(
        g.state, Order(actor="gamma", card="threaten", targets=("alpha",)))) == 80


def test_events_private_injects_and_the_view(mini):
    g = Game(mini, seed=1)
    commit_all(g, {"alpha": [Order(actor="alpha", card="raise")]})
    g.adjudicate()
    assert [e.event for e in g.state.log[0].events] == ["secret_brief"]
    assert g.view("alpha")["log"][0]["events"][0]["text"] == "Only Alpha hears this."
    assert g.view("beta")["log"][0]["events"] == []
    assert g.view(None)["log"][0]["events"][0]["event"] == "secret_brief"
    # private variables: own yes, others no
    assert g.view("alpha")["vars"]["alpha"]["secret"] == 4
    assert g.view("beta")["vars"]["alpha"]["secret"] is None
    # pending orders are hidden from other sides
    g.submit("alpha", [Order(actor="alpha", card="calm_down")])
    assert g.view("alpha")["pending"] == {"alpha": [{"actor": "alpha", "card": "calm_down", "targets": [],
                                                      "agreement": None, "rationale": ""}]}
    assert g.view("beta")["pending"] == {}
    assert "calm_down" not in str(g.view("beta"))
    assert g.view("beta")["rng"] is None
    commit_all(g, {"alpha": [Order(actor="alpha", card="calm_down")]})
    g.adjudicate()
    assert g.state.commitments["pact"]["alpha"] == "conditional"
    assert g.state.globals["credibility"] == 55


def test_escalation_to_the_end_rung_ends_the_game(mini):
    g = Game(mini, seed=1)
    g.state.escalation = 45
    g.state.rung = "crisis"
    g.state.peak_rung = "crisis"
    for seed in range(100):
        g2 = Game(mini, seed=seed, state=g.state.snapshot())
        g2.state.seed = seed
        from engine.core import dice
        g2.state.rng = dice.seed_state(seed)
        commit_all(g2, {"gamma": [Order(actor="gamma", card="threaten", targets=("beta",))]})
        rec = g2.adjudicate()
        if rec.resolutions[0].outcome == "success":
            assert g2.state.rung == "war" and g2.over
            assert g2.state.end_reason == "the ladder reached 'War'"
            assert g2.state.phase == "end"
            assert "gamma_crisis" in g2.state.results["gamma"]
            with pytest.raises(PhaseError):
                g2.adjudicate()
            return
    pytest.fail("no success in 100 seeds")


def test_game_ends_at_the_turn_limit_with_results(mini):
    g = Game(mini, seed=2)
    g.play_out({a: bots for a in mini.playable_ids})
    assert g.over and g.state.turn == 6 and len(g.state.log) == 6
    assert set(g.state.results) == {"alpha", "beta", "gamma"}
    assert g.state.end_reason.startswith("the last turn")


def test_same_seed_and_orders_same_game(mini):
    def play(seed: int) -> GameState:
        g = Game(mini, seed=seed)
        g.play_out({a: bots for a in mini.playable_ids})
        return g.state
    a, b, c = play(11), play(11), play(12)
    assert a.digest() == b.digest()
    assert a.to_json() == b.to_json()
    assert a.digest() != c.digest()


def test_state_round_trips_through_json_exactly_at_every_turn(mini):
    g = Game(mini, seed=3)
    while not g.over:
        text = g.state.to_json()
        back = GameState.from_json(text)
        assert back == g.state and back.to_json() == text and back.digest() == g.state.digest()
        g.play_turn({a: bots for a in mini.playable_ids})
    assert GameState.from_json(g.state.to_json()) == g.state


def test_a_loaded_state_continues_with_the_same_dice(mini):
    controllers = {a: bots for a in mini.playable_ids}
    g = Game(mini, seed=9)
    g.play_turn(controllers)
    g.play_turn(controllers)
    resumed = Game(mini, state=GameState.from_json(g.state.to_json()))
    g.play_out(controllers)
    resumed.play_out(controllers)
    assert g.state.digest() == resumed.state.digest()


def test_adjudication_does_not_change_the_previous_state(mini):
    g = Game(mini, seed=4)
    before = g.state
    for side in mini.playable_ids:
        g.submit(side, bots(g, side))
    text = before.to_json()  # with every order in, just before adjudication
    g.adjudicate()
    assert before.to_json() == text  # the whole earlier state, byte for byte, untouched
    assert GameState.from_json(text).vars == before.vars
    assert len(g.history) == 2
    # history keeps the state as planning opened, not the live object the orders went into
    assert g.history[0] is not before and g.history[0].pending == {}
    assert g.history[0].digest() == Game(mini, seed=4).state.digest()


def test_forced_outcome_is_logged_as_an_override(mini):
    g = Game(mini, seed=1)
    commit_all(g, {"gamma": [Order(actor="gamma", card="threaten", targets=("alpha",))]})
    rec = g.adjudicate(overrides={0: "failure"})
    assert rec.resolutions[0].outcome == "failure" and rec.resolutions[0].decided_by == "override"


def test_an_event_whose_step_is_impossible_is_skipped_whole():
    from engine.scenario.load import load_scenario_text
    from tests.conftest import MINI
    text = MINI.read_text().replace(
        "      - {commitment: waver, actor: alpha, alliance: pact}\n",
        "      - {change: global.credibility, by: -1}\n      - {agreement: sign, id: alpha_beta}\n")
    sc = load_scenario_text(text)
    g = Game(sc, seed=1)
    for _ in range(2):
        commit_all(g, {})
        rec = g.adjudicate()
    (ev,) = [e for e in rec.events if e.event == "wobble"]
    assert ev.effects == [{"kind": "note", "text": "no effect: cannot sign Alpha–Beta pact: it is in force"}]
    assert g.state.globals["credibility"] == 70 and g.state.agreements["alpha_beta"].state == "in_force"


def test_a_relation_between_parties_changes_each_pair_once():
    from engine.scenario.load import load_scenario_text
    from tests.conftest import MINI
    text = MINI.read_text().replace(
        "      - {change: parties.defence_pct, by: 0.05}\n",
        "      - {relation: trust, between: [parties, parties], by: 1}\n")
    g = Game(load_scenario_text(text), seed=1)
    commit_all(g, {})
    rec = g.adjudicate()
    changes = [e for e in rec.upkeep if e["kind"] == "relation"]
    assert len(changes) == 1 and g.state.relations["alpha|beta"]["trust"] == 1


def test_an_upkeep_for_an_alliance_reaches_every_member_even_when_members_leave_during_it():
    """`for: ["@pact"]` runs for the members as they stood when the upkeep began: a member leaving in its own
    upkeep does not make the next member's upkeep be skipped."""
    from pathlib import Path

    import yaml

    from engine.scenario.load import load_scenario_text

    doc = yaml.safe_load((Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8"))
    doc["each_turn"].append({"for": ["@pact"], "effects": [{"leave": "pact", "actor": "self"},
                                                          {"change": "self.defence_pct", "by": 1}]})
    game = Game(load_scenario_text(yaml.safe_dump(doc, sort_keys=False)), seed=1)
    before = {a: game.state.vars[a]["defence_pct"] for a in ("alpha", "beta")}
    for side in game.waiting_for():
        game.submit(side, [])
    game.adjudicate()
    assert game.state.members["pact"] == []
    assert all(game.state.vars[a]["defence_pct"] > before[a] for a in ("alpha", "beta"))
