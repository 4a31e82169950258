"""Fonts and text rendering, cached: rendering text every frame is a large share of a frame's cost."""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

import pygame

# pygame_gui ships Noto Sans; its Japanese cut also has the arrows, ticks and ≥ ≤ the game's text uses,
# which the Latin cut and pygame's default font lack.
_DATA = importlib.resources.files("pygame_gui.data")
_FACES = {False: "NotoSansJP-Regular.otf", True: "NotoSansJP-Bold.otf"}


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> pygame.font.Font:
    with importlib.resources.as_file(_DATA / _FACES[bold]) as path:
        return pygame.font.Font(str(path), max(7, size))


def number(v: float | None) -> str:
    """A value as people read it: whole numbers plain, others to one or two decimals."""
    if v is None:
        return "hidden"
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"


@lru_cache(maxsize=4096)
def text(s: str, size: int, colour: tuple[int, int, int] = (20, 20, 20), bold: bool = False) -> pygame.Surface:
    return font(size, bold).render(s, True, colour)


def fit_text(s: str, size: int, width: int, bold: bool = False) -> str:
    """Shorten `s` with an ellipsis so it fits `width` pixels: no text is ever cut off mid-glyph."""
    f = font(size, bold)
    if f.size(s)[0] <= width:
        return s
    while s and f.size(s + "…")[0] > width:
        s = s[:-1]
    return s + "…"


def wrap(s: str, size: int, width: int, bold: bool = False) -> list[str]:
    f = font(size, bold)
    lines: list[str] = []
    for para in s.split("\n"):
        words = para.split()
        line = ""
        for w in words:
            trial = f"{line} {w}".strip()
            if f.size(trial)[0] <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = w
        lines.append(line)
    return lines
