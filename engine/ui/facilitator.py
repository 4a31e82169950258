"""The control cell's panel: everything hidden from the teams, and the facilitator's hand on the game.

Opened only through the passphrase. It reads the facilitator's view
(`game.view(None)`: every side's pending orders and free actions, private
figures, private injects, the control log) and acts only through the engine
(`game.control`, `game.rewind`, the session's rulings), so every act is
recorded with who did it and why, and saves and replays reproduce it.
Closing it returns the screen to where the room was.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import pygame
import pygame_gui

from engine.core.clock import TimerSetting, parse_minutes
from engine.core.commands import Adjust, Confirm, FireInject, Pause, Resume, SetChance
from engine.core.errors import IllegalOrder
from engine.core.state import Resolution
from engine.exercise.debrief import GENERAL, observations, observe
from engine.exercise.script import Inject
from engine.rules import control, figures
from engine.rules.game import Game
from engine.scenario.model import Event
from engine.ui import fonts, theme
from engine.ui.gui import gui_theme
from engine.ui.widgets import Button, Row, ScrollList, ScrollText, flow

if TYPE_CHECKING:
    from engine.ui.app import App, Screen
    from engine.ui.exercise_session import ExerciseSession

TABS = [("overview", "Overview"), ("injects", "Fire an inject"), ("adjust", "Adjust a figure"),
        ("adjudication", "Outcomes"), ("observe", "Observations"), ("timer", "Timer"), ("rewind", "Rewind")]
GLOBAL, LADDER = "Global figures", "Escalation ladder"


class FacilitatorScreen:
    name = "facilitator"

    def __init__(self, app: App, back: Screen, tab: str = "overview"):
        self.app = app
        self.back = back
        self.tab = tab if tab in self.tabs() else "overview"
        self.mouse = (-1, -1)
        self.message = ""
        self.error_message = False
        self.armed: str | None = None  # an act waiting for its confirmation click
        #: the figure the Adjust tab is on: whose ("" until the tab is first laid out), and which
        self.whose = ""
        self.figure = ""

    @property
    def session(self) -> ExerciseSession:
        return self.app.exercise_session

    @property
    def game(self) -> Game:
        return self.session.game

    def tabs(self) -> list[str]:
        return [t for t, _ in TABS if t != "adjudication" or self.session.exercise.adjudication != "rigid"]

    def say(self, text: str, error: bool = False) -> None:
        self.message, self.error_message = text, error

    # ------------------------------------------------------------------ layout
    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.manager = pygame_gui.UIManager((w, h), theme_path=gui_theme(m.font))
        self.top = pygame.Rect(0, 0, w, m.px(48))
        self.buttons: list[Button] = []
        close = Button(pygame.Rect(w - m.px(170), m.px(7), m.px(160), m.px(34)), "Close panel (Esc)", self.close)
        lock = Button(pygame.Rect(close.rect.x - m.px(170), m.px(7), m.px(160), m.px(34)), "Lock now", self.lock_now)
        self.buttons += [close, lock]
        x = m.pad * 2
        ty = self.top.bottom + m.pad
        for t, label in TABS:
            if t not in self.tabs():
                continue
            bw = fonts.font(m.font, True).size(label)[0] + m.px(30)
            self.buttons.append(Button(pygame.Rect(x, ty, bw, m.px(36)), label, partial(self.show_tab, t),
                                       primary=t == self.tab))
            x += bw + m.pad
        self.body = pygame.Rect(m.pad * 2, ty + m.px(50), w - m.pad * 4, h - ty - m.px(50) - m.px(40))
        self.lists: list[tuple[str, ScrollList]] = []
        self.labels: list[tuple[str, tuple[int, int]]] = []
        getattr(self, f"layout_{self.tab}")()

    def show_tab(self, tab: str) -> None:
        self.tab = tab
        self.armed = None
        self.message = ""
        self.layout()

    def columns(self, n: int) -> list[pygame.Rect]:
        m = self.app.m
        cw = (self.body.w - m.pad * 2 * (n - 1)) // n
        return [pygame.Rect(self.body.x + i * (cw + m.pad * 2), self.body.y, cw, self.body.h) for i in range(n)]

    def add_list(self, title: str, rect: pygame.Rect, rows: list[Row],
                 on_select: Callable[[int], None] | None = None) -> ScrollList:
        m = self.app.m
        head = fonts.font(m.font, True).get_linesize() + 4
        lh = fonts.font(m.small, True).get_linesize() + fonts.font(m.small).get_linesize() + 6
        sl = ScrollList(pygame.Rect(rect.x, rect.y + head, rect.w, rect.h - head), row_h=lh, on_select=on_select)
        sl.set_rows(rows or [Row("(none)", greyed=True)])
        self.lists.append((title, sl))
        return sl

    def entry(self, rect: pygame.Rect, placeholder: str = "",
              chars: list[str] | None = None) -> pygame_gui.elements.UITextEntryLine:
        e = pygame_gui.elements.UITextEntryLine(rect, manager=self.manager, placeholder_text=placeholder)
        if chars:
            e.set_allowed_characters(chars)
        return e

    def button(self, rect: pygame.Rect, label: str, action: Callable[[], None], primary: bool = False) -> Button:
        b = Button(rect, label, action, primary=primary)
        self.buttons.append(b)
        return b

    # ------------------------------------------------------------------ overview
    def layout_overview(self) -> None:
        m = self.app.m
        c1, c2, c3 = self.columns(3)
        strip = m.px(54)
        for c in (c1, c2, c3):
            c.h -= strip
        self.add_list("Every side's orders this turn", c1, self.order_rows())
        self.add_list("Private figures and this turn's injects", c2, self.private_rows())
        self.add_list("Control log (newest first)", c3, self.log_rows())
        y = self.body.bottom - strip + m.pad
        paused = self.game.state.phase == "paused"
        if paused:
            self.button(pygame.Rect(c1.x, y, m.px(260), m.px(40)), "Resume the exercise", self.resume, True)
            self.pause_note = None
        else:
            self.pause_note = self.entry(pygame.Rect(c1.x, y, c1.w + c2.w, m.px(40)),
                                         "Why pause? (shown to the room, e.g. a discussion)")
            self.button(pygame.Rect(c2.right + m.pad * 2, y, m.px(220), m.px(40)), "Pause the exercise",
                        self.pause, True)

    def order_rows(self) -> list[Row]:
        view = self.game.view(None)
        sc = self.game.scenario
        rows = []
        for side in sc.playable_ids:
            name = sc.actor(side).name
            team = self.session.exercise.team_of.get(side)
            who = "script / bot" if not team else (self.session.team_name(team) +
                                                   ("" if team in self.session.teams else " (a bot plays it)"))
            orders = view["pending"].get(side)
            if orders is None:
                rows.append(Row(f"{name}: still planning", who, greyed=True))
            elif not orders:
                rows.append(Row(f"{name}: no orders", who))
            for o in orders or []:
                aim = (" → " + ", ".join(sc.actor(t).name for t in o["targets"])) if o["targets"] else ""
                rows.append(Row(f"{name}: {sc.card(o['card']).name}{aim}", f"{who} · {o['rationale'] or 'given at the screen'}",
                                tag=sc.card(o["card"]).family))
            for a in view["free_pending"].get(side, []):
                chance = f"{a['chance']}%" if a["chance"] is not None else "chance not set"
                rows.append(Row(f"{name} (free action): {a['argument']}", f"{who} · {chance}", colour=theme.ACCENT))
        return rows

    def private_rows(self) -> list[Row]:
        view = self.game.view(None)
        sc = self.game.scenario
        rows = []
        private = [k for k, d in sc.variables.items() if d.private]
        for a in sc.playable_ids:
            for k in private:
                rows.append(Row(f"{sc.actor(a).name}: {sc.variables[k].label} {fonts.number(view['vars'][a][k])}",
                                "private figure"))
        for ev in view["inbox"]:
            rows.append(Row(f"Inject: {ev['name']}", self.recipients(ev["to"]),
                            colour=theme.BAD if ev["to"] else theme.WARN))
        return rows

    def log_rows(self) -> list[Row]:
        rows = []
        for c in reversed(self.game.state.control):
            why = f" — {c.reason}" if c.reason else ""
            rows.append(Row(f"Turn {c.turn} · {c.by}: {c.action.replace('_', ' ')}", f"{c.detail}{why}",
                            colour=theme.ACCENT if c.by == "facilitator" else theme.MUTED))
        return rows

    def pause(self) -> None:
        note = self.pause_note.get_text() if self.pause_note is not None else ""
        self.act(lambda: self.game.control(Pause(note=note, by="facilitator")), "The exercise is paused.")

    def resume(self) -> None:
        self.act(lambda: self.game.control(Resume(by="facilitator")), "The exercise goes on.")

    def act(self, fn: Callable[[], object], done: str) -> bool:
        """Do one act through the engine; show its refusal as it is, or say it is done and refresh the tab."""
        try:
            fn()
        except IllegalOrder as exc:
            self.say(exc.reason, error=True)
            return False
        self.armed = None
        tab_message = done
        self.layout()
        self.say(tab_message)
        return True

    # ------------------------------------------------------------------ injects
    def layout_injects(self) -> None:
        m = self.app.m
        c1, c2 = self.columns(2)
        self.candidates = self.unfired()
        rows = []
        for ev in self.candidates:
            inj = self.inject(ev.id)
            kind = "inject" if inj else "scenario event"
            when = f"planned for turn {ev.at_turn}" if ev.at_turn else ("on a condition" if ev.when else "by hand")
            to = self.recipients(ev.to)
            rows.append(Row(ev.name, f"{kind} · {when} · {to}"))
        self.inject_list = self.add_list("Not yet delivered: choose one", c1, rows, on_select=self.choose_inject)
        self.detail_rect = c2
        y = c2.bottom - m.px(100)
        #: the chosen inject's text, scrolling (wheel over it) when it is longer than the space above the reason
        self.inject_text = ScrollText(pygame.Rect(c2.x, c2.y + m.px(30), c2.w, max(1, y - m.pad - c2.y - m.px(30))),
                                      step=fonts.font(m.font).get_linesize() * 3)
        self.reason = self.entry(pygame.Rect(c2.x, y, c2.w, m.px(40)), "Why now? (for the control log)")
        self.fire_button = self.button(pygame.Rect(c2.x, y + m.px(52), m.px(300), m.px(42)), "Fire this inject now",
                                       self.fire, True)

    def unfired(self) -> list[Event]:
        fired = self.game.state.fired
        return [e for e in self.game.scenario.events if e.id not in fired or e.repeatable]

    def inject(self, event_id: str) -> Inject | None:
        return next((i for i in self.session.exercise.script.injects if i.id == event_id), None)

    def recipients(self, to: list[str] | None) -> str:
        if not to:
            return "to the whole room"
        ex = self.session.exercise
        names = sorted({ex.team(ex.team_of[a]).name if a in ex.team_of else self.game.scenario.actor(a).name
                        for a in to})
        return "to " + ", ".join(names)

    def choose_inject(self, i: int) -> None:
        self.armed = None
        self.message = ""
        self.inject_text.scroll.offset = 0  # a new inject is read from its top

    def fire(self) -> None:
        i = self.inject_list.selected
        if i is None or i >= len(self.candidates):
            self.say("Choose an inject in the list first.", error=True)
            return
        ev = self.candidates[i]
        if self.armed != ev.id:
            self.armed = ev.id
            self.say(f"Click again to confirm: deliver “{ev.name}” {self.recipients(ev.to)} now.")
            return
        reason = self.reason.get_text()
        self.act(lambda: self.game.control(FireInject(event=ev.id, reason=reason, by="facilitator")),
                 f"Delivered: {ev.name}. The room sees it when the panel closes.")

    # ------------------------------------------------------------------ observations
    def layout_observe(self) -> None:
        """Observations recorded against the learning objectives, for the hot wash and the report."""
        m = self.app.m
        c1, c2 = self.columns(2)
        meta = self.session.exercise.script.exercise
        self.objective_ids = [o.id for o in meta.objectives] + [GENERAL]
        rows = [Row(f"{i}. {o.text}", "learning objective") for i, o in enumerate(meta.objectives, 1)]
        rows.append(Row("The exercise as a whole", "not tied to one objective"))
        c1.h -= m.px(110)
        self.objective_list = self.add_list("Observed against which objective?", c1, rows)
        self.objective_list.selected = 0
        y = c1.bottom + m.pad
        self.observation = self.entry(pygame.Rect(c1.x, y, c1.w, m.px(40)),
                                      "What did you observe? (kept for the after-action report)")
        self.button(pygame.Rect(c1.x, y + m.px(52), m.px(260), m.px(42)), "Record the observation",
                    self.record_observation, True)
        self.add_list("Observations so far (newest first)", c2, self.observation_rows())

    def observation_rows(self) -> list[Row]:
        meta = self.session.exercise.script.exercise
        number = {o.id: f"objective {i}" for i, o in enumerate(meta.objectives, 1)}
        number[GENERAL] = "the exercise as a whole"
        return [Row(o.text, f"turn {o.turn} · {number.get(o.objective, o.objective)}")
                for o in reversed(observations(self.game))]

    def record_observation(self) -> None:
        i = self.objective_list.selected
        objective = self.objective_ids[i if i is not None else 0]
        text = self.observation.get_text()
        self.act(lambda: observe(self.game, self.session.exercise, objective, text),
                 "Recorded: it will be in the after-action report under its objective.")

    # ------------------------------------------------------------------ the turn timer
    def layout_timer(self) -> None:
        """The turn timer each team plans under, shown to the room; optionally committing at time-out."""
        m = self.app.m
        c1, _ = self.columns(2)
        current = self.app.turn_timer
        self.auto_commit = current.auto_commit if current else False
        y = c1.y + m.px(40)
        self.labels += [("Minutes each team has to plan (e.g. 10 or 7:30)", (c1.x, y - m.px(22)))]
        self.timer_minutes = self.entry(pygame.Rect(c1.x, y, m.px(200), m.px(40)), "10")
        y += m.px(80)
        self.labels += [("Warn the team this many minutes before the end", (c1.x, y - m.px(22)))]
        self.timer_warning = self.entry(pygame.Rect(c1.x, y, m.px(200), m.px(40)), "1")
        if current:
            self.timer_minutes.set_text(f"{current.minutes:g}")
            self.timer_warning.set_text(f"{current.warn_minutes:g}")
        y += m.px(64)
        self.auto_button = self.button(pygame.Rect(c1.x, y, m.px(420), m.px(40)), self.auto_label(),
                                       self.toggle_auto)
        y += m.px(60)
        self.button(pygame.Rect(c1.x, y, m.px(200), m.px(42)), "Set the timer", self.set_timer, True)
        self.button(pygame.Rect(c1.x + m.px(216), y, m.px(200), m.px(42)), "No timer", self.clear_timer)

    def auto_label(self) -> str:
        return ("At time-out: commit the team's entered orders" if self.auto_commit
                else "At time-out: tell the team to commit (click to change)")

    def toggle_auto(self) -> None:
        self.auto_commit = not self.auto_commit
        self.auto_button.label = self.auto_label()

    def set_timer(self) -> None:
        try:
            minutes = parse_minutes(self.timer_minutes.get_text() or "10")
            warning = parse_minutes(self.timer_warning.get_text() or "1")
            self.app.turn_timer = TimerSetting(minutes, warning, self.auto_commit)
        except ValueError as exc:
            self.say(f"Timer not set: {exc}.", error=True)
            return
        self.layout()
        self.say(f"Timer set: {minutes:g} minutes for each team's planning, shown on its screen and hand-over.")

    def clear_timer(self) -> None:
        self.app.turn_timer = None
        self.layout()
        self.say("No turn timer: teams plan for as long as the room allows.")

    # ------------------------------------------------------------------ adjust
    def layout_adjust(self) -> None:
        m = self.app.m
        sc = self.game.scenario
        c1, c2 = self.columns(2)
        # the widget library draws its labels as given: each through `fonts.safe` (a NUL in a name would raise)
        self.who_options = {fonts.safe(sc.actor(a.id).name): a.id for a in sc.actors}
        self.who_options[GLOBAL] = "global"
        self.who_options[LADDER] = "ladder"
        if self.whose not in self.who_options.values():
            self.whose = sc.playable_ids[0]
        label_of = {v: k for k, v in self.who_options.items()}
        y = c1.y + m.px(36)
        self.labels = [("Whose figure", (c1.x, y - m.px(26)))]
        self.who_menu = pygame_gui.elements.UIDropDownMenu(list(self.who_options), label_of[self.whose],
                                                           pygame.Rect(c1.x, y, c1.w, m.px(38)), manager=self.manager)
        y += m.px(80)
        figures = self.figures()
        if self.figure not in figures.values():
            self.figure = next(iter(figures.values()))
        fig_label = {v: k for k, v in figures.items()}
        self.labels.append(("Figure", (c1.x, y - m.px(26))))
        self.figure_menu = pygame_gui.elements.UIDropDownMenu(list(figures), fig_label[self.figure],
                                                              pygame.Rect(c1.x, y, c1.w, m.px(38)),
                                                              manager=self.manager)
        y = c2.y + m.px(36)
        self.value_top = y
        y += m.px(60)
        self.labels.append(("New value", (c2.x, y - m.px(26))))
        self.value = self.entry(pygame.Rect(c2.x, y, m.px(200), m.px(38)), "", list("0123456789.-"))
        y += m.px(80)
        self.labels.append(("Reason (required; it goes into the control log)", (c2.x, y - m.px(26))))
        self.reason = self.entry(pygame.Rect(c2.x, y, c2.w, m.px(38)), "e.g. the sanctions package hit harder")
        y += m.px(60)
        self.button(pygame.Rect(c2.x, y, m.px(240), m.px(42)), "Apply the change", self.apply, True)

    def figures(self) -> dict[str, str]:
        """label -> ref (actor.var, global.var or ladder) for the chosen owner."""
        sc = self.game.scenario
        if self.whose == "ladder":
            return {"Escalation score": "ladder"}
        if self.whose == "global":
            return {fonts.safe(d.label): f"global.{k}" for k, d in sc.globals.items()}
        return {fonts.safe(d.label + (" (private)" if d.private else "")): f"{self.whose}.{k}"
                for k, d in sc.variables.items()}

    def current_value(self) -> tuple[float, float, float]:
        who, var, (lo, hi) = figures.resolve_ref(self.game.rules.t, self.game.rules.sc.ladder, self.figure)
        s = self.game.state
        v = s.escalation if who == "ladder" else s.globals[var] if who == "global" else s.vars[who][var]
        return v, lo, hi

    def apply(self) -> None:
        text = self.value.get_text().strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):  # e.g. 400 nines: a figure is a finite number (engine/core/commands.py)
            self.say("Type the new value as a number.", error=True)
            return
        ref, reason = self.figure, self.reason.get_text()
        self.act(lambda: self.game.control(Adjust(ref=ref, value=value, reason=reason, by="facilitator")),
                 f"Set {ref} to {fonts.number(value)} (kept within its range); recorded with your reason.")

    # ------------------------------------------------------------------ adjudication
    def layout_adjudication(self) -> None:
        m = self.app.m
        free = self.session.exercise.adjudication == "free"
        cols = self.columns(2 if free else 1) if free else [self.body]
        c1 = cols[0]
        foot = m.px(150)
        c1 = pygame.Rect(c1.x, c1.y, c1.w, c1.h - foot)
        self.proposals: list[Resolution] = []
        waiting = self.game.waiting_for()
        self.blocked = ""
        if self.game.state.phase == "paused":
            self.blocked = "The exercise is paused: resume it (Overview) before the turn is adjudicated."
        elif waiting:
            names = ", ".join(self.game.scenario.actor(a).name for a in waiting)
            self.blocked = f"Waiting for orders from {names}: the rules' outcomes can be reviewed once all are in."
        else:
            self.proposals = control.propose(self.game.rules, self.game.state,
                                             self.session.run.rulings(self.session.rulings))
        rows = [self.proposal_row(i, r) for i, r in enumerate(self.proposals)]
        self.proposal_list = self.add_list("The rules propose (select one to overrule it)", c1, rows)
        y = c1.bottom + m.pad
        self.reason = self.entry(pygame.Rect(c1.x, y, c1.w, m.px(38)), "Reason for overruling (required)")
        y += m.px(48)
        self.button(pygame.Rect(c1.x, y, m.px(170), m.px(40)), "Set: success", lambda: self.overrule("success"))
        self.button(pygame.Rect(c1.x + m.px(180), y, m.px(170), m.px(40)), "Set: failure",
                    lambda: self.overrule("failure"))
        self.adjudicate_button = self.button(pygame.Rect(c1.x, y + m.px(50), m.px(320), m.px(42)),
                                             "Confirm all and adjudicate", self.confirm_all, True)
        self.adjudicate_button.enabled = not self.blocked
        if free:
            c2 = pygame.Rect(cols[1].x, cols[1].y, cols[1].w, cols[1].h - foot)
            self.free_items = [(a, i, fa) for a, acts in self.game.state.free_pending.items()
                               for i, fa in enumerate(acts)]
            rows = [Row(f"{self.game.scenario.actor(a).name}: {fa.argument}",
                        f"chance {fa.chance}% (set by {fa.chance_set_by})" if fa.chance is not None
                        else "chance not set: it fizzles unless you set one") for a, _, fa in self.free_items]
            self.free_list = self.add_list("Free actions argued (select one to set its chance)", c2, rows)
            y = c2.bottom + m.pad
            self.chance = self.entry(pygame.Rect(c2.x, y, m.px(120), m.px(38)), "chance %", list("0123456789"))
            self.chance_reason = self.entry(pygame.Rect(c2.x + m.px(130), y, c2.w - m.px(130), m.px(38)),
                                            "why this chance (for the debrief)")
            self.button(pygame.Rect(c2.x, y + m.px(48), m.px(200), m.px(40)), "Set the chance", self.set_chance)

    def proposal_row(self, i: int, r: Resolution) -> Row:
        sc = self.game.scenario
        o = r.order
        aim = (" → " + ", ".join(sc.actor(t).name for t in o.targets)) if o.targets else ""
        dice = f" · d100 {r.roll} vs {r.chance}%" if r.roll is not None else ""
        who = {"rules": "rules"}.get(r.decided_by, r.decided_by)
        because = f" — {r.decided_because}" if r.decided_because else ""
        colour = {"success": theme.GOOD, "failure": theme.BAD}.get(r.outcome, theme.MUTED)
        return Row(f"{i + 1}. {sc.actor(o.actor).name}: {sc.card(o.card).name}{aim}",
                   f"{who}: {r.outcome}{dice}{because}", colour=colour, tag=r.outcome)

    def overrule(self, outcome: str) -> None:
        i = self.proposal_list.selected
        if self.blocked or i is None or i >= len(self.proposals):
            self.say(self.blocked or "Choose an outcome in the list first.", error=True)
            return
        reason = self.reason.get_text()
        self.act(lambda: self.session.override(i, outcome, reason), f"Order {i + 1} will be a {outcome}.")

    def set_chance(self) -> None:
        i = self.free_list.selected
        if i is None or i >= len(self.free_items):
            self.say("Choose a free action in the list first.", error=True)
            return
        text = self.chance.get_text().strip()
        if not text.isdigit():
            self.say("Type the chance as a whole percentage, 0 to 100.", error=True)
            return
        actor, index, _ = self.free_items[i]
        reason = self.chance_reason.get_text()
        self.act(lambda: self.game.control(SetChance(actor=actor, index=index, chance=int(text), reason=reason,
                                                     by="facilitator")), f"Chance set to {int(text)}%.")

    def confirm_all(self) -> None:
        if self.blocked:
            self.say(self.blocked, error=True)
            return
        self.game.control(Confirm(by="facilitator"))
        self.app.flow.adjudicate_and_show()

    # ------------------------------------------------------------------ rewind
    def layout_rewind(self) -> None:
        m = self.app.m
        c1, c2 = self.columns(2)
        g = self.game
        self.turns = [h.turn for h in g.history if not h.ended]
        rows = []
        for t in self.turns:
            note = " (this turn: takes back every order given so far)" if t == g.state.turn else ""
            rows.append(Row(f"Start of turn {t} · {g.scenario.turn_date(t):%B %Y}{note}",
                            "everything played after this point is dropped"))
        self.turn_list = self.add_list("Go back to the start of", c1, rows)
        y = c2.y + m.px(60)
        self.labels = [("Reason (required; it goes into the control log)", (c2.x, y - m.px(26)))]
        self.reason = self.entry(pygame.Rect(c2.x, y, c2.w, m.px(38)), "e.g. replay the turn with the new inject")
        self.button(pygame.Rect(c2.x, y + m.px(54), m.px(300), m.px(42)), "Go back to the chosen turn", self.rewind, True)

    def rewind(self) -> None:
        i = self.turn_list.selected
        if i is None or i >= len(self.turns):
            self.say("Choose a turn in the list first.", error=True)
            return
        reason = self.reason.get_text().strip()
        if not reason:
            self.say("Give a reason: every act of the control cell is recorded for the debrief.", error=True)
            return
        turn = self.turns[i]
        if self.armed != f"rewind{turn}":
            self.armed = f"rewind{turn}"
            self.say(f"Click again to confirm: go back to the start of turn {turn}.")
            return
        self.game.rewind(turn, reason=reason, by="facilitator")
        self.session.rewound(turn)
        self.app.flow.begin_turn()

    # ------------------------------------------------------------------ closing, input, drawing
    def close(self) -> None:
        """Back to where the room was; a pause or a newly fired public inject is shown to the room first."""
        self.app.flow.close_control(self.back)

    def lock_now(self) -> None:
        """The facilitator leaves the desk: the next act of control asks for the passphrase again."""
        self.session.lock_control()
        self.close()

    def handle(self, event: pygame.event.Event) -> None:
        if hasattr(event, "pos"):
            self.mouse = event.pos
        if event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN, pygame.TEXTINPUT) and self.session.control_unlocked():
            self.session.touch_control()  # the facilitator is still at the desk
        consumed = self.manager.process_events(event)
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is getattr(self, "who_menu", None):
                self.whose = self.who_options[event.text]
                self.figure = ""
                self.layout()
            elif event.ui_element is getattr(self, "figure_menu", None):
                self.figure = self.figures()[event.text]
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.close()
            return
        if consumed:
            return
        for b in list(self.buttons):
            if b.handle(event):
                return
        for _, sl in self.lists:
            if sl.handle(event):
                if sl is getattr(self, "inject_list", None):
                    self.choose_inject(sl.selected or 0)
                return
        if self.tab == "injects" and self.inject_text.handle(event, self.mouse):
            return

    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        surf.fill(theme.BG)
        pygame.draw.rect(surf, theme.TOPBAR, self.top)
        g = self.game
        state = g.state
        phase = "paused" if state.phase == "paused" else ("over" if g.over else "planning")
        title = (f"Control cell (facilitator only) · {self.session.exercise.title} · turn {state.turn} · {phase} · "
                 f"{self.session.exercise.adjudication.replace('_', '-')} adjudication")
        surf.blit(fonts.text(fonts.fit_text(title, m.font, self.top.w - m.px(370), True), m.font, theme.TOPBAR_INK,
                             True), (m.pad * 2, self.top.centery - fonts.font(m.font, True).get_linesize() // 2))
        for title, sl in self.lists:
            surf.blit(fonts.text(fonts.fit_text(title, m.font, sl.rect.w, True), m.font, theme.INK, True),
                      (sl.rect.x, sl.rect.y - fonts.font(m.font, True).get_linesize() - 4))
            sl.draw(surf, m.small, m.small, sl.index_at(self.mouse))
        for text, pos in self.labels:
            surf.blit(fonts.text(text, m.small, theme.MUTED, True), pos)
        getattr(self, f"draw_{self.tab}", lambda s: None)(surf)
        for b in self.buttons:
            b.draw(surf, m.font, b.rect.collidepoint(self.mouse))
        if self.message:
            colour = theme.BAD if self.error_message else theme.GOOD
            for i, line in enumerate(fonts.wrap(self.message, m.font, self.body.w)[:2]):
                surf.blit(fonts.text(line, m.font, colour),
                          (self.body.x, self.body.bottom + m.pad + i * fonts.font(m.font).get_linesize()))
        self.manager.draw_ui(surf)

    def draw_injects(self, surf: pygame.Surface) -> None:
        m = self.app.m
        c = self.detail_rect
        i = self.inject_list.selected
        if i is None or i >= len(self.candidates):
            surf.blit(fonts.text("Choose an inject or event on the left to read it before firing it.", m.font,
                                 theme.MUTED), (c.x, c.y + m.px(30)))
            return
        ev = self.candidates[i]
        inj = self.inject(ev.id)
        paras = [(ev.name, m.title, theme.INK, True),
                 (f"{(inj.channel if inj and inj.channel else 'scenario event')} · {self.recipients(ev.to)}", m.small,
                  theme.MUTED, True),
                 (ev.text.strip(), m.font, theme.INK, False)]
        if inj and inj.expected_action:
            paras.append((f"Expected action: {inj.expected_action}", m.small, theme.ACCENT, False))
        lines, bottom = flow(paras, self.inject_text.rect.w)
        self.inject_text.set_lines(lines, bottom)
        self.inject_text.draw(surf, m.small, theme.BG)

    def draw_adjust(self, surf: pygame.Surface) -> None:
        m = self.app.m
        try:
            v, lo, hi = self.current_value()
        except IllegalOrder:
            return
        x = self.columns(2)[1].x
        surf.blit(fonts.text(f"Now: {fonts.number(v)}", m.title, theme.INK, True), (x, self.value_top - m.px(24)))
        surf.blit(fonts.text(f"Range {fonts.number(lo)} to {fonts.number(hi)}: a value outside is kept inside it.",
                             m.small, theme.MUTED), (x, self.value_top + m.px(6)))
