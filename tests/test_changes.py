"""What changed this turn (engine/present/changes.py), as one audience may see it, from real bot games.

Every figure the summary shows moved by exactly after − before in the audience's two views, and its causes
add up to that; every figure that moved is shown; agreements that changed and the ladder's move are there;
and what a side is told does not change when only what it may not see changes (non-interference, with the
perturbation of tests/fogcheck.py).
"""

from __future__ import annotations

import itertools
from functools import cache

import pytest

from engine.bots.controllers import controller
from engine.core.commands import Adjust, FireInject
from engine.present.changes import FigureChange, TurnChanges, game_turn_changes, turn_changes
from engine.rules.game import Game
from engine.rules.views import side_view
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario
from tests.conftest import DEFAULT
from tests.fogcheck import CATEGORIES, fork, perturb_game

SEED = 3
ROOM = ""
#: a few sides (one a recipient of the private inject of turn 3, Russia not), the room and the facilitator
AUDIENCES = ("poland", "russia", "ukraine", ROOM, None)


@cache
def scenario() -> Scenario:
    return load_scenario(DEFAULT)


@cache
def played() -> Game:
    """The default scenario played to its end by quick bots (seed 3)."""
    sc = scenario()
    game = Game(sc, seed=SEED)
    game.play_out({a: controller("quick") for a in sc.playable_ids})
    return game


def views(game: Game, audience: str | None, i: int) -> tuple[dict, dict]:
    """The audience's view at the start of turn i's planning (history[i]) and right after it (history[i + 1])."""
    sc, fog = game.scenario, game.rules.fog
    return side_view(sc, game.history[i], audience, fog), side_view(sc, game.history[i + 1], audience, fog)


def every_turn(audience: str | None) -> list[tuple[dict, dict, TurnChanges]]:
    game = played()
    out = []
    for i in range(len(game.turns)):
        before, after = views(game, audience, i)
        out.append((before, after, turn_changes(game.scenario, before, after)))
    return out


def _value(view: dict, f: FigureChange) -> float | None:
    if f.scope == "actor":
        return view["vars"][f.actor][f.var]
    if f.scope == "global":
        return view["globals"][f.var]
    if f.scope == "relation":
        key = "|".join(f.between)
        d = scenario().relation_variables[f.var].default
        return (view["relations"].get(key) or {}).get(f.var, d)
    return view["escalation"]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_figure_shown_moved_by_after_minus_before_and_its_causes_add_up(audience: str | None) -> None:
    shown = 0
    for before, after, tc in every_turn(audience):
        figures = [*tc.figures, *tc.globals, *tc.relations, *([tc.escalation] if tc.escalation else [])]
        for f in figures:
            old, new = _value(before, f), _value(after, f)
            assert old is not None and new is not None, f"{f.label} is hidden from {audience!r} but shown"
            assert (f.old, f.new) == (old, new)
            assert f.delta == pytest.approx(new - old, abs=1e-6) and f.delta != 0
            assert sum(c.delta for c in f.causes) == pytest.approx(f.delta, abs=1e-6), f
            shown += 1
        # ...and every figure that moved in the views is shown
        moved = {(a, k) for a, row in after["vars"].items() for k, v in row.items()
                 if v is not None and before["vars"][a][k] is not None and abs(v - before["vars"][a][k]) > 1e-9}
        assert moved == {(f.actor, f.var) for f in tc.figures}
        moved_g = {k for k, v in after["globals"].items()
                   if v is not None and before["globals"][k] is not None and abs(v - before["globals"][k]) > 1e-9}
        assert moved_g == {f.var for f in tc.globals}
        assert (tc.escalation is not None) == (abs(after["escalation"] - before["escalation"]) > 1e-9)
    assert shown > 100  # the game means something


def test_the_facilitators_causes_are_all_in_the_log_and_name_the_cards_and_injects() -> None:
    """In a game without a control cell every change is explained by the turn's records: no `unexplained`."""
    game = played()
    kinds: set[str] = set()
    for _before, _after, tc in every_turn(None):
        for f in [*tc.figures, *tc.globals, *tc.relations]:
            assert all(c.source.kind != "unexplained" for c in f.causes), f
            kinds.update(c.source.kind for c in f.causes)
    assert {"order", "cost", "inject", "upkeep"} <= kinds
    # a cause names the card the order played, and who played it
    card = game.scenario.card("raise_defence_spending")
    turns = [tc for _b, _a, tc in every_turn("poland")]
    causes = [c for tc in turns for f in tc.of("poland") for c in f.causes if c.source.card == card.id]
    assert causes and all(c.source.actor == "poland" and card.name in c.source.label for c in causes)


def test_a_side_is_told_its_private_figure_moved_and_never_another_sides() -> None:
    """Poland receives the private inject of turn 3 that raises its intelligence picture; Russia does not
    see it at all, while the facilitator sees every side's."""
    private = {k for k, d in scenario().variables.items() if d.private}
    by_poland = [f for _b, _a, tc in every_turn("poland") for f in tc.figures if f.var in private]
    assert by_poland and {f.actor for f in by_poland} == {"poland"}
    inject = [c for f in by_poland for c in f.causes if c.source.kind == "inject"]
    assert any("assessment of Russian force regeneration" in c.source.label for c in inject)
    assert not [f for _b, _a, tc in every_turn("russia") for f in tc.figures if f.var in private and f.actor != "russia"]
    assert not any(n.event == "intel_warning" for _b, _a, tc in every_turn("russia") for n in tc.injects)
    assert len({f.actor for _b, _a, tc in every_turn(None) for f in tc.figures if f.var in private}) > 2


@pytest.mark.parametrize("audience", AUDIENCES)
def test_an_agreement_that_is_signed_appears(audience: str | None) -> None:
    """Turn 1: Germany and Ukraine sign their security agreement (an inject), seen by everyone."""
    _before, _after, tc = every_turn(audience)[0]
    signed = [ag for ag in tc.agreements if ag.after == "signed"]
    assert "Germany–Ukraine security agreement" in {ag.name for ag in signed}
    ag = next(a for a in signed if a.name == "Germany–Ukraine security agreement")
    assert (ag.before, ag.after) == ("negotiating", "signed") and set(ag.parties) == {"germany", "ukraine"}
    assert ag.steps and ag.steps[-1].source.kind == "inject"
    assert {p.actor for p in tc.places if p.what.endswith("signed")} >= {"germany", "ukraine"}
    # every agreement change of the whole game matches the views
    for before, after, tc in every_turn(audience):
        changed = {aid for aid, a in after["agreements"].items()
                   if (before["agreements"].get(aid) or {}).get("state") != a["state"]}
        assert changed == {ag.id for ag in tc.agreements}
        for ag in tc.agreements:
            assert ag.after == after["agreements"][ag.id]["state"]
            assert ag.before == (before["agreements"].get(ag.id) or {}).get("state")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_rung_change_appears(audience: str | None) -> None:
    game = played()
    moves = 0
    for (_before, after, tc), rec in zip(every_turn(audience), game.state.log, strict=True):
        assert (tc.rung.before, tc.rung.after) == (rec.rung_before, rec.rung_after)
        assert tc.rung.changed == (rec.rung_before != rec.rung_after)
        if tc.rung.changed:
            moves += 1
            ids = [r.id for r in game.scenario.ladder.rungs]
            assert tc.rung.moved == ("up" if ids.index(rec.rung_after) > ids.index(rec.rung_before) else "down")
            assert tc.rung.after_name == game.scenario.ladder.rungs[ids.index(rec.rung_after)].name
            assert tc.escalation is not None and tc.escalation.new == after["escalation"]
    assert moves >= 2


def test_places_mark_the_actors_of_orders_and_their_targets() -> None:
    for _b, _a, tc in every_turn(None):
        for o in tc.orders:
            if o.kind == "order" and o.outcome in ("success", "failure") and o.targets:
                word = "succeeded" if o.outcome == "success" else "failed"
                assert any(p.actor == o.actor and p.what.endswith(word) and p.source.card == o.card
                           for p in tc.places_at(o.actor))
                for t in o.targets:
                    assert any(p.source.card == o.card and p.source.actor == o.actor for p in tc.places_at(t))
    # an order that fizzled did not happen: no marker for it
    fizzled = [(tc, o) for _b, _a, tc in every_turn(None) for o in tc.orders if o.outcome == "fizzled"]
    for tc, o in fizzled:
        assert not any(p.source.card == o.card and p.source.actor == o.actor for p in tc.places)


def test_the_game_helper_frames_the_same_turn_as_the_views() -> None:
    game = played()
    for audience in AUDIENCES:
        assert game_turn_changes(game, audience) == every_turn(audience)[-1][2]
        assert game_turn_changes(game, audience, turn=1) == every_turn(audience)[0][2]
    with pytest.raises(ValueError):
        game_turn_changes(game, None, turn=len(game.turns) + 1)
    before, _ = views(game, None, 0)
    _, after = views(game, None, 2)
    with pytest.raises(ValueError):
        turn_changes(game.scenario, before, after)  # the views of turn 1 and after turn 3 frame no one turn


def test_an_inject_fired_by_hand_and_an_adjustment_are_in_the_turn() -> None:
    """The facilitator fires an inject and sets a figure during planning, after the turn's first view: the
    inject is news and a cause; the adjustment, which is not in the turn's log, an `unexplained` cause."""
    sc = scenario()
    game = Game(sc, seed=SEED)
    bots = {a: controller("quick") for a in sc.playable_ids}
    before = game.view(None)
    event = next(e for e in sc.events if e.to is None and e.at_turn is not None and e.at_turn > 3
                 and any(getattr(x, "change", "").startswith("global.") for x in e.effects))
    game.control(FireInject(event=event.id, reason="to test"))
    game.control(Adjust(ref="poland.readiness", value=40.0, reason="to test"))
    game.play_turn(bots)
    tc = turn_changes(sc, before, game.view(None))
    assert [n.delivered for n in tc.injects if n.event == event.id] == ["planning"]
    assert any(c.source.event == event.id for f in tc.globals for c in f.causes)
    readiness = next(f for f in tc.of("poland") if f.var == "readiness")
    unexplained = [c for c in readiness.causes if c.source.kind == "unexplained"]
    assert len(unexplained) == 1 and unexplained[0].delta == pytest.approx(40.0 - 62.0)
    # from the planning start kept in the history, the same turn
    assert game_turn_changes(game, None).injects == tc.injects


@cache
def stopped(turn: int) -> Game:
    """The bots' game of `played()` replayed up to the planning of `turn` (turns before it adjudicated)."""
    sc = scenario()
    game = Game(sc, seed=SEED)
    bots = {a: controller("quick") for a in sc.playable_ids}
    for _ in range(turn - 1):
        game.play_turn(bots)
    return game


@pytest.mark.parametrize("turn", [2, 4, 7])
@pytest.mark.parametrize("observer", ["poland", "russia", "ukraine", ROOM])
def test_what_a_side_is_told_does_not_depend_on_what_it_may_not_see(turn: int, observer: str) -> None:
    """Perturb only what the observer may not know, in the state and every past state alike: the observer's
    summary of every adjudicated turn is identical; the facilitator's changes (the perturbation bites)."""
    game = stopped(turn)
    bit = 0
    for k, salt in enumerate(range(6)):
        cats = frozenset(itertools.islice(itertools.cycle(CATEGORIES), k, k + 1 + k * 3))
        other = perturb_game(fork(game), observer, cats, salt)
        for t in range(1, turn):
            assert game_turn_changes(other, observer, t) == game_turn_changes(game, observer, t), (
                f"{observer or 'the room'}'s summary of turn {t} changed when only {sorted(cats)} changed")
        bit += any(game_turn_changes(other, None, t) != game_turn_changes(game, None, t) for t in range(1, turn))
    assert bit, "the perturbation changed nothing the facilitator sees: the test would prove nothing"
