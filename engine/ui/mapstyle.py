"""What the map shows for a side's view of the game, as plain data (no pygame).

The colours themselves are in engine/present/palette.py, shared with the report's charts.

Kept apart from drawing so that what a team sees can be tested directly, and
so that the map layer is redrawn only when this data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.present.palette import AGREEMENT, COMMITMENT, HIDDEN, NEUTRAL, OUTSIDE, RGB, SPENDING, actor_colours
from engine.scenario.model import Scenario

MODES = ("sides", "commitment", "spending")
MODE_TITLES = {"sides": "Sides", "commitment": "Alliance commitment", "spending": "Defence spending"}


def mode_title(sc: Scenario, mode: str) -> str:
    if mode == "commitment" and sc.alliances:
        return f"Commitment to {sc.alliances[0].name.split(' (')[0]}"
    if mode == "spending" and sc.meta.spending_target:
        return sc.meta.spending_target.label
    return MODE_TITLES[mode]


#: agreement state -> (colour, width, dashed); the colours are the report's too
LINK_STYLE: dict[str, tuple[RGB, int, bool]] = {
    state: (AGREEMENT[state], width, dashed) for state, width, dashed in (
        ("proposed", 1, True), ("negotiating", 2, True), ("signed", 2, False), ("in_force", 3, False),
        ("invoked", 4, False), ("suspended", 2, True))
}

#: the land of countries no actor holds, named in every key
NOT_IN_GAME = "not in the game"


def territory_owner(sc: Scenario) -> dict[str, str]:
    """ISO-2 code -> actor id (the first actor that claims it)."""
    out: dict[str, str] = {}
    for a in sc.actors:
        for code in a.territory:
            out.setdefault(code, a.id)
    return out


def main_alliance(sc: Scenario) -> str | None:
    return sc.alliances[0].id if sc.alliances else None


def mode_keys(sc: Scenario, mode: str) -> dict[str, RGB]:
    """Every state this map mode can show an actor in, with its colour: the one table the map fills from
    and the key is read from, so the key can never name a colour the map does not draw."""
    if mode == "commitment" and sc.alliances:
        return {**{k.replace("_", " "): c for k, c in COMMITMENT.items()}, "not a member": OUTSIDE}
    target = sc.meta.spending_target
    if mode == "spending" and target is not None:
        at, near = target.at_least, target.at_least - 0.5  # the key's title names the target
        keys = {f"{at:g} or more": SPENDING["meets"], f"{near:g} to {at:g}": SPENDING["close"],
                f"below {near:g}": SPENDING["below"]}
        if sc.variables[target.var].private:
            keys["hidden from you"] = HIDDEN
        if any(a.territory and not a.playable for a in sc.actors):
            keys["not a side"] = OUTSIDE
        return keys
    colours = actor_colours(sc)
    return {a.name: colours[a.id] for a in sc.actors if a.territory}


def actor_states(sc: Scenario, view: dict[str, Any], mode: str) -> dict[str, str]:
    """Each actor's state in this map mode: a key of `mode_keys`."""
    names = list(mode_keys(sc, mode))
    if mode == "commitment" and sc.alliances:
        table = view["commitments"].get(main_alliance(sc), {})
        return {a.id: table[a.id].replace("_", " ") if table.get(a.id) in COMMITMENT else "not a member"
                for a in sc.actors}
    target = sc.meta.spending_target
    if mode == "spending" and target is not None:
        meets, close, below = names[:3]
        out = {}
        for a in sc.actors:
            v = view["vars"][a.id].get(target.var)
            if not a.playable:
                out[a.id] = "not a side"
            elif v is None:
                out[a.id] = "hidden from you"
            else:
                out[a.id] = meets if v >= target.at_least else close if v >= target.at_least - 0.5 else below
        return out
    return {a.id: a.name for a in sc.actors}


def actor_fill(sc: Scenario, view: dict[str, Any], mode: str) -> dict[str, RGB]:
    """The colour of each actor's territory in this map mode: its state's colour in the key."""
    keys = mode_keys(sc, mode)
    return {a: keys.get(state, OUTSIDE) for a, state in actor_states(sc, view, mode).items()}


def legend(sc: Scenario, mode: str) -> list[tuple[str, RGB]]:
    """The map's key: every state of `mode_keys`, and the land of countries outside the scenario."""
    return [*mode_keys(sc, mode).items(), (NOT_IN_GAME, NEUTRAL)]


@dataclass(frozen=True)
class Link:
    agreement: str
    name: str
    state: str
    a: str
    b: str


def agreement_links(sc: Scenario, view: dict[str, Any]) -> list[Link]:
    """One line per pair of parties for bilateral agreements; a star from the first party otherwise."""
    with_capital = {a.id for a in sc.actors if a.capital is not None}
    out = []
    for aid, ag in view["agreements"].items():
        if ag["state"] not in LINK_STYLE:
            continue
        parties = [p for p in ag["parties"] if p in with_capital]
        for other in parties[1:]:
            out.append(Link(aid, ag["name"], ag["state"], parties[0], other))
    return out
