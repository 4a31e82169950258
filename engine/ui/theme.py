"""Colours and sizes of the front end; every size is multiplied by the UI scale (projectors)."""

from __future__ import annotations

BG = (236, 233, 226)
PANEL = (250, 249, 245)
PANEL_EDGE = (190, 186, 176)
INK = (24, 24, 28)
MUTED = (120, 118, 112)
GREYED = (160, 158, 152)
ACCENT = (40, 92, 160)
ACCENT_LIGHT = (214, 226, 244)
GOOD = (46, 140, 72)
BAD = (186, 56, 48)
WARN = (214, 150, 40)
TOPBAR = (34, 44, 62)
TOPBAR_INK = (240, 240, 244)
HIDDEN_BG = (44, 50, 64)

#: rung colours from calm to catastrophe, interpolated over the ladder's length
LADDER_COLOURS = [(92, 160, 96), (160, 186, 84), (226, 196, 70), (232, 150, 60), (214, 96, 56), (180, 50, 50),
                  (110, 20, 30)]


def rung_colour(i: int, n: int) -> tuple[int, int, int]:
    if n <= 1:
        return LADDER_COLOURS[0]
    pos = i / (n - 1) * (len(LADDER_COLOURS) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(LADDER_COLOURS) - 1)
    f = pos - lo
    a, b = LADDER_COLOURS[lo], LADDER_COLOURS[hi]
    return tuple(int(a[k] + (b[k] - a[k]) * f) for k in range(3))  # type: ignore[return-value]


class Metrics:
    """Sizes at a given UI scale."""

    def __init__(self, scale: float = 1.0):
        self.s = scale
        self.font = round(15 * scale)
        self.small = round(13 * scale)
        self.title = round(20 * scale)
        self.big = round(32 * scale)
        self.pad = round(8 * scale)
        self.row = round(24 * scale)
        self.topbar = round(40 * scale)
        self.side = round(340 * scale)

    def px(self, v: float) -> int:
        return round(v * self.s)
