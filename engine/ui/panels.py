"""The status panels around the map, drawn from one side's view (plain data, never the raw state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pygame

from engine.present.palette import actor_colours
from engine.rules.views import resolution_chance
from engine.scenario.model import Scenario
from engine.ui import fonts, theme
from engine.ui.mapstyle import LINK_STYLE, legend, mode_title
from engine.ui.theme import Metrics
from engine.ui.widgets import Line, Scroll, ScrollText, overflow_marks, view_bottom

View = dict[str, Any]


def panel(surf: pygame.Surface, rect: pygame.Rect, title: str, m: Metrics) -> pygame.Rect:
    """Draw a titled panel; return the rectangle left for its content."""
    pygame.draw.rect(surf, theme.PANEL, rect)
    pygame.draw.rect(surf, theme.PANEL_EDGE, rect, 1)
    surf.blit(fonts.text(title, m.font, theme.INK, True), (rect.x + m.pad, rect.y + m.pad // 2))
    top = rect.y + m.pad // 2 + fonts.font(m.font, True).get_linesize() + m.pad // 2
    return pygame.Rect(rect.x + m.pad, top, rect.w - 2 * m.pad, rect.bottom - top - m.pad // 2)


def topbar(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics, who: str,
           mode: str, phase: str | None = None) -> None:
    pygame.draw.rect(surf, theme.TOPBAR, rect)
    date = sc.turn_date(view["turn"])
    left = f"Turn {view['turn']} of {sc.meta.turns} · {date:%B %Y} · {phase or view['phase'].capitalize()}"
    if view["ended"]:
        left = f"Game over · {date:%B %Y}"
    y = rect.centery - fonts.font(m.font, True).get_linesize() // 2
    shown = fonts.text(left, m.font, theme.TOPBAR_INK, True)
    surf.blit(shown, (rect.x + m.pad * 2, y))
    room = rect.w - shown.get_width() - m.pad * 8
    title = mode_title(sc, mode)
    # the longest that fits beside the turn: who is at the screen is said elsewhere on it, the key's title too
    variants = [f"{who} · map: {title} (M) · help (F1)", f"{who} · map (M) · help (F1)", f"{who} · F1 help",
                "map (M) · help (F1)"]
    right = next((v for v in variants if fonts.font(m.font).size(v)[0] <= room),
                 fonts.fit_text(variants[-1], m.font, room))
    img = fonts.text(right, m.font, (200, 208, 224))
    surf.blit(img, (rect.right - img.get_width() - m.pad * 2, y))


def ladder(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics) -> None:
    inner = panel(surf, rect, f"Escalation · score {fonts.number(view['escalation'])}", m)
    rungs = sc.ladder.rungs
    n = len(rungs)
    row = min(m.row, inner.h // max(1, n))
    cur = [r.id for r in rungs].index(view["rung"])
    peak = [r.id for r in rungs].index(view["peak_rung"])
    for i, rung in enumerate(reversed(rungs)):
        idx = n - 1 - i
        r = pygame.Rect(inner.x, inner.y + i * row, inner.w, row - 2)
        colour = theme.rung_colour(idx, n)
        if idx == cur:
            pygame.draw.rect(surf, colour, r, border_radius=4)
            pygame.draw.rect(surf, theme.INK, r, 2, border_radius=4)
        else:
            pygame.draw.rect(surf, colour, (r.x, r.y + 2, m.px(8), r.h - 4))
        tag = "now" if idx == cur else ("peak" if idx == peak else f"{rung.threshold:g}")
        img = fonts.text(tag, m.small, theme.INK if idx in (cur, peak) else theme.MUTED, idx == cur)
        surf.blit(img, (r.right - img.get_width() - m.px(6), r.y + (r.h - img.get_height()) // 2))
        room = r.w - m.px(14) - img.get_width() - m.px(12)  # the name has all the row the tag leaves
        label = fonts.fit_text(rung.name, m.small, room, idx == cur)
        surf.blit(fonts.text(label, m.small, theme.INK, idx == cur),
                  (r.x + m.px(14), r.y + (r.h - fonts.font(m.small).get_height()) // 2))


@dataclass
class BudgetRow:
    """Where one side's figures go in the budgets panel."""

    side: str
    name: tuple[int, int]
    bar: pygame.Rect
    value: tuple[int, int]  # the value's left edge
    extra: tuple[int, int]  # the right-hand figure's right edge


@dataclass
class BudgetLayout:
    rows: list[BudgetRow]
    note: list[str]
    note_y: int
    height: int  # of the whole panel, title included, were nothing scrolled
    top: int  # of the content, below the title
    row_h: int
    content_h: int  # of the rows and the note


def _budget_note(sc: Scenario, view: View | None) -> str:
    target = sc.meta.spending_target
    if target is None:
        return ""
    extra = _budget_extra(sc)
    whom = "members" if target.members_of else "sides"
    if view is None:  # laid out before a view: as long as the note can be
        count = f"{len(sc.playable_ids)} of {len(sc.playable_ids)}"
    else:
        pool = view["members"].get(target.members_of, []) if target.members_of else sc.playable_ids
        met = sum(1 for a in pool if (view["vars"][a].get(target.var) or 0) >= target.at_least)
        count = f"{met} of {len(pool)}"
    note = f"{target.label}: {count} {whom} at {target.at_least:g} or more"
    return note + (f" · right: {sc.variables[extra].label}" if extra else "")


def _budget_extra(sc: Scenario) -> str | None:
    target = sc.meta.spending_target
    return next((v for v in sc.meta.dashboard if not target or v != target.var), None)


def _widest(sc: Scenario, var: str | None, template: str, f: pygame.font.Font) -> int:
    """The width a column of this figure needs: the template's, or "hidden"'s if other sides may not see it."""
    if var is None:
        return 0
    private = sc.variables[var].private if var in sc.variables else False
    return max(f.size(t)[0] for t in ((template, "hidden") if private else (template,)))


def budget_layout(rect: pygame.Rect, sc: Scenario, m: Metrics, view: View | None = None) -> BudgetLayout:
    """The budgets panel laid out so that no figure overlaps another: a side a line (name, bar, value, the
    right-hand figure) while the bar keeps a useful width, else two lines (the name above its bar).

    Widths are measured from the names and the widest figure the panel can show, never from this turn's
    values, so the panel's height (worked out when the screen is laid out) holds all turn.
    """
    f = fonts.font(m.small)
    lh = f.get_linesize()
    inner = pygame.Rect(rect.x + m.pad, rect.y + m.pad // 2 + fonts.font(m.font, True).get_linesize() + m.pad // 2,
                        rect.w - 2 * m.pad, 0)
    gap = m.px(6)
    names = {a: sc.actor(a).name for a in sc.playable_ids}
    name_w = max(fonts.font_for(n, m.small).size(n)[0] for n in names.values())
    target = sc.meta.spending_target
    extra = _budget_extra(sc)
    val_w = _widest(sc, target.var if target else None, "00.00", fonts.font(m.small, True)) + m.px(8)
    extra_w = _widest(sc, extra, "000", f)
    figures_w = val_w + gap + (extra_w + gap if extra_w else 0)
    room = inner.w - name_w - gap - figures_w  # what a bar beside the name would have
    # a side a line with its bar; narrower, the figures alone (coloured: meets the target or not); narrower
    # still, the name on a line of its own with the bar and figures below it
    shape = "bar" if target is not None and room >= m.px(30) else "figures" if room >= 0 else "two lines"
    row_h = max(m.px(22), lh + 2)
    rows, y = [], inner.y
    for side in sc.playable_ids:
        if shape == "two lines":
            bar_x, bar_y = inner.x + m.px(8), y + lh
        else:
            bar_x, bar_y = inner.x + name_w + gap, y
        bar_w = 0 if shape == "figures" else inner.right - bar_x - figures_w
        bar = pygame.Rect(bar_x, bar_y + 3, bar_w, row_h - 6)
        value_x = bar.right + (gap if bar_w else 0)
        rows.append(BudgetRow(side, (inner.x, y + 1), bar, (value_x, bar_y + 1), (inner.right, bar_y + 1)))
        y = bar_y + row_h
    note = fonts.wrap(_budget_note(sc, view), m.small, inner.w) if target else []
    note_y = y + 2
    bottom = note_y + len(note) * lh
    return BudgetLayout(rows, note, note_y, bottom + m.pad - rect.y, inner.y, row_h, bottom - inner.y)


def budgets(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics,
            scroll: Scroll | None = None) -> None:
    """Each side's spending against the target (see `budget_layout`); rows that do not fit scroll."""
    target = sc.meta.spending_target
    inner = panel(surf, rect, "Budgets", m)
    lay = budget_layout(rect, sc, m, view)
    scroll = scroll or Scroll()
    lh = fonts.font(m.small).get_linesize()
    scroll.step = lay.row_h
    scroll.fit(lay.content_h, inner.h)
    dy = -scroll.offset
    bottom = view_bottom(inner, scroll, m.small)

    def visible(y: int, h: int) -> bool:
        return inner.y <= y + dy and y + dy + h <= bottom

    colours = actor_colours(sc)
    extra = _budget_extra(sc)
    top_value = max(target.at_least * 2.5, 5.0) if target else 1.0
    for row in lay.rows:
        if not visible(row.name[1], lh) or not visible(row.bar.y, row.bar.h):
            continue
        surf.blit(fonts.text(sc.actor(row.side).name, m.small, theme.INK), (row.name[0], row.name[1] + dy))
        if target is None:
            continue
        v = view["vars"][row.side].get(target.var)
        b = row.bar.move(0, dy)
        meets = theme.GOOD if v is not None and v >= target.at_least else theme.BAD
        if b.w:
            pygame.draw.rect(surf, (232, 230, 224), b)
            if v is not None:
                w = int(b.w * min(1.0, v / top_value))
                pygame.draw.rect(surf, meets, (b.x, b.y, w, b.h))
            line_x = b.x + int(b.w * target.at_least / top_value)
            pygame.draw.line(surf, theme.INK, (line_x, b.y - 2), (line_x, b.bottom + 1), 2)
        pygame.draw.rect(surf, colours[row.side], (b.x, b.y, m.px(4), b.h))
        ink = theme.INK if b.w or v is None else meets  # without a bar, the figure's colour says it
        surf.blit(fonts.text(fonts.number(v), m.small, ink, not b.w),
                  (row.value[0] + (0 if b.w else m.px(8)), row.value[1] + dy))
        if extra:
            img = fonts.text(fonts.number(view["vars"][row.side].get(extra)), m.small, theme.MUTED)
            surf.blit(img, img.get_rect(topright=(row.extra[0], row.extra[1] + dy)))
    for i, line in enumerate(lay.note):
        if visible(lay.note_y + i * lh, lh):
            surf.blit(fonts.text(line, m.small, theme.MUTED), (rect.x + m.pad, lay.note_y + i * lh + dy))
    overflow_marks(surf, pygame.Rect(inner.x, inner.y, rect.right - 2 - inner.x, inner.h), scroll, m.small)


def agreements(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics, box: ScrollText) -> None:
    """The agreements, the gravest state first; a long name wraps under itself, and the list scrolls."""
    inner = panel(surf, rect, "Agreements", m)
    items = list(view["agreements"].values())
    order = {"invoked": 0, "in_force": 1, "signed": 2, "negotiating": 3, "proposed": 4, "suspended": 5,
             "lapsed": 6, "withdrawn": 7}
    items.sort(key=lambda a: (order.get(a["state"], 9), a["name"]))
    lh = fonts.font(m.small).get_linesize()
    lines: list[Line] = []
    y = 0
    for ag in items:
        colour = LINK_STYLE.get(ag["state"], ((170, 170, 170), 1, False))[0]
        state = ag["state"].replace("_", " ")
        state_w = fonts.font(m.small).size(state)[0]
        right = inner.w - m.px(6)  # room for the scroll bar
        lines += [Line("●", m.small, colour, False, 0, y), Line(state, m.small, theme.MUTED, False, right - state_w, y)]
        for part in fonts.wrap(ag["name"], m.small, right - m.px(14) - state_w - m.px(6)):
            lines.append(Line(part, m.small, theme.INK, False, m.px(14), y))
            y += lh
        y += 2
    box.rect = inner
    box.scroll.step = lh
    box.set_lines(lines, y)
    box.draw(surf, m.small)


def log_lines(sc: Scenario, view: View) -> list[tuple[str, tuple[int, int, int]]]:
    """The event log for this view: past turns' resolved orders and the injects this side received."""
    names = {a.id: a.name for a in sc.actors}
    cards = {c.id: c.name for c in sc.cards}
    out: list[tuple[str, tuple[int, int, int]]] = []
    for rec in view["log"]:
        out.append((f"— Turn {rec['turn']} · {rec['date'][:7]} —", theme.ACCENT))
        for res in rec["resolutions"]:
            o = res["order"]
            dice = f" (d100 {res['roll']} vs {resolution_chance(res)})" if res.get("roll") is not None else ""
            colour = {"success": theme.INK, "failure": theme.BAD, "fizzled": theme.MUTED}[res["outcome"]]
            aim = ""
            if o["targets"]:
                aim = " → " + ", ".join(names.get(t, t) for t in o["targets"])
            elif o["agreement"]:
                aim = " → " + view["agreements"].get(o["agreement"], {}).get("name", o["agreement"])
            out.append((f"{names.get(o['actor'], o['actor'])}: {cards.get(o['card'], o['card'])}{aim}: "
                        f"{res['outcome']}{dice}", colour))
        for ev in rec["events"]:
            private = " (private)" if ev["to"] else ""
            out.append((f"Inject: {ev['name']}{private}", theme.WARN if ev["to"] else (120, 70, 20)))
        if rec["rung_before"] != rec["rung_after"]:
            rn = {r.id: r.name for r in sc.ladder.rungs}
            out.append((f"Escalation: {rn[rec['rung_before']]} → {rn[rec['rung_after']]}", theme.BAD))
    return out


def event_log(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics, box: ScrollText) -> None:
    """The log, newest at the bottom; it follows new entries unless the room has scrolled back to read."""
    inner = panel(surf, rect, "Event log (mouse wheel scrolls)", m)
    lh = fonts.font(m.small).get_linesize()
    lines = [Line(part, m.small, colour, False, 0, 0) for text, colour in log_lines(sc, view)
             for part in fonts.wrap(text, m.small, inner.w - m.px(8))]
    for i, line in enumerate(lines):
        line.y = i * lh
    if not lines:
        lines = [Line("Nothing has happened yet.", m.small, theme.MUTED)]
    at_end = not box.scroll.more_below()
    box.rect = inner
    box.scroll.step = 3 * lh
    box.set_lines(lines)
    if at_end:
        box.scroll.offset = box.scroll.max_offset()
    box.draw(surf, m.small)


#: the most of the map the key may cover unless the room asks for all of it (L): the theatre stays in view
LEGEND_SHARE = 0.2
FOLDED_KEY = "Key (L)"


@dataclass
class Key:
    """Where the map's key goes and what it says: folded to a tab, or its title and entries in columns."""

    box: pygame.Rect
    title: list[str] = field(default_factory=list)
    entries: list[tuple[str, tuple[int, int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def folded(self) -> bool:
        return not self.entries


def _key_shapes(items: list[tuple[str, tuple[int, int, int]]], title: str, m: Metrics, limit: pygame.Rect
                ) -> list[tuple[int, int, int, list[str]]]:
    """The key laid out in one to four columns, with its title and without (the top bar names the map's
    mode too): (width, height, columns, title lines) for each shape that fits inside `limit`."""
    lh = fonts.font(m.small).get_linesize()
    th = fonts.font(m.small, True).get_linesize()
    entry_w = max(fonts.font_for(label, m.small).size(label)[0] for label, _ in items) + m.px(18)
    shapes = []
    for cols in range(1, 5):
        rows = -(-len(items) // cols)
        w = cols * entry_w + (cols - 1) * m.pad + 2 * m.pad
        for lines in (fonts.wrap(title, m.small, w - 2 * m.pad, True), []):
            wide = max([w, *(fonts.font_for(t, m.small, True).size(t)[0] + 2 * m.pad for t in lines)])
            h = m.pad + len(lines) * th + rows * lh
            if wide <= limit.w and h <= limit.h:
                shapes.append((wide, h, cols, lines))
    return shapes


def _corners(rect: pygame.Rect, size: tuple[int, int], m: Metrics) -> list[pygame.Rect]:
    """A box of `size` in each of the map's corners: bottom-left first, where maps of Europe have the Atlantic."""
    out = []
    for right, bottom in ((False, True), (False, False), (True, True), (True, False)):
        box = pygame.Rect((rect.left + m.pad, rect.top + m.pad), size)
        if right:
            box.right = rect.right - m.pad
        if bottom:
            box.bottom = rect.bottom - m.pad
        out.append(box)
    return out


def _covered(box: pygame.Rect, avoid: list[pygame.Rect]) -> int:
    return sum(box.clip(r).w * box.clip(r).h for r in avoid)


def legend_layout(rect: pygame.Rect, sc: Scenario, mode: str, m: Metrics, avoid: list[pygame.Rect],
                  shown: bool | None = None, land: list[pygame.Rect] | None = None) -> Key:
    """The key for this map mode, placed where it covers least of what the map draws (`avoid`: the sides'
    markers and names, the badges, weighing most; `land`: the sides' territories), titled if that costs
    nothing, and as small as it can be. A key that would cover more than `LEGEND_SHARE` of the map is folded to
    a tab until L asks for it; `shown` True or False is the room's own choice (L)."""
    items = legend(sc, mode)
    limit = rect if shown is True else pygame.Rect(0, 0, int(rect.w * 0.6), int(rect.h * 0.6))
    room = rect.w * rect.h * (1.0 if shown is True else LEGEND_SHARE)
    options = [(4 * _covered(box, avoid) + _covered(box, land or []), not lines, w * h, box, cols, lines)
               for w, h, cols, lines in _key_shapes(items, f"{mode_title(sc, mode)} (L)", m, limit)
               if w * h <= room for box in _corners(rect, (w, h), m)]
    if shown is False or not options:
        w, h = fonts.font(m.small, True).size(FOLDED_KEY)
        tabs = _corners(rect, (w + 2 * m.pad, h + m.pad), m)
        return Key(min(tabs, key=lambda box: _covered(box, avoid)), [FOLDED_KEY])
    _, _, _, box, cols, lines = min(options, key=lambda o: o[:3])
    lh = fonts.font(m.small).get_linesize()
    top = box.y + m.pad // 2 + len(lines) * fonts.font(m.small, True).get_linesize()
    rows = -(-len(items) // cols)
    col_w = (box.w - m.pad) // cols
    entries = [(label, colour, (box.x + m.pad + (i // rows) * col_w, top + (i % rows) * lh))
               for i, (label, colour) in enumerate(items)]
    return Key(box, lines, entries)


def map_legend(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, mode: str, m: Metrics,
               avoid: list[pygame.Rect] | None = None, shown: bool | None = None,
               land: list[pygame.Rect] | None = None) -> Key:
    """Draw the map's key (see `legend_layout`); return it, folded or not, and where it went."""
    key = legend_layout(rect, sc, mode, m, avoid or [], shown, land)
    shade = pygame.Surface(key.box.size, pygame.SRCALPHA)
    shade.fill((255, 255, 255, 225))
    surf.blit(shade, key.box.topleft)
    th = fonts.font(m.small, True).get_linesize()
    for i, line in enumerate(key.title):
        surf.blit(fonts.text(line, m.small, theme.INK, True),
                  (key.box.x + m.pad, key.box.y + m.pad // 2 + i * th))
    lh = fonts.font(m.small).get_linesize()
    for label, colour, (x, y) in key.entries:
        pygame.draw.rect(surf, colour, (x, y + 3, m.px(12), lh - 6))
        pygame.draw.rect(surf, theme.PANEL_EDGE, (x, y + 3, m.px(12), lh - 6), 1)
        surf.blit(fonts.text(label, m.small, theme.INK), (x + m.px(18), y))
    return key


def tooltip(surf: pygame.Surface, pos: tuple[int, int], sc: Scenario, view: View, actor: str, m: Metrics) -> None:
    a = sc.actor(actor)
    lines: list[tuple[str, bool]] = [(f"{a.name} ({a.kind})", True)]
    for var, d in sc.variables.items():
        v = view["vars"][actor].get(var)
        shown = fonts.number(v)
        lines.append((f"{d.label}: {shown}{(' ' + d.unit) if d.unit and v is not None else ''}", False))
    for al in sc.alliances:
        st = view["commitments"].get(al.id, {}).get(actor)
        if st:
            lines.append((f"{al.name}: {st}", False))
    n = sum(1 for ag in view["agreements"].values() if actor in ag["parties"] and ag["state"] in ("in_force", "invoked"))
    lines.append((f"Agreements in force: {n}", False))
    lh = fonts.font(m.small).get_linesize()
    w = max(fonts.font(m.small, b).size(t)[0] for t, b in lines) + 2 * m.pad
    h = len(lines) * lh + m.pad
    x, y = pos[0] + 16, pos[1] + 16
    sw, sh = surf.get_size()
    x = min(x, sw - w - 4)
    y = min(y, sh - h - 4)
    pygame.draw.rect(surf, (255, 255, 250), (x, y, w, h), border_radius=4)
    pygame.draw.rect(surf, theme.PANEL_EDGE, (x, y, w, h), 1, border_radius=4)
    for i, (t, b) in enumerate(lines):
        surf.blit(fonts.text(t, m.small, theme.INK, b), (x + m.pad, y + m.pad // 2 + i * lh))
