"""Turn engine data (turn records, views, results) into terminal text.

Kept apart from the engine so the engine returns data and only front ends
decide how it looks; nothing here varies between runs with the same seed.

Everything is drawn from a *view*: the plain dict `engine.rules.views.side_view`
returns for one side, the room (`""`) or the facilitator (`None`). A figure
the view hides (None) is printed as "hidden" and never looked up elsewhere,
so what a side's terminal shows is exactly what its view holds. Pydantic
records (a `TurnRecord`, a `GameState`) are accepted too and read as their
JSON dump, which is the facilitator's view of them.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pydantic import BaseModel

from engine.present.changes import Cause, FigureChange, OrderResult, TurnChanges
from engine.rules.views import chance_words, resolution_chance
from engine.scenario.model import Scenario

HIDDEN = "hidden"
#: a view's plain data (a dict), or a pydantic record, read as its JSON dump (the facilitator's view of it)
Data = Any
#: how many causes of one figure a summary line names before it says how many more there were
MAX_CAUSES = 4
#: how many relations one line of the facilitator's summary lists
RELATIONS_A_LINE = 4
#: an order's outcome as one mark
OUTCOME_MARK = {"success": "✓", "failure": "✗", "fizzled": "–"}
#: bidirectional-text controls: they can make a line read differently from the bytes it holds
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
#: what `clean` turns into a space: line breaks of every kind (a terminal would start a new line) and tabs
_LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")
#: what `clean` replaces: C0 controls, DEL and C1 controls (Unicode's Cc, exactly), lone surrogates (Cs), the
#: line and paragraph separators, and the bidi controls
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(_BIDI)) + "]")
#: Markdown's inline metacharacters (CommonMark, GitHub's tables, strikethrough and math), escaped everywhere
_MD_SPECIAL = frozenset("\\`*_{}[]()!|~$^")
#: where a backslash goes when a text begins as a block would when it begins a line: before a heading's #, a
#: list item's - or +, a setext underline's = or -, or an ordered item's . or ) ("1. ")
_MD_BLOCK_START = re.compile(r"\s*(?=[#=+-])|\s*\d{1,9}(?=[.)](?:\s|$))")
#: what a spreadsheet reads as the start of a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: a cell that is a number, which a spreadsheet reads as one (never a formula)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def clean(text: Any) -> str:
    """Text from a scenario, a save or a player made safe for a terminal: one line, nothing it would obey.

    Control characters (escape sequences could move the cursor, recolour or
    retitle the terminal, write its clipboard, or hide what is printed after
    them: C0, DEL and C1, NUL included), bidi controls and lone surrogates
    are replaced by U+FFFD; line breaks of every kind and tabs become spaces,
    and a text's own leading and trailing line breaks go. The map's fonts
    (engine/ui/fonts.py) draw text by the same rule.
    """
    return _UNSAFE.sub(_replacement, str(text).strip("\n\r"))


def _replacement(m: re.Match[str]) -> str:
    return " " if m.group() in _LINE_BREAKS else "\ufffd"


def html_text(text: Any) -> str:
    """Text from a scenario, a script, a save or a player for HTML: what `clean` leaves, HTML-escaped (quotes too,
    so it is safe in an attribute as well as in an element)."""
    return html.escape(clean(text), quote=True)


def markdown_text(text: Any) -> str:
    """Text from a scenario, a script, a save or a player for Markdown: shown as written, never as markup.

    What `clean` leaves (one line, no control or bidi characters), with every
    Markdown metacharacter backslash-escaped (emphasis, code, links and images,
    tables, math, footnotes), then HTML-escaped (`<script>`, `<img onerror>`,
    autolinks and entities become text); a block marker at its start (a heading,
    a list item, a quote, a setext underline) is escaped too, wherever the text
    is put.
    """
    out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in clean(text))
    out = html.escape(out, quote=False)  # after the backslashes: `&lt;` must not become `&lt\;`
    start = _MD_BLOCK_START.match(out)
    if start:
        out = out[: start.end()] + "\\" + out[start.end():]
    return out


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit - 1` characters and "…" when it is longer (one place for every output's cap)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs as a formula (OWASP's CSV injection advice), and nothing a terminal obeys.

    Text goes through `clean` (one line, no control or bidi character: a
    `cat` of the file is safe too; log.json keeps the exact text), and text
    that then begins with = + - @, a tab or a carriage return (or the
    full-width = + - @) gets a leading single quote. Numbers, and text that is
    exactly a number ("-2.5"), are left as they are. A cell longer than
    CSV_CELL_MAX ends in "…" there: spreadsheets hold at most 32,767
    characters a cell, and Python's own csv reader refuses fields over 131,072.
    """
    if not isinstance(value, str):
        return value
    value = cut(clean(value), CSV_CELL_MAX)
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


#: the longest text a CSV cell is given (a spreadsheet's limit is 32,767 characters)
CSV_CELL_MAX = 32_000


def chart_text(text: Any, limit: int = 80) -> str:
    """Text from a scenario or a save for a matplotlib chart: drawn as written, never parsed as mathtext.

    What `clean` leaves, at most `limit` characters (a long name would make the
    chart's image enormous), with every `$` escaped: matplotlib then draws the
    text as it is, a literal `$` included. A leading `_` gets a space before it
    (matplotlib leaves a label that begins with one out of the legend).
    """
    out = cut(clean(text), limit)
    if out.startswith("_"):
        out = " " + out
    return out.replace("$", "\\$")


def signed(v: float) -> str:
    """A change as +1.5 or -2 (two decimals at most)."""
    return ("+" if v > 0 else "-") + _num(abs(float(v)))


def _num(v: float | None) -> str:
    if v is None:
        return HIDDEN
    return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def plain(x: Any) -> Any:
    """A pydantic record as the plain data of a view (a dict stays as it is)."""
    return x.model_dump(mode="json") if isinstance(x, BaseModel) else x


def decided_words(decided_by: str) -> str:
    """Who set an outcome other than the dice and the rules, as a tag (" [forced by the script]"), else ""."""
    if decided_by == "rules":
        return ""
    who = {"override": "override", "script": "forced by the script"}.get(decided_by, f"ruled by {clean(decided_by)}")
    return f" [{who}]"


class Renderer:
    def __init__(self, sc: Scenario):
        self.sc = sc
        # every name and label, made safe for a terminal once (`clean`); free texts are cleaned where printed
        self.names = {a.id: clean(a.name) for a in sc.actors}
        self.rung_names = {r.id: clean(r.name) for r in sc.ladder.rungs}
        self.var_labels = {k: clean(v.label) for k, v in sc.variables.items()}
        self.global_labels = {k: clean(v.label) for k, v in sc.globals.items()}
        self.alliance_names = {al.id: clean(al.name) for al in sc.alliances}

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
            why = f" ({clean(e['why'])})" if e.get("why") else ""
            return f"escalation score {_num(e['from'])} → {_num(e['to'])}{why}"
        if kind == "rung":
            arrow = "climbs" if self._rung_i(e["to"]) > self._rung_i(e["from"]) else "falls"
            return f"ladder {arrow} to '{self.rung_names[e['to']]}'"
        if kind == "agreement":
            ag = agreements.get(e["id"])
            name = ag["name"] if isinstance(ag, dict) else (ag.name if ag else e["id"])
            before = (e["from"] or "new").replace("_", " ")
            return f"{clean(name)}: {before} → {e['to'].replace('_', ' ')}"
        if kind == "commitment":
            al = self.alliance_names.get(e["alliance"], e["alliance"])
            return f"{self.name(e['actor'])}: commitment to {al} {clean(e['from'])} → {clean(e['to'])}"
        if kind in ("join", "leave"):
            al = self.alliance_names.get(e["alliance"], e["alliance"])
            return f"{self.name(e['actor'])} {'joins' if kind == 'join' else 'leaves'} {al}"
        if kind == "event":
            return f"event: {clean(e['name'])}"
        if kind == "note":
            return clean(e["text"])
        return clean(e)

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
            aim = " → " + clean(ag["name"] if isinstance(ag, dict) else ag.name if ag else o["agreement"])
        dice = ""
        if r.get("roll") is not None:
            dice = f"d100 {r['roll']} vs {resolution_chance(r) or '?%'}: "
        by = decided_words(r.get("decided_by", "rules"))
        head = f"  {self.name(o['actor']):<16} {clean(card.name)}{aim} — {dice}{r['outcome'].upper()}{by}"
        lines = [head]
        if r.get("decided_because"):
            lines.append(f"      ruling: {clean(r['decided_because'])}")
        if o.get("rationale"):
            lines.append(f"      why: {clean(o['rationale'])}")
        if r.get("reason"):
            lines.append(f"      {clean(r['reason'])}")
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
        out = [f"  ▶ {clean(ev['name'])}{private}{dice}{source}"]
        if ev.get("text"):
            out.append(f"    {clean(ev['text'].strip())}")
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
                out.append(f"  {self.name(act['actor']):<16} “{clean(act['argument'])}” — {dice}{f['outcome'].upper()}")
                out.extend(f"      · {self.effect(e, ags)}" for e in f.get("effects", []))
        if rec.get("events") or rec.get("notes"):
            out.append("Events and injects:")
            for ev in rec.get("events", []):
                out.extend(self.inject(ev, ags))
            for n in rec.get("notes", []):
                out.append(f"  · {clean(n)}")
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
            out.append(f"  {self.name(a.id):<16} " + " · ".join(bits))
        if target is not None:
            members = view.get("members") or {}
            pool = members.get(target.members_of, []) if target.members_of else self.sc.playable_ids
            values = [(view["vars"].get(a) or {}).get(target.var) for a in pool]
            n = sum(1 for v in values if v is not None and v >= target.at_least)
            unknown = sum(1 for v in values if v is None)
            whom = self.alliance_names.get(target.members_of, "") + " members" if target.members_of else "sides"
            more = f" ({unknown} hidden)" if unknown else ""
            out.append(f"  {clean(target.label)}: {n} of {len(pool)} {whom} meet it{more}")
        if view.get("globals"):
            out.append("  " + " · ".join(f"{self.global_labels.get(k, k)} {_num(v)}"
                                         for k, v in view["globals"].items()))
        out.append("Agreements:")
        for ag in view["agreements"].values():
            if ag["state"] in ("lapsed", "withdrawn") and rec is not None and ag.get("since_turn", 0) < rec["turn"]:
                continue
            out.append(f"  {clean(ag['name']):<58} {ag['state'].replace('_', ' ')}")
        for al, table in (view.get("commitments") or {}).items():
            shaky = {k: v for k, v in table.items() if v != "committed"}
            if shaky:
                out.append(f"  Commitment to {self.alliance_names.get(al, al)}: "
                           + ", ".join(f"{self.name(k)} {v}" for k, v in shaky.items()))
        return out

    # ------------------------------------------------------------- the turn's summary (engine/present/changes.py)
    def summary(self, tc: TurnChanges, view: Data, side: str | None) -> list[str]:
        """What changed in the turn, for `side` (None: the facilitator), from its `turn_changes`.

        A side's own figures and why they moved come first, then the shared
        figures and its relations, agreements and commitments that changed,
        the ladder, the news, and one line of orders per side. The
        facilitator's (or the room's) lists every side's figures, one line
        each, and ends with the situation table. `view` is the same audience's
        view after the turn (`Renderer.turn` gives the turn in full).
        """
        view = plain(view)
        out = [f"═══ Turn {tc.turn} · {tc.date[:7]} ═══════════════════════════════════════"]
        if side:
            out.append("Your figures, and why they changed:")
            mine = tc.of(side)
            out.extend(self._figure_line(f, side) for f in mine)
            if not mine:
                out.append("  (none of your figures moved)")
        else:
            out.extend(self._every_sides_figures(tc))
        if tc.globals:
            out.append("Shared figures:")
            out.extend(self._figure_line(f, side) for f in tc.globals)
        relations = [f for f in tc.relations if not side or side in f.between]
        if relations:
            if side:
                out.append("Your relations:")
                out.extend(self._figure_line(f, side) for f in relations)
            else:
                out.append("Relations:")
                out.extend("  " + " · ".join(self._moved(f) for f in relations[i:i + RELATIONS_A_LINE])
                           for i in range(0, len(relations), RELATIONS_A_LINE))
        out.extend(self._agreements(tc))
        out.append(self._rung_line(tc))
        out.extend(self._news(tc, side))
        out.extend(self._orders(tc, side))
        if not side:  # the table of every side's figures (its escalation line is the one above)
            out.extend(self.situation(view, view["log"][-1] if view.get("log") else None)[1:])
        return out

    def headline_summary(self, tc: TurnChanges) -> list[str]:
        """What changed, for a room's screen beside the map: the ladder, agreements and shared figures first
        (what the whole room discusses), then each side's figures and the orders; no situation table."""
        out = [self._rung_line(tc), *self._agreements(tc)]
        if tc.globals:
            out.append("Shared figures:")
            out.extend(self._figure_line(f, None) for f in tc.globals)
        out.extend(self._every_sides_figures(tc))
        if tc.relations:
            out.append("Relations:")
            out.extend("  " + self._moved(f) for f in tc.relations)
        out.extend(self._orders(tc, None))
        return out

    def _moved(self, f: FigureChange) -> str:
        return f"{clean(f.label)} {_num(f.old)} → {_num(f.new)} ({signed(f.delta)})"

    def _figure_line(self, f: FigureChange, side: str | None) -> str:
        causes = [self._cause(c, side) for c in f.causes[:MAX_CAUSES]]
        if len(f.causes) > MAX_CAUSES:
            causes.append(f"{len(f.causes) - MAX_CAUSES} more")
        return f"  {self._moved(f)}: " + "; ".join(causes)

    def _cause(self, c: Cause, side: str | None) -> str:
        """One cause in words: a side's own orders without its name, another's with it."""
        s = c.source
        who = "" if side and s.actor == side else f" ({self.name(s.actor)})"
        if s.kind == "order":
            text = f"{s.what}{who}"
        elif s.kind == "cost":
            text = f"paid for {s.what}{who}"
        elif s.kind == "free":
            text = f"argued {s.what}{who}"
        else:
            text = s.label
        return f"{clean(text)} {signed(c.delta)}"

    def _every_sides_figures(self, tc: TurnChanges) -> list[str]:
        out = ["Figures that changed:"]
        for a in self.sc.actors:
            moved = tc.of(a.id)
            if moved:
                out.append(f"  {self.name(a.id)}: " + " · ".join(self._moved(f) for f in moved))
        if len(out) == 1:
            out.append("  (none)")
        return out

    def _agreements(self, tc: TurnChanges) -> list[str]:
        out = []
        for ag in tc.agreements:
            how = "; ".join(dict.fromkeys(clean(st.source.label) for st in ag.steps if st.source.kind != "upkeep"))
            before = (ag.before or "new").replace("_", " ")
            out.append(f"  {clean(ag.name)}: {before} → {ag.after.replace('_', ' ')}" + (f" ({how})" if how else ""))
        for c in tc.commitments:
            al = clean(c.alliance_name)
            if c.before is None or c.after is None:
                out.append(f"  {self.name(c.actor)} {'joins' if c.before is None else 'leaves'} {al}")
            else:
                out.append(f"  {self.name(c.actor)}: commitment to {al} {c.before} → {c.after}")
        return ["Agreements and commitments that changed:", *out] if out else []

    def _rung_line(self, tc: TurnChanges) -> str:
        r = tc.rung
        score = f"score {_num(r.score_before)} → {_num(r.score_after)}"
        if r.changed:
            return (f"Escalation: {'climbs' if r.moved == 'up' else 'falls'} from {clean(r.before_name)} to "
                    f"{clean(r.after_name)} ({score})")
        return f"Escalation: still {clean(r.after_name)} ({score})"

    def _news(self, tc: TurnChanges, side: str | None) -> list[str]:
        out = []
        when = {"planning": " [during planning]", "after orders": "", "next turn": " [for next turn's planning]"}
        for n in tc.injects:
            to = ""
            if n.to is not None:
                to = " (to you only)" if side and list(n.to) == [side] else \
                    f" (to {', '.join(self.name(x) for x in n.to)} only)"
            text = f": {clean(n.text.strip())}" if n.text.strip() else ""
            out.append(f"  ▶ {clean(n.name)}{to}{when[n.delivered]}{text}")
        return ["News:", *out] if out else []

    def order_mark(self, o: OrderResult, mine: bool) -> str:
        """One resolved order in a few words: what, its mark, the dice; for one's own, why it fizzled."""
        dice = ""
        if o.roll is not None:
            dice = f" (d100 {o.roll} vs {chance_words(*o.chance) if o.chance else '?%'})"
        why = f" ({clean(o.reason)})" if mine and o.reason else ""
        return f"{clean(o.what)} {OUTCOME_MARK.get(o.outcome, o.outcome)}{dice}{why}{decided_words(o.decided_by)}"

    def _orders(self, tc: TurnChanges, side: str | None) -> list[str]:
        out = ["Orders (✓ succeeded, ✗ failed, – fizzled):"]
        sides = [a for a in self.sc.actors if a.playable]
        for a in sorted(sides, key=lambda a: a.id != side):  # one's own first
            mine = a.id == side
            orders = tc.orders_of(a.id)
            given = " · ".join(self.order_mark(o, mine) for o in orders) or "no orders"
            out.append(f"  {'You' if mine else self.name(a.id)}: {given}")
        return out

    def results(self, view: Data) -> list[str]:
        """The end of the game as `view` shows it: why it ended, the ladder, each side's objectives and points.

        Points are the sum of the objectives the view lists as met, which for an
        ended game is every side's result (the results are announced to all).
        """
        view = plain(view)
        out = ["═══ End of game ═══════════════════════════════════════"]
        out.append(f"Ended because {clean(view['end_reason'])}.")
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
            out.append(f"  {self.name(a.id)} — {score}/{total} points")
            for o in objs:
                out.append(f"    [{'x' if o.id in met else ' '}] {clean(o.description)} ({o.points})")
        return out
