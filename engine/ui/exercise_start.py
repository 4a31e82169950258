"""The start of a facilitated exercise: what it is for, who plays, and the facilitator's passphrase.

The passphrase is set here, typed masked, and only its salted hash is kept
(engine/exercise/passphrase.py): it is what keeps the teams at the same screen out of
the control panel for the rest of the exercise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame
import pygame_gui

from engine.core import dice
from engine.exercise.passphrase import MIN_LENGTH, make_lock
from engine.exercise.script import Exercise, ExerciseRun
from engine.persistence.saves import LoadedSave, SaveError, plays_under, read_save
from engine.ui import fonts, theme
from engine.ui.exercise_session import ExerciseSession
from engine.ui.gui import gui_theme, list_saves

if TYPE_CHECKING:
    from engine.ui.app import App


class ExerciseStartScreen:
    name = "exercise_start"

    def __init__(self, app: App, exercise: Exercise, seed: int | None = None, loaded: LoadedSave | None = None,
                 loaded_from: str = ""):
        self.app = app
        self.exercise = exercise
        self.seed_text = "" if seed is None else str(seed)  # empty: a random seed
        #: teams played by people at this screen (the others by bots); all of them unless the facilitator says not
        self.at_screen: set[str] = {t.id for t in exercise.script.teams}
        self.message = ""
        #: a saved exercise to resume instead of starting a new one
        self.loaded: LoadedSave | None = None
        self.loaded_from = ""
        if loaded is not None:
            self.resume_from(loaded, loaded_from)

    def resume_from(self, loaded: LoadedSave, name: str) -> None:
        """Resume this save: its teams at the screen as they were; the passphrase is set again (saves hold none)."""
        self.loaded, self.loaded_from = loaded, name
        if loaded.room is not None:
            seated = set(loaded.room.teams)
            self.at_screen = {t.id for t in self.exercise.script.teams if set(t.actors) & seated}
        g = loaded.game
        self.message = (f"Loaded {name}: {len(g.turns)} turn(s) played, "
                        + ("the exercise is over." if g.over else f"turn {g.state.turn} next.")
                        + " Set a passphrase for the control panel and resume.")

    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.manager = pygame_gui.UIManager((w, h), theme_path=gui_theme(m.font))
        col = pygame.Rect(0, 0, min(w - 4 * m.pad, m.px(1100)), h)
        col.centerx = w // 2
        self.col = col
        half = (col.w - m.pad * 4) // 2
        self.right_x = col.x + half + m.pad * 4
        self.half = half
        y = m.px(150)
        self.team_top = y
        self.team_buttons: dict[str, pygame_gui.elements.UIButton] = {}
        for t in self.exercise.script.teams:
            rect = pygame.Rect(self.right_x, y, half, m.px(38))
            self.team_buttons[t.id] = pygame_gui.elements.UIButton(rect, self.team_label(t.id), manager=self.manager)
            y += m.px(44)
        y += m.px(40)
        self.pass_label_y = y
        y += m.px(26)
        self.passphrase = pygame_gui.elements.UITextEntryLine(pygame.Rect(self.right_x, y, half, m.px(38)),
                                                              manager=self.manager)
        self.passphrase.set_text_hidden(True)
        y += m.px(70)
        self.seed_label_y = y + m.px(6)
        self.seed_entry = pygame_gui.elements.UITextEntryLine(
            pygame.Rect(self.right_x + m.px(70), y, m.px(120), m.px(38)), manager=self.manager)
        self.seed_entry.set_allowed_characters("numbers")
        self.seed_entry.set_text(self.seed_text)
        self.start_button = pygame_gui.elements.UIButton(
            pygame.Rect(self.right_x + m.px(210), y - m.px(4), half - m.px(210), m.px(46)),
            "Resume the exercise" if self.loaded else "Start the exercise", manager=self.manager)
        if self.loaded:
            self.seed_entry.disable()  # a saved exercise keeps its seed
        y += m.px(56)
        # the saves of this exercise (newest first), to resume one
        self.save_files = {fonts.safe(p.name): p for p in list_saves() if plays_under(p, self.exercise.path)}
        self.load_menu = None
        self.load_button = pygame_gui.elements.UIButton(pygame.Rect(self.right_x, y, m.px(190), m.px(40)),
                                                        "Load a save", manager=self.manager)
        if self.save_files:
            names: list[str | tuple[str, str]] = list(self.save_files)
            self.load_menu = pygame_gui.elements.UIDropDownMenu(
                names, self.loaded_from if self.loaded_from in names else names[0],
                pygame.Rect(self.right_x + m.px(200), y + m.px(1), half - m.px(200), m.px(38)), manager=self.manager)
        else:
            self.load_button.disable()
        self.message_y = y + m.px(52)

    def team_label(self, team_id: str) -> str:
        t = self.exercise.team(team_id)
        who = "at the screen" if team_id in self.at_screen else "played by a bot"
        return fonts.safe(f"{t.name}: {who}")  # the widget library draws it as given (a NUL would raise)

    def handle(self, event: pygame.event.Event) -> None:
        self.manager.process_events(event)
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for tid, b in self.team_buttons.items():
                if event.ui_element is b:
                    self.at_screen ^= {tid}
                    b.set_text(self.team_label(tid))
            if event.ui_element is self.start_button:
                self.start()
            elif event.ui_element is self.load_button:
                self.load()
        elif event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.passphrase:
            self.start()

    def load(self) -> None:
        if self.load_menu is None:
            return
        choice = self.load_menu.selected_option
        name = choice[0] if isinstance(choice, tuple) else choice
        try:
            loaded = read_save(self.save_files[name])
        except SaveError as exc:
            self.message = f"Cannot load {name}: {exc}"
            return
        if loaded.scenario_path.resolve() != self.exercise.path.resolve():
            self.message = f"{name} is not a save of this exercise."
            return
        self.resume_from(loaded, name)
        self.layout()
        for tid, b in self.team_buttons.items():
            b.set_text(self.team_label(tid))

    def start(self) -> None:
        """Refuse a short passphrase with the reason; otherwise lock the control panel and begin the briefings."""
        try:
            lock = make_lock(self.passphrase.get_text())
        except ValueError as exc:
            self.message = f"Set a facilitator passphrase first: {exc}."
            self.passphrase.set_text("")
            return
        teams = [t.id for t in self.exercise.script.teams if t.id in self.at_screen]
        if self.loaded is not None:
            session = ExerciseSession.resumed(self.exercise, self.loaded, lock)
            session.teams = teams  # the facilitator may seat the teams differently this time
            session.briefed &= set(teams)
        else:
            text = self.seed_entry.get_text().strip()
            seed = int(text) if text.isdigit() else dice.fresh_seed()
            session = ExerciseSession(ExerciseRun(self.exercise, seed), lock, teams)
        self.app.flow.play(session)

    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        surf.fill(theme.TOPBAR)
        ex = self.exercise
        meta = ex.script.exercise
        col = self.col
        soft, dim = (220, 224, 232), (170, 180, 200)
        surf.blit(fonts.text("Facilitated exercise", m.font, dim, True), (col.x, m.px(24)))
        surf.blit(fonts.text(fonts.fit_text(meta.title, m.big, col.w, True), m.big, theme.TOPBAR_INK, True),
                  (col.x, m.px(48)))
        sc = ex.scenario
        mode = {"rigid": "rigid (the cards and dice decide)",
                "semi_rigid": "semi-rigid (the rules propose, the facilitator confirms or overrules)",
                "free": "free (teams may also argue actions not on their cards; the facilitator sets the odds)"}
        sub = (f"{sc.meta.title} · {sc.turn_date(1):%B %Y} · adjudication {mode[meta.adjudication]}")
        surf.blit(fonts.text(fonts.fit_text(sub, m.font, col.w), m.font, dim), (col.x, m.px(98)))
        y, bottom, w = self.team_top - m.px(26), self.app.size[1] - m.pad, self.half
        lh = fonts.font(m.font).get_linesize()
        blocks: list[tuple[str, tuple[int, int, int], bool]] = [(meta.summary.strip(), soft, False),
                                                                  ("Learning objectives", theme.TOPBAR_INK, True)]
        blocks += [(f"•  {o.text}", soft, False) for o in meta.objectives]
        blocks.append(("Teams", theme.TOPBAR_INK, True))
        for t in ex.script.teams:
            blocks.append((f"•  {t.name}: {', '.join(sc.actor(a).name for a in t.actors)}", soft, False))
        others = ", ".join(sc.actor(a).name for a in ex.unplayed_sides)
        blocks.append((f"The script and bots play {others}.", dim, False))
        for text, colour, bold in blocks:
            for line in fonts.wrap(text, m.font, w, bold):
                if y + lh > bottom:
                    break
                surf.blit(fonts.text(line, m.font, colour, bold), (col.x, y))
                y += lh
            y += m.pad // 2
        rx = self.right_x
        surf.blit(fonts.text("Who is at the screen (click to change)", m.font, theme.TOPBAR_INK, True),
                  (rx, self.team_top - m.px(26)))
        surf.blit(fonts.text(f"Facilitator passphrase (at least {MIN_LENGTH} characters)", m.font, theme.TOPBAR_INK,
                             True), (rx, self.pass_label_y))
        surf.blit(fonts.text("It opens the control panel (F10) for the rest of the exercise.", m.small, dim),
                  (rx, self.pass_label_y + m.px(70)))
        surf.blit(fonts.text("Seed", m.font, theme.TOPBAR_INK, True), (rx, self.seed_label_y))
        if self.message:
            for i, line in enumerate(fonts.wrap(self.message, m.font, self.half)[:3]):
                surf.blit(fonts.text(line, m.font, (255, 170, 160)), (rx, self.message_y + i * lh))
        self.manager.draw_ui(surf)
