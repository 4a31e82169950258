"""Turn engine data (turn records, views, results) into terminal text.

Kept apart from the engine so the engine returns data and only front ends
decide how it looks; nothing here varies between runs with the same seed.

Everything is drawn from a *view*: the plain dict `engine.view.side_view`
returns for one side, the room (`""`) or the facilitator (`None`). A figure
the view hides (None) is printed as "hidden" and never looked up elsewhere,
so what a side's terminal shows is exactly what its view holds. Pydantic
records (a `TurnRecord`, a `GameState`) are accepted too and read as their
JSON dump, which is the facilitator's view of them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from engine.scenario import Scenario
from engine.view import resolution_chance

HIDDEN = "hidden"
#: a view's plain data (a dict), or a pydantic record, read as its JSON dump (the facilitator's view of it)
Data = Any


def _num(v: float | None) -> str:
    if v is None:
        return HIDDEN
    return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def plain(x: Any) -> Any:
    """A pydantic record as the plain data of a view (a dict stays as it is)."""
    return x.model_dump(mode="json") if isinstance(x, BaseModel) else x


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
                return f"{who}{label}: {HIDDEN}"
            sign = "spends " if kind == "cost" else ""
            return f"{sign}{who}{label} {_num(e['from'])} → {_num(e['to'])}"
        if kind == "relation":
            a, b = e["between"]
            if e.get("from") is None or e.get("to") is None:
                return f"{e['var']} {self.name(a)}–{self.name(b)}: {HIDDEN}"
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

    def resolution(self, r: Data, agreements: dict[str, Any]) -> list[str]:
        r = plain(r)
        o = r["order"]
        card = self.sc.card(o["card"])
        aim = ""
        if o.get("targets"):
            aim = " → " + ", ".join(self.name(t) for t in o["targets"])
        elif o.get("agreement"):
            ag = agreements.get(o["agreement"])
            aim = " → " + (ag["name"] if isinstance(ag, dict) else ag.name if ag else o["agreement"])
        dice = ""
        if r.get("roll") is not None:
            dice = f"d100 {r['roll']} vs {resolution_chance(r) or '?%'}: "
        by = ""
        decided_by = r.get("decided_by", "rules")
        if decided_by != "rules":
            who = {"override": "override", "script": "forced by the script"}.get(decided_by, f"ruled by {decided_by}")
            by = f" [{who}]"
        head = f"  {self.name(o['actor']):<16} {card.name}{aim} — {dice}{r['outcome'].upper()}{by}"
        lines = [head]
        if r.get("decided_because"):
            lines.append(f"      ruling: {r['decided_because']}")
        if o.get("rationale"):
            lines.append(f"      why: {o['rationale']}")
        if r.get("reason"):
            lines.append(f"      {r['reason']}")
        for e in r.get("effects", []):
            lines.append(f"      · {self.effect(e, agreements)}")
        return lines

    def inject(self, ev: Data, ags: dict[str, Any]) -> list[str]:
        ev = plain(ev)
        private = f" (to {', '.join(self.name(x) for x in ev['to'])} only)" if ev.get("to") else ""
        dice = ""
        if ev.get("roll") is not None:
            dice = f" [d100 {ev['roll']} vs {resolution_chance(ev) or '?%'}]"
        source = {"script": " [script]", "facilitator": " [fired by the facilitator]"}.get(ev.get("source", ""), "")
        out = [f"  ▶ {ev['name']}{private}{dice}{source}"]
        if ev.get("text"):
            out.append(f"    {ev['text'].strip()}")
        out.extend(f"      · {self.effect(e, ags)}" for e in ev.get("effects", []))
        return out

    def turn(self, rec: Data, view: Data) -> list[str]:
        """One turn's log and the situation after it, both from the same view (`rec` is one of its log records)."""
        rec, view = plain(rec), plain(view)
        ags = view["agreements"]
        date = rec["date"][:7]
        out = [f"═══ Turn {rec['turn']} · {date} ═══════════════════════════════════════"]
        if rec.get("briefing"):
            out.append("Injects before the orders:")
            for ev in rec["briefing"]:
                out.extend(self.inject(ev, ags))
        out.append("Orders (in resolution order):")
        if not rec.get("resolutions"):
            out.append("  (no orders)")
        for r in rec.get("resolutions", []):
            out.extend(self.resolution(r, ags))
        if rec.get("free"):
            out.append("Free actions (argued; chance set by the facilitator):")
            for f in rec["free"]:
                act = f["action"]
                dice = ""
                if f.get("roll") is not None:
                    dice = f"d100 {f['roll']} vs {resolution_chance(act) or '?%'}: "
                out.append(f"  {self.name(act['actor']):<16} “{act['argument']}” — {dice}{f['outcome'].upper()}")
                out.extend(f"      · {self.effect(e, ags)}" for e in f.get("effects", []))
        if rec.get("events") or rec.get("notes"):
            out.append("Events and injects:")
            for ev in rec.get("events", []):
                out.extend(self.inject(ev, ags))
            for n in rec.get("notes", []):
                out.append(f"  · {n}")
        if rec.get("upkeep"):
            out.append("End of turn:")
            for e in rec["upkeep"]:
                out.append(f"  · {self.effect(e, ags)}")
        out.extend(self.situation(view, rec))
        return out

    def situation(self, view: Data, rec: Data = None) -> list[str]:
        """Escalation, budgets, shared figures and agreements as `view` shows them (hidden figures say so)."""
        view, rec = plain(view), plain(rec)
        out = []
        rung = self.rung_names[view["rung"]]
        change = ""
        if rec is not None and rec["rung_before"] != rec["rung_after"]:
            change = f" (from {self.rung_names[rec['rung_before']]})"
        out.append(f"Escalation: {rung} — score {_num(view['escalation'])}{change}")
        out.append("Budgets:")
        meta = self.sc.meta
        shown = meta.dashboard or list(self.sc.variables)[:4]
        target = meta.spending_target
        for a in self.sc.actors:
            if not a.playable:
                continue
            row = view["vars"].get(a.id) or {}
            bits = []
            if target is not None:
                v = row.get(target.var)
                if v is None:
                    bits.append(f"{self.var_labels[target.var]} {HIDDEN}")
                else:
                    mark = "✓" if v >= target.at_least else "✗"
                    bits.append(f"{self.var_labels[target.var]} {v:5.2f} {mark}")
            for var in shown:
                if target is None or var != target.var:
                    bits.append(f"{self.var_labels[var]} {_num(row.get(var))}")
            out.append(f"  {a.name:<16} " + " · ".join(bits))
        if target is not None:
            members = view.get("members") or {}
            pool = members.get(target.members_of, []) if target.members_of else self.sc.playable_ids
            values = [(view["vars"].get(a) or {}).get(target.var) for a in pool]
            n = sum(1 for v in values if v is not None and v >= target.at_least)
            unknown = sum(1 for v in values if v is None)
            whom = self.alliance_names.get(target.members_of, "") + " members" if target.members_of else "sides"
            more = f" ({unknown} hidden)" if unknown else ""
            out.append(f"  {target.label}: {n} of {len(pool)} {whom} meet it{more}")
        if view.get("globals"):
            out.append("  " + " · ".join(f"{self.global_labels.get(k, k)} {_num(v)}"
                                         for k, v in view["globals"].items()))
        out.append("Agreements:")
        for ag in view["agreements"].values():
            if ag["state"] in ("lapsed", "withdrawn") and rec is not None and ag.get("since_turn", 0) < rec["turn"]:
                continue
            out.append(f"  {ag['name']:<58} {ag['state'].replace('_', ' ')}")
        for al, table in (view.get("commitments") or {}).items():
            shaky = {k: v for k, v in table.items() if v != "committed"}
            if shaky:
                out.append(f"  Commitment to {self.alliance_names.get(al, al)}: "
                           + ", ".join(f"{self.name(k)} {v}" for k, v in shaky.items()))
        return out

    def results(self, view: Data) -> list[str]:
        """The end of the game as `view` shows it: why it ended, the ladder, each side's objectives and points.

        Points are the sum of the objectives the view lists as met, which for an
        ended game is every side's result (the results are announced to all).
        """
        view = plain(view)
        out = ["═══ End of game ═══════════════════════════════════════"]
        out.append(f"Ended because {view['end_reason']}.")
        out.append(f"Final escalation: {self.rung_names[view['rung']]} "
                   f"(peak: {self.rung_names[view['peak_rung']]})")
        results = view.get("results") or {}
        points = {o.id: o.points for o in self.sc.objectives}
        out.append("Objectives:")
        for a in self.sc.actors:
            objs = [o for o in self.sc.objectives if o.actor == a.id]
            if not objs:
                continue
            met = set(results.get(a.id) or [])
            total = sum(o.points for o in objs)
            score = sum(points.get(o, 0) for o in met)
            out.append(f"  {a.name} — {score}/{total} points")
            for o in objs:
                out.append(f"    [{'x' if o.id in met else ' '}] {o.description} ({o.points})")
        return out
