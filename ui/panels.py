"""The status panels around the map, drawn from one side's view (plain data, never the raw state)."""

from __future__ import annotations

from typing import Any

import pygame

from engine.scenario import Scenario
from engine.view import resolution_chance
from ui import fonts, theme
from ui.mapstyle import LINK_STYLE, actor_colours, legend, mode_title
from ui.theme import Metrics

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
    surf.blit(fonts.text(left, m.font, theme.TOPBAR_INK, True), (rect.x + m.pad * 2, y))
    right = f"{who} · map: {mode_title(sc, mode)} (M) · help (F1)"
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
        ink = theme.INK
        label = fonts.fit_text(rung.name, m.small, r.w - m.px(70), idx == cur)
        surf.blit(fonts.text(label, m.small, ink, idx == cur), (r.x + m.px(14), r.y + (r.h - fonts.font(m.small).get_height()) // 2))
        tag = "now" if idx == cur else ("peak" if idx == peak else f"{rung.threshold:g}")
        img = fonts.text(tag, m.small, theme.INK if idx in (cur, peak) else theme.MUTED, idx == cur)
        surf.blit(img, (r.right - img.get_width() - m.px(6), r.y + (r.h - img.get_height()) // 2))


def budgets(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics) -> None:
    target = sc.meta.spending_target
    title = f"Budgets · {target.label}" if target else "Budgets"
    inner = panel(surf, rect, fonts.fit_text(title, m.font, rect.w - 2 * m.pad, True), m)
    sides = sc.playable_ids
    row = min(m.px(22), inner.h // max(1, len(sides)))
    name_w = m.px(112)
    val_w = m.px(54)
    colours = actor_colours(sc)
    extra = next((v for v in sc.meta.dashboard if not target or v != target.var), None)
    extra_w = m.px(44) if extra else 0
    bar = pygame.Rect(inner.x + name_w, 0, inner.w - name_w - val_w - extra_w, row - 6)
    top_value = max(target.at_least * 2.5, 5.0) if target else 1.0
    for i, side in enumerate(sides):
        y = inner.y + i * row
        name = fonts.fit_text(sc.actor(side).name, m.small, name_w - 4)
        surf.blit(fonts.text(name, m.small, theme.INK), (inner.x, y + 2))
        if target is None:
            continue
        v = view["vars"][side].get(target.var)
        b = bar.move(0, y + 3)
        pygame.draw.rect(surf, (232, 230, 224), b)
        if v is not None:
            w = int(b.w * min(1.0, v / top_value))
            pygame.draw.rect(surf, theme.GOOD if v >= target.at_least else theme.BAD, (b.x, b.y, w, b.h))
            pygame.draw.rect(surf, colours[side], (b.x, b.y, m.px(4), b.h))
            text = fonts.number(v)
        else:
            text = "hidden"
        line_x = b.x + int(b.w * target.at_least / top_value)
        pygame.draw.line(surf, theme.INK, (line_x, b.y - 2), (line_x, b.bottom + 1), 2)
        surf.blit(fonts.text(text, m.small, theme.INK), (b.right + m.px(4), y + 2))
        if extra:
            ev = view["vars"][side].get(extra)
            et = fonts.number(ev)
            img = fonts.text(et, m.small, theme.MUTED)
            surf.blit(img, (inner.right - img.get_width(), y + 2))
    if target is not None:
        pool = view["members"].get(target.members_of, []) if target.members_of else sides
        met = sum(1 for a in pool if (view["vars"][a].get(target.var) or 0) >= target.at_least)
        whom = "members" if target.members_of else "sides"
        note = f"{met} of {len(pool)} {whom} at {target.at_least:g} or more"
        if extra:
            note += f" · right: {sc.variables[extra].label}"
        img = fonts.text(fonts.fit_text(note, m.small, inner.w), m.small, theme.MUTED)
        y = inner.y + len(sides) * row + 2
        if y + img.get_height() <= rect.bottom:
            surf.blit(img, (inner.x, y))


def agreements(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics,
               offset: int = 0) -> int:
    """Draw the agreement list; return how many rows did not fit (for scrolling)."""
    inner = panel(surf, rect, "Agreements", m)
    items = [a for a in view["agreements"].values()]
    order = {"invoked": 0, "in_force": 1, "signed": 2, "negotiating": 3, "proposed": 4, "suspended": 5,
             "lapsed": 6, "withdrawn": 7}
    items.sort(key=lambda a: (order.get(a["state"], 9), a["name"]))
    row = fonts.font(m.small).get_linesize() + 2
    fit = max(1, inner.h // row)
    clip = surf.get_clip()
    surf.set_clip(inner)
    for i, ag in enumerate(items[offset: offset + fit]):
        y = inner.y + i * row
        colour = LINK_STYLE.get(ag["state"], ((170, 170, 170), 1, False))[0]
        pygame.draw.circle(surf, colour, (inner.x + m.px(5), y + row // 2), m.px(4))
        state = ag["state"].replace("_", " ")
        img = fonts.text(state, m.small, theme.MUTED)
        name = fonts.fit_text(ag["name"], m.small, inner.w - m.px(16) - img.get_width() - m.px(6))
        surf.blit(fonts.text(name, m.small, theme.INK), (inner.x + m.px(14), y))
        surf.blit(img, (inner.right - img.get_width(), y))
    surf.set_clip(clip)
    return max(0, len(items) - fit)


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


def event_log(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, view: View, m: Metrics, scroll: int) -> int:
    """Draw the log, newest at the bottom, `scroll` lines up from the end; return the maximum scroll."""
    inner = panel(surf, rect, "Event log (mouse wheel scrolls)", m)
    lh = fonts.font(m.small).get_linesize()
    wrapped: list[tuple[str, tuple[int, int, int]]] = []
    for text, colour in log_lines(sc, view):
        wrapped.extend((line, colour) for line in fonts.wrap(text, m.small, inner.w))
    fit = max(1, inner.h // lh)
    max_scroll = max(0, len(wrapped) - fit)
    scroll = min(scroll, max_scroll)
    start = max(0, len(wrapped) - fit - scroll)
    clip = surf.get_clip()
    surf.set_clip(inner)
    if not wrapped:
        surf.blit(fonts.text("Nothing has happened yet.", m.small, theme.MUTED), inner.topleft)
    for i, (line, colour) in enumerate(wrapped[start:start + fit]):
        surf.blit(fonts.text(line, m.small, colour), (inner.x, inner.y + i * lh))
    surf.set_clip(clip)
    return max_scroll


def map_legend(surf: pygame.Surface, rect: pygame.Rect, sc: Scenario, mode: str, m: Metrics) -> None:
    items = legend(sc, mode)
    lh = fonts.font(m.small).get_linesize()
    cols = 1 if len(items) <= 6 else 2
    col_w = m.px(170)
    rows = (len(items) + cols - 1) // cols
    # top-left: the Atlantic, below the off-map marker, where no actor's land is
    box = pygame.Rect(rect.x + m.pad, rect.y + m.px(40), cols * col_w + m.pad * 2, rows * lh + m.pad * 2 + lh)
    title = mode_title(sc, mode)
    box.w = max(box.w, fonts.font(m.small, True).size(title)[0] + 2 * m.pad)
    shade = pygame.Surface(box.size, pygame.SRCALPHA)
    shade.fill((255, 255, 255, 215))
    surf.blit(shade, box.topleft)
    surf.blit(fonts.text(title, m.small, theme.INK, True), (box.x + m.pad, box.y + m.pad // 2))
    for i, (label, colour) in enumerate(items):
        c, r = divmod(i, rows)
        x = box.x + m.pad + c * col_w
        y = box.y + m.pad // 2 + lh + r * lh
        pygame.draw.rect(surf, colour, (x, y + 3, m.px(12), lh - 6))
        surf.blit(fonts.text(fonts.fit_text(label, m.small, col_w - m.px(20)), m.small, theme.INK), (x + m.px(16), y))


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
