"""The figures of an after-action review, taken from a finished (or paused) game: no drawing, no files.

The debrief is where a tabletop exercise does its teaching, so the review
answers the questions facilitators ask (see the project's notes on how
exercises are run): what was ordered and rolled, turn by turn; how the
escalation level, spending, aid and the scenario's global figures moved;
which agreements stood at the start and at the end; who met which objective;
and which decisions moved the game most. `cli/report.py` turns these into
charts, HTML and Markdown; analysts get `log_rows` as CSV and JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.game import Game
from engine.state import GameState, Resolution

#: effects that are bookkeeping, not moves in the game (paying a card's cost)
_NOT_MOVES = {"cost", "note", "event"}


@dataclass(frozen=True)
class Series:
    """Values over time: index k is after k turns (0 is the start)."""

    label: str
    unit: str
    lines: dict[str, list[float]]  # line name -> values


@dataclass(frozen=True)
class Decision:
    """One resolved order and how far it moved the game (the sum of its changes, each as a share of its range)."""

    turn: int
    date: str
    resolution: Resolution
    weight: float
    moves: list[dict[str, Any]]


@dataclass(frozen=True)
class ObjectiveResult:
    actor: str
    objective: str
    description: str
    points: int
    met: bool


def states(game: Game) -> list[GameState]:
    """The state at the start and after each adjudicated turn (the live state if it is further on)."""
    out = list(game.history)
    if not out or out[-1].log != game.state.log:
        out.append(game.state)
    return out


def dates(game: Game) -> list[str]:
    """A label for each point of the series: the start, then the month each turn was played."""
    sc = game.scenario
    return ["start"] + [f"{sc.turn_date(s.log[-1].turn):%b %Y}" for s in states(game)[1:]]


def escalation(game: Game) -> Series:
    return Series("Escalation score", "", {"escalation": [s.escalation for s in states(game)]})


def spending(game: Game) -> Series | None:
    """Each playable side's value of the scenario's spending-target variable (None if it has no target)."""
    target = game.scenario.meta.spending_target
    if target is None:
        return None
    var = game.scenario.variables[target.var]
    sides = game.scenario.playable_ids
    return Series(var.label, var.unit, {a: [s.vars[a][target.var] for s in states(game)] for a in sides})


def actor_variables(game: Game) -> list[Series]:
    """Every public actor figure that moved during the game, with a line for each actor whose value moved.

    Private figures stay out: the review is shown to the whole room.
    """
    sc = game.scenario
    target = sc.meta.spending_target.var if sc.meta.spending_target else None
    seq = states(game)
    out = []
    for var, d in sc.variables.items():
        if d.private or var == target:
            continue
        lines = {}
        for a in sc.playable_ids:
            values = [s.vars[a][var] for s in seq]
            if max(values) != min(values):
                lines[a] = values
        if lines:
            out.append(Series(d.label, d.unit, lines))
    return out


def global_variables(game: Game) -> Series | None:
    sc = game.scenario
    if not sc.globals:
        return None
    seq = states(game)
    return Series("Shared figures", "", {g.label: [s.globals[k] for s in seq] for k, g in sc.globals.items()})


def agreements_at(game: Game, state: GameState) -> list[dict[str, Any]]:
    """The agreement network of a state: each agreement's name, parties and lifecycle state."""
    return [{"id": a.id, "name": a.name, "parties": list(a.parties), "state": a.state}
            for a in state.agreements.values()]


def objectives(game: Game) -> list[ObjectiveResult]:
    """Each objective and whether its actor met it (judged now if the game has not ended)."""
    rules, state = game.rules, game.state
    met = state.results if state.ended else rules.judge(state)
    return [ObjectiveResult(o.actor, o.id, o.description, o.points, o.id in met.get(o.actor, []))
            for o in game.scenario.objectives]


def _ranges(game: Game) -> dict[tuple[str, str], float]:
    sc = game.scenario
    out: dict[tuple[str, str], float] = {}
    out.update({("actor", k): v.max - v.min for k, v in sc.variables.items()})
    out.update({("global", k): v.max - v.min for k, v in sc.globals.items()})
    out.update({("relation", k): v.max - v.min for k, v in sc.relation_variables.items()})
    top = max(r.threshold for r in sc.ladder.rungs)
    out[("escalate", "")] = max(top - sc.ladder.min_score, 1e-9)
    return out


def weigh(game: Game, effects: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """How far these effects moved the game, and which of them did.

    Each numeric change counts as the share of its variable's range it moved
    (a 10-point rise on a 0–100 index weighs 0.1); a step of the escalation
    ladder, an agreement's or a commitment's change of state, and an alliance
    joined or left count as 0.1 each, so that a treaty signed weighs like a
    tenth of a figure's whole range.
    """
    ranges = _ranges(game)
    total, moves = 0.0, []
    for e in effects:
        kind = e.get("kind")
        if kind in _NOT_MOVES:
            continue
        w = 0.0
        if kind == "change":
            key = ("global", e["var"]) if e.get("actor") == "global" else ("actor", e["var"])
            w = abs(e["to"] - e["from"]) / (ranges.get(key) or 1.0)
        elif kind == "relation":
            w = abs(e["to"] - e["from"]) / (ranges.get(("relation", e["var"])) or 1.0)
        elif kind == "escalate":
            w = abs(e["to"] - e["from"]) / ranges[("escalate", "")]
        elif kind in ("rung", "agreement", "commitment", "join", "leave"):
            w = 0.1
        if w > 0:
            total += w
            moves.append(e)
    return total, moves


def decisions(game: Game, top: int = 10) -> list[Decision]:
    """The orders that moved the game most, heaviest first (ties: earliest first)."""
    found = []
    sc = game.scenario
    for rec in game.state.log:
        for res in rec.resolutions:
            w, moves = weigh(game, res.effects)
            if w > 0:
                found.append(Decision(rec.turn, f"{sc.turn_date(rec.turn):%b %Y}", res, round(w, 6), moves))
    found.sort(key=lambda d: (-d.weight, d.turn))
    return found[:top]


LOG_COLUMNS = ["turn", "date", "kind", "actor", "card", "targets", "agreement", "outcome", "chance", "roll",
               "decided_by", "reason", "rationale", "name", "to", "effects"]


def log_rows(game: Game) -> list[dict[str, Any]]:
    """The whole log flattened for analysts: one row per resolved order, inject, note and upkeep step.

    `effects` is JSON text so a spreadsheet keeps it in one cell.
    """
    rows: list[dict[str, Any]] = []

    def row(**kw: Any) -> None:
        rows.append({c: kw.get(c, "") for c in LOG_COLUMNS})

    for rec in game.state.log:
        for res in rec.resolutions:
            o = res.order
            row(turn=rec.turn, date=rec.date, kind="order", actor=o.actor, card=o.card, targets=" ".join(o.targets),
                agreement=o.agreement or "", outcome=res.outcome, chance="" if res.chance is None else res.chance,
                roll="" if res.roll is None else res.roll, decided_by=res.decided_by, reason=res.reason,
                rationale=o.rationale, effects=json.dumps(res.effects, ensure_ascii=False))
        for ev in rec.events:
            row(turn=rec.turn, date=rec.date, kind="inject", name=ev.name, to=" ".join(ev.to or []) or "all",
                chance="" if ev.chance is None else ev.chance, roll="" if ev.roll is None else ev.roll,
                effects=json.dumps(ev.effects, ensure_ascii=False))
        for note in rec.notes:
            row(turn=rec.turn, date=rec.date, kind="note", reason=note)
        if rec.upkeep:
            row(turn=rec.turn, date=rec.date, kind="upkeep", effects=json.dumps(rec.upkeep, ensure_ascii=False))
    return rows
