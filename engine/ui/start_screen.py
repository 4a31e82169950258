"""The start screen: choose a scenario, which sides people play, the seed; start or load.

Uses pygame_gui: a text entry for the seed and drop-down lists are exactly
what a widget library does better than hand-written code (cursor, selection,
keyboard focus).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame_gui

from engine.core import dice, paths
from engine.core.errors import ScenarioError
from engine.exercise.script import is_exercise_file, load_exercise
from engine.persistence.saves import SaveError, read_save
from engine.rules.game import Game
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario
from engine.ui import fonts, theme
from engine.ui.gui import gui_theme, list_saves
from engine.ui.session import Session

if TYPE_CHECKING:
    from engine.ui.app import App


def list_scenarios() -> list[Path]:
    return sorted(p for p in paths.shipped("scenarios").glob("*.yaml"))


class StartScreen:
    name = "start"

    def __init__(self, app: App):
        self.app = app
        self.scenario_path = app.scenario_path
        self.scenario: Scenario | None = None
        self.problems: list[str] = []
        self.humans: set[str] = set()
        self.levels: dict[str, str] = {}
        self.seed_text = ""  # empty: a random seed nobody at the table can guess
        self.message = ""
        self._load_scenario()

    def _load_scenario(self) -> None:
        try:
            self.scenario = load_scenario(self.scenario_path)
            self.problems = []
        except ScenarioError as exc:
            self.scenario = None
            self.problems = [str(p) for p in exc.problems]
        self.humans = {h for h in self.humans if self.scenario and h in self.scenario.playable_ids}

    # ------------------------------------------------------------------ layout
    def layout(self) -> None:
        m = self.app.m
        w, h = self.app.size
        self.manager = pygame_gui.UIManager((w, h), theme_path=gui_theme(m.font))
        col = pygame.Rect(0, 0, min(w - 2 * m.pad, m.px(980)), h)
        col.centerx = w // 2
        self.col = col
        y = m.px(120)
        label_w = m.px(150)
        scenarios = list_scenarios()
        # the widget library draws what it is given as is: a file's name through `fonts.safe` (a NUL would raise)
        names: list[str | tuple[str, str]] = ([fonts.safe(p.name) for p in scenarios]
                                              or [fonts.safe(self.scenario_path.name)])
        here = fonts.safe(self.scenario_path.name)
        current = here if here in names else names[0]
        if self.scenario_path not in scenarios:
            names.append(here) if here not in names else None
            current = here
        self.labels = [("Scenario", (col.x, y + m.px(6)))]
        self.scenario_menu = pygame_gui.elements.UIDropDownMenu(
            names, current, pygame.Rect(col.x + label_w, y, m.px(420), m.px(38)), manager=self.manager)
        self.scenario_files = {fonts.safe(p.name): p for p in scenarios}
        self.scenario_files.setdefault(here, self.scenario_path)
        y += m.px(52)
        self.labels.append(("Seed", (col.x, y + m.px(6))))
        self.seed_entry = pygame_gui.elements.UITextEntryLine(
            pygame.Rect(col.x + label_w, y, m.px(160), m.px(38)), manager=self.manager, placeholder_text="random")
        self.seed_entry.set_allowed_characters("numbers")
        self.seed_entry.set_text(self.seed_text)
        self.labels.append(("Text size", (col.x + label_w + m.px(190), y + m.px(6))))
        self.smaller = pygame_gui.elements.UIButton(
            pygame.Rect(col.x + label_w + m.px(300), y, m.px(44), m.px(38)), "–", manager=self.manager)
        self.larger = pygame_gui.elements.UIButton(
            pygame.Rect(col.x + label_w + m.px(400), y, m.px(44), m.px(38)), "+", manager=self.manager)
        self.scale_pos = (col.x + label_w + m.px(352), y + m.px(8))
        y += m.px(60)
        self.sides_top = y
        self.side_buttons: dict[str, pygame_gui.elements.UIButton] = {}
        if self.scenario is not None:
            per_row = 2
            bw = (col.w - label_w - m.pad) // per_row - m.pad
            self._side_w = bw - m.px(16)  # what a side's label may take of its button
            for i, side in enumerate(self.scenario.playable_ids):
                r, c = divmod(i, per_row)
                rect = pygame.Rect(col.x + label_w + c * (bw + m.pad), y + r * m.px(46), bw, m.px(40))
                self.side_buttons[side] = pygame_gui.elements.UIButton(rect, self._side_label(side),
                                                                        manager=self.manager)
            y += ((len(self.scenario.playable_ids) + 1) // 2) * m.px(46)
        self.labels.append(("Sides", (col.x, self.sides_top + m.px(8))))
        y += m.px(16)
        self.start_button = pygame_gui.elements.UIButton(
            pygame.Rect(col.x + label_w, y, m.px(300), m.px(48)), self._start_label(), manager=self.manager)
        if self.scenario is None:
            self.start_button.disable()
        saves = list_saves()
        self.save_files = {fonts.safe(p.name): p for p in saves}
        self.load_menu = None
        self.load_button = pygame_gui.elements.UIButton(
            pygame.Rect(col.x + label_w + m.px(320), y, m.px(180), m.px(48)), "Load game", manager=self.manager)
        if saves:
            self.load_menu = pygame_gui.elements.UIDropDownMenu(
                list(self.save_files), fonts.safe(saves[0].name),
                pygame.Rect(col.x + label_w + m.px(510), y + m.px(5), col.right - col.x - label_w - m.px(510),
                            m.px(38)), manager=self.manager)
        else:
            self.load_button.disable()
        self.info_top = y + m.px(64)

    def _side_label(self, side: str) -> str:
        """A side's button: its name (as `fonts.safe` makes any text drawable, cut to the button) and who plays it."""
        assert self.scenario is not None
        who = "Team (human)" if side in self.humans else f"Bot ({self.levels.get(side, 'quick')})"
        room = max(0, getattr(self, "_side_w", 10_000) - fonts.font(self.app.m.font, True).size(f": {who}")[0])
        return fonts.fit_text(self.scenario.actor(side).name, self.app.m.font, room, bold=True) + f": {who}"

    def cycle(self, side: str) -> None:
        """Bot (quick) → Bot (strong) → Team → Bot (simple) → Bot (quick)."""
        if side in self.humans:
            self.humans.discard(side)
            self.levels[side] = "simple"
        elif self.levels.get(side, "quick") == "quick":
            self.levels[side] = "strong"
        elif self.levels[side] == "strong":
            self.humans.add(side)
        else:
            self.levels[side] = "quick"

    def _start_label(self) -> str:
        n = len(self.humans)
        return "Watch the bots play" if n == 0 else f"Start with {n} team{'s' if n > 1 else ''}"

    # ------------------------------------------------------------------ events
    def handle(self, event: pygame.event.Event) -> None:
        self.manager.process_events(event)
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            el = event.ui_element
            for side, button in self.side_buttons.items():
                if el is button:
                    self.cycle(side)
                    button.set_text(self._side_label(side))
                    self.start_button.set_text(self._start_label())
            if el is self.start_button:
                self.start()
            elif el is self.load_button:
                self.load()
            elif el is self.smaller:
                self._rescale(-0.25)
            elif el is self.larger:
                self._rescale(0.25)
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.scenario_menu:
            self.scenario_path = self.scenario_files[event.text]
            self.app.scenario_path = self.scenario_path
            self._load_scenario()
            self.layout()
        elif event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element is self.seed_entry:
            self.seed_text = self.seed_entry.get_text()
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN and not self.seed_entry.is_focused:
            self.start()

    def _rescale(self, d: float) -> None:
        self.seed_text = self.seed_entry.get_text()
        self.app.set_scale(self.app.scale + d)

    def seed(self) -> int:
        text = self.seed_entry.get_text().strip()
        return int(text) if text.isdigit() else dice.fresh_seed()

    def start(self) -> None:
        if self.scenario is None:
            return
        order = [s for s in self.scenario.playable_ids if s in self.humans]
        session = Session(Game(self.scenario, seed=self.seed()), self.scenario_path, order, dict(self.levels))
        self.app.flow.play(session)

    def load(self) -> None:
        if self.load_menu is None:
            return
        path = self.save_files[self.load_menu.selected_option[0] if isinstance(
            self.load_menu.selected_option, tuple) else self.load_menu.selected_option]
        try:
            loaded = read_save(path)
        except SaveError as exc:
            self.message = str(exc)
            return
        if is_exercise_file(loaded.scenario_path):  # an exercise resumes under its script, on its own start screen
            try:
                exercise = load_exercise(loaded.scenario_path)
            except ScenarioError as exc:
                self.message = f"The save's exercise script does not load: {exc.problems[0]}"
                return
            self.app.flow.to_exercise_start(exercise, loaded=loaded, loaded_from=path.name)
            return
        game, room = loaded.game, loaded.room
        levels: dict[str, str]
        if room is not None:  # the game resumes as it was seated when saved
            order, levels = list(room.teams), dict(room.levels)
        else:
            order, levels = [s for s in game.scenario.playable_ids if s in self.humans], dict(self.levels)
        self.app.flow.play(Session(game, loaded.scenario_path, order, levels))

    # ------------------------------------------------------------------ drawing
    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        m = self.app.m
        surf.fill(theme.TOPBAR)
        col = self.col
        surf.blit(fonts.text("Wargame engine", m.big, theme.TOPBAR_INK, True), (col.x, m.px(24)))
        title = self.scenario.meta.title if self.scenario else "This scenario has problems"
        surf.blit(fonts.text(fonts.fit_text(title, m.title, col.w), m.title, (200, 210, 230)), (col.x, m.px(74)))
        for text, pos in self.labels:
            surf.blit(fonts.text(text, m.font, (200, 206, 220), True), pos)
        surf.blit(fonts.text(f"{self.app.scale:.2f}×", m.font, theme.TOPBAR_INK), self.scale_pos)
        y = self.info_top
        lines: list[tuple[str, tuple[int, int, int]]] = []
        if self.message:
            lines += [(self.message, (255, 170, 160))]
        if self.scenario is not None:
            sc = self.scenario
            lines += [(sc.meta.summary.strip(), (220, 224, 232))]
            lines += [(f"{sc.meta.turns} turns of {sc.meta.turn_months} month(s) from "
                       f"{sc.meta.start_date:%B %Y} · {len(sc.cards)} cards · {len(sc.events)} events · "
                       f"up to {sc.meta.orders_per_turn} orders a turn", (170, 180, 200))]
            lines += [("Click a side to change who plays it: a quick bot, a strong bot (it looks ahead), a team "
                       "of people, or the simple bot. Teams take turns at this screen and never see each other's "
                       "orders. F1 lists the keyboard shortcuts.", (170, 180, 200))]
        else:
            lines += [(p, (255, 170, 160)) for p in self.problems[:12]]
        lh = fonts.font(m.font).get_linesize()
        for text, colour in lines:
            for line in fonts.wrap(text, m.font, col.w):
                if y + lh > self.app.size[1] - m.pad:
                    break
                surf.blit(fonts.text(line, m.font, colour), (col.x, y))
                y += lh
            y += m.pad
        self.manager.draw_ui(surf)
