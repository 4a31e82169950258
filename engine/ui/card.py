"""The card every room-wide screen of an exercise is: a dark screen with one light card of text and buttons.

`CardScreen` is the frame the exercise's screens are built on (engine/ui/exercise_screens.py, and the argue
screen of engine/ui/team_planning.py); where a screen goes next is engine/ui/flow.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pygame

from engine.exercise.script import Inject
from engine.ui import fonts, theme
from engine.ui.board import save_now
from engine.ui.widgets import Button, ScrollText, flow

if TYPE_CHECKING:
    from engine.ui.app import App
    from engine.ui.exercise_session import ExerciseSession

Para = tuple[str, int, tuple[int, int, int], bool]


def inject_of(app: App, event_id: str) -> Inject | None:
    """The script's line for a delivered inject (its channel), or None for a scenario event."""
    return next((i for i in app.exercise_session.exercise.script.injects if i.id == event_id), None)


def ctrl_s(event: pygame.event.Event) -> bool:
    return (event.type == pygame.KEYDOWN and event.key == pygame.K_s
            and bool((getattr(event, "mod", 0) | pygame.key.get_mods()) & pygame.KMOD_CTRL))


def measure(items: list[Para], w: int) -> int:
    """The height `items` take wrapped at width `w` (a card is sized to its text, up to the window)."""
    return flow(items, w)[1]


class CardScreen:
    """A dark screen with one light card of text and buttons: the shape of every room-wide exercise screen."""

    name = "card"
    card_w = 760
    dark = True

    def __init__(self, app: App):
        self.app = app
        self.mouse = (-1, -1)
        self.message = ""
        self.error_message = False
        self.buttons: list[Button] = []
        self.primary: Button | None = None
        self.control_button: Button | None = None
        #: the card's text: it scrolls (wheel, PageUp/PageDown) when a long inject or briefing is more than fits
        self.text = ScrollText(pygame.Rect(0, 0, 1, 1))
        #: centre each line in the card (the hand-over card) rather than set it flush left
        self.centred = False

    @property
    def session(self) -> ExerciseSession:
        return self.app.exercise_session

    # -- subclasses fill these in
    def paras(self) -> list[Para]:
        return []

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        """(label, action, primary) for the buttons at the foot of the card."""
        return []

    def kicker(self) -> str:
        s = self.session
        return f"{s.exercise.title} · turn {s.game.state.turn} · {s.sc.turn_date(s.game.state.turn):%B %Y}"

    def with_control(self) -> bool:
        return True

    # -- layout, input, drawing
    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        bw = min(w - 2 * m.pad, m.px(self.card_w))
        need = measure(self.paras(), bw - m.pad * 8) + m.pad * 3 + m.px(130)  # text, message line, buttons
        self.box = pygame.Rect(0, 0, bw, max(m.px(300), min(h - m.px(120), need)))
        self.box.center = (w // 2, h // 2 + m.px(10))
        self.text = ScrollText(self.text_rect(), step=fonts.font(m.font).get_linesize() * 3)
        self.buttons = []
        acts = self.actions()
        widths = [max(m.px(180), fonts.font(m.font, True).size(label)[0] + m.px(36)) for label, _, _ in acts]
        x = self.box.centerx - (sum(widths) + m.pad * 2 * (len(acts) - 1)) // 2
        y = self.box.bottom - m.px(64)
        self.primary = None
        for (label, action, primary), bw in zip(acts, widths, strict=True):
            b = Button(pygame.Rect(x, y, bw, m.px(46)), label, action, primary=primary)
            self.buttons.append(b)
            if primary and self.primary is None:
                self.primary = b
            x += bw + m.pad * 2
        self.control_button = None
        if self.with_control():
            self.control_button = Button(pygame.Rect(w - m.px(130), h - m.px(44), m.px(118), m.px(32)),
                                         "Control (F10)", lambda: self.app.flow.open_control(self))
            self.buttons.append(self.control_button)

    def text_rect(self) -> pygame.Rect:
        """Where the card's text goes: inside the card, above the message line and the buttons."""
        m, b = self.app.m, self.box
        return pygame.Rect(b.x + m.pad * 4, b.y + m.pad * 3, b.w - m.pad * 8, max(1, b.h - m.pad * 3 - m.px(96)))

    def say(self, text: str, error: bool = False) -> None:
        self.message, self.error_message = text, error

    def handle(self, event: pygame.event.Event) -> None:
        if hasattr(event, "pos"):
            self.mouse = event.pos
        if ctrl_s(event):
            said = save_now(self.app)
            self.say(said, error=said.startswith("Not saved"))
            return
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and self.primary:
            self.primary.action()
            return
        if self.text.handle(event, self.mouse) or self.text.keys(event):
            return
        for b in list(self.buttons):
            if b.handle(event):
                return
        self.handle_more(event)

    def handle_more(self, event: pygame.event.Event) -> None:
        pass

    def update(self, dt: float) -> None:
        pass

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        surf.fill(theme.HIDDEN_BG if self.dark else theme.BG)
        w, _ = self.app.size
        kick = fonts.text(fonts.fit_text(self.kicker(), m.font, w - 4 * m.pad), m.font, (180, 190, 210))
        surf.blit(kick, kick.get_rect(midtop=(w // 2, m.px(22))))
        b = self.box
        pygame.draw.rect(surf, theme.PANEL, b, border_radius=10)
        self.draw_card(surf, b)
        for btn in self.buttons:
            btn.draw(surf, m.font if btn is not self.control_button else m.small, btn.rect.collidepoint(self.mouse))
        if self.message:
            colour = theme.BAD if self.error_message else theme.GOOD
            lines = fonts.wrap(self.message, m.small, b.w - 4 * m.pad)[:2]
            for i, line in enumerate(lines):
                img = fonts.text(line, m.small, colour)
                surf.blit(img, img.get_rect(midtop=(b.centerx, b.bottom - m.px(90) + i * fonts.font(m.small).get_linesize())))

    def draw_card(self, surf: pygame.Surface, b: pygame.Rect) -> None:
        """The card's paragraphs, wrapped, scrolling when they are more than the card holds (never cut off)."""
        self.text.rect = self.text_rect()  # a subclass may have moved the card after this layout
        lines, bottom = flow(self.paras(), self.text.rect.w)
        if self.centred:
            for ln in lines:
                ln.x = (self.text.rect.w - fonts.font(ln.size, ln.bold).size(ln.text)[0]) // 2
        self.text.set_lines(lines, bottom)
        self.text.draw(surf, self.app.m.small)
