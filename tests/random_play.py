"""Long random play: random legal steps, the control cell's acts included, with every invariant checked after each.

A step is one of: a side commits random legal orders, a side takes its
orders back, the control cell adjusts a figure, fires an event, pauses and
resumes, a side argues a free action that control judges, control rewinds to
an earlier turn, or the turn is adjudicated once everyone has committed. After
every step the engine's invariants (engine/rules/invariants.py) must hold; after
every adjudication each side's view is checked for anything it must not see,
and one side (or the room), drawn at random, is checked by non-interference:
the state with everything hidden from it changed (tests/fogcheck.py) must
give it the same view, byte for byte.

Choices come from Python's `random` seeded per run (the game's own dice stay
the game's). Shared by tests/test_random_play.py and bench/long_run.py.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from engine.core import dice
from engine.core.commands import Adjust, Argue, FireInject, Pause, Resume, SetChance
from engine.core.errors import IllegalOrder, PhaseError
from engine.rules.game import Game
from engine.rules.invariants import broken_invariants
from engine.rules.views import side_view
from engine.scenario.model import Scenario
from tests.fogcheck import EVERYTHING, ROOM, perturb


@dataclass
class Tally:
    steps: int = 0
    turns: int = 0
    games: int = 0
    views_checked: int = 0
    #: views compared by non-interference, and how many differed (a leak)
    interference_checked: int = 0
    leaks: int = 0
    refused: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _random_orders(game: Game, side: str, rng: random.Random) -> list:
    """Up to the allowed number of random legal orders (a random card, then a random legal aim of it)."""
    rules, state = game.rules, game.state
    cards = rules.playable_cards(state, side)
    rng.shuffle(cards)
    stream = dice.Stream(rng.randrange(1 << 63))
    chosen: list = []
    for card in cards:
        if len(chosen) >= rules.orders_allowed(side) or rng.random() < 0.25:
            break
        o = rules.sample_order(state, side, card, stream)
        if o is not None and rules.check_orders(state, side, [*chosen, o]) is None:
            chosen.append(o)
    return chosen


def check_views(game: Game) -> list[str]:
    """Nothing hidden from a side shows in its view: others' orders, private figures, private events, dice."""
    sc = game.scenario
    private_vars = {k for k, d in sc.variables.items() if d.private}
    private_events = {e.id: set(e.to) for e in sc.events if e.to is not None}
    out = []
    for side in sc.playable_ids:
        view = game.view(side)
        if set(view["pending"]) - {side} or set(view["free_pending"]) - {side}:
            out.append(f"{side} sees another side's orders")
        if view["rng"] is not None or view["control"]:
            out.append(f"{side} sees the dice or the control log")
        for actor, row in view["vars"].items():
            if actor != side and any(row[k] is not None for k in private_vars):
                out.append(f"{side} sees {actor}'s private figures")
        # Each turn's record is checked in the turn it is added (the filter is the same for every record).
        text = json.dumps({"inbox": view["inbox"], "log": view["log"][-1:], "fired": view["fired"]})
        for ev, to in private_events.items():
            if side not in to and f'"{ev}"' in text:
                out.append(f"{side} sees the private event {ev}")
    return out


def check_interference(game: Game, rng: random.Random, tally: Tally) -> list[str]:
    """One observer's view of the state and of the state with a random choice of its secrets changed: equal."""
    sc = game.scenario
    observer = rng.choice([*sc.playable_ids, ROOM])
    cats = frozenset(c for c in EVERYTHING if rng.random() < 0.5) or frozenset(EVERYTHING)
    other = perturb(sc, game.rules, game.state, observer, cats, rng.randrange(1 << 30))
    tally.interference_checked += 1
    if json.dumps(side_view(sc, other, observer, game.rules.fog)) == json.dumps(game.view(observer)):
        return []
    tally.leaks += 1
    return [f"{observer or 'the room'} can tell apart states that differ only in {sorted(cats)}"]


def play_randomly(sc: Scenario, seed: int, steps: int, tally: Tally) -> None:
    """Run `steps` random steps over as many games as it takes (a new game, next seed, when one ends)."""
    rng = random.Random(seed)
    game = Game(sc, seed=seed)
    tally.games += 1
    refs = [f"{a}.{v}" for a in sc.playable_ids for v in sc.variables] + [f"global.{g}" for g in sc.globals]
    refs.append("ladder")
    events = [e.id for e in sc.events]
    for _ in range(steps):
        if game.over:
            game = Game(sc, seed=rng.randrange(1 << 30))
            tally.games += 1
        kind = rng.choices(["orders", "undo", "adjust", "fire", "pause", "argue", "rewind", "adjudicate"],
                           [40, 4, 4, 2, 2, 3, 1, 20])[0]
        waiting = game.waiting_for()
        try:
            if kind == "orders" and waiting and game.state.phase == "planning":
                side = rng.choice(waiting)
                game.submit(side, _random_orders(game, side, rng))
            elif kind == "undo" and game.state.committed:
                game.undo(rng.choice(game.state.committed))
            elif kind == "adjust":
                ref = rng.choice(refs)
                game.control(Adjust(ref=ref, value=rng.uniform(-50, 300), reason="random play"))
            elif kind == "fire":
                game.control(FireInject(event=rng.choice(events), reason="random play"))
            elif kind == "pause":
                game.control(Pause(note="random pause"))
                check = broken_invariants(game.rules, game.state)
                tally.problems.extend(f"paused: {p}" for p in check)
                game.control(Resume())
            elif kind == "argue":
                side = rng.choice(sc.playable_ids)
                game.control(Argue(actor=side, argument="random argument",
                             on_success={rng.choice(refs): rng.uniform(-20, 20)}))
                n = len(game.state.free_pending.get(side, []))
                game.control(SetChance(actor=side, index=n - 1, chance=rng.randrange(101)))
            elif kind == "rewind" and len(game.history) > 1:
                game.rewind(rng.choice([h.turn for h in game.history if not h.ended]), reason="random play")
            elif kind == "adjudicate" or not waiting:
                for side in game.waiting_for():
                    game.submit(side, _random_orders(game, side, rng))
                game.adjudicate()
                tally.turns += 1
                problems = check_views(game) + check_interference(game, rng, tally)
                tally.views_checked += len(sc.playable_ids)
                tally.problems.extend(f"seed {seed} turn {game.state.turn}: {p}" for p in problems)
                kind = "adjudicate"
            else:
                kind = "nothing"
        except (IllegalOrder, PhaseError):
            tally.refused += 1  # a refusal is an answer, not a failure; nothing may have changed
        tally.steps += 1
        tally.by_kind[kind] = tally.by_kind.get(kind, 0) + 1
        broken = broken_invariants(game.rules, game.state)
        if broken:
            tally.problems.extend(f"seed {seed} step {tally.steps} after {kind}: {p}" for p in broken)
            return
