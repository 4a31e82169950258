"""Fonts and text rendering, cached: rendering text every frame is a large share of a frame's cost.

Any string can be drawn and measured, whatever a scenario, a script or a save
holds: every text goes through `safe` before pygame sees it (pygame raises on
NUL, on a lone surrogate and on a text of zero-width characters only, and does
work in proportion to a text's length), so a hostile name is drawn as text, in
bounded time. The fonts `font` returns apply it themselves, so
`fonts.font(n).render(s, ...)` and `.size(s)` are as safe as `text(s, n)`.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from typing import Any

import pygame

from engine.present.render import clean, cut

# pygame_gui ships Noto Sans; its Japanese cut also has the arrows, ticks and ≥ ≤ the game's text uses,
# which the Latin cut and pygame's default font lack. It lacks much of Latin Extended (Suwałki, Łódź,
# Šiauliai), so text with such a letter is drawn in DejaVu Sans, which matplotlib (already a dependency)
# ships and which covers Latin Extended, Greek and Cyrillic as well as the arrows and ticks.
_DATA = importlib.resources.files("pygame_gui.data")
_FACES = {False: "NotoSansJP-Regular.otf", True: "NotoSansJP-Bold.otf"}
_WIDE = importlib.resources.files("matplotlib") / "mpl-data" / "fonts" / "ttf"
_WIDE_FACES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
#: the most characters one line is drawn or measured with (a 4K screen holds fewer at the smallest size): a longer
#: text ends in an ellipsis
MAX_LINE = 1000
#: the most characters `wrap` lays out (a ten-page inject); a longer text ends in an ellipsis
MAX_WRAP = 20_000
ELLIPSIS = "…"


def safe(s: Any, limit: int = MAX_LINE) -> str:
    """Any text as one drawable line: at most `limit` characters (a longer one ends in "…"), then `clean`'s rule
    (engine/present/render.py): control characters (NUL included), bidi controls and lone surrogates become U+FFFD, line
    breaks and tabs spaces."""
    if isinstance(s, bytes):
        s = s.decode("utf-8", "replace")
    return clean(cut(s if isinstance(s, str) else str(s), limit))


class SafeFont(pygame.font.Font):
    """A pygame font that draws and measures any string (through `safe`); a text of zero-width characters only,
    which pygame refuses to draw, is drawn as the empty text it looks like."""

    def size(self, text: Any) -> tuple[int, int]:
        return super().size(safe(text))

    def render(self, text: Any, antialias: bool, color: Any, bgcolor: Any = None,
               wraplength: int = 0) -> pygame.Surface:
        s = safe(text)
        if s and super().size(s)[0] == 0:
            s = ""
        return super().render(s, antialias, color, bgcolor, wraplength)


@lru_cache(maxsize=128)
def font(size: int, bold: bool = False, wide: bool = False) -> pygame.font.Font:
    """The UI's font; `wide` is the one for text the main face cannot draw (see `font_for`)."""
    where, faces = (_WIDE, _WIDE_FACES) if wide else (_DATA, _FACES)
    with importlib.resources.as_file(where / faces[bold]) as path:
        return SafeFont(str(path), max(7, size))


@lru_cache(maxsize=1)
def _main_face() -> pygame.freetype.Font:
    import pygame.freetype

    pygame.freetype.init()
    with importlib.resources.as_file(_DATA / _FACES[False]) as path:
        return pygame.freetype.Font(str(path), 12)


@lru_cache(maxsize=8192)
def _drawable(ch: str) -> bool:
    """Has the main face a glyph for this character? (freetype knows; pygame.font would draw a box.)"""
    try:
        return ch.isspace() or _main_face().get_metrics(ch)[0] is not None
    except (ValueError, UnicodeError, pygame.error):  # nothing `safe` lets through, but never a crash
        return False


def font_for(s: str, size: int, bold: bool = False) -> pygame.font.Font:
    """The font that can draw all of `s`: the main face, or the wide one when a letter is missing from it."""
    s = safe(s, MAX_WRAP)
    return font(size, bold, not all(_drawable(ch) for ch in set(s)))  # positional: one cache entry per face


def number(v: float | None) -> str:
    """A value as people read it: whole numbers plain, others to one or two decimals."""
    if v is None:
        return "hidden"
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"


@lru_cache(maxsize=4096)
def text(s: str, size: int, colour: tuple[int, int, int] = (20, 20, 20), bold: bool = False) -> pygame.Surface:
    """`s` drawn (any string: see `safe`), cached."""
    s = safe(s)
    return font_for(s, size, bold).render(s, True, colour)


def fit_text(s: str, size: int, width: int, bold: bool = False) -> str:
    """Shorten `s` with an ellipsis so it fits `width` pixels: no text is ever cut off mid-glyph.

    The cut is found by bisection (a few measurements of at most `MAX_LINE` characters, however long `s` is).
    """
    s = safe(s)
    f = font_for(s, size, bold)
    if f.size(s)[0] <= width:
        return s
    fits, too_long = 0, len(s)  # s[:fits] + "…" fits (or fits == 0); s[:too_long] + "…" does not
    while too_long - fits > 1:
        mid = (fits + too_long) // 2
        if f.size(s[:mid] + ELLIPSIS)[0] <= width:
            fits = mid
        else:
            too_long = mid
    return s[:fits] + ELLIPSIS


def _fitting(f: pygame.font.Font, s: str, width: int) -> int:
    """How many of `s`'s first characters fit `width` pixels (at least 1): doubling, then bisection, so a cut
    costs a few measurements of about the line's length, however long `s` is."""
    fits, k = 1, 2
    while k <= len(s) and f.size(s[:k])[0] <= width:
        fits, k = k, 2 * k
    too_long = min(k, len(s) + 1)
    while too_long - fits > 1:
        mid = (fits + too_long) // 2
        if f.size(s[:mid])[0] <= width:
            fits = mid
        else:
            too_long = mid
    return fits


def wrap(s: str, size: int, width: int, bold: bool = False) -> list[str]:
    """`s` in lines of at most `width` pixels, broken between words (a word wider than a line is cut where it
    must be); line breaks in `s` start new lines. Any string (see `safe`); at most `MAX_WRAP` characters of it."""
    s = cut(s.decode("utf-8", "replace") if isinstance(s, bytes) else str(s), MAX_WRAP)
    f = font_for(s, size, bold)
    lines: list[str] = []
    for para in s.replace("\r\n", "\n").split("\n"):
        words = safe(para, MAX_WRAP).split()
        line = ""
        for w in words:
            trial = f"{line} {w}" if line else w
            if f.size(trial)[0] <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            line = w
            while len(line) > 1:  # a word wider than the line: cut it where it must go
                k = _fitting(f, line, width)
                if k >= len(line):
                    break
                lines.append(line[:k])
                line = line[k:]
        lines.append(line)
    return lines
