"""A team's own planning screen in an exercise: its team view, its injects, orders for each of its actors.

The screen reads the engine's team view (`Exercise.team_view`): the union of
what the team's actors may see, so a private inject sent to another team is
never in the data this screen draws. A team playing several actors gives
orders for each (a tab per actor) and commits them together. In free
(matrix) play a team may also argue an action that is not on its cards.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import pygame
import pygame_gui

from engine.core.commands import Argue
from engine.core.errors import IllegalOrder
from engine.core.state import Order
from engine.ui import fonts, theme
from engine.ui.board import PlanningScreen
from engine.ui.card import CardScreen, Para, inject_of
from engine.ui.gui import gui_theme
from engine.ui.widgets import Button, Line, ScrollText, flow

if TYPE_CHECKING:
    from engine.ui.app import App
    from engine.ui.exercise_session import ExerciseSession


class TeamPlanningScreen(PlanningScreen):
    name = "planning"

    def __init__(self, app: App, team: str):
        s = app.exercise_session
        self.team = team
        self.team_name = s.team_name(team)
        self.actors = list(s.exercise.team(team).actors)
        self.orders_by_actor: dict[str, list[Order]] = {a: [] for a in self.actors}
        self.show_injects = True
        #: this turn's injects over the map, scrolled when they are more than fit
        self.inject_text = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.tabs: list[Button] = []
        super().__init__(app, self.actors[0])
        self.pending = self.orders_by_actor[self.side]
        self.who = self.team_name

    @property
    def session(self) -> ExerciseSession:
        return self.app.exercise_session

    def view(self) -> dict[str, Any]:
        game = self.session.game
        return self.session.exercise.team_view(game.state, self.team)

    @property
    def clock_key(self) -> str:
        """A team of several actors plans on one clock."""
        return f"team:{self.team}"

    @property
    def free_play(self) -> bool:
        return self.session.exercise.adjudication == "free"

    # -- layout: a row of actor tabs (several actors) and the argue button (free play) above the cards
    def layout_left(self) -> None:
        super().layout_left()
        m, L = self.app.m, self.left
        rows = (len(self.actors) > 1) + self.free_play
        row_h = m.px(40)
        shift = rows * row_h
        self.cards.rect.y += shift
        self.cards.rect.h -= shift
        y = self.header.bottom
        self.tabs = []
        if len(self.actors) > 1:
            tw = (L.w - m.pad * (len(self.actors) + 1)) // len(self.actors)
            for i, a in enumerate(self.actors):
                b = Button(pygame.Rect(L.x + m.pad + i * (tw + m.pad), y, tw, m.px(34)), self.sc.actor(a).name,
                           partial(self.switch_actor, a), primary=a == self.side)
                self.tabs.append(b)
            y += row_h
        self.argue_button = None
        if self.free_play:
            self.argue_button = Button(pygame.Rect(L.x + m.pad, y, L.w - 2 * m.pad, m.px(34)),
                                       "Argue a free action (F)", self.argue)
        self.buttons = [*self.tabs, *([self.argue_button] if self.argue_button else []), self.add_button,
                        self.commit_button]

    def switch_actor(self, actor: str) -> None:
        if actor == self.side or actor not in self.actors:
            return
        self.orders_by_actor[self.side] = self.pending
        self.side = self.view_side = actor
        self.pending = self.orders_by_actor[actor]
        self.card_index = None
        self.aim_index = 0
        self.message = ""
        self.refresh()
        self.layout()

    def argue(self) -> None:
        self.app.flow.to_argue(self, self.side)

    def commit(self) -> None:
        """Commit every actor's orders together; refuse them all, naming the actor, if any is refused."""
        game = self.session.game
        self.orders_by_actor[self.side] = self.pending
        for a in self.actors:
            why = game.rules.check_orders(game.state, a, self.orders_by_actor[a])
            if why:
                self.switch_actor(a)
                self.say(f"{self.sc.actor(a).name}: {why}", error=True)
                return
        try:
            for a in self.actors:
                game.submit(a, list(self.orders_by_actor[a]))
        except IllegalOrder as exc:  # e.g. the control cell paused the game meanwhile
            for a in self.actors:
                if a in game.state.committed:
                    game.undo(a)
            self.say(exc.reason, error=True)
            return
        self.app.flow.begin_turn()

    def handle_left(self, event: pygame.event.Event) -> None:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_TAB and len(self.actors) > 1:
            i = self.actors.index(self.side)
            self.switch_actor(self.actors[(i + 1) % len(self.actors)])
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_i:
            self.show_injects = not self.show_injects
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_f and self.free_play:
            self.argue()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_b:
            self.reread_briefing()
            return
        super().handle_left(event)

    def reread_briefing(self) -> None:
        """The team reads its own briefing again, then comes back to its orders as it left them."""
        self.orders_by_actor[self.side] = self.pending
        self.app.flow.to_briefing(self.team, back=self)

    # -- drawing
    def draw_left(self, surf: pygame.Surface, view: dict[str, Any]) -> None:
        self.orders_by_actor[self.side] = self.pending
        for a, b in zip(self.actors, self.tabs, strict=False):  # each tab says how many orders it holds
            b.label = f"{self.sc.actor(a).name} ({len(self.orders_by_actor[a])})"
        super().draw_left(surf, view)

    def draw(self, surf: pygame.Surface) -> None:
        super().draw(surf)
        self.over_map = []
        if self.show_injects:
            self.draw_injects(surf, self.view())

    def draw_injects(self, surf: pygame.Surface, view: dict[str, Any]) -> None:
        """This turn's injects as this team received them (public and its own private ones), over the map."""
        m = self.app.m
        items: list[tuple[list[Para], bool]] = []
        for ev in view["inbox"]:
            inj = inject_of(self.app, ev["event"])
            channel = inj.channel if inj and inj.channel else "scenario event"
            private = ev["to"] is not None
            head = f"{'FOR YOUR TEAM ONLY' if private else 'TO THE ROOM'} · {channel}"
            items.append(([(head, m.small, theme.BAD if private else theme.MUTED, True),
                           (ev["name"], m.font, theme.INK, True),
                           (ev["text"].strip(), m.small, theme.INK, False)], private))
        for actor, actions in view["free_pending"].items():
            for a in actions:
                chance = f"{a['chance']}%" if a.get("chance") is not None else "chance not yet set"
                items.append(([("FREE ACTION ARGUED", m.small, theme.ACCENT, True),
                               (f"{self.sc.actor(actor).name}: {a['argument']} ({chance})", m.small, theme.INK,
                                False)], False))
        r = self.map_rect
        w = min(m.px(440), r.w // 2)
        x = r.right - w - m.pad
        y = r.y + m.pad
        title = ("This turn's injects (I hides, B: your briefing)" if items
                 else "No injects for you this turn (I hides, B: your briefing)")
        inner_w = w - 4 * m.pad
        lines, y = flow([(title, m.font, theme.INK, True)], inner_w)
        for paras, private in items:
            more, y = flow(paras, inner_w, m.pad, y)
            if private:  # a red bar beside what only this team may read
                more += [Line("▍", ln.size, theme.BAD, False, 0, ln.y) for ln in more]
            lines += more
            y += m.pad // 2
        box = pygame.Rect(x, r.y + m.pad, w, min(y + m.pad, r.h - 2 * m.pad))
        shade = pygame.Surface(box.size, pygame.SRCALPHA)
        shade.fill((255, 253, 246, 238))
        surf.blit(shade, box.topleft)
        pygame.draw.rect(surf, theme.WARN, box, 2, border_radius=6)
        text = self.inject_text
        text.rect = pygame.Rect(box.x + m.pad, box.y + m.pad // 2, box.w - 2 * m.pad, box.h - m.pad)
        text.scroll.step = 3 * fonts.font(m.small).get_linesize()
        text.set_lines(lines)
        text.draw(surf, m.small, (255, 253, 246))
        self.over_map = [text]  # the wheel over it scrolls it, and the map's key keeps clear of it


class ArgueScreen(CardScreen):
    """A team argues an action that is not on its cards (matrix play): what happens, and why it should."""

    name = "argue"
    dark = False

    def __init__(self, app: App, back: TeamPlanningScreen, actor: str):
        super().__init__(app)
        self.back = back
        self.actor = actor

    def with_control(self) -> bool:
        return False

    def kicker(self) -> str:
        return f"{self.back.team_name} · for your team only"

    def paras(self) -> list[Para]:
        m = self.app.m
        return [(f"Argue a free action for {self.session.sc.actor(self.actor).name}", m.title, theme.INK, True),
                ("State the action, the result you want and your reasons (a matrix argument). The facilitator "
                 "sets its chance; the dice decide when the turn is adjudicated.", m.font, theme.MUTED, False)]

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        return [("Cancel (Esc)", self.cancel, False), ("Submit the argument", self.submit, True)]

    def layout(self) -> None:
        super().layout()
        m = self.app.m
        w, h = self.app.size
        self.manager = pygame_gui.UIManager((w, h), theme_path=gui_theme(m.font))
        self.entry = pygame_gui.elements.UITextEntryLine(
            pygame.Rect(self.box.x + m.pad * 4, self.box.y + m.px(150), self.box.w - m.pad * 8, m.px(40)),
            manager=self.manager)
        self.entry.set_text_length_limit(300)
        self.entry.focus()

    def submit(self) -> None:
        text = self.entry.get_text()
        try:
            self.session.game.control(Argue(actor=self.actor, argument=text))
        except IllegalOrder as exc:
            self.say(exc.reason, error=True)
            return
        self.back.say("Argued; the facilitator will set its chance.", error=False)
        self.cancel()

    def cancel(self) -> None:
        self.back.layout()
        self.app.show(self.back)

    def handle(self, event: pygame.event.Event) -> None:
        self.manager.process_events(event)
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.entry:
            self.submit()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.cancel()
            return
        if event.type == pygame.KEYDOWN and (self.entry.is_focused or event.key in (pygame.K_RETURN,
                                                                                    pygame.K_KP_ENTER)):
            return  # typing goes to the entry line
        super().handle(event)

    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        super().draw(surf)
        self.manager.draw_ui(surf)
