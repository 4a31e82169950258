"""How far a side is toward each of its objectives, as it may know it: for its planning screen and `--as`.

Teams decide better when they see what they are playing for and what is
still missing. Progress is judged from what the side may see (engine/scenario/visibility.py):
a condition that reads a figure hidden from it is reported as unknown, never
judged on the hidden figure, so the list gives no secret away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.core.state import GameState
from engine.rules.turn import Rules
from engine.scenario.language import Ctx, describe
from engine.scenario.visibility import satisfied

Status = Literal["met", "not yet", "unknown"]


@dataclass(frozen=True)
class ObjectiveProgress:
    id: str
    description: str
    points: int
    #: "end": judged when the game ends; "ever": met once it has held after a turn
    judged: str
    #: met now (for "ever": met already, for good), not yet, or depending on what the side cannot see
    status: Status
    #: the conditions that do not hold now, in words
    missing: list[str] = field(default_factory=list)
    #: the conditions the side cannot judge, in words
    unknown: list[str] = field(default_factory=list)


def objective_progress(rules: Rules, state: GameState, side: str) -> list[ObjectiveProgress]:
    """Each of `side`'s objectives, in scenario order, with what it lacks now as the side may see it."""
    fog, t = rules.fog, rules.t
    mine = frozenset((side,))
    believed = Ctx(fog.believed_state(state, side), side)
    where = Ctx(state, side)
    out = []
    for obj, compiled in rules.objectives:
        if obj.actor != side:
            continue
        missing: list[str] = []
        unknown: list[str] = []
        for cond, holds in zip(obj.conditions, compiled, strict=True):
            reads = fog.reads(cond)
            if reads and not satisfied(fog.needs(t, reads, where), mine):
                unknown.append(describe(t, cond))
            elif not holds(believed):
                missing.append(describe(t, cond))
        status: Status
        if obj.judged == "ever" and obj.id in state.ever_met:
            status, missing, unknown = "met", [], []
        elif missing:
            status = "not yet"
        else:
            status = "unknown" if unknown else "met"
        out.append(ObjectiveProgress(obj.id, obj.description, obj.points, obj.judged, status, missing, unknown))
    return out


def progress_lines(progress: list[ObjectiveProgress]) -> list[str]:
    """The progress as lines of plain text (the terminal's; the map draws its own)."""
    lines = []
    for p in progress:
        mark = {"met": "✓", "not yet": " ", "unknown": "?"}[p.status]
        if p.judged == "ever":
            state = {"met": "met", "not yet": "not yet met", "unknown": "cannot tell yet"}[p.status]
        else:
            state = {"met": "holds now (judged at the end)", "not yet": "not yet (judged at the end)",
                     "unknown": "cannot tell (judged at the end)"}[p.status]
        lines.append(f"  [{mark}] {p.description} ({p.points} pt): {state}")
        lines.extend(f"        missing: {m}" for m in p.missing)
        lines.extend(f"        cannot be seen: {u}" for u in p.unknown)
    return lines
