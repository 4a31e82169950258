"""A facilitated exercise at one screen: the teams in the room, the control cell's lock, and the turn flow.

The flow follows how professional tabletop exercises run: each team reads its
own briefing, then every turn the room sees the public injects, each team
plans privately from its own view (its private injects included), the script
and bots give the other orders, the control cell may review the outcomes
before they stand, the room sees the results, and the script's discussion
pauses stop the clock until the facilitator resumes (the screens in that
order are engine/ui/flow.py's). The session holds no game state of its own
beyond who is at the screen and what has been shown; everything else is in
`game.state`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.state import EventRecord, Ruling, TurnRecord
from engine.exercise.passphrase import Lock
from engine.exercise.script import Exercise, ExerciseRun
from engine.persistence.saves import LoadedSave, Room
from engine.rules.game import Game
from engine.scenario.model import Scenario

#: idle seconds after which the control cell asks for the passphrase again
LOCK_AFTER_S = 300.0


@dataclass
class ExerciseSession:
    run: ExerciseRun
    lock: Lock
    #: team ids played by people at this screen, in the script's order; the other teams are bots
    teams: list[str] = field(default_factory=list)
    #: the facilitator's rulings on this turn's outcomes (semi-rigid and free play), by resolution index
    rulings: dict[int, Ruling] = field(default_factory=dict)
    #: teams that have read their briefing
    briefed: set[str] = field(default_factory=set)
    #: injects already shown to the room: (turn, event id, position in the inbox)
    shown: set[tuple[int, str, int]] = field(default_factory=set)
    levels: dict[str, str] = field(default_factory=dict)
    #: when the control cell locks again (clock seconds); the passphrase or any act in the panel moves it on
    unlocked_until: float = 0.0
    clock: Callable[[], float] = time.monotonic
    #: where this exercise's end-of-turn autosaves go, chosen at its first (engine/ui/board.py: autosave_file)
    autosave_file: Path | None = field(default=None, init=False, repr=False, compare=False)
    autosave_chosen: bool = field(default=False, init=False, repr=False, compare=False)

    # -- the control cell's lock
    def control_unlocked(self) -> bool:
        return self.clock() < self.unlocked_until

    def touch_control(self) -> None:
        """The facilitator is at the desk: keep the control cell open for another `LOCK_AFTER_S` idle seconds."""
        self.unlocked_until = self.clock() + LOCK_AFTER_S

    def lock_control(self) -> None:
        self.unlocked_until = 0.0

    # -- what the shared screens expect of a session
    @property
    def exercise(self) -> Exercise:
        return self.run.exercise

    @property
    def game(self) -> Game:
        return self.run.game

    @property
    def sc(self) -> Scenario:
        return self.game.scenario

    @property
    def scenario_path(self) -> Path:
        """Saves name the exercise script: loading it back rebuilds the same derived scenario."""
        return self.exercise.path

    @property
    def save_stem(self) -> str:
        return self.exercise.script.exercise.id

    @property
    def humans(self) -> list[str]:
        """The actors played by people at the screen (the results play on by themselves when there are none)."""
        return [a for t in self.teams for a in self.exercise.team(t).actors]

    def room(self) -> Room:
        """Who was at the screen, for saves: the sides of the teams people play (bots play the script's level)."""
        return Room(teams=list(self.humans))

    @classmethod
    def resumed(cls, exercise: Exercise, loaded: LoadedSave, lock: Lock) -> ExerciseSession:
        """A saved exercise, seated as it was saved (the teams at the screen), under a new passphrase.

        Teams have read their briefings (they may read them again with B) and the room has seen the earlier
        turns' injects; the injects of the turn being planned are shown again, as a resumed session expects.
        A save that does not say who sat at the screen seats every team.
        """
        seated = set(loaded.room.teams) if loaded.room is not None else set(exercise.team_of)
        teams = [t.id for t in exercise.script.teams if set(t.actors) & seated]
        session = cls(ExerciseRun(exercise, seed=loaded.game.state.seed, game=loaded.game), lock, teams)
        session.briefed = set(teams) if loaded.game.turns else set()
        return session

    # -- the turn
    def team_name(self, team_id: str) -> str:
        return self.exercise.team(team_id).name

    def run_others(self) -> None:
        """The script and the bots commit at once for every side no team at the screen plays."""
        g = self.game
        if g.state.phase != "planning":
            return
        for side in g.waiting_for():
            if side not in self.humans:
                g.submit(side, self.run.orders_for(side))

    def next_team(self) -> str | None:
        waiting = set(self.game.waiting_for())
        for t in self.teams:
            if waiting & set(self.exercise.team(t).actors):
                return t
        return None

    def unshown_public(self) -> list[EventRecord]:
        """Public injects delivered this planning that the room has not yet seen."""
        s = self.game.state
        return [e for i, e in enumerate(s.inbox) if e.to is None and (s.turn, e.event, i) not in self.shown]

    def mark_shown(self) -> None:
        s = self.game.state
        self.shown.update((s.turn, e.event, i) for i, e in enumerate(s.inbox) if e.to is None)

    def needs_ruling(self) -> bool:
        return self.exercise.adjudication in ("semi_rigid", "free")

    def adjudicate(self) -> TurnRecord:
        rec = self.run.adjudicate(self.rulings)
        self.rulings = {}
        return rec

    def override(self, index: int, outcome: str, reason: str) -> None:
        """The facilitator sets one order's outcome, with a reason, for this turn's adjudication.

        Recorded through `Game.control` (a control note) so that saves replay
        it: the ruling goes into the turn's overrides and the note into the
        control log, exactly as they were at the table.
        """
        self.game.overrule(self.rulings, index, outcome, reason, by="facilitator")

    def rewound(self, turn: int) -> None:
        """Forget what belonged to the turns a rewind dropped."""
        self.rulings = {}
        self.shown = {k for k in self.shown if k[0] < turn}
