"""The room-wide screens of a facilitated exercise: hand-over, briefing, injects, pauses, the ruling gate, debrief.

Everything a team reads privately is shown only after a hand-over screen
that itself shows nothing private; the room-wide screens draw public
information only (public injects, the script's discussion prompts). The
control cell is reached from any of them (F10 or the small Control button)
through the facilitator's passphrase. Which screen follows which is
engine/ui/flow.py's; the card they are drawn on is engine/ui/card.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame
import pygame_gui

from engine.core.commands import Resume
from engine.ui import fonts, theme
from engine.ui.board import ROOM, BoardScreen, ResultsScreen, foot_message, foot_top, save_now, write_report_now
from engine.ui.card import CardScreen, Para, inject_of
from engine.ui.gui import gui_theme
from engine.ui.turn_timer import timer_words
from engine.ui.widgets import Button, Line, Row, ScrollText, button_rows, flow

if TYPE_CHECKING:
    from engine.ui.app import App, Screen
    from engine.ui.exercise_session import ExerciseSession



class PassphraseScreen(CardScreen):
    """The facilitator types the passphrase (masked); a wrong one is refused and nothing opens."""

    name = "passphrase"
    card_w = 560

    def __init__(self, app: App, back: Screen, on_open: Callable[[], None], purpose: str):
        super().__init__(app)
        self.back = back
        self.on_open = on_open
        self.purpose = purpose
        self.failures = 0

    def with_control(self) -> bool:
        return False

    def kicker(self) -> str:
        return "Facilitator only"

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        return [("Cancel (Esc)", self.cancel, False), ("Unlock", self.attempt, True)]

    def layout(self) -> None:
        super().layout()
        m = self.app.m
        w, h = self.app.size
        self.box.h = m.px(300)
        self.box.center = (w // 2, h // 2)
        y = self.box.bottom - m.px(64)
        for b in self.buttons:
            b.rect.y = y
        self.manager = pygame_gui.UIManager((w, h), theme_path=gui_theme(m.font))
        self.entry = pygame_gui.elements.UITextEntryLine(
            pygame.Rect(self.box.x + m.pad * 4, self.box.y + m.px(130), self.box.w - m.pad * 8, m.px(40)),
            manager=self.manager)
        self.entry.set_text_hidden(True)
        self.entry.focus()

    def paras(self) -> list[Para]:
        m = self.app.m
        return [(self.purpose, m.title, theme.INK, True),
                ("Type the facilitator's passphrase. Teams: please look away.", m.font, theme.MUTED, False)]

    def attempt(self) -> None:
        text = self.entry.get_text()
        if self.session.lock.opens_with(text):
            self.session.touch_control()
            self.on_open()
            return
        self.failures += 1
        self.entry.set_text("")
        self.say("Wrong passphrase: the control panel stays locked." if text else "Type the passphrase first.",
                 error=True)

    def cancel(self) -> None:
        self.app.show(self.back)

    def handle(self, event: pygame.event.Event) -> None:
        self.manager.process_events(event)
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.entry:
            self.attempt()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.cancel()
            return
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            return  # the entry line reports Enter itself
        super().handle(event)

    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        super().draw(surf)
        self.manager.draw_ui(surf)


class TeamHandoverScreen(CardScreen):
    """Shows nothing but whose turn it is at the screen: no team's briefing, injects or orders."""

    name = "handover"

    def __init__(self, app: App, team: str, briefing: bool = False):
        super().__init__(app)
        self.team = team
        self.briefing = briefing
        self.team_name = self.session.team_name(team)
        self.centred = True

    def kicker(self) -> str:
        return f"{self.session.exercise.title} · before the first turn" if self.briefing else super().kicker()

    def paras(self) -> list[Para]:
        m = self.app.m
        what = "its briefing" if self.briefing else "its screen"
        paras: list[Para] = [("", m.px(40), theme.INK, False),
                             (f"Pass the screen to {self.team_name}", m.big, theme.INK, True),
                             (f"Other teams: please look away while {self.team_name} reads {what}. Nothing of any "
                              "team's briefing, injects or orders is shown here.", m.font, theme.MUTED, False)]
        if self.app.turn_timer is not None and not self.briefing:
            paras.append((timer_words(self.app.turn_timer), m.font, theme.WARN, True))
        return paras

    def layout(self) -> None:
        super().layout()
        m = self.app.m
        w, h = self.app.size
        self.box.h = m.px(360)
        self.box.center = (w // 2, h // 2)
        for btn in self.buttons:
            if btn is not self.control_button:
                btn.rect.y = self.box.bottom - m.px(72)

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        label = "We are ready: show our briefing" if self.briefing else "We are ready: show our screen"
        return [(f"{label} (Enter)", self.ready, True)]

    def ready(self) -> None:
        if self.briefing:
            self.app.flow.to_briefing(self.team)
        else:
            self.app.flow.to_team_planning(self.team)


class BriefingScreen(CardScreen):
    """One team's own briefing, after its hand-over screen."""

    name = "briefing"

    def __init__(self, app: App, team: str, back: Screen | None = None):
        super().__init__(app)
        self.team = team
        #: the team's planning screen, when it asked to read the briefing again (B)
        self.back = back

    def kicker(self) -> str:
        return f"{self.session.exercise.title} · for {self.session.team_name(self.team)} only"

    def paras(self) -> list[Para]:
        m = self.app.m
        s = self.session
        t = s.exercise.team(self.team)
        plays = ", ".join(s.sc.actor(a).name for a in t.actors)
        return [(f"{t.name}: your briefing", m.big, theme.INK, True),
                (f"You play {plays}.", m.title, theme.ACCENT, False),
                (t.briefing.strip() or "The control cell has no briefing for you beyond the scenario.", m.font,
                 theme.INK, False),
                ("Read it again at any time on your planning screen with B." if self.back is None else
                 "Your orders so far are kept.", m.small, theme.MUTED, False)]

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        if self.back is not None:
            return [("Back to our orders (Enter)", self.done, True)]
        return [("We have read it: hand the screen on (Enter)", self.done, True)]

    def with_control(self) -> bool:
        return False

    def done(self) -> None:
        if self.back is not None:
            self.back.layout()
            self.app.show(self.back)
            return
        self.session.briefed.add(self.team)
        self.app.flow.begin_turn()


class InjectScreen(CardScreen):
    """A public inject arrives: the whole room reads it, one card at a time."""

    name = "inject"

    def __init__(self, app: App, then: Screen | None = None):
        super().__init__(app)
        self.items = self.session.unshown_public()
        self.index = 0
        self.then = then

    def paras(self) -> list[Para]:
        m = self.app.m
        ev = self.items[self.index]
        inj = inject_of(self.app, ev.event)
        channel = (inj.channel if inj and inj.channel else "scenario event").upper()
        count = f"  ·  {self.index + 1} of {len(self.items)}" if len(self.items) > 1 else ""
        fired = "  ·  fired by the control cell" if ev.source == "facilitator" else ""
        return [(f"INJECT  ·  {channel}{count}{fired}", m.font, theme.WARN, True),
                (ev.name, m.big, theme.INK, True),
                (ev.text.strip(), m.title, theme.INK, False),
                ("To the whole room.", m.small, theme.MUTED, False)]

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        last = self.index >= len(self.items) - 1
        return [("Continue (Enter)" if last else "Next inject (Enter)", self.next, True)]

    def draw_card(self, surf: pygame.Surface, b: pygame.Rect) -> None:
        pygame.draw.rect(surf, theme.WARN, (b.x, b.y, self.app.m.px(10), b.h), border_top_left_radius=10,
                         border_bottom_left_radius=10)
        super().draw_card(surf, b)

    def next(self) -> None:
        if self.index < len(self.items) - 1:
            self.index += 1
            self.layout()
            return
        self.session.mark_shown()
        if self.then is not None:
            self.app.show(self.then)
        else:
            self.app.flow.begin_turn()


class PauseScreen(CardScreen):
    """A discussion pause: the script's title and prompts for the whole room; the facilitator resumes."""

    name = "pause"

    def __init__(self, app: App, resume_to: Screen | None = None):
        super().__init__(app)
        self.resume_to = resume_to

    def prompts(self) -> list[str]:
        s = self.session
        state = s.game.state
        pause = s.exercise.pause_after(state.turn - 1)
        return list(pause.prompts) if pause is not None and pause.title == state.pause_note else []

    def paras(self) -> list[Para]:
        m = self.app.m
        state = self.session.game.state
        out: list[Para] = [("DISCUSSION PAUSE", m.font, theme.ACCENT, True),
                           (state.pause_note or "Paused by the facilitator", m.big, theme.INK, True)]
        out += [(f"•  {p}", m.title, theme.INK, False) for p in self.prompts()]
        out.append(("The clock is stopped: no team gives orders until the facilitator resumes.", m.small,
                    theme.MUTED, False))
        return out

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        return [("Resume the exercise (facilitator)", self.ask_resume, True)]

    def ask_resume(self) -> None:
        self.app.flow.ask_passphrase(self, self.resume, "Resume the exercise")

    def resume(self) -> None:
        game = self.session.game
        if game.state.phase == "paused":
            game.control(Resume(by="facilitator"))
        self.go_on()

    def go_on(self) -> None:
        if self.resume_to is not None:
            self.resume_to.layout()
            self.app.show(self.resume_to)
        else:
            self.app.flow.begin_turn()

    def update(self, dt: float) -> None:
        if self.session.game.state.phase != "paused":  # resumed from the control panel
            self.go_on()


class RulingGateScreen(CardScreen):
    """All orders are in; before the outcomes stand the control cell reviews them (semi-rigid and free play)."""

    name = "gate"

    def paras(self) -> list[Para]:
        m = self.app.m
        s = self.session
        mode = s.exercise.adjudication
        how = ("The rules propose each outcome; the facilitator confirms them or overrules some, with a reason."
               if mode == "semi_rigid" else
               "The facilitator sets the chance of each free action argued, and may overrule the rules' outcomes.")
        return [("", m.px(24), theme.INK, False),
                (f"All orders are in for turn {s.game.state.turn}", m.big, theme.INK, True),
                (how, m.font, theme.INK, False),
                ("Teams: the outcomes are shown to the whole room once control has ruled.", m.small, theme.MUTED,
                 False)]

    def actions(self) -> list[tuple[str, Callable[[], None], bool]]:
        return [("Control: review the outcomes (Enter)", self.review, True)]

    def review(self) -> None:
        self.app.flow.open_control(self, "adjudication")

    def update(self, dt: float) -> None:
        game = self.session.game
        if game.state.phase == "paused" or game.waiting_for():  # control paused or rewound meanwhile
            self.app.flow.begin_turn()


class ExerciseResultsScreen(ResultsScreen):
    """The turn's results for the room, with the control cell one button (or F10) away.

    Each outcome a person or the script settled says so, with the reason, and
    the free actions argued this turn are shown with their dice.
    """

    @property
    def session(self) -> ExerciseSession:
        return self.app.exercise_session

    def build_items(self, rec: dict[str, Any], view: dict[str, Any]) -> list[tuple[str, list[str], str]]:
        items = super().build_items(rec, view)
        for item, res in zip(items, rec["resolutions"], strict=False):
            if res.get("decided_by", "rules") not in ("rules", "override"):
                item[1].append(f"Outcome set by the {res['decided_by']}: {res.get('decided_because', '')}")
        r = self.renderer
        for i, fr in enumerate(rec.get("free", [])):
            a = fr["action"]
            lines = [f"Argued: {a['argument']}"]
            if fr.get("roll") is not None:
                lines.append(f"Rolled {fr['roll']} on d100 against {a['chance']}% (set by the facilitator)")
            elif a.get("chance") is not None:
                lines.append(f"Chance {a['chance']}%, set by the facilitator: no dice needed")
            lines += [r.effect(e, view["agreements"]) for e in fr["effects"] if e.get("kind") != "note"]
            lines += [e["text"] for e in fr["effects"] if e.get("kind") == "note"]
            items.insert(len(rec["resolutions"]) + i,
                         (f"{r.name(a['actor'])}: a free action", lines, fr["outcome"]))
        return items

    def layout_left(self) -> None:
        super().layout_left()
        m, L = self.app.m, self.left
        self.control_button = Button(pygame.Rect(L.right - m.pad - m.px(110), L.y + m.pad, m.px(110), m.px(30)),
                                     "Control (F10)", lambda: self.app.flow.open_control(self))
        self.buttons.append(self.control_button)


class DebriefScreen(BoardScreen):
    """The hot wash: learning objectives, who met which objective, and the control log of who decided what.

    The control log is shown here without the passphrase: the exercise is
    over, and the debrief is where the room learns which outcomes were the
    dice's and which were a person's ruling.
    """

    name = "debrief"
    who = "Debrief"

    def __init__(self, app: App):
        super().__init__(app, ROOM)
        if app.save_to is not None:
            self.message = save_now(app)

    @property
    def session(self) -> ExerciseSession:
        return self.app.exercise_session

    def layout_left(self) -> None:
        """Three columns, each scrolling on its own: how it went and the learning objectives, the objectives
        met by each team, and the control log."""
        m = self.app.m
        w, h = self.app.size
        self.box = b = pygame.Rect(m.px(40), self.top.bottom + m.px(20), w - m.px(80), h - self.top.bottom - m.px(40))
        self.buttons = button_rows([("Write report (R)", self.report, False), ("Replay (P)", self.replay, False),
                                    ("Quit (Q)", self.quit, False)],
                                   b.x + m.pad * 3, b.right - m.pad * 3, b.bottom - m.pad * 2, m.font, m)
        inner = b.w - m.pad * 10
        self.col_w = col_w = int(inner * 0.28)  # the first two columns; the control log gets the rest
        widths = (col_w, col_w, inner - 2 * col_w)
        self.head_y = b.y + m.pad * 2 + fonts.font(m.big, True).get_linesize() + m.pad
        top = self.head_y + fonts.font(m.font, True).get_linesize() + m.pad // 2
        bottom = foot_top(self.buttons, self.message, m)
        step = 3 * fonts.font(m.small).get_linesize()
        x = b.x + m.pad * 3
        self.columns: list[ScrollText] = []
        for cw, lines in zip(widths, (self.how_it_went, self.objectives_met, self.control_log), strict=True):
            col = ScrollText(pygame.Rect(x, top, cw, bottom - top), step=step)
            col.set_lines(lines(cw - m.pad))
            self.columns.append(col)
            x += cw + m.pad * 2
        self.log_list = self.columns[2]

    def how_it_went(self, width: int) -> list[Line]:
        m = self.app.m
        s = self.session
        state = s.game.state
        rn = {r.id: r.name for r in self.sc.ladder.rungs}
        paras: list[Para] = [
            (f"Ended: {state.end_reason}.", m.font, theme.INK, False),
            (f"{len(state.log)} turns · escalation ended at {rn[state.rung]} (peak {rn[state.peak_rung]}) · "
             f"{sum(len(t.briefing) for t in state.log)} injects delivered.", m.small, theme.MUTED, False),
            ("Learning objectives, for the hot wash", m.font, theme.ACCENT, True)]
        paras += [(f"•  {o.text}", m.small, theme.INK, False) for o in s.exercise.script.exercise.objectives]
        return flow(paras, width)[0]

    def objectives_met(self, width: int) -> list[Line]:
        m = self.app.m
        s = self.session
        scores = s.game.scores()
        met_ids = {o for ids in s.game.state.results.values() for o in ids}
        paras: list[Para] = []
        for t in s.exercise.script.teams:
            for a in t.actors:
                objs = [o for o in self.sc.objectives if o.actor == a]
                if not objs:
                    continue
                total = sum(o.points for o in objs)
                paras.append((f"{self.sc.actor(a).name} ({t.name}): {scores.get(a, 0)} of {total} points", m.small,
                              theme.INK, True))
                paras += [(f"{'✓' if o.id in met_ids else '×'} {o.description}", m.small,
                           theme.GOOD if o.id in met_ids else theme.BAD, False) for o in objs]
        return flow(paras, width)[0]

    def control_log(self, width: int) -> list[Line]:
        """Who decided what, each entry whole: a ruling's reason is never cut short."""
        m = self.app.m
        lines: list[Line] = []
        y = 0
        for row in self.control_rows():
            more, y = flow([(row.text, m.small, row.colour or theme.INK, True)], width, 0, y, gap=0)
            lines += more
            if row.sub:
                more, y = flow([(row.sub, m.small, theme.MUTED, False)], width - m.pad, m.pad, y, gap=0)
                lines += more
            y += m.pad
        return lines

    def control_rows(self) -> list[Row]:
        game = self.session.game
        sc = self.sc
        rows = []
        for c in game.state.control:
            why = f" — {c.reason}" if c.reason else ""
            colour = theme.ACCENT if c.by == "facilitator" else theme.MUTED
            rows.append(Row(f"Turn {c.turn} · {c.by}: {c.action.replace('_', ' ')}", f"{c.detail}{why}",
                            colour=colour))
        for rec in game.state.log:
            for res in rec.resolutions:
                if res.decided_by not in ("rules", "facilitator"):  # the facilitator's are in the log above
                    o = res.order
                    rows.append(Row(f"Turn {rec.turn} · {res.decided_by}: {sc.actor(o.actor).name}'s "
                                    f"{sc.card(o.card).name} → {res.outcome}", res.decided_because,
                                    colour=theme.WARN))
        if not rows:
            rows.append(Row("Nothing: the dice and the rules decided everything."))
        return rows

    def report(self) -> None:
        self.message = write_report_now(self.app)

    def replay(self) -> None:
        self.app.flow.to_replay(back=self)

    def quit(self) -> None:
        self.app.running = False

    def covers(self, pos: tuple[int, int]) -> bool:
        return self.box.collidepoint(pos)

    def handle_left(self, event: pygame.event.Event) -> None:
        if any(col.handle(event, self.mouse) for col in self.columns):
            return
        under = next((c for c in self.columns if c.rect.collidepoint(self.mouse)), self.columns[1])
        if under.keys(event):  # PageUp/PageDown: the column under the pointer, else the objectives
            return
        if event.type == pygame.KEYDOWN:
            {pygame.K_r: self.report, pygame.K_p: self.replay, pygame.K_q: self.quit}.get(event.key, lambda: None)()

    def draw(self, surf: pygame.Surface) -> None:
        super().draw(surf)
        m = self.app.m
        shade = pygame.Surface(self.app.size, pygame.SRCALPHA)
        shade.fill((20, 24, 32, 140))
        surf.blit(shade, (0, 0))
        b = self.box
        pygame.draw.rect(surf, theme.PANEL, b, border_radius=10)
        title = f"Debrief: {self.session.exercise.title}"
        surf.blit(fonts.text(fonts.fit_text(title, m.big, b.w - m.pad * 6, True), m.big, theme.INK, True),
                  (b.x + m.pad * 3, b.y + m.pad * 2))
        for col, head in zip(self.columns, ("How it ended", "Objectives met", "Who decided what (the control log)"),
                             strict=True):
            label = fonts.fit_text(head, m.font, col.rect.w, True)
            surf.blit(fonts.text(label, m.font, theme.ACCENT, True), (col.rect.x, self.head_y))
            col.draw(surf, m.small)
        for btn in self.buttons:
            btn.draw(surf, m.font, btn.rect.collidepoint(self.mouse))
        foot_message(surf, b, self.buttons, self.message, m)
