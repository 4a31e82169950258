"""Which screen follows which: the one place that knows the order of the screens.

Screens never construct one another. A screen says where the room goes next
through its app's router (`self.app.flow`): to the start screen, on with the
game (`begin_turn`: bots commit, then the next team's hand-over, the turn's
results or the end), to a team's planning screen, to the replay, to the
control panel behind the facilitator's passphrase, and so on; the router
builds that screen and shows it. Going back to a screen it was handed (a
`back` screen: the panel's, the replay's, the briefing's) a screen shows
again itself: it is the screen it came from, not a choice of what follows.

The modules stack in one direction, so none needs an import inside a function:

    app             the window and the frame loop; it makes the router
    flow            this module: it imports every screen module
    screen modules  start_screen, exercise_start, game_screen, exercise_screens, team_planning, facilitator:
                    none imports another, nor this module, nor app (but for annotations)
    frames          board (the map board, with the planning and results screens an exercise extends),
                    card (the exercise's card screens), gui
    the rest        session, exercise_session, turn_timer, widgets, panels, mapview, fonts, theme, ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.core.state import Order
from engine.exercise.script import Exercise
from engine.persistence.saves import LoadedSave, autosave
from engine.rules.views import ROOM
from engine.ui.board import PlanningScreen, ResultsScreen, autosave_file
from engine.ui.exercise_screens import (
    BriefingScreen,
    DebriefScreen,
    ExerciseResultsScreen,
    InjectScreen,
    PassphraseScreen,
    PauseScreen,
    RulingGateScreen,
    TeamHandoverScreen,
)
from engine.ui.exercise_session import ExerciseSession
from engine.ui.exercise_start import ExerciseStartScreen
from engine.ui.facilitator import FacilitatorScreen
from engine.ui.game_screen import CommittedScreen, EndScreen, HandoverScreen, ReplayScreen
from engine.ui.start_screen import StartScreen
from engine.ui.team_planning import ArgueScreen, TeamPlanningScreen

if TYPE_CHECKING:
    from engine.ui.app import AnySession, App, Screen


class Flow:
    """The router: each method is one place the room can be sent, and builds and shows that screen."""

    def __init__(self, app: App):
        self.app = app

    # ------------------------------------------------------------------ before a game
    def to_start(self) -> None:
        """The start screen: a scenario, who plays which side, start or load."""
        self.app.show(StartScreen(self.app))

    def to_exercise_start(self, exercise: Exercise, seed: int | None = None, loaded: LoadedSave | None = None,
                          loaded_from: str = "") -> None:
        """An exercise's own start screen (resuming `loaded`, if given): who is at the screen, the passphrase."""
        self.app.show(ExerciseStartScreen(self.app, exercise, seed, loaded=loaded, loaded_from=loaded_from))

    def play(self, session: AnySession) -> None:
        """Play this game (or exercise) from where it stands."""
        self.app.session = session
        self.begin_turn()

    # ------------------------------------------------------------------ the turn
    def begin_turn(self) -> None:
        """Move the game on: bots commit, then the next team's hand-over, or the turn's results."""
        s = self.app.game_session
        if isinstance(s, ExerciseSession):  # a facilitated exercise has its own turn flow
            self._begin_exercise_turn(s)
            return
        if s.game.over:
            self.app.show(EndScreen(self.app))
            return
        s.run_bots()
        side = s.next_human()
        if side is not None:
            self.app.show(HandoverScreen(self.app, side))
            return
        before = s.game.view(ROOM)
        s.adjudicate()
        screen = ResultsScreen(self.app, before)
        failed = autosave(s.game, s.scenario_path, autosave_file(self.app), s.room())
        if failed:
            screen.say(failed, error=True)
        self.app.show(screen)

    def to_planning(self, side: str, pending: list[Order] | None = None) -> None:
        """A side's own planning screen; `pending`: the orders it took back, to change."""
        screen = PlanningScreen(self.app, side)
        if pending is not None:
            screen.pending = pending
        self.app.show(screen)

    def to_committed(self, side: str, orders: list[Order]) -> None:
        """A side has committed: while it is still at the screen it may take its orders back."""
        self.app.show(CommittedScreen(self.app, side, orders))

    def to_replay(self, back: Screen) -> None:
        """Step through the turns so far; closing the replay returns to `back`."""
        self.app.show(ReplayScreen(self.app, back=back))

    # ------------------------------------------------------------------ a facilitated exercise
    def _begin_exercise_turn(self, s: ExerciseSession) -> None:
        """Move the exercise on to whatever the room should see next."""
        app = self.app
        g = s.game
        for t in s.teams:
            if t not in s.briefed:
                app.show(TeamHandoverScreen(app, t, briefing=True))
                return
        if g.over:
            app.show(DebriefScreen(app))
            return
        if g.state.phase == "paused":
            app.show(PauseScreen(app))
            return
        if s.unshown_public():
            app.show(InjectScreen(app))
            return
        s.run_others()
        team = s.next_team()
        if team is not None:
            app.show(TeamHandoverScreen(app, team))
            return
        if s.needs_ruling():
            app.show(RulingGateScreen(app))
            return
        self.adjudicate_and_show()

    def adjudicate_and_show(self) -> None:
        """Adjudicate the exercise's turn with the rulings so far, autosave, and show the room the results."""
        app = self.app
        s = app.exercise_session
        before = s.game.view(ROOM)
        s.adjudicate()
        screen = ExerciseResultsScreen(app, before)
        failed = autosave(s.game, s.scenario_path, autosave_file(app), s.room())
        if failed:
            screen.say(failed, error=True)
        app.show(screen)

    def to_briefing(self, team: str, back: Screen | None = None) -> None:
        """A team's own briefing; read again from its planning screen (`back`), it returns there."""
        self.app.show(BriefingScreen(self.app, team, back=back))

    def to_team_planning(self, team: str) -> None:
        """A team's own planning screen: its view, its injects, orders for each of its actors."""
        self.app.show(TeamPlanningScreen(self.app, team))

    def to_argue(self, back: TeamPlanningScreen, actor: str) -> None:
        """A team argues a free action for one of its actors, then returns to its planning screen."""
        self.app.show(ArgueScreen(self.app, back, actor))

    def to_injects(self, then: Screen | None = None) -> None:
        """The public injects the room has not seen, one card at a time; then `then`, or on with the exercise."""
        self.app.show(InjectScreen(self.app, then=then))

    def to_pause(self, resume_to: Screen | None = None) -> None:
        """A discussion pause for the whole room; resumed, to `resume_to`, or on with the exercise."""
        self.app.show(PauseScreen(self.app, resume_to=resume_to))

    # ------------------------------------------------------------------ the control cell
    def ask_passphrase(self, back: Screen, on_open: Callable[[], None], purpose: str) -> None:
        """Do a facilitator's act: at once while the control cell is still unlocked, else after the passphrase.

        The lock closes after a few idle minutes (or at once with "Lock now"), so the facilitator is not asked
        again on every turn, and teams who reach the screen later still find it locked.
        """
        session = self.app.exercise_session
        if session.control_unlocked():
            session.touch_control()
            on_open()
            return
        self.app.show(PassphraseScreen(self.app, back, on_open, purpose))

    def open_control(self, back: Screen, tab: str = "overview") -> None:
        """Ask for the facilitator's passphrase, then open the control panel; closing it returns to `back`."""
        self.ask_passphrase(back, lambda: self.app.show(FacilitatorScreen(self.app, back, tab)),
                            "Open the control panel")

    def close_control(self, back: Screen) -> None:
        """Back from the control panel to where the room was; a pause or a newly fired public inject is shown to
        the room first."""
        s = self.app.exercise_session
        if s.game.state.phase == "paused" and back.name != "pause":
            self.to_pause(resume_to=back if back.name in ("planning", "handover") else None)
            return
        if s.unshown_public() and back.name not in ("inject", "pause"):
            self.to_injects(then=back if back.name != "results" else None)
            return
        back.layout()
        self.app.show(back)
