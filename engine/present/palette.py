"""The colours of the sides and of the map's states, for the map (engine/ui/) and the report's charts (engine/present/report.py).

Pure data and arithmetic, no pygame: the report draws with matplotlib on a
server with no display, yet a side must be the same colour in its charts as
on the map the room played on. One definition here, so the two cannot drift.
"""

from __future__ import annotations

from engine.scenario.model import Scenario

RGB = tuple[int, int, int]

#: a side without a colour of its own takes the next of these, in the scenario's order of actors
PALETTE: list[RGB] = [
    (86, 126, 186), (198, 92, 84), (227, 178, 60), (94, 160, 110), (150, 110, 180), (218, 128, 62),
    (84, 170, 176), (176, 136, 96), (204, 120, 160), (120, 140, 80), (110, 110, 160), (160, 160, 90),
]
#: land no actor of the scenario holds
NEUTRAL: RGB = (206, 204, 196)
SEA: RGB = (168, 196, 216)
#: an actor's state of commitment to the main alliance
COMMITMENT: dict[str, RGB] = {
    "committed": (66, 120, 190), "conditional": (232, 182, 64), "withdrawing": (226, 122, 52),
    "withdrawn": (184, 60, 56),
}
#: an actor the map mode says nothing about (not a member, not a side): one flat grey, never a faded side colour
OUTSIDE: RGB = (150, 150, 150)
#: a figure this side may not see
HIDDEN: RGB = (128, 134, 150)
SPENDING: dict[str, RGB] = {"meets": (72, 160, 92), "close": (230, 186, 70), "below": (196, 76, 64)}
#: agreement state -> colour of its line, on the map and in the report's network
AGREEMENT: dict[str, RGB] = {
    "proposed": (110, 110, 110), "negotiating": (50, 100, 190), "signed": (40, 90, 170),
    "in_force": (25, 125, 65), "invoked": (200, 35, 35), "suspended": (220, 140, 40),
    "lapsed": (176, 176, 176), "withdrawn": (176, 176, 176),
}


def hex_rgb(text: str) -> RGB:
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def rgb_hex(c: RGB) -> str:
    """`#rrggbb`, as matplotlib and HTML take a colour."""
    return "#{:02x}{:02x}{:02x}".format(*c)


def actor_colours(sc: Scenario) -> dict[str, RGB]:
    """Each actor's colour: the scenario's own, or the palette's in order."""
    return {a.id: hex_rgb(a.color) if a.color else PALETTE[i % len(PALETTE)] for i, a in enumerate(sc.actors)}
