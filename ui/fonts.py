"""Fonts and text rendering, cached: rendering text every frame is a large share of a frame's cost."""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

import pygame

# pygame_gui ships Noto Sans; its Japanese cut also has the arrows, ticks and ≥ ≤ the game's text uses,
# which the Latin cut and pygame's default font lack. It lacks much of Latin Extended (Suwałki, Łódź,
# Šiauliai), so text with such a letter is drawn in DejaVu Sans, which matplotlib (already a dependency)
# ships and which covers Latin Extended, Greek and Cyrillic as well as the arrows and ticks.
_DATA = importlib.resources.files("pygame_gui.data")
_FACES = {False: "NotoSansJP-Regular.otf", True: "NotoSansJP-Bold.otf"}
_WIDE = importlib.resources.files("matplotlib") / "mpl-data" / "fonts" / "ttf"
_WIDE_FACES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


@lru_cache(maxsize=128)
def font(size: int, bold: bool = False, wide: bool = False) -> pygame.font.Font:
    """The UI's font; `wide` is the one for text the main face cannot draw (see `font_for`)."""
    where, faces = (_WIDE, _WIDE_FACES) if wide else (_DATA, _FACES)
    with importlib.resources.as_file(where / faces[bold]) as path:
        return pygame.font.Font(str(path), max(7, size))


@lru_cache(maxsize=1)
def _main_face() -> pygame.freetype.Font:
    import pygame.freetype

    pygame.freetype.init()
    with importlib.resources.as_file(_DATA / _FACES[False]) as path:
        return pygame.freetype.Font(str(path), 12)


@lru_cache(maxsize=8192)
def _drawable(ch: str) -> bool:
    """Has the main face a glyph for this character? (freetype knows; pygame.font would draw a box.)"""
    return ch.isspace() or _main_face().get_metrics(ch)[0] is not None


def font_for(s: str, size: int, bold: bool = False) -> pygame.font.Font:
    """The font that can draw all of `s`: the main face, or the wide one when a letter is missing from it."""
    return font(size, bold, not all(_drawable(ch) for ch in s))  # positional: one cache entry per face


def number(v: float | None) -> str:
    """A value as people read it: whole numbers plain, others to one or two decimals."""
    if v is None:
        return "hidden"
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"


@lru_cache(maxsize=4096)
def text(s: str, size: int, colour: tuple[int, int, int] = (20, 20, 20), bold: bool = False) -> pygame.Surface:
    return font_for(s, size, bold).render(s, True, colour)


def fit_text(s: str, size: int, width: int, bold: bool = False) -> str:
    """Shorten `s` with an ellipsis so it fits `width` pixels: no text is ever cut off mid-glyph."""
    f = font_for(s, size, bold)
    if f.size(s)[0] <= width:
        return s
    while s and f.size(s + "…")[0] > width:
        s = s[:-1]
    return s + "…"


def wrap(s: str, size: int, width: int, bold: bool = False) -> list[str]:
    f = font_for(s, size, bold)
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
