"""Draws the map of Europe for one side's view: territories, agreements, capitals, off-map sides.

Everything that depends only on the view and the window size is drawn once
into a cached layer (filling ~70 polygons costs tens of milliseconds); each
frame blits it and draws only the hover and selection outlines on top.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pygame

from engine.present.palette import NEUTRAL, SEA, actor_colours
from engine.scenario.model import Scenario
from engine.ui import fonts, theme
from engine.ui.geo import Fit, MapData, point_in_ring
from engine.ui.mapstyle import LINK_STYLE, actor_fill, agreement_links, territory_owner

BORDER = (90, 90, 90)
#: where something happened this turn (the results screen's markers)
MARK = (230, 120, 0)


class MapView:
    def __init__(self, mapdata: MapData, sc: Scenario):
        self.data = mapdata
        self.sc = sc
        self.owner = territory_owner(sc)
        self.rect = pygame.Rect(0, 0, 1, 1)
        self.fit: Fit | None = None
        self.screen_rings: list[tuple[str, list[tuple[int, int]], pygame.Rect]] = []
        self._layer: pygame.Surface | None = None
        self._layer_key: Any = None
        self.anchor: dict[str, tuple[int, int]] = {}
        self.offmap: dict[str, pygame.Rect] = {}
        self.ui_scale = 1.0
        #: what the map draws over the land, on the screen: markers, their labels and the badges (a key drawn
        #: over the map goes where it covers least of these)
        self.occupied: list[pygame.Rect] = []
        self.land: list[pygame.Rect] = []

    def set_rect(self, rect: pygame.Rect, ui_scale: float = 1.0) -> None:
        if rect == self.rect and self.fit is not None and ui_scale == self.ui_scale:
            return
        self.rect = pygame.Rect(rect)
        self.ui_scale = ui_scale
        self.fit = Fit((rect.x, rect.y, rect.w, rect.h), self.data.bounds)
        self.screen_rings = []
        for c in self.data.countries:
            for ring in c.rings:
                pts = [(round(x), round(y)) for x, y in (self.fit.to_screen(mx, my) for mx, my in ring)]
                if len(pts) >= 3:
                    xs = [p[0] for p in pts]
                    ys = [p[1] for p in pts]
                    box = pygame.Rect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)
                    self.screen_rings.append((c.iso2, pts, box))
        #: the sides' land on the screen (a box per ring): what a key over the map should cover least of
        self.land = [box for iso, _, box in self.screen_rings if iso in self.owner]
        self._anchors()
        self._layer = None

    def _anchors(self) -> None:
        """Where each actor's marker and label go: its capital, clamped into the map for off-map sides."""
        assert self.fit is not None
        self.anchor = {}
        self.offmap = {}
        inner = self.rect.inflate(-40, -40)
        for a in self.sc.actors:
            if a.capital is None or (a.kind == "organisation" and not a.territory):
                continue  # organisations are badges, not places
            x, y = self.fit.lonlat(*a.capital)
            p = (int(x), int(y))
            if not self.rect.collidepoint(p):
                p = (max(inner.left, min(inner.right, p[0])), max(inner.top, min(inner.bottom, p[1])))
                self.offmap[a.id] = pygame.Rect(0, 0, 0, 0)
            self.anchor[a.id] = p

    # ------------------------------------------------------------------ drawing
    def _key(self, view: dict[str, Any], mode: str) -> str:
        fill = actor_fill(self.sc, view, mode)
        links = agreement_links(self.sc, view)
        return json.dumps([mode, sorted(fill.items()), [(lk.a, lk.b, lk.state) for lk in links],
                           self.rect.size, self.rect.topleft, self.ui_scale])

    def layer(self, view: dict[str, Any], mode: str) -> pygame.Surface:
        key = self._key(view, mode)
        if self._layer is None or key != self._layer_key:
            self._layer = self._render(view, mode)
            self._layer_key = key
        return self._layer

    def _render(self, view: dict[str, Any], mode: str) -> pygame.Surface:
        surf = pygame.Surface(self.rect.size)
        surf.fill(SEA)
        ox, oy = self.rect.topleft
        fill = actor_fill(self.sc, view, mode)
        for iso, pts, _ in self.screen_rings:
            actor = self.owner.get(iso)
            colour = fill.get(actor, NEUTRAL) if actor else NEUTRAL
            local = [(x - ox, y - oy) for x, y in pts]
            pygame.draw.polygon(surf, colour, local)
        for _iso, pts, _ in self.screen_rings:
            local = [(x - ox, y - oy) for x, y in pts]
            pygame.draw.aalines(surf, BORDER, True, local)
        s = self.ui_scale
        for link in agreement_links(self.sc, view):
            if link.a not in self.anchor or link.b not in self.anchor:
                continue
            colour, width, dashed = LINK_STYLE[link.state]
            pa, pb = self.anchor[link.a], self.anchor[link.b]
            _line(surf, colour, (pa[0] - ox, pa[1] - oy), (pb[0] - ox, pb[1] - oy), max(1, round(width * s)), dashed)
        colours = actor_colours(self.sc)
        marker = round(7 * s)
        placed: list[pygame.Rect] = [pygame.Rect(x - ox - marker, y - oy - marker, 2 * marker, 2 * marker)
                                     for x, y in self.anchor.values()]
        for a in self.sc.actors:
            if a.id not in self.anchor:
                continue
            x, y = self.anchor[a.id]
            x -= ox
            y -= oy
            r = max(3, round(5 * s))
            pygame.draw.circle(surf, (30, 30, 30), (x, y), r + 1)
            pygame.draw.circle(surf, colours[a.id], (x, y), r)
            label = a.name + (" (off-map)" if a.id in self.offmap else "")
            img = fonts.text(label, round(14 * s), (15, 15, 15), True)
            box = self._place_label(img.get_size(), (x, y), r, placed)
            placed.append(box)
            halo = pygame.Surface((box.w + 4, box.h + 2), pygame.SRCALPHA)
            halo.fill((255, 255, 255, 160))
            surf.blit(halo, (box.x - 2, box.y - 1))
            surf.blit(img, box.topleft)
        badges = self._badges(surf, view, colours)
        self.occupied = [box.move(ox, oy) for box in placed + badges]
        return surf

    def _place_label(self, size: tuple[int, int], at: tuple[int, int], r: int,
                     placed: list[pygame.Rect]) -> pygame.Rect:
        """Right, left, above or below the marker: the first place that overlaps no earlier label."""
        w, h = size
        x, y = at
        bounds = pygame.Rect(0, 0, self.rect.w, self.rect.h)
        options = [(x + r + 3, y - h // 2), (x - r - 3 - w, y - h // 2), (x - w // 2, y - r - 2 - h),
                   (x - w // 2, y + r + 2), (x + r + 3, y - h - 2), (x + r + 3, y + 2)]
        first = None
        for px, py in options:
            box = pygame.Rect(px, py, w, h)
            if not bounds.contains(box):
                continue
            first = first or box
            if box.collidelist(placed) == -1:
                return box
        return first or pygame.Rect(max(0, min(x, self.rect.w - w)), max(0, y - h // 2), w, h)

    def _badges(self, surf: pygame.Surface, view: dict[str, Any],
                colours: dict[str, tuple[int, int, int]]) -> list[pygame.Rect]:
        """Organisations (no territory) as badges in the map's top-right corner, with their key figure."""
        s = self.ui_scale
        boxes = []
        orgs = [a for a in self.sc.actors if a.kind == "organisation" and not a.territory]
        y = round(8 * s)
        for a in orgs:
            credibility = next((al.credibility for al in self.sc.alliances if al.credibility and a.id in al.id), None)
            text = a.name
            if credibility:
                text += f" · {self.sc.globals[credibility].label} {fonts.number(view['globals'].get(credibility))}"
            img = fonts.text(text, round(13 * s), (255, 255, 255), True)
            box = pygame.Rect(0, y, img.get_width() + round(16 * s), img.get_height() + round(8 * s))
            box.right = self.rect.w - round(8 * s)
            pygame.draw.rect(surf, colours[a.id], box, border_radius=6)
            surf.blit(img, (box.x + round(8 * s), box.y + round(4 * s)))
            y = box.bottom + round(6 * s)
            boxes.append(box)
        return boxes

    def draw(self, target: pygame.Surface, view: dict[str, Any], mode: str, hover: str | None = None,
             selected: str | None = None, marks: dict[str, str] | None = None) -> None:
        """The map; `marks` (actor -> a few words) rings the actors where something just happened."""
        target.blit(self.layer(view, mode), self.rect.topleft)
        clip = target.get_clip()
        target.set_clip(self.rect)
        taken: list[pygame.Rect] = []
        for actor, words in (marks or {}).items():
            self._mark(target, actor, words, taken)
        for ringed, colour, width in ((selected, (20, 20, 20), 3), (hover, (255, 255, 255), 2)):
            if not ringed:
                continue
            for iso, pts, _ in self.screen_rings:
                if self.owner.get(iso) == ringed:
                    pygame.draw.lines(target, colour, True, pts, max(1, round(width * self.ui_scale)))
            if ringed in self.anchor:
                pygame.draw.circle(target, colour, self.anchor[ringed], round(9 * self.ui_scale), 2)
        target.set_clip(clip)

    def _mark(self, target: pygame.Surface, actor: str, words: str, taken: list[pygame.Rect]) -> None:
        """A ring round the actor's marker, and what happened there in a tag beside it."""
        width = max(2, round(3 * self.ui_scale))
        at = self.anchor.get(actor)
        if at is None:
            return
        pygame.draw.circle(target, MARK, at, round(14 * self.ui_scale), width)
        size = max(11, round(12 * self.ui_scale))
        tag = fonts.text(fonts.fit_text(words, size, round(220 * self.ui_scale)), size, theme.INK)
        box = tag.get_rect(midleft=(at[0] + round(18 * self.ui_scale), at[1] - round(16 * self.ui_scale)))
        box.clamp_ip(self.rect)
        for _ in range(len(taken) + 1):  # below the tags already drawn, never over them
            hits = box.inflate(8, 4).collidelistall(taken)
            if not hits:
                break
            box.top = max(taken[i].bottom for i in hits) + 4
        taken.append(box.inflate(8, 4))
        pygame.draw.rect(target, (255, 244, 214), box.inflate(8, 4), border_radius=4)
        pygame.draw.rect(target, MARK, box.inflate(8, 4), 1, border_radius=4)
        target.blit(tag, box)

    # ------------------------------------------------------------------ hit testing
    def actor_at(self, pos: tuple[int, int]) -> str | None:
        """The actor under the mouse: its territory, or its marker (for off-map sides and organisations)."""
        if not self.rect.collidepoint(pos):
            return None
        for actor, p in self.anchor.items():
            if math.dist(p, pos) <= 10 * self.ui_scale:
                return actor
        for iso, pts, box in self.screen_rings:
            if box.collidepoint(pos) and point_in_ring(pos[0], pos[1], pts):
                return self.owner.get(iso)
        return None


def _line(surf: pygame.Surface, colour: tuple[int, int, int], a: tuple[int, int], b: tuple[int, int], width: int,
          dashed: bool) -> None:
    if not dashed:
        pygame.draw.line(surf, colour, a, b, width)
        return
    length = math.dist(a, b)
    if length < 1:
        return
    dash = 9
    n = int(length // dash)
    for i in range(0, n, 2):
        t0, t1 = i / n, min(1.0, (i + 1) / n)
        p0 = (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0)
        p1 = (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)
        pygame.draw.line(surf, colour, p0, p1, width)
