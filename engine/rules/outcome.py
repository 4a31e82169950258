"""What an analyst keeps of one finished game: how high the ladder went, who met what, what was signed.

Both engines produce it, the reference engine from a `GameState` and the batch
engine (engine/rules/batch/) from its arrays, so the simulation's figures and a game
replayed on the map tell the same story. Plain data, cheap to send between
processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.state import GameState
from engine.rules.turn import Rules
from engine.scenario.model import Scenario


@dataclass(frozen=True)
class Outcome:
    seed: int
    #: the last turn played
    end_turn: int
    #: why the game ended (the rung reached, an end condition's text, or the turn limit)
    end_reason: str
    peak_rung: str
    final_rung: str
    escalation: float
    #: ids of the objectives met, in scenario order
    met: tuple[str, ...]
    #: agreement id -> the first turn it was signed during the game (not counting those signed before it began)
    signed: tuple[tuple[str, int], ...]
    #: sides at or above the scenario's spending target at the end (its members only, if it names an alliance)
    at_target: tuple[str, ...]
    #: the final value of every actor and global variable, "actor.var" or "global.var" (for sweeps and charts)
    final: tuple[tuple[str, float], ...]
    #: the game's dice state at the end: equal games leave it equal
    rng: int


def target_pool(rules: Rules, state: GameState) -> list[str]:
    """Who counts toward the spending target now: an alliance's members, or the playable sides."""
    target = rules.sc.meta.spending_target
    assert target is not None
    return list(state.members.get(target.members_of, [])) if target.members_of else list(rules.sc.playable_ids)


def spending_pool(sc: Scenario) -> list[str]:
    """Who counts toward the spending target when the game starts (no target: nobody)."""
    target = sc.meta.spending_target
    if target is None:
        return []
    if target.members_of:
        return next(list(al.members) for al in sc.alliances if al.id == target.members_of)
    return list(sc.playable_ids)


def outcome_of(rules: Rules, state: GameState) -> Outcome:
    """The outcome of a finished game played by the reference engine."""
    sc = rules.sc
    met_ids = {o for ids in state.results.values() for o in ids} if state.ended else set()
    signed = []
    for aid, ag in state.agreements.items():
        first = next((turn for turn, st in ag.history if st == "signed" and turn >= 1), None)
        if first is not None:
            signed.append((aid, first))
    target = sc.meta.spending_target
    at_target: tuple[str, ...] = ()
    if target is not None:
        at_target = tuple(a for a in target_pool(rules, state) if state.vars[a][target.var] >= target.at_least)
    final = [(f"{a}.{v}", x) for a, row in state.vars.items() for v, x in row.items()]
    final += [(f"global.{g}", x) for g, x in state.globals.items()]
    return Outcome(
        seed=state.seed,
        end_turn=state.turn,
        end_reason=state.end_reason,
        peak_rung=state.peak_rung,
        final_rung=state.rung,
        escalation=state.escalation,
        met=tuple(o.id for o in sc.objectives if o.id in met_ids),
        signed=tuple(sorted(signed)),
        at_target=at_target,
        final=tuple(final),
        rng=state.rng,
    )
