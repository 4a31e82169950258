"""The exercise part of a report: the after-action review by learning objective, as Markdown and HTML.

The figures come from `engine.exercise.debrief.exercise_review` (already cut to the
report's audience); this only lays them out. Every text from the script or the
control cell is escaped for the format it goes into.
"""

from __future__ import annotations

from engine.exercise.debrief import ExerciseReview, InjectReview, Observation
from engine.present.render import html_text, markdown_text

_MODE = {"rigid": "rigid (the cards and dice decide)",
         "semi_rigid": "semi-rigid (the rules propose, the facilitator confirms or overrules)",
         "free": "free (teams may also argue actions not on their cards)"}


_md = markdown_text


def _when(inj: InjectReview) -> str:
    return f"turn {inj.turn}" if inj.turn is not None else "not delivered"


def _obs(o: Observation) -> str:
    return f"turn {o.turn}: {o.text}"


def markdown(r: ExerciseReview) -> list[str]:
    out = [f"## Exercise: {_md(r.title)}", "", _md(r.summary), "",
           f"Adjudication: {_md(_MODE.get(r.adjudication, r.adjudication))}.", "", "| team | plays |", "|---|---|"]
    out += [f"| {_md(name)} | {_md(plays)} |" for name, plays in r.teams]
    out += ["", f"The script and bots played {_md(r.others)}.", "", "## Learning objectives", ""]
    for i, lo in enumerate(r.objectives, 1):
        out += [f"### {i}. {_md(lo.text)}", ""]
        if not lo.injects:
            out += ["_No inject served this objective._", ""]
        for inj in lo.injects:
            out.append(f"- **{_md(inj.title)}** ({_when(inj)}, to {_md(inj.to)}"
                       + (f", by {_md(inj.channel)}" if inj.channel else "") + ")")
            if inj.expected_action:
                out.append(f"  - expected: {_md(inj.expected_action)}")
            for a in inj.responses:
                out.append(f"  - {_md(a.team)} ({_md(a.actor)}): {_md(a.what)}: {_md(a.outcome)}")
        for ruling in lo.rulings:
            out.append(f"- ruling: {_md(ruling)}")
        for o in lo.observations:
            out.append(f"- observed, {_md(_obs(o))}")
        out.append("")
    if r.general:
        out += ["### Observations on the exercise as a whole", ""] + [f"- {_md(_obs(o))}" for o in r.general] + [""]
    if r.pauses:
        out += ["## Discussion pauses", ""]
        for after, title, prompts, held in r.pauses:
            out.append(f"- after turn {after}: **{_md(title)}**" + ("" if held else " (not reached)"))
            out += [f"  - {_md(p)}" for p in prompts]
        out.append("")
    if r.control_log:
        out += ["## Control log", ""] + [f"- {_md(line)}" for line in r.control_log] + [""]
    return out


def html_section(r: ExerciseReview) -> str:
    e = html_text
    parts = [f"<h2 id='exercise'>Exercise: {e(r.title)}</h2><p>{e(r.summary)}</p>",
             f"<p class='muted'>Adjudication: {e(_MODE.get(r.adjudication, r.adjudication))}.</p>",
             "<table><tr><th>team</th><th>plays</th></tr>"]
    parts += [f"<tr><td>{e(name)}</td><td>{e(plays)}</td></tr>" for name, plays in r.teams]
    parts.append(f"</table><p class='muted'>The script and bots played {e(r.others)}.</p>")
    parts.append("<h2 id='learning-objectives'>Learning objectives</h2>")
    for i, lo in enumerate(r.objectives, 1):
        parts.append(f"<div class='turn'><h3>{i}. {e(lo.text)}</h3><ul>")
        if not lo.injects:
            parts.append("<li class='muted'>No inject served this objective.</li>")
        for inj in lo.injects:
            via = f", by {e(inj.channel)}" if inj.channel else ""
            parts.append(f"<li class='inject'><b>{e(inj.title)}</b> ({e(_when(inj))}, to {e(inj.to)}{via})<ul>")
            if inj.expected_action:
                parts.append(f"<li><i>expected:</i> {e(inj.expected_action)}</li>")
            parts += [f"<li>{e(a.team)} ({e(a.actor)}): {e(a.what)}: {e(a.outcome)}</li>" for a in inj.responses]
            parts.append("</ul></li>")
        parts += [f"<li class='why'>ruling: {e(x)}</li>" for x in lo.rulings]
        parts += [f"<li><b>observed</b>, {e(_obs(o))}</li>" for o in lo.observations]
        parts.append("</ul></div>")
    if r.general:
        parts.append("<h3>Observations on the exercise as a whole</h3><ul>"
                     + "".join(f"<li>{e(_obs(o))}</li>" for o in r.general) + "</ul>")
    if r.pauses:
        parts.append("<h2 id='pauses'>Discussion pauses</h2><ul>")
        for after, title, prompts, held in r.pauses:
            note = "" if held else " <span class='muted'>(not reached)</span>"
            parts.append(f"<li>after turn {after}: <b>{e(title)}</b>{note}<ul>"
                         + "".join(f"<li>{e(p)}</li>" for p in prompts) + "</ul></li>")
        parts.append("</ul>")
    if r.control_log:
        parts.append("<h2 id='control-log'>Control log</h2><ul>"
                     + "".join(f"<li>{e(x)}</li>" for x in r.control_log) + "</ul>")
    return "\n".join(parts)
