"""Hand-drawn game widgets: buttons and scrolling lists sized by the UI scale.

The game screen is mostly custom drawing (map, ladder, bars), where a few
small widgets that share its cached text rendering are simpler than a widget
library's layout; text entry and drop-downs on the start screen use pygame_gui.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pygame

from ui import fonts, theme


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


@dataclass
class ScrollList:
    """A list of rows in a rectangle; the wheel scrolls it, a click selects a row."""

    rect: pygame.Rect
    rows: list[Row] = field(default_factory=list)
    selected: int | None = None
    offset: int = 0
    row_h: int = 40
    on_select: Callable[[int], None] | None = None

    def set_rows(self, rows: list[Row]) -> None:
        self.rows = rows
        self.offset = min(self.offset, self.max_offset())
        if self.selected is not None and self.selected >= len(rows):
            self.selected = None

    def max_offset(self) -> int:
        return max(0, len(self.rows) * self.row_h - self.rect.h)

    def index_at(self, pos: tuple[int, int]) -> int | None:
        if not self.rect.collidepoint(pos):
            return None
        i = (pos[1] - self.rect.y + self.offset) // self.row_h
        return i if 0 <= i < len(self.rows) else None

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEWHEEL:
            if self.rect.collidepoint(pygame.mouse.get_pos()):
                self.scroll(-event.y * self.row_h)
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
        self.offset = max(0, min(self.max_offset(), self.offset + dy))

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
        first = self.offset // self.row_h
        for i in range(first, min(len(self.rows), first + self.rect.h // self.row_h + 2)):
            row = self.rows[i]
            r = pygame.Rect(self.rect.x, self.rect.y + i * self.row_h - self.offset, self.rect.w, self.row_h)
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
        if self.max_offset():
            frac = self.rect.h / (len(self.rows) * self.row_h)
            bar_h = max(20, int(self.rect.h * frac))
            bar_y = self.rect.y + int((self.rect.h - bar_h) * self.offset / self.max_offset())
            pygame.draw.rect(surf, (200, 198, 190), (self.rect.right - 5, bar_y, 4, bar_h), border_radius=2)
        surf.set_clip(clip)
        pygame.draw.rect(surf, theme.PANEL_EDGE, self.rect, 1)
