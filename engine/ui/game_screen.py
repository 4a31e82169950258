"""The screens of a game in progress: hand-over, the committed team's last word, the end, the replay.

The board they are drawn on, and the planning and results screens, are in
engine/ui/board.py; which screen follows which is engine/ui/flow.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from engine.core.state import Order
from engine.present.render import Renderer
from engine.rules.views import resolution_chance, side_view
from engine.ui import fonts, theme
from engine.ui.board import (
    MARKED,
    ROOM,
    BoardScreen,
    PlanningScreen,
    ResultsScreen,
    foot_message,
    foot_top,
    save_now,
    write_report_now,
)
from engine.ui.exercise_session import ExerciseSession
from engine.ui.turn_timer import timer_words
from engine.ui.widgets import Button, Line, ScrollText, button_rows, flow

if TYPE_CHECKING:
    from engine.ui.app import AnySession, App, Screen

#: the board's screens, as the tests and tools have always found them here
__all__ = ["MARKED", "ROOM", "BoardScreen", "CommittedScreen", "EndScreen", "HandoverScreen", "PlanningScreen",
           "ReplayScreen", "ResultsScreen"]


def centred_lines(surf: pygame.Surface, lines: list[tuple[str, int, tuple[int, int, int], bool]], x: int, y: int,
                  gap: int) -> None:
    """Lines of (text, size, colour, bold) centred on `x`, from `y` down: the hand-over screens' words."""
    for text, size, colour, bold in lines:
        img = fonts.text(text, size, colour, bold)
        surf.blit(img, img.get_rect(midtop=(x, y)))
        y += img.get_height() + gap


class HandoverScreen:
    """Hides everything until the next team says it is ready: no one sees another team's orders."""

    name = "handover"

    def __init__(self, app: App, side: str):
        self.app = app
        self.side = side
        self.side_name = app.game_session.game.scenario.actor(side).name
        self.mouse = (-1, -1)

    @property
    def session(self) -> AnySession:
        return self.app.game_session

    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.button = Button(pygame.Rect(0, 0, m.px(420), m.px(56)), f"I am {self.side_name}: show my screen",
                             self.ready, primary=True)
        self.button.rect.center = (w // 2, h // 2 + m.px(90))

    def ready(self) -> None:
        self.app.flow.to_planning(self.side)

    def handle(self, event: pygame.event.Event) -> None:
        if hasattr(event, "pos"):
            self.mouse = event.pos
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.ready()
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_h and len(self.session.game.history) > 1:
            self.app.flow.to_replay(back=self)
        else:
            self.button.handle(event)

    def update(self, dt: float) -> None:
        pass

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        w, h = self.app.size
        surf.fill(theme.HIDDEN_BG)
        game = self.session.game
        lines = [
            (f"Turn {game.state.turn} · {game.scenario.turn_date(game.state.turn):%B %Y}", m.title, (180, 190, 210), False),
            (f"Hand the screen to the {self.side_name} team", m.big, (255, 255, 255), True),
            ("Other teams: please look away. Nothing of any team's orders is shown here.", m.font, (190, 198, 214), False),
        ]
        if self.app.turn_timer is not None:
            lines.append((timer_words(self.app.turn_timer), m.font, (255, 214, 150), False))
        centred_lines(surf, lines, w // 2, h // 2 - m.px(110), m.px(16))
        self.button.draw(surf, m.font, self.button.rect.collidepoint(self.mouse))
        more = " · H: the turns so far" if len(game.history) > 1 else ""
        hint = fonts.text(f"Press Enter when ready{more}", m.small, (160, 170, 190))
        surf.blit(hint, hint.get_rect(midtop=(w // 2, self.button.rect.bottom + m.px(12))))


class CommittedScreen(HandoverScreen):
    """A team has committed: it alone may take its orders back, while it is still at the screen.

    Once it hands the screen on, its orders stand for the turn: the next team
    cannot undo them (it could otherwise change another team's plan unseen).
    """

    name = "committed"

    def __init__(self, app: App, side: str, orders: list[Order]):
        super().__init__(app, side)
        self.orders = list(orders)

    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.button = Button(pygame.Rect(0, 0, m.px(420), m.px(56)), "Hand the screen on (Enter)", self.ready,
                             primary=True)
        self.button.rect.center = (w // 2, h // 2 + m.px(90))
        self.undo_button = Button(pygame.Rect(0, 0, m.px(420), m.px(40)), "Take back our orders (U)", self.take_back)
        self.undo_button.rect.center = (w // 2, self.button.rect.bottom + m.px(40))

    def ready(self) -> None:
        self.app.flow.begin_turn()

    def take_back(self) -> None:
        self.session.game.undo(self.side)
        self.app.flow.to_planning(self.side, pending=self.orders)

    def handle(self, event: pygame.event.Event) -> None:
        if hasattr(event, "pos"):
            self.mouse = event.pos
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.ready()
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_u:
            self.take_back()
        elif not self.button.handle(event):
            self.undo_button.handle(event)

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        w, h = self.app.size
        surf.fill(theme.HIDDEN_BG)
        n = len(self.orders)
        lines = [(f"{self.side_name}: {n} order{'s' if n != 1 else ''} committed", m.big, (255, 255, 255), True),
                 ("Only now can you take them back: once the screen is handed on they stand for this turn.",
                  m.font, (190, 198, 214), False)]
        centred_lines(surf, lines, w // 2, h // 2 - m.px(90), m.px(16))
        self.button.draw(surf, m.font, self.button.rect.collidepoint(self.mouse))
        self.undo_button.draw(surf, m.font, self.undo_button.rect.collidepoint(self.mouse))


class EndScreen(BoardScreen):
    """Who met which objective, and how the game went."""

    name = "end"
    who = "End of game"

    def __init__(self, app: App):
        super().__init__(app, ROOM)
        if app.save_to is not None:  # `play --save PATH`: the finished game is written there
            self.message = save_now(app)

    def layout_left(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.box = pygame.Rect(m.px(60), self.top.bottom + m.px(30), w - m.px(120), h - self.top.bottom - m.px(60))
        b = self.box
        self.buttons = button_rows([("New game (N)", self.new_game, True), ("Write report (R)", self.report, False),
                                    ("Replay (P)", self.replay, False), ("Quit (Q)", self.quit, False)],
                                   b.x + m.pad * 2, b.right - m.pad * 2, b.bottom - m.pad * 2, m.font, m)
        self.new_button = self.buttons[0]
        x, y = b.x + m.pad * 3, b.y + m.pad * 2 + fonts.font(m.big, True).get_linesize()
        self.summary, y = flow([(self.summary_text(), m.font, theme.INK, False)], b.w - m.pad * 6, x, y)
        bottom = foot_top(self.buttons, self.message, m)
        self.objectives = ScrollText(pygame.Rect(x, y, b.right - m.pad * 2 - x, bottom - y),
                                     step=3 * fonts.font(m.small).get_linesize())
        self.objectives.set_lines(self.objective_lines(self.objectives.rect.w - m.pad * 2))

    def covers(self, pos: tuple[int, int]) -> bool:
        return self.box.collidepoint(pos)

    def summary_text(self) -> str:
        state = self.session.game.state
        rn = {r.id: r.name for r in self.sc.ladder.rungs}
        in_force = sum(1 for a in state.agreements.values() if a.state in ("in_force", "invoked"))
        log = self.view()["log"]  # the room's: another side's private injects are not even counted
        return (f"Ended because {state.end_reason}. Escalation ended at {rn[state.rung]} "
                f"(peak: {rn[state.peak_rung]}); {in_force} agreements in force; "
                f"{len(log)} turns played, {sum(len(t['resolutions']) for t in log)} orders given, "
                f"{sum(len(t['events']) for t in log)} injects.")

    def objective_lines(self, width: int) -> list[Line]:
        """Each side's score and objectives, met or not, in two balanced columns when the box is wide enough
        for them (one otherwise); the panel scrolls when they are more than fit."""
        m = self.app.m
        game = self.session.game
        scores = game.scores()
        cols = 2 if width >= m.px(640) else 1
        col_w = (width - (cols - 1) * m.pad * 3) // cols
        blocks = []
        for a in (a for a in self.sc.actors if any(o.actor == a.id for o in self.sc.objectives)):
            objs = [o for o in self.sc.objectives if o.actor == a.id]
            met = set(game.state.results.get(a.id, []))
            lines, y = flow([(f"{a.name}: {scores.get(a.id, 0)} of {sum(o.points for o in objs)} points", m.small,
                              theme.INK, True)], col_w, gap=0)
            for o in objs:
                ok = o.id in met
                more, y = flow([(f"{'✓' if ok else '×'} {o.description} ({o.points})", m.small,
                                 theme.GOOD if ok else theme.BAD, False)], col_w, m.pad, y, hang=m.pad * 2, gap=0)
                lines += more
            blocks.append((lines, y + m.pad // 2))
        total = sum(h for _, h in blocks)
        out: list[Line] = []
        col, y = 0, 0
        for lines, h in blocks:
            if col < cols - 1 and y > 0 and y + h / 2 > total / cols:
                col, y = col + 1, 0
            out += [Line(ln.text, ln.size, ln.colour, ln.bold, ln.x + col * (col_w + m.pad * 3), ln.y + y)
                    for ln in lines]
            y += h
        return out

    def report(self) -> None:
        self.message = write_report_now(self.app)

    def replay(self) -> None:
        self.app.flow.to_replay(back=self)

    def new_game(self) -> None:
        self.app.flow.to_start()

    def quit(self) -> None:
        self.app.running = False

    def handle_left(self, event: pygame.event.Event) -> None:
        if self.objectives.handle(event, self.mouse) or self.objectives.keys(event):
            return
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_n:
                self.new_game()
            elif event.key == pygame.K_q:
                self.quit()
            elif event.key == pygame.K_r:
                self.report()
            elif event.key == pygame.K_p:
                self.replay()

    def draw(self, surf: pygame.Surface) -> None:
        super().draw(surf)
        m = self.app.m
        shade = pygame.Surface(self.app.size, pygame.SRCALPHA)
        shade.fill((20, 24, 32, 120))
        surf.blit(shade, (0, 0))
        b = self.box
        pygame.draw.rect(surf, theme.PANEL, b, border_radius=10)
        surf.blit(fonts.text("End of game", m.big, theme.INK, True), (b.x + m.pad * 3, b.y + m.pad * 2))
        for line in self.summary:
            surf.blit(fonts.text(line.text, line.size, line.colour, line.bold), (line.x, line.y))
        self.objectives.draw(surf, m.small)
        for btn in self.buttons:
            btn.draw(surf, m.font, btn.rect.collidepoint(self.mouse))
        foot_message(surf, b, self.buttons, self.message, m)


class ReplayScreen(BoardScreen):
    """Step through the game turn by turn (Left/Right): the map and panels as they stood after each turn.

    A facilitator may also rewind: Enter plays on from the start of the turn
    shown, dropping everything played after it.
    """

    name = "replay"
    who = "Replay"

    def __init__(self, app: App, back: Screen):
        super().__init__(app, ROOM)
        self.back = back
        self.index = len(self.session.game.history) - 1  # start at the end: the state the room last saw
        #: the turn a rewind waits to be confirmed for (Y), if any
        self.confirming: int | None = None
        #: the shown turn's orders, dice and injects, scrolled when they are more than fit (and whose they are)
        self.turn_text = ScrollText(pygame.Rect(0, 0, 0, 0))
        self.turn_shown_text = -1

    def view(self) -> dict[str, Any]:
        game = self.session.game
        return side_view(self.sc, game.history[self.index], ROOM, game.rules.fog)

    def phase_label(self) -> str | None:
        return "Start" if self.index == 0 else f"After turn {self.index}"

    def layout_left(self) -> None:
        self.prev_button, self.next_button = self.button_row(("◀ Earlier (Left)", self.earlier),
                                                             ("Later (Right) ▶", self.later))
        m, L = self.app.m, self.left
        self.rewind_button = Button(pygame.Rect(L.x + m.pad, self.prev_button.rect.y - m.px(46), L.w - 2 * m.pad,
                                                m.px(38)), "Play on from here (Enter)", self.rewind)
        self.close_button = Button(pygame.Rect(L.x + m.pad, self.rewind_button.rect.y - m.px(46), L.w - 2 * m.pad,
                                               m.px(38)), "Back (Esc)", self.close)
        self.buttons = [self.prev_button, self.next_button, self.rewind_button, self.close_button]

    def earlier(self) -> None:
        self.index = max(0, self.index - 1)

    def later(self) -> None:
        self.index = min(len(self.session.game.history) - 1, self.index + 1)

    def turn_shown(self) -> int | None:
        """The turn whose planning the shown state opens, if the game can be rewound to it."""
        state = self.session.game.history[self.index]
        return None if state.ended else state.turn

    def rewind(self) -> None:
        """Play on from the turn shown: the facilitator's call, never a team's on its own.

        In an exercise it is refused here (the control panel does it, behind
        the passphrase); in a plain game it asks for a second, deliberate key.
        """
        turn = self.turn_shown()
        if turn is None:
            self.say("The game ended here: step back to a turn to play on from it.", error=True)
            return
        if isinstance(self.session, ExerciseSession):
            self.say("Rewinding an exercise is the facilitator's: use the control panel (F10, passphrase).",
                     error=True)
            return
        if self.confirming != turn:
            self.confirming = turn
            self.say(f"Rewind to turn {turn}? Everything played since is dropped for every team. "
                     "Facilitator: press Y to confirm, any other key to cancel.", error=True)
            return
        self.confirming = None
        self.session.game.rewind(turn, reason="rewound from the replay screen after confirmation",
                                     by="facilitator")
        self.app.flow.begin_turn()

    def close(self) -> None:
        self.back.layout()
        self.app.show(self.back)

    def handle_left(self, event: pygame.event.Event) -> None:
        if self.confirming is None and (self.turn_text.handle(event, self.mouse) or self.turn_text.keys(event)):
            return
        if event.type == pygame.KEYDOWN and self.confirming is not None:
            if event.key == pygame.K_y:
                self.rewind()
            else:
                self.confirming = None
                self.say("Not rewound.")
            return
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_LEFT:
                self.earlier()
            elif event.key == pygame.K_RIGHT:
                self.later()
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.rewind()
            elif event.key == pygame.K_ESCAPE:
                self.close()

    def draw_left(self, surf: pygame.Surface, view: dict[str, Any]) -> None:
        m, L = self.app.m, self.left
        pygame.draw.rect(surf, theme.PANEL, L)
        x, w = L.x + m.pad, L.w - 2 * m.pad
        y = L.y + m.pad
        game = self.session.game
        last = len(game.history) - 1
        title = "The start" if self.index == 0 else f"After turn {self.index} of {last}"
        surf.blit(fonts.text(title, m.big, theme.INK, True), (x, y))
        y += fonts.font(m.big, True).get_linesize() + m.pad
        lh = fonts.font(m.small).get_linesize()
        limit = self.close_button.rect.y - m.pad
        log = view["log"]  # the room's view of this point of the game, never the state itself
        rec = log[-1] if log else None
        renderer = Renderer(self.sc)
        lines: list[tuple[str, tuple[int, int, int]]] = []
        if rec is None:
            lines.append(("Step right to see each turn's orders, dice and injects.", theme.MUTED))
        else:
            lines.append((f"{self.sc.turn_date(rec['turn']):%B %Y}", theme.ACCENT))
            for res in rec["resolutions"]:
                o = res["order"]
                dice = f" (d100 {res['roll']} vs {resolution_chance(res)})" if res["roll"] is not None else ""
                forced = " [override]" if res["decided_by"] == "override" else ""
                aim = (" → " + ", ".join(renderer.name(t) for t in o["targets"])) if o["targets"] else ""
                colour = {"success": theme.INK, "failure": theme.BAD}.get(res["outcome"], theme.MUTED)
                lines.append((f"{renderer.name(o['actor'])}: {self.sc.card(o['card']).name}{aim}: {res['outcome']}"
                              f"{dice}{forced}", colour))
            for ev in rec["events"]:
                lines.append((f"Inject: {ev['name']}", theme.WARN))
            if rec["rung_before"] != rec["rung_after"]:
                lines.append((f"Ladder: {renderer.rung_names[rec['rung_before']]} → "
                              f"{renderer.rung_names[rec['rung_after']]}", theme.BAD))
        box = self.turn_text
        box.rect = pygame.Rect(x, y, w, limit - y)
        box.scroll.step = 3 * lh
        if self.turn_shown_text != self.index:  # another turn: from its top
            self.turn_shown_text, box.scroll.offset = self.index, 0
        box.set_lines(flow([(text, m.small, colour, False) for text, colour in lines], w - m.px(8), gap=0)[0])
        box.draw(surf, m.small)
        self.prev_button.enabled = self.index > 0
        self.next_button.enabled = self.index < last
        self.rewind_button.enabled = self.turn_shown() is not None
        for b in self.buttons:
            b.draw(surf, m.font, b.rect.collidepoint(self.mouse))
