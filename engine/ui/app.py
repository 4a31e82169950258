"""The window, the frame loop and the screens; errors in a screen are reported, never fatal.

Screens are small objects with `handle(event)`, `update(dt)` and `draw(surface)`;
which screen follows which is the router's (`app.flow`, engine/ui/flow.py).
The app owns the one Session (and so the game); a screen that fails to draw
is replaced by an error banner over the last good frame, and the game state
is untouched, so the facilitator can save and carry on.

The loop draws a frame only when something may have changed (input, a new
screen, a screen's own timed change) and otherwise sleeps in the event queue:
a seminar laptop on battery shows one screen for minutes while the room talks.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Protocol, TypeAlias

import pygame

from engine.core import paths
from engine.core.clock import TimerSetting
from engine.exercise.script import Exercise
from engine.persistence.saves import LoadedSave, Room
from engine.rules.game import Game
from engine.ui import fonts, theme
from engine.ui.exercise_session import ExerciseSession
from engine.ui.flow import Flow
from engine.ui.session import Session
from engine.ui.theme import Metrics

#: what a screen of a game is played with: a plain game's session or a facilitated exercise's
AnySession: TypeAlias = Session | ExerciseSession

#: after input, frames go on this long: a widget library finishes a change over its next few updates (pygame_gui
#: redraws one queued state of a widget per update, a drop-down opens on the update after the click)
SETTLE_S = 0.3


class Screen(Protocol):
    """What the App needs of a screen.

    Optional: `wake_in() -> float | None`, asked after every frame: the
    seconds from now until the screen next changes by itself, with no input
    (0: it animates, draw the next frame at once; None: only input changes
    it). The loop draws after input and otherwise sleeps until then (its
    update(dt) then gets the whole time slept as dt), so a screen that
    changes with time must say so here: the bots' results stepping on, a text
    cursor blinking, or a turn clock asking for a frame once a second
    (`return 1.0 - elapsed % 1.0`). It is read with getattr: a screen that
    never changes by itself leaves it out.
    """

    name: str

    def handle(self, event: pygame.event.Event) -> None: ...
    def update(self, dt: float) -> None: ...
    def draw(self, surf: pygame.Surface) -> None: ...
    def layout(self) -> None: ...


def fit_desktop(size: tuple[int, int], desktops: list[tuple[int, int]]) -> tuple[int, int]:
    """The window size asked for, shrunk to fit the desktop (a window larger than the screen opens clipped,
    its title bar off the top): the layout then scales to what fits."""
    if not desktops or desktops[0][0] <= 0 or desktops[0][1] <= 0:
        return size
    w, h = desktops[0]
    return min(size[0], w), min(size[1], max(200, h - 60))  # room for the window's title bar and a task bar


class App:
    def __init__(self, size: tuple[int, int] = (1280, 800), scale: float | None = None,
                 scenario_path: Path | None = None, fullscreen: bool = False):
        pygame.display.init()
        pygame.font.init()
        flags = pygame.RESIZABLE | (pygame.FULLSCREEN if fullscreen else 0)
        if pygame.display.get_driver() != "dummy":  # off screen (tests, screenshots) any size is drawn whole
            size = fit_desktop(size, pygame.display.get_desktop_sizes())
        self.window = pygame.display.set_mode(size, flags)
        pygame.display.set_caption("Wargame engine")
        pygame.key.set_repeat(400, 40)
        self.scale = scale if scale is not None else max(1.0, min(size[0] / 1280, size[1] / 720))
        self.m = Metrics(self.scale)
        self.scenario_path = scenario_path or paths.default_scenario()
        self.clock = pygame.time.Clock()
        self.running = True
        #: frames put on the display so far (the idle benchmark and tests read it)
        self.frames = 0
        #: a frame is due whatever the screen says: a new screen or a new scale has not been drawn yet
        self._stale = True
        #: perf_counter time until which frames go on after input (SETTLE_S)
        self._settle_until = 0.0
        self.error: str | None = None
        #: the game being played: set by the start screens (through the router), None before
        self.session: AnySession | None = None
        #: where Ctrl+S and the end of the game save (None: saves/<scenario>-turnNN.json)
        self.save_to: Path | None = None
        #: where the end-of-turn autosave goes, as asked (`--autosave`): None for the default, a file for each game
        self.autosave_setting: str | None = None
        #: where "Write report" puts its folders
        self.reports_dir: Path = paths.written("reports")
        self.help = False
        #: the facilitator's turn timer (None: none), and when each team's planning began (engine/ui/turn_timer.py)
        self.turn_timer: TimerSetting | None = None
        self.turn_clocks: dict[tuple[int, int, str], float] = {}
        self.now: Callable[[], float] = time.monotonic  # wall-clock seconds (tests move it)
        self.screen: Screen | None = None
        #: where the screens send the room next (engine/ui/flow.py)
        self.flow = Flow(self)
        self.flow.to_start()

    # ------------------------------------------------------------------ screens
    def show(self, screen: Screen) -> None:
        self.screen = screen
        self.error = None
        self._stale = True  # shown from a screen's update(), it has not had its own update yet
        screen.layout()

    def set_scale(self, scale: float) -> None:
        self.scale = max(0.75, min(2.5, round(scale, 2)))
        self.m = Metrics(self.scale)
        self._stale = True
        if self.screen is not None:
            self.screen.layout()

    @property
    def size(self) -> tuple[int, int]:
        return self.window.get_size()

    @property
    def game_session(self) -> AnySession:
        """The game being played, for the screens of a game (they are only ever shown with one)."""
        if self.session is None:
            raise RuntimeError("no game is being played")
        return self.session

    @property
    def exercise_session(self) -> ExerciseSession:
        """The exercise being played, for the screens of an exercise (they are only ever shown in one)."""
        if not isinstance(self.session, ExerciseSession):
            raise RuntimeError("no exercise is being played")
        return self.session

    def _screen(self) -> Screen:
        if self.screen is None:
            raise RuntimeError("no screen is shown")
        return self.screen

    # ------------------------------------------------------------------ the loop
    def tick(self, dt: float | None = None) -> None:
        """Handle queued events, update and draw one frame, always (tests call this directly)."""
        self._frame(dt, [])

    def _frame(self, dt: float | None, woken_by: list[pygame.event.Event]) -> None:
        """One frame: `woken_by` (the event the loop slept for) and then every queued event, update, draw."""
        if dt is None:
            dt = self.clock.tick(60) / 1000.0
        events = [*woken_by, *pygame.event.get()]
        if events:
            self._settle_until = time.perf_counter() + SETTLE_S
        self._stale = False
        for event in events:
            self._guard("handling input", partial(self._handle, event))
        self._guard("updating", lambda: self._screen().update(dt))
        self._guard("drawing", lambda: self._screen().draw(self.window))
        if self.help:
            self._guard("drawing the help", self._draw_help)
        if self.error:
            self._draw_error()
        pygame.display.flip()
        self.frames += 1

    def run(self) -> None:
        self.loop()
        pygame.quit()

    def loop(self) -> None:
        """Frames while something changes, asleep in the event queue otherwise, until the window is closed."""
        woken_by: list[pygame.event.Event] = []
        while self.running:
            self._frame(None, woken_by)
            # SIGTERM reaches us as a QUIT event (SDL's signal handler queues one), like closing the window; a frame
            # that handled it must not then sleep in the event queue: nothing would ever wake the loop again (it
            # did whenever that frame took longer than SETTLE_S, e.g. measuring a huge name)
            if self.running:
                woken_by = self._sleep()

    def _sleep(self) -> list[pygame.event.Event]:
        """Wait for the next frame: until an event arrives (returned) or the screen's next change is due."""
        due = self.next_frame_in()
        if due is None:
            return [pygame.event.wait()]
        if due > 0:
            event = pygame.event.wait(max(1, math.ceil(due * 1000)))  # a timeout of 0 would mean for ever
            return [event] if event.type != pygame.NOEVENT else []
        return []

    def next_frame_in(self) -> float | None:
        """Seconds from this frame until the next is due with no input: 0 now, None not until an event arrives."""
        if self._stale:
            return 0.0
        now = time.perf_counter()
        due = [self._settle_until - now] if self._settle_until > now else []
        screen_due = self._screen_wake_in()
        if screen_due is not None:
            due.append(screen_due)
        return max(0.0, min(due)) if due else None

    def _screen_wake_in(self) -> float | None:
        """The screen's own next change (see Screen); a screen that fails to say is left to input."""
        wake_in = getattr(self.screen, "wake_in", None)
        if wake_in is None:
            return None
        asked: list[float | None] = []
        self._guard("asking when to draw", lambda: asked.append(wake_in()))
        return asked[0] if asked else None

    def _handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
            return
        if event.type == pygame.VIDEORESIZE:
            self._screen().layout()
            return
        if event.type == pygame.KEYDOWN:
            mods = getattr(event, "mod", 0) | pygame.key.get_mods()
            if event.key == pygame.K_F1:
                self.help = not self.help
                return
            if event.key in (pygame.K_EQUALS, pygame.K_PLUS, pygame.K_KP_PLUS) and mods & pygame.KMOD_CTRL:
                self.set_scale(self.scale + 0.25)
                return
            if event.key in (pygame.K_MINUS, pygame.K_KP_MINUS) and mods & pygame.KMOD_CTRL:
                self.set_scale(self.scale - 0.25)
                return
            if self.help and event.key == pygame.K_ESCAPE:
                self.help = False
                return
            if event.key == pygame.K_F10 and self._control_allowed():
                self.flow.open_control(self._screen())
                return
        self._screen().handle(event)

    def _control_allowed(self) -> bool:
        """F10 asks for the facilitator's passphrase anywhere in an exercise, except where it is being typed."""
        return (isinstance(self.session, ExerciseSession)
                and getattr(self.screen, "name", "") not in ("passphrase", "facilitator", "exercise_start", "argue"))

    def _guard(self, what: str, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception as exc:  # the UI must never take the game down with it
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.error = f"Error while {what} ({getattr(self.screen, 'name', '?')}): {detail}"
            # for whoever reports the bug; an exception may quote a scenario's text, so never raw to the terminal
            for line in traceback.format_exc().splitlines():
                print(fonts.safe(line, 2000), file=sys.stderr)

    def _draw_error(self) -> None:
        w, _ = self.size
        lines = fonts.wrap(self.error or "", self.m.font, w - 40)
        lines.append("The game state is safe: press Ctrl+S to save, Esc to dismiss.")
        h = len(lines) * fonts.font(self.m.font).get_linesize() + 16
        pygame.draw.rect(self.window, theme.BAD, (0, 0, w, h))
        for i, line in enumerate(lines):
            self.window.blit(fonts.text(line, self.m.font, (255, 255, 255)), (20, 8 + i * fonts.font(self.m.font).get_linesize()))

    def _draw_help(self) -> None:
        w, h = self.size
        shade = pygame.Surface((w, h), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 150))
        self.window.blit(shade, (0, 0))
        rows = [
            ("F1", "show or hide this help"),
            ("Ctrl + / Ctrl -", "larger or smaller text and panels (projectors)"),
            ("Enter", "continue (hand-over screen, results)"),
            ("Up / Down", "choose a card"), ("Left / Right", "choose a target"),
            ("A", "add the chosen card as an order"), ("Backspace", "remove the last order"),
            ("C", "commit your orders"), ("O", "your objectives and what they still need"),
            ("M / L", "change what the map colours show / show or hide the map's key"),
            ("Wheel, PgUp / PgDn", "scroll the panel under the mouse (a panel with more says so)"),
            ("Space", "next result while a turn is shown"), ("Esc", "skip to the end of the results"),
            ("Ctrl+S", "save the game"), ("U", "right after committing: take your orders back"),
            ("H", "hand-over: step through the turns so far (the facilitator may rewind, with Y)"),
            ("R / P", "end of game: write the report / replay turn by turn"),
            ("F10", "exercise: the control panel (facilitator's passphrase)"),
            ("Tab / I / F / B", "exercise planning: next actor / hide injects / argue a free action / briefing"),
        ]
        m = self.m
        # sized to the window: descriptions wrap, and the text steps down a size when it would not fit
        for size in (m.font, m.small):
            lh = fonts.font(size).get_linesize()
            key_w = max(fonts.font(size, True).size(k)[0] for k, _ in rows) + m.pad * 2
            box_w = min(w - m.pad * 2, key_w + m.px(560))
            desc_w = box_w - key_w - m.pad * 4
            wrapped = [fonts.wrap(v, size, desc_w) for _, v in rows]
            box_h = m.px(52) + sum(len(x) for x in wrapped) * lh + len(rows) * 2
            if box_h <= h - m.pad * 2:
                break
        box = pygame.Rect(0, 0, box_w, min(box_h, h))
        box.center = (w // 2, h // 2)
        pygame.draw.rect(self.window, theme.PANEL, box, border_radius=8)
        self.window.blit(fonts.text("Keyboard shortcuts", m.title, theme.INK, True), (box.x + m.pad * 2, box.y + m.pad))
        y = box.y + m.px(48)
        for (k, _), lines in zip(rows, wrapped, strict=True):
            self.window.blit(fonts.text(k, size, theme.ACCENT, True), (box.x + m.pad * 2, y))
            for line in lines:
                self.window.blit(fonts.text(line, size, theme.INK), (box.x + m.pad * 2 + key_w, y))
                y += lh
            y += 2


def run_ui(scenario_path: Path | None = None, size: tuple[int, int] = (1280, 800), scale: float | None = None,
           loaded: LoadedSave | None = None, save_to: Path | None = None, autosave: str | None = None,
           seat: tuple[Game, Room] | None = None, turn_timer: TimerSetting | None = None) -> int:
    """Open the window; with `loaded` (a read save) go straight into that game, seated as it was saved (a save
    that does not say who played what seats a team on every side); with `seat` (a new game and its Room, from
    `--as`) straight into that game, past the start screen."""
    app = App(size=size, scale=scale, scenario_path=scenario_path)
    app.save_to = save_to
    app.autosave_setting = autosave
    app.turn_timer = turn_timer
    if loaded is not None:
        seat_loaded(app, loaded)
    elif seat is not None:
        game, room = seat
        app.flow.play(Session(game, scenario_path or Path(), list(room.teams), dict(room.levels)))
    app.run()
    return 0


def seat_loaded(app: App, loaded: LoadedSave) -> None:
    """Go into a loaded game seated as it was saved: the same teams in the same order, the same bots.

    A save that does not say who played what (an older one) seats a team on every side.
    """
    room = loaded.room
    teams = list(room.teams) if room is not None else list(loaded.game.scenario.playable_ids)
    levels: dict[str, str] = dict(room.levels) if room else {}
    app.flow.play(Session(loaded.game, loaded.scenario_path, teams, levels))


def run_exercise_ui(exercise: Exercise, seed: int | None = None, size: tuple[int, int] = (1280, 800),
                    scale: float | None = None, autosave: str | None = None, loaded: LoadedSave | None = None,
                    loaded_from: str = "", turn_timer: TimerSetting | None = None) -> int:
    """Open the window on a facilitated exercise's start screen (resuming `loaded`, if given) and run it to the
    debrief (see engine/ui/exercise_start.py); `run-exercise` calls this."""
    app = App(size=size, scale=scale, scenario_path=exercise.scenario_path)
    app.autosave_setting = autosave
    app.turn_timer = turn_timer
    pygame.display.set_caption(f"Exercise: {exercise.title}")
    app.flow.to_exercise_start(exercise, seed, loaded=loaded, loaded_from=loaded_from)
    app.run()
    return 0
