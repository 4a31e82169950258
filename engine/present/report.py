"""The after-action review written to a folder: report.html, report.md, the charts as PNG, log.csv and log.json.

The HTML is self-contained (the charts are embedded as base64), so it can be
mailed or opened from a USB stick; the Markdown links the PNGs beside it, for
pasting into a wiki or a debrief note. Charts use matplotlib's Agg backend: no
display is ever needed.

A report is written for one audience and computed only from its views (see
`engine.analysis.review`): the room's by default, which holds no side's private
information and may be handed to every team; the facilitator's
(`audience=FACILITATOR`, `report --facilitator`), which holds everything; or
one side's (`report --side X`). Every file says which it is: the heading of
report.md and report.html, a stamp on each chart, a `version` field in
log.json and a `version` column in log.csv.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never a display: reports are written on servers and in tests
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from engine.analysis import review
from engine.analysis.review import Seen
from engine.exercise.debrief import exercise_review
from engine.exercise.script import Exercise
from engine.persistence import files
from engine.present import aar_report
from engine.present.palette import AGREEMENT, actor_colours, rgb_hex
from engine.present.render import Renderer, chart_text, csv_cell, html_text, markdown_text
from engine.rules.game import Game
from engine.rules.views import FACILITATOR, ROOM, resolution_chance
from engine.scenario.model import Scenario

#: lifecycle state -> (colour, line style, width): the colours are the map's (engine/present/palette.py)
AGREEMENT_STYLE = {state: (rgb_hex(AGREEMENT[state]), ls, w) for state, ls, w in (
    ("proposed", "--", 1.2), ("negotiating", "--", 1.6), ("signed", "-", 1.8), ("in_force", "-", 2.6),
    ("invoked", "-", 3.2), ("suspended", ":", 1.8), ("lapsed", ":", 1.0), ("withdrawn", ":", 1.0))}

_ENDED = {"lapsed", "withdrawn"}


@dataclass(frozen=True)
class Chart:
    name: str  # file stem
    title: str
    png: bytes


def label(sc: Scenario, audience: str | None) -> str:
    """What version of the review this is, in words: the first thing every file of it says."""
    if audience is FACILITATOR:
        return "Facilitator's report: contains every side's private information — do not hand to teams"
    if audience == ROOM:
        return "Room's report: no side's private information"
    name = sc.actor(audience).name
    return f"{name}'s report: {name}'s own view, with {name}'s private information — not for other teams"


def _stamp(s: Seen) -> str:
    """The short form of the label printed on each chart."""
    if s.audience is FACILITATOR:
        return "Facilitator's report — contains private information, not for teams"
    if s.audience == ROOM:
        return "Room's report — public information only"
    return f"{s.scenario.actor(s.audience).name}'s report — not for other teams"


def write_report(game: Game, out: Path, title: str = "", audience: str | None = ROOM,
                 exercise: Exercise | None = None, *, named: bool = True) -> Path:
    """Write the review of `game` for `audience` into `out` (created if needed) and return the path of report.html.

    Every file is written by the engine's rule (engine/persistence/files.py): atomically, only as a regular file, never
    through a symbolic link; an existing report's files in `out` are replaced. `named=False` (a folder the
    engine chose, not the user) also refuses `out` itself being a link. Raises engine.persistence.files.WriteError (an
    OSError) with one sentence: before anything is written if `out` cannot take the report, and otherwise after
    writing every file it could, naming those that failed.

    `audience`: `ROOM` (the default: public information only), `FACILITATOR`
    (None: everything) or a side's id (that side's view). With the `exercise`
    the game was played under, the report begins with its after-action review by
    learning objective (a side's report gets the room's version of it).
    """
    s = review.seen(game, audience)
    charts = make_charts(s)
    names = [f"{c.name}.png" for c in charts] + ["log.csv", "log.json", "report.md", "report.html"]
    files.prepare_folder(out, names, named=named)  # a pipe, a link or a file in the way: refused before writing
    batch = files.Batch(out)  # each file atomic; one failing, the others are still written (engine/persistence/files.py)
    for c in charts:
        batch.write(f"{c.name}.png", c.png)
    rows = review.log_rows(s)
    with io.StringIO(newline="") as f:
        w = csv.DictWriter(f, fieldnames=[*review.LOG_COLUMNS, "version"])
        w.writeheader()
        w.writerows({k: csv_cell(v) for k, v in {**r, "version": s.key}.items()} for r in rows)  # no formulas
        batch.write("log.csv", f.getvalue())
    data: dict[str, Any] = {"version": label(s.scenario, s.audience), "audience": s.key, "scenario": s.scenario.meta.id}
    if s.audience is FACILITATOR:
        # the seed, the orders as committed with the overrides and the control cell's acts: enough to replay
        data["seed"] = game.state.seed
        data["turns"] = [t.model_dump(mode="json") for t in game.turns]
    else:
        # what anyone may know of each turn's orders: those the log shows resolved, in resolution order
        data["turns"] = [_public_orders(rec) for rec in s.log]
    data["log"] = s.log
    data["rows"] = rows
    batch.write("log.json", json.dumps(data, ensure_ascii=False, indent=1))
    sections = _sections(s)
    heading = title or f"After-action review: {s.scenario.meta.title}"
    md, page = _markdown(heading, s, sections, charts), _html(heading, s, sections, charts)
    if exercise is not None:
        aar = exercise_review(exercise, game, FACILITATOR if audience is FACILITATOR else ROOM)
        first, _, rest = md.partition("\n## Charts")
        md = first + "\n".join(aar_report.markdown(aar)) + "\n## Charts" + rest
        first, _, rest = page.partition("<h2 id='charts'>")
        page = first + aar_report.html_section(aar) + "<h2 id='charts'>" + rest
    batch.write("report.md", md)
    path = out / "report.html"
    batch.write("report.html", page)
    batch.finish()  # one WriteError naming what failed and what was written, if anything failed
    return path


def _public_orders(rec: dict[str, Any]) -> dict[str, Any]:
    orders: dict[str, list[dict[str, Any]]] = {}
    for res in rec["resolutions"]:
        orders.setdefault(res["order"]["actor"], []).append(res["order"])
    return {"turn": rec["turn"], "orders": orders}


# ----------------------------------------------------------------------------- charts


def _png(fig: Figure, stamp: str = "") -> bytes:
    if stamp:
        fig.text(0.995, 0.003, chart_text(stamp, 120), fontsize=7, ha="right", va="bottom", color="#5d6b7e")
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    except (ValueError, TypeError, OverflowError):  # an extreme but valid figure can stretch the tight box past
        buf = io.BytesIO()                          # what a PNG can be: draw the figure at its own size instead
        fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _xaxis(ax: Any, labels: list[str]) -> None:
    step = max(1, math.ceil(len(labels) / 9))
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels([chart_text(t) for t in labels[::step]], rotation=30, ha="right", fontsize=8)
    ax.grid(True, alpha=0.3)


def make_charts(x_: Game | Seen) -> list[Chart]:
    """The review's charts, drawn only from the audience's views (a Game is read as the room's).

    Every text from the scenario or the save reaches matplotlib through `chart_text`: a `$` in a name is drawn as
    a `$`, never parsed as mathtext (which would fail on most text and take every chart with it).
    """
    s = x_ if isinstance(x_, Seen) else review.seen(x_, ROOM)
    sc = s.scenario
    stamp = _stamp(s)
    names = {a.id: chart_text(a.name) for a in sc.actors}
    side_colour = {a: rgb_hex(c) for a, c in actor_colours(sc).items()}  # each side as it is on the map
    labels = review.dates(s)
    x = list(range(len(labels)))
    charts = []

    esc = review.escalation(s).lines["escalation"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    rungs = sc.ladder.rungs
    top = max(max(esc), rungs[-1].threshold) * 1.05
    bottom = sc.ladder.min_score
    for i, r in enumerate(rungs):
        hi = rungs[i + 1].threshold if i + 1 < len(rungs) else top
        if r.threshold < top and hi > bottom:  # only the rungs the score can stand on, labelled inside the chart
            low = max(r.threshold, bottom)
            ax.axhspan(low, min(hi, top), color=plt.cm.Reds(0.08 + 0.12 * i), alpha=0.6, lw=0)
            ax.text(len(x) - 0.6, low, chart_text(r.name), fontsize=7, va="bottom", ha="right", color="#5a1f1f",
                    clip_on=True)
    ax.plot(x, esc, marker="o", color="#8b1a1a", lw=2)
    ax.set_ylim(bottom, top)
    ax.set_title("Escalation score and the ladder's rungs")
    _xaxis(ax, labels)
    charts.append(Chart("escalation", "Escalation", _png(fig, stamp)))

    spend = review.spending(s)
    target = sc.meta.spending_target
    if spend is not None and target is not None and spend.lines:
        fig, ax = plt.subplots(figsize=(8, 4.2))
        # the sides the target applies to (e.g. an alliance's members); the others would dwarf the line
        pool = set((s.final.get("members") or {}).get(target.members_of, [])) if target.members_of \
            else set(spend.lines)
        for side, values in spend.lines.items():
            if side in pool:
                ax.plot(x, values, marker=".", lw=1.6, color=side_colour[side], label=names[side])
        ax.axhline(target.at_least, color="black", ls="--", lw=1.2, label=chart_text(target.label))
        ax.set_ylim(bottom=0)
        ax.set_ylabel(chart_text(f"{spend.label} ({spend.unit})" if spend.unit else spend.label))
        ax.set_title(chart_text(f"{spend.label} against {target.label}", 120))
        ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1))
        _xaxis(ax, labels)
        charts.append(Chart("spending", "Defence spending", _png(fig, stamp)))

    figures = review.actor_variables(s)
    if figures:
        cols = 2
        rows = math.ceil(len(figures) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(10, 2.8 * rows), squeeze=False)
        for ax, series in zip(axes.flat, figures, strict=False):
            for side, values in series.lines.items():
                ax.plot(x, values, lw=1.4, color=side_colour[side], label=names[side])
            ax.set_title(chart_text(f"{series.label} ({series.unit})" if series.unit else series.label), fontsize=10)
            ax.legend(fontsize=6, ncol=2)
            _xaxis(ax, labels)
        for ax in list(axes.flat)[len(figures):]:
            ax.axis("off")
        fig.tight_layout()
        charts.append(Chart("figures", "Aid and the sides' figures", _png(fig, stamp)))

    glob = review.global_variables(s)
    if glob is not None:
        fig, ax = plt.subplots(figsize=(8, 3.8))
        for name, values in glob.lines.items():
            ax.plot(x, values, marker=".", lw=1.6, label=chart_text(name))
        ax.set_title("Shared figures")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        _xaxis(ax, labels)
        charts.append(Chart("globals", "Shared figures", _png(fig, stamp)))

    first, last = s.views[0], s.final
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    for ax, view, when in ((axes[0], first, "At the start"), (axes[1], last, "At the end")):
        _network(ax, sc, review.agreements_at(view), when)
    handles = [plt.Line2D([], [], color=c, ls=ls, lw=w, label=k.replace("_", " "))
               for k, (c, ls, w) in AGREEMENT_STYLE.items() if k not in _ENDED]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.04))
    charts.append(Chart("agreements", "The agreement network", _png(fig, stamp)))
    return charts


def _network(ax: Any, sc: Any, agreements: list[dict[str, Any]], when: str) -> None:
    """Actors on a circle, an agreement as lines between its parties (a hub-and-spoke star for three or more)."""
    actors = list(sc.actors)
    colours = {a: rgb_hex(c) for a, c in actor_colours(sc).items()}  # as on the map
    n = len(actors)
    pos = {a.id: (math.cos(math.pi / 2 - 2 * math.pi * i / n), math.sin(math.pi / 2 - 2 * math.pi * i / n))
           for i, a in enumerate(actors)}
    seen: dict[tuple[str, str], int] = {}
    ended = [ag for ag in agreements if ag["state"] in _ENDED]
    agreements = [ag for ag in agreements if ag["state"] not in _ENDED]
    for ag in agreements:
        colour, ls, w = AGREEMENT_STYLE.get(ag["state"], ("#999999", ":", 1.0))
        parties = [p for p in ag["parties"] if p in pos]
        pairs = [(parties[0], p) for p in parties[1:]]
        for a, b in pairs:
            k = seen.get(tuple(sorted((a, b))), 0)
            seen[tuple(sorted((a, b)))] = k + 1
            (x1, y1), (x2, y2) = pos[a], pos[b]
            bend = 0.12 * k * (-1) ** k  # parallel agreements between one pair fan out
            mx, my = (x1 + x2) / 2 - bend * (y2 - y1), (y1 + y2) / 2 + bend * (x2 - x1)
            ax.plot([x1, mx, x2], [y1, my, y2], color=colour, ls=ls, lw=w, alpha=0.85, zorder=1)
    for a in actors:
        px, py = pos[a.id]
        ax.scatter([px], [py], s=160, color=colours[a.id], edgecolors="#1c2430" if a.playable else "none", zorder=2)
        ax.text(px * 1.2, py * 1.2 - 0.02, chart_text(a.name, 40), fontsize=8, ha="center", va="center", zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    live = sum(1 for ag in agreements if ag["state"] in ("in_force", "invoked"))
    gone = f"; {len(ended)} lapsed or withdrawn (not drawn)" if ended else ""
    ax.set_title(f"{when}: {live} in force, {len(agreements) - live} other{gone}", fontsize=10)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")


# ----------------------------------------------------------------------------- text


def _sections(s: Seen) -> dict[str, Any]:
    """Everything the HTML and the Markdown show, as plain text rows, so both say the same (all from `s`'s views)."""
    sc = s.scenario
    final = s.final
    r = Renderer(sc)
    names = {a.id: a.name for a in sc.actors}
    rungs = {x.id: x.name for x in sc.ladder.rungs}
    ags = final["agreements"]
    timeline = []
    for rec in s.log:
        items = []
        for res in rec["resolutions"]:
            o = res["order"]
            aim = ""
            if o.get("targets"):
                aim = " → " + ", ".join(names.get(t, t) for t in o["targets"])
            elif o.get("agreement"):
                aim = " → " + ags.get(o["agreement"], {}).get("name", o["agreement"])
            dice = (f"; d100 {res['roll']} against {resolution_chance(res) or '?%'}"
                    if res.get("roll") is not None else "")
            forced = "; outcome set by the facilitator" if res.get("decided_by") == "override" else ""
            why = f" ({res['reason']})" if res.get("reason") else ""
            effects = "; ".join(r.effect(e, ags) for e in res["effects"] if e.get("kind") != "cost")
            items.append({"kind": "order", "who": names.get(o["actor"], o["actor"]),
                          "what": f"{sc.card(o['card']).name}{aim}", "outcome": f"{res['outcome']}{why}{dice}{forced}",
                          "effects": effects, "rationale": o.get("rationale") or ""})
        for ev in rec["events"]:
            dice = (f"; d100 {ev['roll']} against {resolution_chance(ev) or '?%'}"
                    if ev.get("roll") is not None else "")
            private = f" (private to {', '.join(names.get(t, t) for t in ev['to'])})" if ev.get("to") else ""
            items.append({"kind": "inject", "who": "Inject", "what": f"{ev['name']}{private}",
                          "outcome": f"fired{dice}", "effects": "; ".join(r.effect(e, ags) for e in ev["effects"]),
                          "rationale": ""})
        for note in rec.get("notes") or []:
            items.append({"kind": "note", "who": "", "what": note, "outcome": "", "effects": "", "rationale": ""})
        timeline.append({"turn": rec["turn"], "date": f"{sc.turn_date(rec['turn']):%B %Y}",
                         "rung": f"{rungs[rec['rung_before']]} → {rungs[rec['rung_after']]}"
                         if rec["rung_before"] != rec["rung_after"] else rungs[rec["rung_after"]],
                         "score": f"{rec['escalation_before']:g} → {rec['escalation_after']:g}",
                         "overrides": review.overrides(rec), "items": items})
    objectives = [{"side": names.get(o.actor, o.actor), "objective": o.description, "points": o.points,
                   "met": o.met} for o in review.objectives(s)]
    scores = review.scores(s)
    decisive = []
    for d in review.decisions(s):
        o = d.resolution["order"]
        decisive.append({"turn": d.turn, "date": d.date, "who": names.get(o["actor"], o["actor"]),
                         "what": sc.card(o["card"]).name + (" → " + ", ".join(names.get(t, t) for t in o["targets"])
                                                            if o.get("targets") else ""),
                         "outcome": d.resolution["outcome"], "weight": d.weight,
                         "effects": "; ".join(r.effect(e, ags) for e in d.moves[:4])
                         + (f"; and {len(d.moves) - 4} more" if len(d.moves) > 4 else ""),
                         "rationale": o.get("rationale") or ""})
    log = s.log
    seed = f"Seed {final['seed']}. " if final.get("seed") is not None else ""
    summary = (f"{seed}{len(log)} turns played"
               + (f"; the game ended because {final['end_reason']}." if final.get("ended")
                  else "; the game is not over.")
               + f" Escalation ended at {rungs[final['rung']]} (peak: {rungs[final['peak_rung']]}). "
               f"{sum(len(t['resolutions']) for t in log)} orders, {sum(len(t['events']) for t in log)} "
               f"injects, {sum(review.overrides(t) for t in log)} facilitator overrides.")
    return {"label": label(sc, s.audience), "summary": summary, "timeline": timeline, "objectives": objectives,
            "decisions": decisive,
            "scores": None if scores is None else
            [(names.get(a, a), p) for a, p in scores.items() if a in sc.playable_ids]}


def _met_words(met: bool | None) -> str:
    return "open (judged at the end)" if met is None else ("yes" if met else "no")


def _points(s: dict[str, Any]) -> str:
    if s["scores"] is None:
        return "Points: counted when the game ends."
    return "Points: " + ", ".join(f"{n} {p}" for n, p in s["scores"])


def _markdown(heading: str, seen: Seen, s: dict[str, Any], charts: list[Chart]) -> str:
    """report.md: every text from the scenario, the script or the save through `markdown_text` (shown, never run)."""
    md = markdown_text
    out = [f"# {md(heading)}", "", f"**{md(s['label'])}.**", "", md(s["summary"]), ""]
    out += ["## Charts", ""] + [f"![{md(c.title)}]({c.name}.png)" for c in charts] + [""]
    out += ["## Objectives", "", "| side | objective | points | met |", "|---|---|---|---|"]
    out += [f"| {md(o['side'])} | {md(o['objective'])} | {md(o['points'])} | {_met_words(o['met'])} |"
            for o in s["objectives"]]
    out += ["", md(_points(s)), ""]
    out += ["## Decisions that moved the game most", "",
            "Weight: the sum of the changes an order caused, each as a share of its figure's range "
            "(a ladder step or an agreement's change of state counts 0.1).", "",
            "| turn | side | order | outcome | weight | what it changed |", "|---|---|---|---|---|---|"]
    out += [f"| {d['turn']} ({md(d['date'])}) | {md(d['who'])} | {md(d['what'])} | {md(d['outcome'])} | "
            f"{d['weight']:.2f} | {md(d['effects'])} |" for d in s["decisions"]]
    out += ["", "## Timeline", ""]
    for t in s["timeline"]:
        out += [f"### Turn {t['turn']}, {md(t['date'])}: {md(t['rung'])} (score {md(t['score'])})", ""]
        for it in t["items"]:
            line = f"- **{md(it['who'])}**: {md(it['what'])}" if it["who"] else f"- {md(it['what'])}"
            if it["outcome"]:
                line += f": {md(it['outcome'])}"
            if it["effects"]:
                line += f". {md(it['effects'])}"
            if it["rationale"]:
                line += f" _(why: {md(it['rationale'])})_"
            out.append(line)
        out.append("")
    out += ["The full log is in `log.csv` and `log.json`.", ""]
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1c2430;line-height:1.45}
h1{font-size:1.6em;border-bottom:3px solid #1f3b63;padding-bottom:.3em}
h2{margin-top:1.8em;color:#1f3b63}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.6em 0}
th,td{border-bottom:1px solid #d9dee6;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef1f6}
.met{color:#2e7d32;font-weight:600}.unmet{color:#b23b3b}
.chart{margin:1em 0;text-align:center}.chart img{max-width:100%;border:1px solid #d9dee6}
.turn{margin:1em 0;padding:.5em .8em;border-left:4px solid #1f3b63;background:#f7f8fb}
.turn h3{margin:.2em 0 .4em;font-size:1.05em}
.inject{color:#8a4b0f}.why{color:#5d6b7e;font-style:italic}.muted{color:#5d6b7e}
.version{font-weight:600;padding:.4em .7em;border-left:4px solid #2e7d32;background:#eef6ef}
.version.secret{border-left-color:#b23b3b;background:#fbeeee;color:#7a1f1f}
"""


def _html(heading: str, seen: Seen, s: dict[str, Any], charts: list[Chart]) -> str:
    """report.html: every text from the scenario, the script or the save through `html_text` (escaped, quotes too)."""
    e = html_text
    cls = "version" if seen.audience == ROOM else "version secret"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(heading)}</title>"
             f"<style>{_CSS}</style></head><body>", f"<h1>{e(heading)}</h1>",
             f"<p class='{cls}' id='version'>{e(s['label'])}.</p>", f"<p>{e(s['summary'])}</p>"]
    parts.append("<h2 id='charts'>Charts</h2>")
    for c in charts:
        data = base64.b64encode(c.png).decode("ascii")
        parts.append(f"<div class='chart'><img alt='{e(c.title)}' src='data:image/png;base64,{data}'></div>")
    parts.append("<h2 id='objectives'>Objectives</h2><table><tr><th>side</th><th>objective</th><th>points</th>"
                 "<th>met</th></tr>")
    for o in s["objectives"]:
        cls, word = (("muted", "open (judged at the end)") if o["met"] is None
                     else ("met", "✓ met") if o["met"] else ("unmet", "× not met"))
        parts.append(f"<tr><td>{e(o['side'])}</td><td>{e(o['objective'])}</td><td>{o['points']}</td>"
                     f"<td class='{cls}'>{word}</td></tr>")
    parts.append("</table><p>" + e(_points(s)) + "</p>")
    parts.append("<h2 id='decisions'>Decisions that moved the game most</h2><p class='muted'>Weight: the sum of "
                 "the changes an order caused, each as a share of its figure's range (a ladder step or an "
                 "agreement's change of state counts 0.1).</p><table><tr><th>turn</th><th>side</th><th>order</th>"
                 "<th>outcome</th><th>weight</th><th>what it changed</th></tr>")
    for d in s["decisions"]:
        why = f"<br><span class='why'>{e(d['rationale'])}</span>" if d["rationale"] else ""
        parts.append(f"<tr><td>{d['turn']} ({e(d['date'])})</td><td>{e(d['who'])}</td><td>{e(d['what'])}{why}</td>"
                     f"<td>{e(d['outcome'])}</td><td>{d['weight']:.2f}</td><td>{e(d['effects'])}</td></tr>")
    parts.append("</table><h2 id='timeline'>Timeline</h2>")
    for t in s["timeline"]:
        extra = f" · {t['overrides']} override(s)" if t["overrides"] else ""
        parts.append(f"<div class='turn'><h3>Turn {t['turn']}, {e(t['date'])} · {e(t['rung'])} "
                     f"<span class='muted'>(score {e(t['score'])}){extra}</span></h3><ul>")
        for it in t["items"]:
            cls = " class='inject'" if it["kind"] == "inject" else (" class='muted'" if it["kind"] == "note" else "")
            who = f"<b>{e(it['who'])}</b>: " if it["who"] else ""
            body = e(it["what"]) + (f": {e(it['outcome'])}" if it["outcome"] else "")
            body += f". {e(it['effects'])}" if it["effects"] else ""
            body += f" <span class='why'>(why: {e(it['rationale'])})</span>" if it["rationale"] else ""
            parts.append(f"<li{cls}>{who}{body}</li>")
        parts.append("</ul></div>")
    parts.append("<p class='muted'>The full log is in <code>log.csv</code> and <code>log.json</code>.</p>"
                 "</body></html>")
    return "\n".join(parts)
