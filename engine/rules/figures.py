"""Setting one figure by name, inside its declared range: the facilitator's adjustments and matrix arguments.

A figure is named `actor.var`, `global.var` or `ladder`. The control cell sets
figures by hand (`control.adjust`) and a successful matrix argument shifts
them during adjudication (`Rules`); both go through here, so a figure is
resolved, bounded and recorded the same way whoever moves it.
"""

from __future__ import annotations

from typing import Any

from engine.core.errors import IllegalOrder
from engine.core.state import GameState
from engine.scenario import model as S
from engine.scenario.language import Tables, clamp, move_ladder

LADDER = "ladder"


def resolve_ref(t: Tables, ladder: S.Ladder, ref: str) -> tuple[str, str, tuple[float, float]]:
    """`actor.var`, `global.var` or `ladder` → (who, var, range); refuse anything else with the choices."""
    if ref == LADDER:
        return LADDER, "escalation", (ladder.min_score, ladder.max_score)
    who, _, var = ref.partition(".")
    if who == "global":
        if var not in t.global_range:
            raise IllegalOrder(f"no global variable {var!r}; there are: {', '.join(sorted(t.global_range))}")
        return who, var, t.global_range[var]
    if who not in t.all_actors:
        raise IllegalOrder(f"no actor {who!r}; write actor.variable, global.variable or ladder")
    if var not in t.var_range:
        raise IllegalOrder(f"no variable {var!r}; there are: {', '.join(sorted(t.var_range))}")
    return who, var, t.var_range[var]


def apply_adjustment(t: Tables, ladder: S.Ladder, s: GameState, ref: str, *, delta: float | None = None,
                     value: float | None = None) -> dict[str, Any]:
    """Set or shift one figure, kept inside its declared range; returns the effect record."""
    who, var, (lo, hi) = resolve_ref(t, ladder, ref)
    if who == LADDER:
        before = s.escalation
    elif who == "global":
        before = s.globals[var]
    else:
        before = s.vars[who][var]
    after = value if value is not None else before + (delta or 0.0)
    after = clamp(after, (lo, hi))
    if who == LADDER:
        s.escalation = after
        rec: dict[str, Any] = {"kind": "escalate", "from": before, "to": after, "why": "control"}
        extra: list[dict[str, Any]] = []
        move_ladder(t, s, extra)
        if extra:
            rec["rungs"] = extra
        return rec
    if who == "global":
        s.globals[var] = after
        return {"kind": "change", "actor": "global", "var": var, "from": before, "to": after}
    s.vars[who][var] = after
    return {"kind": "change", "actor": who, "var": var, "from": before, "to": after}
