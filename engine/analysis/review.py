"""The figures of an after-action review, taken from a finished (or paused) game: no drawing, no files.

The debrief is where a tabletop exercise does its teaching, so the review
answers the questions facilitators ask (see the project's notes on how
exercises are run): what was ordered and rolled, turn by turn; how the
escalation level, spending, aid and the scenario's global figures moved;
which agreements stood at the start and at the end; who met which objective;
and which decisions moved the game most. `engine/present/report.py` turns these into
charts, HTML and Markdown; analysts get `log_rows` as CSV and JSON.

Every review is written for an *audience*, and reads the game only through
that audience's view (`engine.rules.views.side_view`) of each state it uses: the
room (`ROOM`, the default: public data only, what may be handed to every
team), the facilitator (`FACILITATOR`: everything, never for the teams), or
one side (its own view). `seen(game, audience)` takes those views once; every
function here reads a `Seen` (a `Game` given instead is read as the room's).
A figure the view hides never reaches a chart, a table or the log: the
series leave it out, the effects that touch it are not in the view's log,
and a fizzle reason or a chance that depended on it reads as the view has it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.core.state import GameState
from engine.rules.game import Game
from engine.rules.views import ROOM, seen_chance, side_view
from engine.scenario.model import Scenario

#: effects that are bookkeeping, not moves in the game (paying a card's cost)
_NOT_MOVES = {"cost", "note", "event"}



@dataclass(frozen=True)
class Seen:
    """A game as one audience may see it: its view of the start and of the state after each turn."""

    scenario: Scenario
    audience: str | None
    views: list[dict[str, Any]]
    #: objectives met by actor, as the audience may know them (None: not judged for it until the game ends)
    results: dict[str, list[str]] | None

    @property
    def final(self) -> dict[str, Any]:
        return self.views[-1]

    @property
    def log(self) -> list[dict[str, Any]]:
        return self.final["log"]

    @property
    def ended(self) -> bool:
        return bool(self.final.get("ended"))

    @property
    def key(self) -> str:
        """'room', 'facilitator' or the side's id: what files and labels call this version."""
        return "facilitator" if self.audience is None else (self.audience or "room")


def seen(game: Game, audience: str | None = ROOM) -> Seen:
    """The audience's views of every state the review reads (`ROOM`, `FACILITATOR` or a side's id)."""
    sc = game.scenario
    views = [side_view(sc, s, audience, game.rules.fog) for s in states(game)]
    state = game.state
    if audience is None:
        results: dict[str, list[str]] | None = state.results if state.ended else game.rules.judge(state)
    elif state.ended:
        results = views[-1].get("results") or {}  # the final results are announced to everyone
    else:
        results = None  # judging now would read figures the audience may not see
    return Seen(sc, audience, views, {k: list(v) for k, v in results.items()} if results is not None else None)


def _seen(x: Game | Seen) -> Seen:
    return x if isinstance(x, Seen) else seen(x, ROOM)


@dataclass(frozen=True)
class Series:
    """Values over time: index k is after k turns (0 is the start)."""

    label: str
    unit: str
    lines: dict[str, list[float]]  # line name -> values


@dataclass(frozen=True)
class Decision:
    """One resolved order (as the audience's view has it) and how far it moved the game."""

    turn: int
    date: str
    resolution: dict[str, Any]
    weight: float
    moves: list[dict[str, Any]]


@dataclass(frozen=True)
class ObjectiveResult:
    actor: str
    objective: str
    description: str
    points: int
    met: bool | None  # None: not known to this audience before the game ends


def states(game: Game) -> list[GameState]:
    """The state at the start and after each adjudicated turn (the live state if it is further on).

    These are the full states: read them through `seen` before anything reaches an audience.
    """
    out = list(game.history)
    if not out or out[-1].log != game.state.log:
        out.append(game.state)
    return out


def dates(x: Game | Seen) -> list[str]:
    """A label for each point of the series: the start, then the month each turn was played."""
    s = _seen(x)
    sc = s.scenario
    return ["start"] + [f"{sc.turn_date(v['log'][-1]['turn']):%b %Y}" for v in s.views[1:]]


def escalation(x: Game | Seen) -> Series:
    return Series("Escalation score", "", {"escalation": [v["escalation"] for v in _seen(x).views]})


def _visible(values: list[Any]) -> bool:
    return all(v is not None for v in values)


def _actor_values(s: Seen, actor: str, var: str) -> list[Any]:
    return [(v["vars"].get(actor) or {}).get(var) for v in s.views]


def spending(x: Game | Seen) -> Series | None:
    """Each playable side's value of the scenario's spending-target variable (None if it has no target).

    A side whose figure the audience may not see has no line.
    """
    s = _seen(x)
    target = s.scenario.meta.spending_target
    if target is None:
        return None
    var = s.scenario.variables[target.var]
    lines = {a: _actor_values(s, a, target.var) for a in s.scenario.playable_ids}
    return Series(var.label, var.unit, {a: vals for a, vals in lines.items() if _visible(vals)})


def actor_variables(x: Game | Seen) -> list[Series]:
    """Every actor figure the audience may see that moved, with a line for each actor whose value moved.

    A private figure has lines only where the audience may see it: none in the
    room's review, its own side's in a side's, every side's in the facilitator's
    (there its label says "private").
    """
    s = _seen(x)
    sc = s.scenario
    target = sc.meta.spending_target.var if sc.meta.spending_target else None
    out = []
    for var, d in sc.variables.items():
        if var == target:
            continue
        lines = {}
        for a in sc.playable_ids:
            values = _actor_values(s, a, var)
            if _visible(values) and max(values) != min(values):
                lines[a] = values
        if lines:
            out.append(Series(f"{d.label} (private)" if d.private else d.label, d.unit, lines))
    return out


def global_variables(x: Game | Seen) -> Series | None:
    """The shared figures the audience may see (None if it may see none)."""
    s = _seen(x)
    lines: dict[str, list[float]] = {}
    for k, g in s.scenario.globals.items():
        values: list[Any] = [(v.get("globals") or {}).get(k) for v in s.views]
        if _visible(values):
            lines[f"{g.label} (private)" if g.private else g.label] = values
    return Series("Shared figures", "", lines) if lines else None


def agreements_at(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The agreement network of a view: each agreement's name, parties and lifecycle state."""
    return [{"id": a["id"], "name": a["name"], "parties": list(a["parties"]), "state": a["state"]}
            for a in view["agreements"].values()]


def objectives(x: Game | Seen) -> list[ObjectiveResult]:
    """Each objective and whether its actor met it (for the facilitator judged now if the game has not ended)."""
    s = _seen(x)
    met = s.results
    return [ObjectiveResult(o.actor, o.id, o.description, o.points,
                            None if met is None else o.id in met.get(o.actor, []))
            for o in s.scenario.objectives]


def scores(x: Game | Seen) -> dict[str, int] | None:
    """Each actor's points from the objectives it met (None when the audience may not know them yet)."""
    s = _seen(x)
    if s.results is None:
        return None
    points = {o.id: o.points for o in s.scenario.objectives}
    return {a: sum(points.get(o, 0) for o in met) for a, met in s.results.items()}


def _ranges(sc: Scenario) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    out.update({("actor", k): v.max - v.min for k, v in sc.variables.items()})
    out.update({("global", k): v.max - v.min for k, v in sc.globals.items()})
    out.update({("relation", k): v.max - v.min for k, v in sc.relation_variables.items()})
    top = max(r.threshold for r in sc.ladder.rungs)
    out[("escalate", "")] = max(top - sc.ladder.min_score, 1e-9)
    return out


def weigh(x: Game | Seen | Scenario, effects: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """How far these effects moved the game, and which of them did.

    Each numeric change counts as the share of its variable's range it moved
    (a 10-point rise on a 0–100 index weighs 0.1); a step of the escalation
    ladder, an agreement's or a commitment's change of state, and an alliance
    joined or left count as 0.1 each, so that a treaty signed weighs like a
    tenth of a figure's whole range. A change whose values are hidden weighs
    nothing (a view leaves such records out anyway).
    """
    sc = x if isinstance(x, Scenario) else x.scenario
    ranges = _ranges(sc)
    total, moves = 0.0, []
    for e in effects:
        kind = e.get("kind")
        if kind in _NOT_MOVES:
            continue
        w = 0.0
        if kind in ("change", "relation", "escalate") and (e.get("from") is None or e.get("to") is None):
            continue
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


def decisions(x: Game | Seen, top: int = 10) -> list[Decision]:
    """The orders that moved the game most as the audience saw them, heaviest first (ties: earliest first)."""
    s = _seen(x)
    found = []
    sc = s.scenario
    for rec in s.log:
        for res in rec["resolutions"]:
            w, moves = weigh(sc, res["effects"])
            if w > 0:
                found.append(Decision(rec["turn"], f"{sc.turn_date(rec['turn']):%b %Y}", res, round(w, 6), moves))
    found.sort(key=lambda d: (-d.weight, d.turn))
    return found[:top]


def overrides(rec: dict[str, Any]) -> int:
    """How many of a turn's orders were settled by someone other than the dice (an override, a ruling, a script)."""
    return sum(1 for res in rec["resolutions"] if res.get("decided_by", "rules") != "rules")


def chance_cell(item: dict[str, Any]) -> str:
    """The chance of a resolution or inject as the view has it: '55', a range '40-70', or '' if none."""
    seen = seen_chance(item)
    if seen is None:
        return ""
    return str(seen[0]) if seen[0] == seen[1] else f"{seen[0]}-{seen[1]}"


LOG_COLUMNS = ["turn", "date", "kind", "actor", "card", "targets", "agreement", "outcome", "chance", "roll",
               "decided_by", "reason", "rationale", "name", "to", "effects"]


def log_rows(x: Game | Seen) -> list[dict[str, Any]]:
    """The whole log as the audience saw it, flattened for analysts: one row per resolved order, inject, note
    and upkeep step.

    `effects` is JSON text so a spreadsheet keeps it in one cell.
    """
    s = _seen(x)
    rows: list[dict[str, Any]] = []

    def row(**kw: Any) -> None:
        rows.append({c: kw.get(c, "") for c in LOG_COLUMNS})

    for rec in s.log:
        for res in rec["resolutions"]:
            o = res["order"]
            row(turn=rec["turn"], date=rec["date"], kind="order", actor=o["actor"], card=o["card"],
                targets=" ".join(o.get("targets") or []), agreement=o.get("agreement") or "",
                outcome=res["outcome"], chance=chance_cell(res),
                roll="" if res.get("roll") is None else res["roll"], decided_by=res.get("decided_by", "rules"),
                reason=res.get("reason") or "", rationale=o.get("rationale") or "",
                effects=json.dumps(res["effects"], ensure_ascii=False))
        for ev in rec["events"]:
            row(turn=rec["turn"], date=rec["date"], kind="inject", name=ev["name"],
                to=" ".join(ev.get("to") or []) or "all", chance=chance_cell(ev),
                roll="" if ev.get("roll") is None else ev["roll"],
                effects=json.dumps(ev["effects"], ensure_ascii=False))
        for note in rec.get("notes") or []:
            row(turn=rec["turn"], date=rec["date"], kind="note", reason=note)
        if rec.get("upkeep"):
            row(turn=rec["turn"], date=rec["date"], kind="upkeep",
                effects=json.dumps(rec["upkeep"], ensure_ascii=False))
    return rows
