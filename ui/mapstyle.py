"""What the map shows for a side's view of the game, as plain data (no pygame).

Kept apart from drawing so that what a team sees can be tested directly, and
so that the map layer is redrawn only when this data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.scenario import Scenario

RGB = tuple[int, int, int]

MODES = ("sides", "commitment", "spending")
MODE_TITLES = {"sides": "Sides", "commitment": "Alliance commitment", "spending": "Defence spending"}


def mode_title(sc: Scenario, mode: str) -> str:
    if mode == "commitment" and sc.alliances:
        return f"Commitment to {sc.alliances[0].name.split(' (')[0]}"
    if mode == "spending" and sc.meta.spending_target:
        return sc.meta.spending_target.label
    return MODE_TITLES[mode]

PALETTE: list[RGB] = [
    (86, 126, 186), (198, 92, 84), (227, 178, 60), (94, 160, 110), (150, 110, 180), (218, 128, 62),
    (84, 170, 176), (176, 136, 96), (204, 120, 160), (120, 140, 80), (110, 110, 160), (160, 160, 90),
]
NEUTRAL: RGB = (206, 204, 196)
SEA: RGB = (168, 196, 216)
COMMITMENT: dict[str, RGB] = {
    "committed": (66, 120, 190), "conditional": (232, 182, 64), "withdrawing": (226, 122, 52),
    "withdrawn": (184, 60, 56),
}
OUTSIDE: RGB = (150, 150, 150)
SPENDING = {"meets": (72, 160, 92), "close": (230, 186, 70), "below": (196, 76, 64)}

#: agreement state -> (colour, width, dashed)
LINK_STYLE: dict[str, tuple[RGB, int, bool]] = {
    "proposed": ((110, 110, 110), 1, True),
    "negotiating": ((50, 100, 190), 2, True),
    "signed": ((40, 90, 170), 2, False),
    "in_force": ((25, 125, 65), 3, False),
    "invoked": ((200, 35, 35), 4, False),
    "suspended": ((220, 140, 40), 2, True),
}


def hex_rgb(text: str) -> RGB:
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def actor_colours(sc: Scenario) -> dict[str, RGB]:
    return {a.id: hex_rgb(a.color) if a.color else PALETTE[i % len(PALETTE)] for i, a in enumerate(sc.actors)}


def dim(c: RGB, f: float = 0.55) -> RGB:
    return tuple(int(v * f + 200 * (1 - f)) for v in c)  # type: ignore[return-value]


def territory_owner(sc: Scenario) -> dict[str, str]:
    """ISO-2 code -> actor id (the first actor that claims it)."""
    out: dict[str, str] = {}
    for a in sc.actors:
        for code in a.territory:
            out.setdefault(code, a.id)
    return out


def main_alliance(sc: Scenario) -> str | None:
    return sc.alliances[0].id if sc.alliances else None


def actor_fill(sc: Scenario, view: dict[str, Any], mode: str) -> dict[str, RGB]:
    """The colour of each actor's territory in this map mode."""
    base = actor_colours(sc)
    if mode == "commitment" and sc.alliances:
        al = main_alliance(sc)
        table = view["commitments"].get(al, {})
        return {a: COMMITMENT.get(table[a], OUTSIDE) if a in table else dim(base[a]) for a in base}
    target = sc.meta.spending_target
    if mode == "spending" and target is not None:
        out = {}
        for a in base:
            v = view["vars"][a].get(target.var)
            if v is None or not sc.actor(a).playable:
                out[a] = dim(base[a])
            elif v >= target.at_least:
                out[a] = SPENDING["meets"]
            elif v >= target.at_least - 0.5:
                out[a] = SPENDING["close"]
            else:
                out[a] = SPENDING["below"]
        return out
    return base


def legend(sc: Scenario, mode: str) -> list[tuple[str, RGB]]:
    if mode == "commitment" and sc.alliances:
        return [(k.replace("_", " "), c) for k, c in COMMITMENT.items()] + [("not a member (faded)", OUTSIDE)]
    target = sc.meta.spending_target
    if mode == "spending" and target is not None:
        return [(f"≥ {target.at_least:g} ({target.label})", SPENDING["meets"]),
                (f"within 0.5 of {target.at_least:g}", SPENDING["close"]),
                (f"below {target.at_least - 0.5:g}", SPENDING["below"])]
    colours = actor_colours(sc)
    return [(a.name, colours[a.id]) for a in sc.actors if a.territory]


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
        hub = parties[0] if parties else None
        for other in parties[1:]:
            out.append(Link(aid, ag["name"], ag["state"], hub, other))
    return out
