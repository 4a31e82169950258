"""Turn engine data (turn records, states, results) into terminal text.

Kept apart from the engine so the engine returns data and only front ends
decide how it looks; nothing here varies between runs with the same seed.
"""

from __future__ import annotations

from typing import Any

from engine.game import Game
from engine.scenario import Scenario
from engine.state import EventRecord, GameState, Resolution, TurnRecord


def _num(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


class Renderer:
    def __init__(self, sc: Scenario):
        self.sc = sc
        self.names = {a.id: a.name for a in sc.actors}
        self.rung_names = {r.id: r.name for r in sc.ladder.rungs}
        self.var_labels = {k: v.label for k, v in sc.variables.items()}
        self.global_labels = {k: v.label for k, v in sc.globals.items()}
        self.alliance_names = {al.id: al.name for al in sc.alliances}

    def name(self, actor: str) -> str:
        return self.names.get(actor, actor)

    def effect(self, e: dict[str, Any], agreements: dict[str, Any]) -> str:
        kind = e.get("kind")
        if kind in ("change", "cost"):
            who = "" if e["actor"] == "global" else self.name(e["actor"]) + " "
            label = self.global_labels.get(e["var"]) if e["actor"] == "global" else self.var_labels.get(e["var"])
            if e.get("from") is None or e.get("to") is None:
                return f"{who}{label}: hidden"
            sign = "spends " if kind == "cost" else ""
            return f"{sign}{who}{label} {_num(e['from'])} → {_num(e['to'])}"
        if kind == "relation":
            a, b = e["between"]
            return f"{e['var']} {self.name(a)}–{self.name(b)} {_num(e['from'])} → {_num(e['to'])}"
        if kind == "escalate":
            why = f" ({e['why']})" if e.get("why") else ""
            return f"escalation score {_num(e['from'])} → {_num(e['to'])}{why}"
        if kind == "rung":
            arrow = "climbs" if self._rung_i(e["to"]) > self._rung_i(e["from"]) else "falls"
            return f"ladder {arrow} to '{self.rung_names[e['to']]}'"
        if kind == "agreement":
            ag = agreements.get(e["id"])
            name = ag["name"] if isinstance(ag, dict) else (ag.name if ag else e["id"])
            before = (e["from"] or "new").replace("_", " ")
            return f"{name}: {before} → {e['to'].replace('_', ' ')}"
        if kind == "commitment":
            al = self.alliance_names.get(e["alliance"], e["alliance"])
            return f"{self.name(e['actor'])}: commitment to {al} {e['from']} → {e['to']}"
        if kind in ("join", "leave"):
            al = self.alliance_names.get(e["alliance"], e["alliance"])
            return f"{self.name(e['actor'])} {'joins' if kind == 'join' else 'leaves'} {al}"
        if kind == "event":
            return f"event: {e['name']}"
        if kind == "note":
            return e["text"]
        return str(e)

    def _rung_i(self, rung: str) -> int:
        return [r.id for r in self.sc.ladder.rungs].index(rung)

    def resolution(self, r: Resolution, agreements: dict[str, Any]) -> list[str]:
        card = self.sc.card(r.order.card)
        aim = ""
        if r.order.targets:
            aim = " → " + ", ".join(self.name(t) for t in r.order.targets)
        elif r.order.agreement:
            ag = agreements.get(r.order.agreement)
            aim = " → " + (ag["name"] if isinstance(ag, dict) else ag.name if ag else r.order.agreement)
        dice = f"d100 {r.roll} vs {r.chance}%: " if r.roll is not None else ""
        by = ""
        if r.decided_by != "rules":
            who = {"override": "override", "script": "forced by the script"}.get(r.decided_by, f"ruled by {r.decided_by}")
            by = f" [{who}]"
        head = f"  {self.name(r.order.actor):<16} {card.name}{aim} — {dice}{r.outcome.upper()}{by}"
        lines = [head]
        if r.decided_because:
            lines.append(f"      ruling: {r.decided_because}")
        if r.order.rationale:
            lines.append(f"      why: {r.order.rationale}")
        if r.reason:
            lines.append(f"      {r.reason}")
        for e in r.effects:
            lines.append(f"      · {self.effect(e, agreements)}")
        return lines

    def inject(self, ev: EventRecord, ags: dict[str, Any]) -> list[str]:
        private = f" (to {', '.join(self.name(x) for x in ev.to)} only)" if ev.to else ""
        dice = f" [d100 {ev.roll} vs {ev.chance}%]" if ev.roll is not None else ""
        source = {"script": " [script]", "facilitator": " [fired by the facilitator]"}.get(ev.source, "")
        out = [f"  ▶ {ev.name}{private}{dice}{source}"]
        if ev.text:
            out.append(f"    {ev.text.strip()}")
        out.extend(f"      · {self.effect(e, ags)}" for e in ev.effects)
        return out

    def turn(self, rec: TurnRecord, state: GameState) -> list[str]:
        ags = state.agreements
        date = rec.date[:7]
        out = [f"═══ Turn {rec.turn} · {date} ═══════════════════════════════════════"]
        if rec.briefing:
            out.append("Injects before the orders:")
            for ev in rec.briefing:
                out.extend(self.inject(ev, ags))
        out.append("Orders (in resolution order):")
        if not rec.resolutions:
            out.append("  (no orders)")
        for r in rec.resolutions:
            out.extend(self.resolution(r, ags))
        if rec.free:
            out.append("Free actions (argued; chance set by the facilitator):")
            for f in rec.free:
                dice = f"d100 {f.roll} vs {f.action.chance}%: " if f.roll is not None else ""
                out.append(f"  {self.name(f.action.actor):<16} “{f.action.argument}” — {dice}{f.outcome.upper()}")
                out.extend(f"      · {self.effect(e, ags)}" for e in f.effects)
        if rec.events or rec.notes:
            out.append("Events and injects:")
            for ev in rec.events:
                out.extend(self.inject(ev, ags))
            for n in rec.notes:
                out.append(f"  · {n}")
        if rec.upkeep:
            out.append("End of turn:")
            for e in rec.upkeep:
                out.append(f"  · {self.effect(e, ags)}")
        out.extend(self.situation(state, rec))
        return out

    def situation(self, state: GameState, rec: TurnRecord | None = None) -> list[str]:
        out = []
        rung = self.rung_names[state.rung]
        change = ""
        if rec is not None and rec.rung_before != rec.rung_after:
            change = f" (from {self.rung_names[rec.rung_before]})"
        out.append(f"Escalation: {rung} — score {_num(state.escalation)}{change}")
        out.append("Budgets:")
        meta = self.sc.meta
        shown = meta.dashboard or list(self.sc.variables)[:4]
        target = meta.spending_target
        for a in self.sc.actors:
            if not a.playable:
                continue
            row = state.vars[a.id]
            bits = []
            if target is not None:
                v = row[target.var]
                mark = "✓" if v >= target.at_least else "✗"
                bits.append(f"{self.var_labels[target.var]} {v:5.2f} {mark}")
            for var in shown:
                if target is None or var != target.var:
                    bits.append(f"{self.var_labels[var]} {_num(row[var])}")
            out.append(f"  {a.name:<16} " + " · ".join(bits))
        if target is not None:
            pool = state.members.get(target.members_of, []) if target.members_of else self.sc.playable_ids
            n = sum(1 for a in pool if state.vars[a][target.var] >= target.at_least)
            whom = self.alliance_names.get(target.members_of, "") + " members" if target.members_of else "sides"
            out.append(f"  {target.label}: {n} of {len(pool)} {whom} meet it")
        if state.globals:
            out.append("  " + " · ".join(f"{self.global_labels[k]} {_num(v)}" for k, v in state.globals.items()))
        out.append("Agreements:")
        for ag in state.agreements.values():
            if ag.state in ("lapsed", "withdrawn") and rec is not None and ag.since_turn < rec.turn:
                continue
            out.append(f"  {ag.name:<58} {ag.state.replace('_', ' ')}")
        for al, table in state.commitments.items():
            shaky = {k: v for k, v in table.items() if v != "committed"}
            if shaky:
                out.append(f"  Commitment to {self.alliance_names.get(al, al)}: "
                           + ", ".join(f"{self.name(k)} {v}" for k, v in shaky.items()))
        return out

    def results(self, game: Game) -> list[str]:
        state = game.state
        out = ["═══ End of game ═══════════════════════════════════════"]
        out.append(f"Ended because {state.end_reason}.")
        out.append(f"Final escalation: {self.rung_names[state.rung]} (peak: {self.rung_names[state.peak_rung]})")
        scores = game.scores()
        out.append("Objectives:")
        for a in self.sc.actors:
            objs = [o for o in self.sc.objectives if o.actor == a.id]
            if not objs:
                continue
            met = set(state.results.get(a.id, []))
            total = sum(o.points for o in objs)
            out.append(f"  {a.name} — {scores.get(a.id, 0)}/{total} points")
            for o in objs:
                out.append(f"    [{'x' if o.id in met else ' '}] {o.description} ({o.points})")
        return out
