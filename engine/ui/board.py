"""The board every game screen is drawn on, and what the screens of a game share.

`BoardScreen` is the frame: top bar, map, status panels and log, with a left
panel each screen fills in. `PlanningScreen` (one team's order entry) and
`ResultsScreen` (the turn for the room) are here too because an exercise's
screens extend them (engine/ui/team_planning.py, engine/ui/exercise_screens.py);
the other screens of a game are in engine/ui/game_screen.py. Where a screen
goes next is engine/ui/flow.py's: a screen asks `self.app.flow`.

Every screen reads a *view* from the engine (`game.view(side)`): a team's
planning screen shows only what that side may know, and the shared results
screen uses the room's view (no side's private information). The UI holds no
rules: legality, reasons and chances all come from the engine.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygame

from engine.core import paths
from engine.core.clock import TurnClock
from engine.core.errors import IllegalOrder
from engine.core.state import Order
from engine.persistence.saves import SaveError, autosave_path, fresh_path, save_game
from engine.present.changes import turn_changes
from engine.present.describe import card_lines
from engine.present.render import Renderer
from engine.present.report import write_report
from engine.rules.objectives import objective_progress
from engine.rules.turn import CardStatus
from engine.rules.views import FACILITATOR, ROOM, chance_words, resolution_chance
from engine.ui import fonts, panels, theme
from engine.ui.exercise_session import ExerciseSession
from engine.ui.geo import MapData
from engine.ui.mapstyle import MODES
from engine.ui.mapview import MapView
from engine.ui.turn_timer import planning_clock
from engine.ui.widgets import Button, Line, Row, Scroll, ScrollList, ScrollText, flow

if TYPE_CHECKING:
    from engine.ui.app import AnySession, App

# ROOM (from engine/rules/views.py): the view of the room, public information only
FAMILY_COLOURS = {"budget": (72, 140, 96), "agreement": (60, 104, 180), "escalation": (190, 80, 60)}
_MAP_CACHE: dict[str, MapData] = {}


def map_data() -> MapData:
    if "europe" not in _MAP_CACHE:
        _MAP_CACHE["europe"] = MapData.load()
    return _MAP_CACHE["europe"]


def autosave_file(app: App) -> Path | None:
    """This session's autosave file: chosen once per game, so games never autosave over one another."""
    s = app.game_session
    if not s.autosave_chosen:
        s.autosave_file = autosave_path(app.autosave_setting, s.save_stem)
        s.autosave_chosen = True
    return s.autosave_file


def save_now(app: App) -> str:
    s = app.game_session
    stem = s.save_stem  # an exercise names its saves after itself
    name = f"{stem}-turn{s.game.state.turn:02d}.json"
    target = app.save_to or paths.written("saves") / name
    try:
        seated = s.room()  # who sat at the screen (in an exercise, the teams' sides; the script plays the rest)
        path = save_game(target, s.game, s.scenario_path, label="saved from the map", room=seated)
    except SaveError as exc:
        return f"Not saved: {exc}"
    return f"Saved to {_shown(path)}"


def _shown(path: Path) -> str:
    """A path as the room should read it: relative to the project (or the folder saves go in) when inside it."""
    for root in (paths.written("saves").parent.resolve(), *paths.project_roots()):
        if path.resolve().is_relative_to(root):
            return str(path.resolve().relative_to(root))
    return str(path)


def write_report_now(app: App, facilitator: bool = False) -> str:
    """Write the after-action review of the game so far into a new folder of reports/ and say where.

    The room's version (no side's private information), unless the facilitator
    asks for the full one (`facilitator=True`, in a folder marked -facilitator).
    The folder is named by scenario, turn and time, never by the seed (a team
    handed the room's report must not learn it), and never replaces another.
    """
    s = app.game_session
    game = s.game
    stem = f"{game.scenario.meta.id}-turn{game.state.turn:02d}-{time.strftime('%Y%m%d-%H%M%S')}"
    stem += "-facilitator" if facilitator else ""
    out = fresh_path(app.reports_dir, stem)
    try:
        path = write_report(game, out, audience=FACILITATOR if facilitator else ROOM,
                            exercise=s.exercise if isinstance(s, ExerciseSession) else None, named=False)
    except OSError as exc:
        return f"Report not written: {exc.strerror or exc}"
    return f"Report written to {_shown(path)}"


def card_chance(st: CardStatus) -> str:
    """A card's chance for the card list: one figure, or the spread over its targets (each aim shows its own)."""
    if not st.chances:
        return ""
    low, high = min(lo for lo, _ in st.chances), max(hi for _, hi in st.chances)
    if low == high == 100:
        return ""
    exact = all(lo == hi for lo, hi in st.chances)
    if exact and low == high:
        return f" · {low}%"
    return f" · {low}–{high}%" + ("" if exact else " (hidden factors)") + (" by target" if len(st.chances) > 1 else "")


class BoardScreen:
    """The shared frame of the game: top bar, map, status panels and log; the left panel varies."""

    name = "board"
    who = ""

    def __init__(self, app: App, view_side: str):
        self.app = app
        self.view_side = view_side
        self.sc = self.session.game.scenario
        self.mapview = MapView(map_data(), self.sc)
        self.mode = MODES[0] if not self.sc.alliances else "commitment"
        self.hover: str | None = None
        self.selected_actor: str | None = None
        #: the scrolled panels around the map (placed where they are drawn)
        self.log_box = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.agree_box = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.budget_scroll = Scroll()
        #: text panels a screen draws over the map (an exercise team's injects): scrolled first, kept clear of
        self.over_map: list[ScrollText] = []
        #: the map's key: None shows it when it is small enough to leave the theatre clear; L says yes or no
        self.legend_shown: bool | None = None
        self.key: panels.Key | None = None
        self.buttons: list[Button] = []
        self.message = ""
        self.error_message = False
        self.mouse = (-1, -1)

    @property
    def session(self) -> AnySession:
        """The game being played (a plain game or an exercise: an exercise's screens say which)."""
        return self.app.game_session

    def view(self) -> dict[str, Any]:
        return self.session.game.view(self.view_side)

    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.top = pygame.Rect(0, 0, w, m.topbar)
        side_w = min(m.side, w // 3)
        right_w = min(m.px(320), w // 4)
        self.left = pygame.Rect(0, self.top.bottom, side_w, h - self.top.bottom)
        self.right = pygame.Rect(w - right_w, self.top.bottom, right_w, h - self.top.bottom)
        center = pygame.Rect(self.left.right, self.top.bottom, self.right.left - self.left.right, h - self.top.bottom)
        log_h = max(m.px(120), center.h // 5)
        self.map_rect = pygame.Rect(center.x, center.y, center.w, center.h - log_h)
        self.log_rect = pygame.Rect(center.x, self.map_rect.bottom, center.w, log_h)
        n = len(self.sc.ladder.rungs)
        lh = fonts.font(m.font, True).get_linesize() + m.pad
        ladder_h = lh + n * min(m.row, m.px(24)) + m.pad
        self.ladder_rect = pygame.Rect(self.right.x, self.right.y, self.right.w, ladder_h)
        self.budget_rect = pygame.Rect(self.right.x, self.ladder_rect.bottom, self.right.w, 0)
        least_agreements = lh + 3 * (fonts.font(m.small).get_linesize() + 2) + m.pad  # a few rows, then it scrolls
        self.budget_rect.h = min(panels.budget_layout(self.budget_rect, self.sc, m).height,
                                 self.right.bottom - self.budget_rect.y - least_agreements)
        self.agree_rect = pygame.Rect(self.right.x, self.budget_rect.bottom, self.right.w,
                                      self.right.bottom - self.budget_rect.bottom)
        self.mapview.set_rect(self.map_rect, self.app.scale)
        self.layout_left()

    def layout_left(self) -> None:
        pass

    def button_row(self, left: tuple[str, Any], right: tuple[str, Any]) -> tuple[Button, Button]:
        """Two buttons side by side at the foot of the left panel; the right one is the main action."""
        m, L = self.app.m, self.left
        y, half = L.bottom - m.px(46), (L.w - 3 * m.pad) // 2
        return (Button(pygame.Rect(L.x + m.pad, y, half, m.px(38)), left[0], left[1]),
                Button(pygame.Rect(L.x + 2 * m.pad + half, y, half, m.px(38)), right[0], right[1], primary=True))

    # ------------------------------------------------------------------ input
    def handle(self, event: pygame.event.Event) -> None:
        if hasattr(event, "pos"):
            self.mouse = event.pos
        if event.type == pygame.MOUSEMOTION:  # nothing of the map under a panel drawn over it
            self.hover = None if self.covers(event.pos) else self.mapview.actor_at(event.pos)
        elif event.type == pygame.MOUSEWHEEL and not self.covers(self.mouse):
            if (any(p.handle(event, self.mouse) for p in self.over_map) or self.log_box.handle(event, self.mouse)
                    or self.agree_box.handle(event, self.mouse)
                    or self.budget_scroll.wheel(event, self.budget_rect, self.mouse)):
                return
        elif event.type == pygame.KEYDOWN:
            if event.key == pygame.K_m:
                self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
                return
            if event.key == pygame.K_l:
                self.legend_shown = self.key is None or self.key.folded
                return
            if event.key == pygame.K_s and (getattr(event, "mod", 0) | pygame.key.get_mods()) & pygame.KMOD_CTRL:
                self.message = save_now(self.app)
                return
            if event.key == pygame.K_ESCAPE and self.app.error:
                self.app.error = None
                return
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for b in self.buttons:
                if b.handle(event):
                    return
            actor = self.mapview.actor_at(event.pos)
            if actor is not None:
                self.click_actor(actor)
                return
        self.handle_left(event)

    def covers(self, pos: tuple[int, int]) -> bool:
        """Is `pos` on a panel this screen draws over the board (the wheel then scrolls that, not the board's)?"""
        return False

    def click_actor(self, actor: str) -> None:
        self.selected_actor = actor

    def say(self, text: str, error: bool = False) -> None:
        self.message = text
        self.error_message = error

    def handle_left(self, event: pygame.event.Event) -> None:
        pass

    def update(self, dt: float) -> None:
        pass

    # ------------------------------------------------------------------ drawing
    def map_view_data(self) -> dict[str, Any]:
        return self.view()

    def map_marks(self) -> dict[str, str] | None:
        """Actors to ring on the map, with what happened there (the results screen marks the turn's events)."""
        return None

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        surf.fill(theme.BG)
        view = self.view()
        map_view = self.map_view_data()
        panels.topbar(surf, self.top, self.sc, map_view, m, self.who, self.mode, self.phase_label())
        self.mapview.draw(surf, map_view, self.mode, self.hover, self.selected_actor, self.map_marks())
        self.key = panels.map_legend(surf, self.map_rect, self.sc, self.mode, m,
                                     self.mapview.occupied + [p.rect for p in self.over_map], self.legend_shown,
                                     self.mapview.land)
        panels.ladder(surf, self.ladder_rect, self.sc, map_view, m)
        panels.budgets(surf, self.budget_rect, self.sc, map_view, m, self.budget_scroll)
        panels.agreements(surf, self.agree_rect, self.sc, map_view, m, self.agree_box)
        panels.event_log(surf, self.log_rect, self.sc, self.log_view(), m, self.log_box)
        self.draw_left(surf, view)
        if self.message:
            img = fonts.text(self.message, m.small, theme.INK)
            r = img.get_rect(bottomright=(self.map_rect.right - m.pad * 2, self.map_rect.bottom - m.pad * 2))
            pygame.draw.rect(surf, (255, 255, 240), r.inflate(12, 8), border_radius=4)
            surf.blit(img, r)
        if self.hover and self.map_rect.collidepoint(self.mouse):
            panels.tooltip(surf, self.mouse, self.sc, map_view, self.hover, m)

    def draw_left(self, surf: pygame.Surface, view: dict[str, Any]) -> None:
        pass

    def phase_label(self) -> str | None:
        return None

    def log_view(self) -> dict[str, Any]:
        return self.view()


class PlanningScreen(BoardScreen):
    """One team enters its orders, seeing only its own side's view."""

    name = "planning"

    def __init__(self, app: App, side: str):
        super().__init__(app, side)
        self.side = side
        self.who = f"Team: {self.sc.actor(side).name}"
        self.pending: list[Order] = []
        self.card_index: int | None = None
        self.aim_index = 0
        #: the detail panel shows the side's objectives instead of the chosen card (O)
        self.show_objectives = False
        #: the detail panel's text, scrolled by the wheel and PageUp/PageDown; what it showed last
        self.detail_text = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.detail_showing: tuple[str, ...] = ()
        #: the turn timer ran out on this screen (its time-out acts once)
        self.timed_out = False
        self.refresh()

    def refresh(self) -> None:
        game = self.session.game
        self.statuses: list[CardStatus] = game.card_statuses(self.side)
        #: worked out here, not in the frame loop: the state does not change while a team plans
        self.progress = objective_progress(game.rules, game.state, self.side)
        self.statuses.sort(key=lambda st: (st.orders == [], ["budget", "agreement", "escalation"].index(
            st.card.family) if st.card.family in ("budget", "agreement", "escalation") else 9, st.card.name))
        if self.card_index is None:
            self.card_index = 0 if self.statuses and self.statuses[0].orders else None

    def layout_left(self) -> None:
        m = self.app.m
        L = self.left
        limit = self.session.game.rules.orders_allowed(self.side)
        self.header = pygame.Rect(L.x, L.y, L.w, m.px(56))
        bottom_h = m.px(30) + limit * m.row + m.px(52)
        body = pygame.Rect(L.x, self.header.bottom, L.w, L.h - self.header.h - bottom_h)
        self.cards = ScrollList(pygame.Rect(body.x, body.y, body.w, int(body.h * 0.42)),
                                row_h=fonts.font(m.font, True).get_linesize() + fonts.font(m.small).get_linesize() + 4,
                                on_select=self.select_card)
        self.detail = pygame.Rect(body.x, self.cards.rect.bottom, body.w, body.h - self.cards.rect.h)
        aim_h = fonts.font(m.small, True).get_linesize() + 6
        self.aims = ScrollList(pygame.Rect(0, 0, body.w - 2 * m.pad, aim_h * 3), row_h=aim_h,
                               on_select=self.select_aim)
        self.pending_rect = pygame.Rect(L.x, body.bottom, L.w, bottom_h - m.px(52))
        self.add_button, self.commit_button = self.button_row(("Add order (A)", self.add_order),
                                                              ("Commit (C)", self.commit))
        self.buttons = [self.add_button, self.commit_button]
        self.sync_lists()

    # -- lists
    def sync_lists(self) -> None:
        rows = []
        for st in self.statuses:
            c = st.card
            cost = ", ".join(f"{v:g} {self.sc.variables[k].label.lower()}" for k, v in c.cost.items()) or "free"
            if st.orders:
                sub = f"{cost}{card_chance(st)}"
            else:
                sub = f"not now: {st.reason}"
            rows.append(Row(c.name, sub, greyed=not st.orders, tag=c.family, colour=FAMILY_COLOURS.get(c.family),
                            payload=c.id))
        self.cards.set_rows(rows)
        self.cards.selected = self.card_index
        chosen = self.current()
        aim_rows = []
        if chosen is not None:
            for o, (lo, hi) in zip(chosen.orders, chosen.chances, strict=True):
                chance = "" if lo == 100 else f" · {chance_words(lo, hi)}"  # each target's own chance
                aim_rows.append(Row(self.aim_label(o) + chance))
        self.aims.set_rows(aim_rows)
        self.aims.selected = self.aim_index if aim_rows else None

    def aim_label(self, o: Order) -> str:
        names = {a.id: a.name for a in self.sc.actors}
        if o.targets:
            return " + ".join(names[t] for t in o.targets)
        if o.agreement:
            return self.session.game.state.agreements[o.agreement].name
        return "(no target)"

    def current(self) -> CardStatus | None:
        if self.card_index is None or self.card_index >= len(self.statuses):
            return None
        return self.statuses[self.card_index]

    def select_card(self, i: int) -> None:
        self.card_index = i
        self.aim_index = 0
        self.message = ""
        self.sync_lists()

    def select_aim(self, i: int) -> None:
        self.aim_index = i
        st = self.current()
        if st and st.orders and st.orders[i].targets:
            self.selected_actor = st.orders[i].targets[0]

    def click_actor(self, actor: str) -> None:
        self.selected_actor = actor
        st = self.current()
        if st is None:
            return
        for i, o in enumerate(st.orders):
            if o.targets and o.targets[0] == actor:
                self.aim_index = i
                self.aims.selected = i
                self.aims.ensure_visible(i)
                return

    # -- orders
    def add_order(self) -> None:
        st = self.current()
        if st is None:
            self.say("Choose a card first.", error=True)
            return
        if not st.orders:
            self.say(f"{st.card.name} cannot be played now: {st.reason}", error=True)
            return
        order = st.orders[min(self.aim_index, len(st.orders) - 1)]
        game = self.session.game
        why = game.rules.check_orders(game.state, self.side, [*self.pending, order])
        if why:
            self.error_message = True
            self.message = why
            return
        self.pending.append(order)
        self.say(f"Added: {st.card.name}", error=False)

    def remove_order(self, i: int) -> None:
        if 0 <= i < len(self.pending):
            removed = self.pending.pop(i)
            self.say(f"Removed: {self.sc.card(removed.card).name}", error=False)

    # -- the facilitator's turn timer (engine/ui/turn_timer.py)
    @property
    def clock_key(self) -> str:
        """Whose clock this screen runs: the side (a team of several actors has one clock, see team_planning)."""
        return self.side

    def turn_clock(self) -> TurnClock | None:
        return planning_clock(self.app, self.clock_key)

    def update(self, dt: float) -> None:
        """At time-out: commit the entered orders (auto-commit), or say the time is up."""
        tc = self.turn_clock()
        if tc is None or self.timed_out or not tc.expired(self.app.now()):
            return
        self.timed_out = True
        if tc.setting.auto_commit:
            self.commit()
            if self.app.screen is self:  # refused (e.g. orders no longer possible): say so, keep the screen
                self.say(f"Time is up, but the orders could not be committed: {self.message}", error=True)
        else:
            self.say("Time is up: the facilitator asks you to commit your orders now (C).", error=True)

    def wake_in(self) -> float | None:
        """A running turn timer asks for a frame whenever the seconds shown change (see Screen in engine/ui/app.py)."""
        tc = self.turn_clock()
        return None if tc is None or self.timed_out else tc.next_change(self.app.now())

    def draw_clock(self, surf: pygame.Surface) -> None:
        tc = self.turn_clock()
        if tc is None:
            return
        m, L, now = self.app.m, self.left, self.app.now()
        colour = theme.BAD if tc.expired(now) else theme.WARN if tc.warning(now) else theme.MUTED
        label = fonts.text(tc.label(now), m.font, colour, True)
        box = label.get_rect(topright=(L.right - m.pad, L.y + m.pad // 2))
        if tc.warning(now) or tc.expired(now):
            pygame.draw.rect(surf, (255, 240, 220), box.inflate(10, 4), border_radius=4)
        surf.blit(label, box)

    def commit(self) -> None:
        try:
            self.session.game.submit(self.side, list(self.pending))
        except IllegalOrder as exc:
            self.error_message = True
            self.message = exc.reason
            return
        self.app.flow.to_committed(self.side, self.pending)

    def handle_left(self, event: pygame.event.Event) -> None:
        if (self.cards.handle(event, self.mouse) or self.aims.handle(event, self.mouse)
                or self.detail_text.handle(event, self.mouse) or self.detail_text.keys(event)):
            return
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, r in enumerate(self.pending_rows()):
                if r.collidepoint(event.pos):
                    self.remove_order(i)
                    return
        if event.type == pygame.KEYDOWN:
            k = event.key
            if k == pygame.K_a:
                self.add_order()
            elif k == pygame.K_c:
                self.commit()
            elif k == pygame.K_o:
                self.show_objectives = not self.show_objectives
            elif k == pygame.K_BACKSPACE and self.pending:
                self.remove_order(len(self.pending) - 1)
            elif k in (pygame.K_DOWN, pygame.K_UP) and self.statuses:
                i = 0 if self.card_index is None else self.card_index + (1 if k == pygame.K_DOWN else -1)
                i = max(0, min(len(self.statuses) - 1, i))
                self.select_card(i)
                self.cards.ensure_visible(i)
            elif k in (pygame.K_RIGHT, pygame.K_LEFT) and self.aims.rows:
                i = max(0, min(len(self.aims.rows) - 1, self.aim_index + (1 if k == pygame.K_RIGHT else -1)))
                self.select_aim(i)
                self.aims.selected = i
                self.aims.ensure_visible(i)

    def pending_rows(self) -> list[pygame.Rect]:
        m = self.app.m
        top = self.pending_rect.y + m.px(28)
        return [pygame.Rect(self.pending_rect.x + m.pad, top + i * m.row, self.pending_rect.w - 2 * m.pad, m.row - 2)
                for i in range(len(self.pending))]

    # -- drawing
    def draw_left(self, surf: pygame.Surface, view: dict[str, Any]) -> None:
        m = self.app.m
        game = self.session.game
        L = self.left
        pygame.draw.rect(surf, theme.PANEL, L)
        limit = game.rules.orders_allowed(self.side)
        surf.blit(fonts.text(fonts.fit_text(f"{self.sc.actor(self.side).name}: your orders", m.title, L.w - 2 * m.pad, True),
                             m.title, theme.INK, True), (L.x + m.pad, L.y + m.pad // 2))
        row = view["vars"][self.side]
        shown = [v for v in (self.sc.meta.dashboard or list(self.sc.variables)[:2])][:2]
        info = " · ".join(f"{self.sc.variables[v].label} {fonts.number(row[v])}" for v in shown if row.get(v) is not None)
        surf.blit(fonts.text(fonts.fit_text(f"{len(self.pending)} of {limit} orders · {info}", m.small, L.w - 2 * m.pad),
                             m.small, theme.MUTED), (L.x + m.pad, L.y + m.px(34)))
        hover_i = self.cards.index_at(self.mouse)
        self.cards.draw(surf, m.font, m.small, hover_i)
        self.draw_detail(surf)
        # pending orders
        pr = self.pending_rect
        pygame.draw.line(surf, theme.PANEL_EDGE, (pr.x, pr.y), (pr.right, pr.y))
        surf.blit(fonts.text("Orders to commit (click one to remove it)", m.small, theme.MUTED, True),
                  (pr.x + m.pad, pr.y + m.px(6)))
        for r, o in zip(self.pending_rows(), self.pending, strict=True):
            pygame.draw.rect(surf, theme.ACCENT_LIGHT, r, border_radius=4)
            label = f"{self.sc.card(o.card).name} → {self.aim_label(o)}" if (o.targets or o.agreement) else self.sc.card(o.card).name
            surf.blit(fonts.text(fonts.fit_text(label, m.small, r.w - 12), m.small, theme.INK), (r.x + 6, r.y + 3))
        self.add_button.enabled = len(self.pending) < limit
        mouse = self.mouse
        for b in self.buttons:
            b.draw(surf, m.font, b.rect.collidepoint(mouse))
        self.draw_clock(surf)
        if self.message:
            lines = fonts.wrap(self.message, m.small, L.w - 2 * m.pad)[:2]
            for i, line in enumerate(lines):
                colour = theme.BAD if self.error_message else theme.GOOD
                y = self.add_button.rect.y - m.px(18) * (len(lines) - i)
                surf.blit(fonts.text(line, m.small, colour), (L.x + m.pad, y))
        pygame.draw.line(surf, theme.PANEL_EDGE, (L.right - 1, L.y), (L.right - 1, L.bottom))

    def draw_detail(self, surf: pygame.Surface) -> None:
        """The chosen card in words (or the side's objectives, O), scrolling when it is longer than the panel;
        the card's targets in their own list below it."""
        m = self.app.m
        d = self.detail
        st = self.current()
        lh = fonts.font(m.small).get_linesize()
        x, w = d.x + m.pad, d.w - 2 * m.pad
        aims = bool(st and st.orders and not self.show_objectives)
        self.aims.rect.h = self.aims.row_h * min(3, max(1, len(self.aims.rows)))  # no empty rows: text gets room
        aims_top = d.bottom - self.aims.rect.h - m.pad
        bottom = aims_top - lh - m.pad // 2 if aims else d.bottom - m.pad // 2
        box = self.detail_text
        box.rect = pygame.Rect(x, d.y + m.pad, w, bottom - d.y - m.pad)
        box.scroll.step = 3 * lh
        showing = ("objectives",) if self.show_objectives or st is None else ("card", st.card.id)
        if showing != self.detail_showing:  # another card: from its top
            self.detail_showing, box.scroll.offset = showing, 0
        if showing[0] == "objectives":
            box.set_lines(self.objective_lines(w - m.pad, prompt=st is None and not self.show_objectives))
        else:
            assert st is not None
            box.set_lines(self.card_detail_lines(st, w - m.pad))
        box.draw(surf, m.small)
        if aims:
            assert st is not None
            surf.blit(fonts.text("Target (or click the map):" if st.card.target else "Target:", m.small, theme.MUTED,
                                 True), (x, aims_top - lh))
            self.aims.rect.topleft = (x, aims_top)
            self.aims.draw(surf, m.small, m.small, self.aims.index_at(self.mouse))

    def card_detail_lines(self, st: CardStatus, width: int) -> list[Line]:
        m = self.app.m
        paras: list[tuple[str, int, tuple[int, int, int], bool]] = [(st.card.name, m.font, theme.INK, True)]
        if not st.orders:
            paras.append((f"Not playable now: {st.reason}", m.small, theme.BAD, False))
        paras += [((f"{head}: " if head else "") + text, m.small, (60, 60, 60) if head else theme.INK, False)
                  for head, text in card_lines(self.session.game.rules, st.card)]
        return flow(paras, width, gap=2)[0]

    def objective_lines(self, width: int, prompt: bool) -> list[Line]:
        """The side's objectives with what each still needs, as the side may know it (O shows and hides them)."""
        m = self.app.m
        head = "Choose a card above (Up/Down). Your objectives:" if prompt else "Your objectives (O: back to the card)"
        paras: list[tuple[str, int, tuple[int, int, int], bool]] = [(head, m.small, theme.MUTED, True)]
        for p in self.progress:
            mark = {"met": "✓", "not yet": "·", "unknown": "?"}[p.status]
            colour = {"met": theme.GOOD, "not yet": theme.INK, "unknown": theme.MUTED}[p.status]
            when = "met once it holds" if p.judged == "ever" else "judged at the end"
            paras.append((f"{mark} {p.description} ({p.points} pt, {when})", m.small, colour, False))
            paras += [(f"    needs: {text}", m.small, theme.BAD, False) for text in p.missing]
            paras += [(f"    you cannot see: {text}", m.small, theme.MUTED, False) for text in p.unknown]
        return flow(paras, width, gap=2)[0]


#: what the room's map rings after a turn: what happened *to* a side (its own routine orders are in the panel)
MARKED = ("target", "agreement", "commitment", "inject")


class ResultsScreen(BoardScreen):
    """The turn's results for the whole room, one at a time (Space), skippable (Esc); then the map updates."""

    name = "results"
    who = "Results for the room"
    #: with no team in the room, one result every this many seconds
    AUTO_STEP_S = 0.9

    def __init__(self, app: App, before: dict[str, Any]):
        super().__init__(app, ROOM)
        self.before = before
        self.renderer = Renderer(self.sc)
        view = self.view()
        rec = view["log"][-1]
        self.items = self.build_items(rec, view)
        self.index = 0
        #: the shown result's text, scrolled when it is longer than its box (and which result it holds)
        self.item_text = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.item_shown = -1
        self.auto = not self.session.humans
        self.timer = 0.0
        #: what changed this turn, as the room may see it (engine/present/changes.py), and where, for the map
        self.changes = turn_changes(self.sc, before, view)
        self.resolutions = rec["resolutions"]
        self.summary_text = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.summary_text.set_lines([])
        self.summary_lines = self.renderer.headline_summary(self.changes)

    def build_items(self, rec: dict[str, Any], view: dict[str, Any]) -> list[tuple[str, list[str], str]]:
        r = self.renderer
        ags = view["agreements"]
        items = []
        for res in rec["resolutions"]:
            o = res["order"]
            aim = ""
            if o["targets"]:
                aim = " → " + ", ".join(r.name(t) for t in o["targets"])
            elif o["agreement"]:
                aim = " → " + ags.get(o["agreement"], {}).get("name", o["agreement"])
            title = f"{r.name(o['actor'])}: {self.sc.card(o['card']).name}{aim}"
            lines = []
            if o.get("rationale"):
                lines.append(f"Why: {o['rationale']}")
            if res.get("roll") is not None:
                lines.append(f"Rolled {res['roll']} on d100 against {resolution_chance(res)}")
            if res.get("reason"):
                lines.append(res["reason"])
            lines += [r.effect(e, ags) for e in res["effects"]]
            items.append((title, lines, res["outcome"]))
        for ev in rec["events"]:
            lines = [ev["text"].strip()] + [r.effect(e, ags) for e in ev["effects"]]
            items.append((f"Inject: {ev['name']}", lines, "event"))
        if rec["rung_before"] != rec["rung_after"]:
            rn = {x.id: x.name for x in self.sc.ladder.rungs}
            items.append(("The escalation ladder moves", [f"{rn[rec['rung_before']]} → {rn[rec['rung_after']]}"],
                          "rung"))
        return items

    def done(self) -> bool:
        return self.index >= len(self.items)

    def map_marks(self) -> dict[str, str] | None:
        """While stepping, the order shown (who gave it, at whom); then every place where something happened."""
        if not self.done():
            if self.index >= len(self.resolutions):
                return None
            o = self.resolutions[self.index]["order"]
            card = self.sc.card(o["card"]).name
            return {a: card for a in [o["actor"], *o["targets"]] if a in self.mapview.anchor}
        marks: dict[str, list[str]] = {}
        for p in self.changes.places:
            if p.kind in MARKED and p.actor in self.mapview.anchor:
                marks.setdefault(p.actor, []).append(p.what)
        return {a: ws[0] + (f" (+{len(ws) - 1} more)" if len(ws) > 1 else "") for a, ws in marks.items()}

    def map_view_data(self) -> dict[str, Any]:
        return self.view() if self.done() else self.before

    def log_view(self) -> dict[str, Any]:
        return self.map_view_data()

    def phase_label(self) -> str | None:
        return None if self.done() else "Results"

    def layout_left(self) -> None:
        self.next_button, self.skip_button = self.button_row(("Next (Space)", self.next),
                                                             ("Skip all (Esc)", self.skip))
        self.buttons = [self.next_button, self.skip_button]

    def next(self) -> None:
        if self.done():
            self.app.flow.begin_turn()
        else:
            self.index += 1
            self.timer = 0.0

    def skip(self) -> None:
        if self.done():
            self.app.flow.begin_turn()
        else:
            self.index = len(self.items)

    def handle_left(self, event: pygame.event.Event) -> None:
        if not self.done() and (self.item_text.handle(event, self.mouse) or self.item_text.keys(event)):
            return
        if self.done() and (self.summary_text.handle(event, self.mouse) or self.summary_text.keys(event)):
            return
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_SPACE:
                self.next()
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.skip() if not self.done() else self.app.flow.begin_turn()
            elif event.key == pygame.K_ESCAPE:
                self.skip()

    def update(self, dt: float) -> None:
        if self.auto and not self.done():
            self.timer += dt
            if self.timer >= self.AUTO_STEP_S:
                self.next()

    def wake_in(self) -> float | None:
        """Shown to a room of bots only, the results step on by themselves (see Screen in engine/ui/app.py)."""
        return max(0.0, self.AUTO_STEP_S - self.timer) if self.auto and not self.done() else None

    def draw_left(self, surf: pygame.Surface, view: dict[str, Any]) -> None:
        m = self.app.m
        L = self.left
        pygame.draw.rect(surf, theme.PANEL, L)
        x, w = L.x + m.pad, L.w - 2 * m.pad
        y = L.y + m.pad
        turn = view["log"][-1]["turn"]
        surf.blit(fonts.text(f"Turn {turn}: results", m.title, theme.INK, True), (x, y))
        y += fonts.font(m.title, True).get_linesize()
        progress = f"{min(self.index + 1, len(self.items))} of {len(self.items)}" if not self.done() else "all shown"
        surf.blit(fonts.text(progress + (" · playing automatically" if self.auto else ""), m.small, theme.MUTED), (x, y))
        y += fonts.font(m.small).get_linesize() + m.pad
        lh = fonts.font(m.small).get_linesize()
        paras: list[tuple[str, int, tuple[int, int, int], bool]]
        if not self.done():
            title, lines, outcome = self.items[self.index]
            colour = {"success": theme.GOOD, "failure": theme.BAD, "fizzled": theme.MUTED, "event": theme.WARN,
                      "rung": theme.BAD}[outcome]
            box = pygame.Rect(L.x + m.pad, y, w, L.bottom - y - m.px(60))
            pygame.draw.rect(surf, (255, 255, 255), box, border_radius=6)
            pygame.draw.rect(surf, colour, (box.x, box.y, m.px(6), box.h), border_top_left_radius=6,
                             border_bottom_left_radius=6)
            paras = [(title, m.font, theme.INK, True)]
            if outcome in ("success", "failure", "fizzled"):
                paras.append((outcome.upper(), m.title, colour, True))
            paras += [(text, m.small, theme.INK, False) for text in lines]
            text_box = self.item_text
            text_box.rect = pygame.Rect(box.x + m.px(16), box.y + m.pad, box.w - m.px(22), box.h - 2 * m.pad)
            text_box.scroll.step = 3 * lh
            if self.item_shown != self.index:  # the next result: from its top
                self.item_shown, text_box.scroll.offset = self.index, 0
            text_box.set_lines(flow(paras, text_box.rect.w - m.px(8), gap=2)[0])
            text_box.draw(surf, m.small, (255, 255, 255))
        else:
            # what changed this turn, for the room; the map rings where it happened
            counts = (f"{sum(1 for t in self.items if t[2] == 'success')} orders succeeded, "
                      f"{sum(1 for t in self.items if t[2] == 'failure')} failed, "
                      f"{sum(1 for t in self.items if t[2] == 'fizzled')} fizzled. Rings on the map: where "
                      "things happened.")
            paras = [("What changed this turn", m.font, theme.INK, True), (counts, m.small, theme.MUTED, False)]
            for line in self.summary_lines:
                head = not line.startswith(" ") and line.endswith(":")
                paras.append((line.strip(), m.small, theme.ACCENT if head else theme.INK, head))
            paras.append(("Press Enter or click Continue for the next turn." if not view["ended"]
                          else "Press Enter or click Continue for the end of the game.", m.small, theme.MUTED, False))
            summary = self.summary_text
            summary.rect = pygame.Rect(x, y, w, L.bottom - y - m.px(60))
            summary.scroll.step = 3 * lh
            summary.set_lines(flow(paras, summary.rect.w - m.px(8), gap=2)[0])
            summary.draw(surf, m.small, theme.PANEL)
        self.next_button.label = "Continue (Enter)" if self.done() else "Next (Space)"
        self.skip_button.enabled = not self.done()
        mouse = self.mouse
        for b in self.buttons:
            b.draw(surf, m.font, b.rect.collidepoint(mouse))
        pygame.draw.line(surf, theme.PANEL_EDGE, (L.right - 1, L.y), (L.right - 1, L.bottom))


def foot_top(buttons: list[Button], message: str, m: Any) -> int:
    """How far down a board's content may reach: above its buttons, and above the message line if any."""
    top = min(btn.rect.y for btn in buttons) - m.pad
    return top - (2 * fonts.font(m.small).get_linesize() if message else 0)


def foot_message(surf: pygame.Surface, box: pygame.Rect, buttons: list[Button], message: str, m: Any) -> None:
    """A board's message (where the report or the save went) on two lines above its buttons, whole."""
    if not message:
        return
    lh = fonts.font(m.small).get_linesize()
    top = min(btn.rect.y for btn in buttons) - m.pad - 2 * lh
    for i, line in enumerate(fonts.wrap(message, m.small, box.w - m.pad * 6)[:2]):
        surf.blit(fonts.text(line, m.small, theme.INK), (box.x + m.pad * 3, top + i * lh))
