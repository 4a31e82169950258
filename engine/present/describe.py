"""Cards in words for people (the order panel, the terminal): cost, chance, conditions and expected effects."""

from __future__ import annotations

from typing import assert_never

from engine.rules.turn import Rules
from engine.scenario import model as S
from engine.scenario.language import describe as describe_condition


def _who(sc: S.Scenario, ref: str) -> str:
    names = {a.id: a.name for a in sc.actors}
    if ref == "self":
        return "you"
    if ref in ("target", "targets"):
        return "the target"
    if ref == "parties":
        return "the parties"
    if ref == "*":
        return "everyone"
    if ref.startswith("@"):
        al = next((a.name for a in sc.alliances if a.id == ref[1:]), ref[1:])
        return f"every member of {al}"
    return names.get(ref, ref)


def _var(sc: S.Scenario, ref: str) -> str:
    who, name = ref.split(".", 1)
    if who == "global":
        return sc.globals[name].label
    return f"{sc.variables[name].label} ({_who(sc, who)})"


def _amount(sc: S.Scenario, a: float | S.Scaled, signed: bool = True) -> str:
    if isinstance(a, (int, float)):
        return f"{a:+g}" if signed else f"{a:g}"
    extra = f" {a.plus:+g}" if a.plus else ""
    return f"{a.times:g} × {_var(sc, a.var)}{extra}"


def effect_text(sc: S.Scenario, e: S.Effect) -> str:
    if isinstance(e, S.ChangeEffect):
        return f"{_var(sc, e.change)} {_amount(sc, e.by)}"
    if isinstance(e, S.SetEffect):
        return f"{_var(sc, e.set)} set to {_amount(sc, e.to, False)}"
    if isinstance(e, S.RelationEffect):
        label = sc.relation_variables[e.relation].label
        return f"{label} {_who(sc, e.between[0])}–{_who(sc, e.between[1])} {_amount(sc, e.by)}"
    if isinstance(e, S.EscalateEffect):
        return f"escalation {_amount(sc, e.escalate)}"
    if isinstance(e, S.AgreementEffect):
        what = "the agreement"
        if e.type:
            t = next((t.name for t in sc.agreement_types if t.id == e.type), e.type)
            what = f"{t} with " + ", ".join(_who(sc, p) for p in e.parties or [] if p != "self")
        elif e.id:
            what = next((a.name for a in sc.agreements if a.id == e.id), e.id)
        return f"{e.agreement} {what}"
    if isinstance(e, S.CommitmentEffect):
        al = next((a.name for a in sc.alliances if a.id == e.alliance), e.alliance)
        return f"{_who(sc, e.actor)}: commitment to {al}: {e.commitment.replace('_', ' ')}"
    if isinstance(e, S.MemberEffect):
        return f"{_who(sc, e.actor)} {'joins' if e.join else 'leaves'} {e.join or e.leave}"
    if isinstance(e, S.FireEffect):
        return f"triggers: {next((x.name for x in sc.events if x.id == e.fire), e.fire)}"
    if isinstance(e, S.NoteEffect):
        return e.note
    assert_never(e)


def card_lines(rules: Rules, card: S.Card) -> list[tuple[str, str]]:
    """(heading, text) pairs for a card's detail view."""
    sc = rules.sc
    out: list[tuple[str, str]] = []
    if card.text:
        out.append(("", card.text.strip()))
    cost = ", ".join(f"{v:g} {sc.variables[k].label}" for k, v in card.cost.items()) or "free"
    out.append(("Cost", cost))
    if isinstance(card.chance, S.Chance):
        mods = "; ".join(f"{m.add:+.0%} if {m.why or 'conditions hold'}" for m in card.chance.modifiers)
        out.append(("Chance", f"{card.chance.base:.0%}" + (f" ({mods})" if mods else "")))
    elif card.chance < 1:
        out.append(("Chance", f"{card.chance:.0%}"))
    for c in card.conditions:
        out.append(("Needs", describe_condition(rules.t, c)))
    if card.target is not None:
        for c in card.target.where:
            out.append(("Target", describe_condition(rules.t, c)))
    for e in card.effects:
        out.append(("Effect", effect_text(sc, e)))
    for e in card.on_failure:
        out.append(("If it fails", effect_text(sc, e)))
    return out
