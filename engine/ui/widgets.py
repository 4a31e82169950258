"""Hand-drawn game widgets: buttons, scrolling lists and scrolling text sized by the UI scale.

The game screen is mostly custom drawing (map, ladder, bars), where a few
small widgets that share its cached text rendering are simpler than a widget
library's layout; text entry and drop-downs on the start screen use pygame_gui.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

from engine.ui import fonts, theme


@dataclass
class Button:
    rect: pygame.Rect
    label: str
    action: Callable[[], None]
    enabled: bool = True
    primary: bool = False
    key: int | None = None
    hint: str = ""

    def draw(self, surf: pygame.Surface, size: int, hover: bool) -> None:
        if not self.enabled:
            bg, ink = (226, 224, 218), theme.GREYED
        elif self.primary:
            bg, ink = (theme.ACCENT if not hover else (58, 112, 186)), (255, 255, 255)
        else:
            bg, ink = ((244, 242, 236) if not hover else theme.ACCENT_LIGHT), theme.INK
        pygame.draw.rect(surf, bg, self.rect, border_radius=6)
        pygame.draw.rect(surf, theme.PANEL_EDGE, self.rect, 1, border_radius=6)
        label = fonts.fit_text(self.label, size, self.rect.w - 8, True)
        img = fonts.text(label, size, ink, True)
        surf.blit(img, img.get_rect(center=self.rect.center))

    def handle(self, event: pygame.event.Event) -> bool:
        if not self.enabled:
            return False
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            self.action()
            return True
        return False


@dataclass
class Row:
    text: str
    sub: str = ""
    greyed: bool = False
    tag: str = ""
    colour: tuple[int, int, int] | None = None
    payload: object = None


RGB = tuple[int, int, int]
#: (text, size, colour, bold): a paragraph of text to flow into a panel
Para = tuple[str, int, RGB, bool]
#: the last line of a panel with more below it, longest first: the longest that fits the panel is said
MORE_BELOW = ("▼ more below: mouse wheel or PgDn", "▼ more below (wheel, PgDn)", "▼ more below", "▼ more")


@dataclass
class Scroll:
    """How far a panel is scrolled: the one rule for every panel that can hold more than fits.

    The mouse wheel over the panel moves it by `step`, PageUp/PageDown by a
    panel's height less a step (so a line of context stays), and the offset
    never leaves the content. Owners say how tall the content and the view
    are (`fit`) before asking, since both change with the window and the text.
    """

    offset: int = 0
    step: int = 40
    content_h: int = 0
    view_h: int = 0

    def fit(self, content_h: int, view_h: int) -> None:
        self.content_h, self.view_h = content_h, view_h
        self.by(0)

    def max_offset(self) -> int:
        return max(0, self.content_h - self.view_h)

    def overflows(self) -> bool:
        return self.max_offset() > 0

    def more_below(self) -> bool:
        return self.offset < self.max_offset()

    def by(self, dy: int) -> None:
        self.offset = max(0, min(self.max_offset(), self.offset + dy))

    def page(self, pages: int) -> None:
        self.by(pages * max(self.step, self.view_h - self.step))

    def wheel(self, event: pygame.event.Event, rect: pygame.Rect, mouse: tuple[int, int] | None = None) -> bool:
        """Scroll for a wheel event over `rect` (the pointer at `mouse`, or where pygame last saw it)."""
        if event.type != pygame.MOUSEWHEEL:
            return False
        if not rect.collidepoint(mouse if mouse is not None else pygame.mouse.get_pos()):
            return False
        self.by(-event.y * self.step)
        return True

    def keys(self, event: pygame.event.Event) -> bool:
        """PageUp/PageDown (and Home/End) for the panel the screen gives the keyboard to."""
        if event.type != pygame.KEYDOWN:
            return False
        moves = {pygame.K_PAGEDOWN: 1, pygame.K_PAGEUP: -1}
        if event.key in moves:
            self.page(moves[event.key])
        elif event.key in (pygame.K_HOME, pygame.K_END):
            self.offset = 0 if event.key == pygame.K_HOME else self.max_offset()
        else:
            return False
        return True

    def draw_bar(self, surf: pygame.Surface, rect: pygame.Rect) -> None:
        """A thin bar at the panel's right edge, its length the share of the content in view."""
        if not self.overflows():
            return
        bar_h = max(20, int(rect.h * self.view_h / self.content_h))
        bar_y = rect.y + int((rect.h - bar_h) * self.offset / self.max_offset())
        pygame.draw.rect(surf, (200, 198, 190), (rect.right - 5, bar_y, 4, bar_h), border_radius=2)


def view_bottom(rect: pygame.Rect, scroll: Scroll, marker_size: int) -> int:
    """The lowest y a whole line may reach in a scrolled panel: above the "more below" line when there is one."""
    if not scroll.more_below():
        return rect.bottom
    return rect.bottom - fonts.font(marker_size, True).get_linesize()


def overflow_marks(surf: pygame.Surface, rect: pygame.Rect, scroll: Scroll, marker_size: int,
                   bg: RGB = theme.PANEL) -> None:
    """What every scrolled panel shows when it holds more than fits: its bar and, while more is below,
    a last line that says so and how to reach it (never a silent cut)."""
    if scroll.more_below():
        f = fonts.font_for(MORE_BELOW[0], marker_size, True)
        said = next((t for t in MORE_BELOW if f.size(t)[0] <= rect.w - 16), MORE_BELOW[-1])
        img = fonts.text(said, marker_size, theme.ACCENT, True)
        top = view_bottom(rect, scroll, marker_size)
        pygame.draw.rect(surf, bg, (rect.x, top, rect.w, rect.bottom - top))
        surf.blit(img, img.get_rect(bottomright=(rect.right - 8, rect.bottom)))
    scroll.draw_bar(surf, rect)


@dataclass
class Line:
    """One line of text placed in a panel's content: x from the panel's left, y from the content's top."""

    text: str
    size: int
    colour: RGB
    bold: bool = False
    x: int = 0
    y: int = 0

    @property
    def h(self) -> int:
        return fonts.font(self.size, self.bold).get_linesize()


def flow(paras: list[Para], width: int, x: int = 0, y: int = 0, hang: int = 0,
         gap: int | None = None) -> tuple[list[Line], int]:
    """Wrap paragraphs to `width` from (x, y) down, later lines of each indented by `hang`; return the lines
    and the y below them. Paragraphs are `gap` apart: by default half their text size, as the exercise
    screens space theirs."""
    out: list[Line] = []
    for text, size, colour, bold in paras:
        lh = fonts.font(size, bold).get_linesize()
        for i, part in enumerate(fonts.wrap(text, size, width - (hang if text else 0), bold)):
            out.append(Line(part, size, colour, bold, x + (hang if i else 0), y))
            y += lh
        y += max(4, size // 2) if gap is None else gap
    return out, y


class ScrollText:
    """Lines of text in a rectangle that scroll when they are more than fit: nothing is ever cut off.

    Only whole lines are drawn; when more is below, the last line of the
    panel says so (and how to reach it), and a bar shows where the view is.
    """

    def __init__(self, rect: pygame.Rect, step: int = 40):
        self.rect = pygame.Rect(rect)
        self.lines: list[Line] = []
        self.scroll = Scroll(step=step)

    def set_lines(self, lines: list[Line], content_h: int | None = None) -> None:
        """New content; the view stays where it was as far as the new content allows."""
        self.lines = lines
        bottom = max((ln.y + ln.h for ln in lines), default=0)
        self.scroll.fit(max(bottom, content_h or 0), self.rect.h)

    def handle(self, event: pygame.event.Event, mouse: tuple[int, int] | None = None) -> bool:
        self.scroll.fit(self.scroll.content_h, self.rect.h)
        return self.scroll.wheel(event, self.rect, mouse)

    def keys(self, event: pygame.event.Event) -> bool:
        return self.scroll.keys(event)

    def draw(self, surf: pygame.Surface, marker_size: int, bg: RGB = theme.PANEL) -> None:
        sc = self.scroll
        sc.fit(sc.content_h, self.rect.h)
        bottom = view_bottom(self.rect, sc, marker_size)
        clip = surf.get_clip()
        surf.set_clip(self.rect)
        for ln in self.lines:
            y = self.rect.y + ln.y - sc.offset
            if y >= self.rect.y and y + ln.h <= bottom:
                surf.blit(fonts.text(ln.text, ln.size, ln.colour, ln.bold), (self.rect.x + ln.x, y))
        surf.set_clip(clip)
        overflow_marks(surf, self.rect, sc, marker_size, bg)


class ScrollList:
    """A list of rows in a rectangle; the wheel scrolls it (see `Scroll`), a click selects a row."""

    def __init__(self, rect: pygame.Rect, rows: list[Row] | None = None, selected: int | None = None,
                 offset: int = 0, row_h: int = 40, on_select: Callable[[int], None] | None = None):
        self.rect = rect
        self.rows: list[Row] = rows or []
        self.selected = selected
        self.row_h = row_h
        self.on_select = on_select
        self.scroller = Scroll(offset=offset, step=row_h)

    @property
    def offset(self) -> int:
        self._fit()
        return self.scroller.offset

    @offset.setter
    def offset(self, value: int) -> None:
        self.scroller.offset = value
        self._fit()

    def _fit(self) -> None:
        """The list's rectangle may be moved or resized by its screen at any time: measure afresh."""
        self.scroller.step = self.row_h
        self.scroller.fit(len(self.rows) * self.row_h, self.rect.h)

    def set_rows(self, rows: list[Row]) -> None:
        self.rows = rows
        self._fit()
        if self.selected is not None and self.selected >= len(rows):
            self.selected = None

    def max_offset(self) -> int:
        self._fit()
        return self.scroller.max_offset()

    def index_at(self, pos: tuple[int, int]) -> int | None:
        if not self.rect.collidepoint(pos):
            return None
        i = (pos[1] - self.rect.y + self.offset) // self.row_h
        return i if 0 <= i < len(self.rows) else None

    def handle(self, event: pygame.event.Event, mouse: tuple[int, int] | None = None) -> bool:
        self._fit()
        if self.scroller.wheel(event, self.rect, mouse):
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            i = self.index_at(event.pos)
            if i is not None:
                self.selected = i
                if self.on_select:
                    self.on_select(i)
                return True
        return False

    def scroll(self, dy: int) -> None:
        self._fit()
        self.scroller.by(dy)

    def ensure_visible(self, i: int) -> None:
        top = i * self.row_h
        if top < self.offset:
            self.offset = top
        elif top + self.row_h > self.offset + self.rect.h:
            self.offset = top + self.row_h - self.rect.h

    def draw(self, surf: pygame.Surface, size: int, small: int, hover: int | None = None) -> None:
        clip = surf.get_clip()
        surf.set_clip(self.rect)
        pygame.draw.rect(surf, theme.PANEL, self.rect)
        offset = self.offset
        first = offset // self.row_h
        for i in range(first, min(len(self.rows), first + self.rect.h // self.row_h + 2)):
            row = self.rows[i]
            r = pygame.Rect(self.rect.x, self.rect.y + i * self.row_h - offset, self.rect.w, self.row_h)
            if i == self.selected:
                pygame.draw.rect(surf, theme.ACCENT_LIGHT, r)
            elif i == hover:
                pygame.draw.rect(surf, (242, 240, 234), r)
            x = r.x + 6
            if row.colour:
                pygame.draw.rect(surf, row.colour, (x, r.y + 6, 6, r.h - 12))
                x += 12
            ink = theme.GREYED if row.greyed else theme.INK
            tag_w = 0
            if row.tag:
                tag_img = fonts.text(row.tag, small, theme.MUTED if not row.greyed else theme.GREYED)
                tag_w = tag_img.get_width() + 8
                surf.blit(tag_img, (r.right - tag_w - 6, r.y + 4))
            title = fonts.fit_text(row.text, size, r.right - x - tag_w - 8, not row.greyed)
            surf.blit(fonts.text(title, size, ink, not row.greyed), (x, r.y + 1))
            if row.sub:
                sub = fonts.fit_text(row.sub, small, r.right - x - 8)
                surf.blit(fonts.text(sub, small, theme.MUTED if not row.greyed else theme.GREYED),
                          (x, r.y + 1 + fonts.font(size, True).get_linesize()))
            pygame.draw.line(surf, (232, 230, 224), (r.x, r.bottom - 1), (r.right, r.bottom - 1))
        self.scroller.draw_bar(surf, self.rect)
        surf.set_clip(clip)
        pygame.draw.rect(surf, theme.PANEL_EDGE, self.rect, 1)


def button_rows(specs: list[tuple[str, Callable[[], None], bool]], x: int, right: int, bottom: int, size: int,
                m: theme.Metrics) -> list[Button]:
    """Buttons sized to their labels, left to right from `x`, on as many rows (upwards from `bottom`) as
    it takes to keep them all inside `right`: a label is never shortened to fit."""
    h, gap = m.px(40), m.pad * 2
    f = fonts.font(size, True)
    widths = [min(right - x, max(m.px(120), f.size(label)[0] + m.px(36))) for label, _, _ in specs]
    rows: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if rows[-1] and used + gap + w > right - x:
            rows.append([])
            used = 0
        used += (gap if rows[-1] else 0) + w
        rows[-1].append(i)
    out: list[Button] = []
    for r, row in enumerate(rows):
        y = bottom - (len(rows) - r) * h - (len(rows) - r - 1) * m.pad
        cx = x
        for i in row:
            label, action, primary = specs[i]
            out.append(Button(pygame.Rect(cx, y, widths[i], h), label, action, primary=primary))
            cx += widths[i] + gap
    return out
