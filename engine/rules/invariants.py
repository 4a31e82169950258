"""What must hold in every reachable state; checked by property tests and long random runs."""

from __future__ import annotations

from engine.core.lifecycles import AGREEMENT, COMMITMENT, GAME_PHASES
from engine.core.state import GameState
from engine.rules.turn import Rules


def broken_invariants(rules: Rules, s: GameState) -> list[str]:
    """Every invariant `s` breaks, as sentences (empty when all hold)."""
    sc, t = rules.sc, rules.t
    out: list[str] = []
    for actor in t.all_actors:
        row = s.vars.get(actor)
        if row is None or set(row) != set(sc.variables):
            out.append(f"{actor}: variables {sorted(row or {})} differ from the declared ones")
            continue
        for k, (lo, hi) in t.var_range.items():
            if not lo <= row[k] <= hi:
                out.append(f"{actor}.{k} = {row[k]} outside {lo}..{hi}")
    for k, (lo, hi) in t.global_range.items():
        if not lo <= s.globals[k] <= hi:
            out.append(f"global.{k} = {s.globals[k]} outside {lo}..{hi}")
    for pair, row in s.relations.items():
        for k, v in row.items():
            lo, hi = t.rel_range[k]
            if not lo <= v <= hi:
                out.append(f"relation {pair}.{k} = {v} outside {lo}..{hi}")
    lad = sc.ladder
    if not lad.min_score <= s.escalation <= lad.max_score:
        out.append(f"escalation score {s.escalation} outside {lad.min_score}..{lad.max_score}")
    if s.rung not in t.rung_index:
        out.append(f"ladder off its rungs: {s.rung!r}")
    elif s.rung != t.rung_for(s.escalation):
        out.append(f"ladder on {s.rung!r} but the score {s.escalation} says {t.rung_for(s.escalation)!r}")
    if s.peak_rung not in t.rung_index or t.rung_index.get(s.peak_rung, -1) < t.rung_index.get(s.rung, 0):
        out.append(f"peak rung {s.peak_rung!r} below the current rung {s.rung!r}")
    for aid, ag in s.agreements.items():
        if ag.state not in AGREEMENT.states:
            out.append(f"agreement {aid} in impossible state {ag.state!r}")
        if not set(ag.parties) <= set(t.all_actors) or len(set(ag.parties)) != len(ag.parties) or len(ag.parties) < 2:
            out.append(f"agreement {aid} has bad parties {ag.parties}")
        if not ag.history or ag.history[-1][1] != ag.state:
            out.append(f"agreement {aid}: history does not end in its state")
        for (_, a), (_, b) in zip(ag.history, ag.history[1:], strict=False):
            if not any(AGREEMENT.table.get((trig, a)) == b for trig in AGREEMENT.triggers):
                out.append(f"agreement {aid}: {a} → {b} is not a transition")
    for al, table in s.commitments.items():
        if set(table) != set(s.members.get(al, [])):
            out.append(f"{al}: commitments {sorted(table)} do not match members {sorted(s.members.get(al, []))}")
        for actor, st in table.items():
            if st not in COMMITMENT.states:
                out.append(f"{actor}'s commitment to {al} in impossible state {st!r}")
    if s.phase not in GAME_PHASES.states:
        out.append(f"impossible phase {s.phase!r}")
    if s.ended != (s.phase in ("end", "debrief")):
        out.append(f"ended={s.ended} but phase is {s.phase}")
    if not 1 <= s.turn <= sc.meta.turns:
        out.append(f"turn {s.turn} outside 1..{sc.meta.turns}")
    if len(s.log) != (s.turn if s.ended else s.turn - 1):
        out.append(f"{len(s.log)} turn records on turn {s.turn}")
    return out
