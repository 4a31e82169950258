"""Facilitator-scripted exercises: a master scenario events list, teams, and the control cell's script.

Professional tabletop exercises run from a script: learning objectives, the
teams and what each plays, a timeline of injects, moves for the sides no team
plays, pauses for discussion, outcomes the script wants settled a given way,
and an end. A script sits beside a scenario and never changes it: loading one
derives a new scenario (its injects become events delivered at the start of a
turn, its end becomes an end condition) so the engine runs an exercise with
the same rules, views, saves and replays as any other game.

Mistakes are reported as FILE:LINE:COLUMN against the script itself, including
unknown ids found only once the script is merged with its scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from engine.bots.controllers import controller
from engine.core.commands import Note, Pause
from engine.core.errors import Problem, ScenarioError
from engine.core.state import GameState, Order, Ruling, TurnRecord
from engine.rules.game import Game
from engine.rules.views import side_view
from engine.scenario import limits, xref
from engine.scenario import model as S
from engine.scenario.load import _display, load_any, load_scenario, register_derived, validation_problems
from engine.scenario.model import Condition, Effect, Id, Number, PositiveWhole, Strict, Whole
from engine.scenario.safe_yaml import Located, is_file, load_file, resolve_inside

ADJUDICATION = ("rigid", "semi_rigid", "free")


class LearningObjective(Strict):
    id: Id
    text: str


class ExerciseMeta(Strict):
    id: Id
    title: str
    summary: str
    scenario: str = Field(description="the scenario file, relative to this script (it may not leave its folders)")
    adjudication: Literal["rigid", "semi_rigid", "free"] = Field(
        "rigid", description="rigid: the cards and dice decide; semi_rigid: the rules propose and the facilitator "
                             "confirms or overrides; free: teams may also argue actions not on their cards")
    objectives: list[LearningObjective] = Field(min_length=1, description="what the exercise should teach")
    facilitator_notes: str = ""
    bot_level: Literal["simple", "quick", "strong"] = Field("quick", description="bots for sides nobody plays")


class Team(Strict):
    id: Id
    name: str
    actors: list[Id] = Field(min_length=1)
    briefing: str = Field("", description="shown to this team alone at the start")


class Inject(Strict):
    """One line of the master scenario events list."""

    id: Id
    title: str
    text: str
    at_turn: PositiveWhole | None = None
    at_date: dt.date | None = Field(None, description="delivered at the start of the turn whose month holds it")
    when: list[Condition] = Field([], description="delivered at the start of the first turn these hold")
    to: list[Id] | None = Field(None, description="teams who receive it privately; the whole room if omitted")
    chance: Number = Field(1.0, ge=0, le=1)
    effects: list[Effect] = Field(default_factory=list)
    channel: str = Field("", description="how it reaches the teams (a cable, a news flash, a phone call)")
    expected_action: str = Field("", description="what control expects the teams to do (facilitator only)")
    objective: Id | None = Field(None, description="the learning objective it serves")

    @model_validator(mode="after")
    def _trigger(self) -> Inject:
        if self.at_turn is not None and self.at_date is not None:
            raise ValueError("give at_turn or at_date, not both")
        if self.at_turn is None and self.at_date is None and not self.when:
            raise ValueError("an inject needs at_turn, at_date or when")
        return self


class ScriptedMove(Strict):
    """An order the script gives for a side that no team plays."""

    turn: Whole = Field(ge=1)
    actor: Id
    card: Id
    targets: list[Id] = Field(default_factory=list)
    agreement: Id | None = None


class DiscussionPause(Strict):
    after_turn: Whole = Field(ge=1)
    title: str
    prompts: list[str] = Field(min_length=1)


class ForcedOutcome(Strict):
    """The script settles this order's outcome, whatever the dice say (the dice are still rolled)."""

    turn: Whole = Field(ge=1)
    actor: Id
    card: Id
    outcome: Literal["success", "failure"]
    reason: str = Field(min_length=1)


class Hold(Strict):
    """Keeps a bot in a team's place from undoing the script's storyline for a span of turns.

    A bot in a team's place may play, the turn after an inject, the very card that undoes it (reaffirming a
    guarantee the script has just made conditional), and the exercise's central inject would never come. A hold bars the cards from bots only: a team of people is free
    to play them (and the script's branches say what follows).
    """

    actor: Id
    cards: list[Id] = Field(min_length=1)
    from_turn: Whole = Field(ge=1)
    to_turn: Whole = Field(ge=1)
    reason: str = Field(min_length=1, description="why the storyline needs it (shown to the facilitator)")

    @model_validator(mode="after")
    def _span(self) -> Hold:
        if self.to_turn < self.from_turn:
            raise ValueError("to_turn comes before from_turn")
        return self


class ExerciseEnd(Strict):
    after_turn: PositiveWhole | None = None
    when: list[Condition] = Field(default_factory=list)
    text: str = "the exercise reached the end of its script"


class ExerciseScript(Strict):
    format: Literal[1] = 1
    exercise: ExerciseMeta
    teams: list[Team] = Field(min_length=1)
    injects: list[Inject] = Field(default_factory=list)
    moves: list[ScriptedMove] = Field(default_factory=list)
    pauses: list[DiscussionPause] = Field(default_factory=list)
    forced: list[ForcedOutcome] = Field(default_factory=list)
    holds: list[Hold] = Field(default_factory=list)
    end: ExerciseEnd | None = None


@dataclass
class Exercise:
    """A loaded script and the scenario derived from it, with what the runners need to ask of it."""

    script: ExerciseScript
    scenario: S.Scenario
    path: Path
    scenario_path: Path
    #: actor -> team id
    team_of: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.script.exercise.title

    @property
    def adjudication(self) -> str:
        return self.script.exercise.adjudication

    def team(self, team_id: str) -> Team:
        return next(t for t in self.script.teams if t.id == team_id)

    @property
    def unplayed_sides(self) -> list[str]:
        """Sides no team plays: the script's moves or a bot play them."""
        return [a for a in self.scenario.playable_ids if a not in self.team_of]

    def moves_for(self, turn: int, actor: str) -> list[Order]:
        return [Order(actor=m.actor, card=m.card, targets=tuple(m.targets), agreement=m.agreement,
                      rationale="scripted move")
                for m in self.script.moves if m.turn == turn and m.actor == actor]

    def forced_rulings(self, state: GameState, sequence: list[Order]) -> dict[int, Ruling]:
        """The script's forced outcomes for this turn, keyed by position in resolution order."""
        out: dict[int, Ruling] = {}
        for f in self.script.forced:
            if f.turn != state.turn:
                continue
            for i, order in enumerate(sequence):
                if order.actor == f.actor and order.card == f.card and i not in out:
                    out[i] = Ruling(outcome=f.outcome, by="script", reason=f.reason)
                    break
        return out

    def held(self, turn: int, actor: str) -> set[str]:
        """Cards a bot playing `actor` must leave alone in this turn (the script's holds)."""
        return {c for h in self.script.holds if h.actor == actor and h.from_turn <= turn <= h.to_turn
                for c in h.cards}

    def pause_after(self, turn: int) -> DiscussionPause | None:
        return next((p for p in self.script.pauses if p.after_turn == turn), None)

    def team_view(self, state: GameState, team_id: str) -> dict[str, Any]:
        """What one team may see: the union of its actors' views, enforced by the engine."""
        return side_view(self.scenario, state, self.team(team_id).actors)


def turn_of_date(sc: S.Scenario, date: dt.date) -> int:
    """The turn whose span of game time holds `date` (turn 1 starts at the scenario's start date)."""
    start = sc.meta.start_date
    months = (date.year - start.year) * 12 + (date.month - start.month)
    return months // sc.meta.turn_months + 1


def load_exercise(path: str | Path) -> Exercise:
    """Load and check a script and its scenario; raise ScenarioError with every problem, located in the files."""
    path = Path(path)
    display = _display(path)
    if not is_file(path):
        raise ScenarioError([Problem(display, 1, 1, "no such exercise script")])
    located = load_file(path, display=display)
    if not isinstance(located.data, dict) or "exercise" not in located.data:
        raise ScenarioError([located.problem((), "an exercise script is a mapping with `exercise:` and `teams:`")])
    base = path.resolve().parent
    try:
        script = ExerciseScript.model_validate(located.data)
    except ValidationError as exc:
        # Report the rest of the script's mistakes too: check what is well formed against the scenario.
        problems = validation_problems(exc, located)
        partial = _partial_script(located.data)
        if partial is not None:
            sc_path, trouble = _scenario_of(partial[0], base, located)
            if sc_path is not None and not trouble:
                try:
                    problems += _check(partial[0], load_scenario(sc_path), located, partial[1])
                except ScenarioError as sc_exc:
                    problems += sc_exc.problems
        raise ScenarioError(_unique(problems)) from None
    sc_path, trouble = _scenario_of(script, base, located)
    if sc_path is None or trouble:
        raise ScenarioError(trouble)
    base_sc = load_scenario(sc_path)
    problems = _check(script, base_sc, located)
    if problems:
        raise ScenarioError(problems)
    derived, xref_problems = _derive(script, base_sc, located)
    if xref_problems:
        raise ScenarioError(xref_problems)
    team_of = {a: t.id for t in script.teams for a in t.actors}
    return Exercise(script=script, scenario=derived, path=path, scenario_path=sc_path, team_of=team_of)


def _scenario_of(script: ExerciseScript, base: Path, located: Located) -> tuple[Path | None, list[Problem]]:
    """The scenario file a script names, kept inside the project's folders."""
    root = base.parent
    sc_path = resolve_inside(base, script.exercise.scenario, root)
    if sc_path is None:
        return None, [located.problem(("exercise", "scenario"), f"scenario path {script.exercise.scenario!r} must be "
                                                                f"relative and stay inside {root.name}/")]
    if not is_file(sc_path):
        return None, [located.problem(("exercise", "scenario"), f"scenario file {script.exercise.scenario!r} not found")]
    return sc_path, []


#: the script's lists, each item of which can be checked on its own
_SECTIONS: dict[str, type[Strict]] = {"teams": Team, "injects": Inject, "moves": ScriptedMove, "pauses": DiscussionPause,
             "forced": ForcedOutcome, "holds": Hold}


def _partial_script(data: Any) -> tuple[ExerciseScript, dict[str, list[int]]] | None:
    """The well-formed part of a script that failed validation, and where each kept item sat in the file.

    None when its `exercise:` heading itself is broken (nothing can be checked against a scenario then).
    """
    if not isinstance(data, dict):
        return None
    try:
        meta = ExerciseMeta.model_validate(data.get("exercise"))
    except ValidationError:
        return None
    kept: dict[str, list[Any]] = {}
    index: dict[str, list[int]] = {}
    for name, model in _SECTIONS.items():
        items = data.get(name)
        kept[name], index[name] = [], []
        for i, item in enumerate(items if isinstance(items, list) else []):
            try:
                kept[name].append(model.model_validate(item))
            except ValidationError:
                continue
            index[name].append(i)
    try:
        end = ExerciseEnd.model_validate(data["end"]) if isinstance(data.get("end"), dict) else None
    except ValidationError:
        end = None
    fields: dict[str, Any] = {"format": 1, "exercise": meta, "end": end, **kept}
    return ExerciseScript.model_construct(None, **fields), index


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    return [p for p in problems if not (str(p) in seen or seen.add(str(p)))]  # type: ignore[func-returns-value]


def is_exercise_file(path: str | Path) -> bool:
    """Whether a YAML file is an exercise script rather than a scenario (for commands that take either)."""
    try:
        located = load_file(Path(path))
    except (ScenarioError, OSError):
        return False
    return isinstance(located.data, dict) and "exercise" in located.data


def load_scenario_or_exercise(path: str | Path) -> S.Scenario:
    """The scenario a game runs under: a scenario file's own, or the one an exercise script derives."""
    return load_any(path)


register_derived(is_exercise_file, lambda p: load_exercise(p).scenario)


def _check(script: ExerciseScript, sc: S.Scenario, located: Located,
           index: dict[str, list[int]] | None = None) -> list[Problem]:
    """Cross-check a script against its scenario; `index` maps a partial script's items back to the file's."""
    out: list[Problem] = []

    def at(loc: tuple[Any, ...], message: str) -> None:
        if index is not None and len(loc) > 1 and loc[0] in index:
            loc = (loc[0], index[loc[0]][loc[1]], *loc[2:])
        out.append(located.problem(loc, message))
    playable = set(sc.playable_ids)
    cards = {c.id for c in sc.cards}
    turns = sc.meta.turns
    last = min(turns, script.end.after_turn or turns) if script.end else turns
    teams: dict[str, str] = {}
    for i, t in enumerate(script.teams):
        if t.id in teams:
            at(("teams", i, "id"), f"team {t.id!r} is defined twice")
        teams[t.id] = t.id
    owner: dict[str, str] = {}
    for i, t in enumerate(script.teams):
        for j, a in enumerate(t.actors):
            if a not in playable:
                at(("teams", i, "actors", j),
                   f"{a!r} is not a playable actor of the scenario ({', '.join(sc.playable_ids)})")
            elif a in owner:
                at(("teams", i, "actors", j), f"{a!r} is already played by team {owner[a]!r}")
            else:
                owner[a] = t.id
    ids = {e.id for e in sc.events}
    for i, inj in enumerate(script.injects):
        if inj.id in ids:
            at(("injects", i, "id"), f"id {inj.id!r} is already used by an event or inject")
        ids.add(inj.id)
        for j, team in enumerate(inj.to or []):
            if team not in teams:
                at(("injects", i, "to", j), f"no team {team!r} (teams: {', '.join(teams)})")
        if inj.objective is not None and inj.objective not in {o.id for o in script.exercise.objectives}:
            at(("injects", i, "objective"), f"no learning objective {inj.objective!r}")
        turn = inj.at_turn
        if inj.at_date is not None:
            turn = turn_of_date(sc, inj.at_date)
            if not 1 <= turn <= last:
                first, end = sc.turn_date(1), sc.turn_date(last)
                at(("injects", i, "at_date"),
                   f"{inj.at_date} is outside the exercise ({first:%B %Y} to {end:%B %Y})")
        elif turn is not None and turn > last:
            at(("injects", i, "at_turn"), f"turn {turn} is after the last turn ({last})")
    for i, m in enumerate(script.moves):
        if m.actor not in playable:
            at(("moves", i, "actor"), f"{m.actor!r} is not a playable actor of the scenario")
        elif m.actor in owner:
            at(("moves", i, "actor"),
               f"team {owner[m.actor]!r} plays {m.actor!r}; scripted moves are for sides no "
               "team plays")
        if m.card not in cards:
            at(("moves", i, "card"), f"no card {m.card!r} in the scenario")
        if m.turn > last:
            at(("moves", i, "turn"), f"turn {m.turn} is after the last turn ({last})")
    for i, f in enumerate(script.forced):
        if f.actor not in playable:
            at(("forced", i, "actor"), f"{f.actor!r} is not a playable actor of the scenario")
        if f.card not in cards:
            at(("forced", i, "card"), f"no card {f.card!r} in the scenario")
        if f.turn > last:
            at(("forced", i, "turn"), f"turn {f.turn} is after the last turn ({last})")
    for i, h in enumerate(script.holds):
        if h.actor not in playable:
            at(("holds", i, "actor"), f"{h.actor!r} is not a playable actor of the scenario")
        for j, c in enumerate(h.cards):
            if c not in cards:
                at(("holds", i, "cards", j), f"no card {c!r} in the scenario")
        if h.from_turn > last:
            at(("holds", i, "from_turn"), f"turn {h.from_turn} is after the last turn ({last})")
    for i, p in enumerate(script.pauses):
        if p.after_turn >= last:
            at(("pauses", i, "after_turn"),
               f"turn {p.after_turn} is the last turn or later ({last}); a pause needs a turn "
               "to follow")
    if script.end and script.end.after_turn and script.end.after_turn > turns:
        at(("end", "after_turn"), f"the scenario has only {turns} turns")
    return out


def _derive(script: ExerciseScript, sc: S.Scenario, located: Located) -> tuple[S.Scenario, list[Problem]]:
    """The scenario with the script's injects and end merged in; id problems are located in the script."""
    data = sc.model_dump(by_alias=True, exclude_none=True)
    team_actors = {t.id: t.actors for t in script.teams}
    n_events, n_end = len(data["events"]), len(data["end"])
    for inj in script.injects:
        event: dict[str, Any] = {
            "id": inj.id, "name": inj.title, "text": inj.text, "chance": inj.chance,
            "when": [c.model_dump(by_alias=True, exclude_none=True) for c in inj.when],
            "effects": [e.model_dump(by_alias=True, exclude_none=True) for e in inj.effects],
            "delivered": "before_orders", "by": "script",
        }
        turn = inj.at_turn if inj.at_date is None else turn_of_date(sc, inj.at_date)
        if turn is not None:
            event["at_turn"] = turn
        if inj.to is not None:
            event["to"] = sorted({a for team in inj.to for a in team_actors.get(team, [])})
        data["events"].append(event)
    if script.end is not None:
        # The scenario's own timeline stays as it is (its later events are simply never reached).
        if script.end.after_turn:
            data["end"].append({"id": "exercise_last_turn", "text": script.end.text,
                                "when": [{"turn_at_least": script.end.after_turn}]})
        if script.end.when:
            data["end"].append({"id": "exercise_end", "text": script.end.text,
                                "when": [c.model_dump(by_alias=True, exclude_none=True) for c in script.end.when]})
    derived = S.Scenario.model_validate(data)
    problems = []
    for loc, msg in xref.check(derived) or limits.check(derived):
        problems.append(located.problem(_script_loc(loc, n_events, n_end), msg))
    return derived, problems


_EVENT_TO_INJECT = {"name": "title"}


def _script_loc(loc: tuple[Any, ...], n_events: int, n_end: int) -> tuple[Any, ...]:
    """Follow a problem in the derived scenario back to the script line it came from."""
    if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int) and loc[1] >= n_events:
        rest = tuple(_EVENT_TO_INJECT.get(x, x) if isinstance(x, str) else x for x in loc[2:])
        return ("injects", loc[1] - n_events, *rest)
    if len(loc) >= 2 and loc[0] == "end" and isinstance(loc[1], int) and loc[1] >= n_end:
        return ("end", "when", *loc[4:]) if len(loc) > 3 else ("end",)
    return ("exercise", "scenario")


Controller = Callable[[Game, str], list[Order]]


class ExerciseRun:
    """One exercise being played: the game, plus who gives each side's orders and the script's timeline.

    Teams' sides are given by `team_controllers` (people at the map or the
    terminal) or, when absent, by bots of the script's level; sides no team
    plays follow the script's moves and otherwise a bot. Forced outcomes come
    from the script; the facilitator's rulings are passed to `play_turn` and
    take precedence. A discussion pause due after a turn pauses the game
    (phase "paused") until control resumes it.
    """

    def __init__(self, exercise: Exercise, seed: int, team_controllers: dict[str, Controller] | None = None,
                 bot_level: str | None = None, game: Game | None = None):
        self.exercise = exercise
        self.game = game if game is not None else Game(exercise.scenario, seed)
        level = bot_level or exercise.script.exercise.bot_level
        bot = controller(level)
        self.controllers: dict[str, Controller] = {a: bot for a in exercise.scenario.playable_ids}
        #: sides people play (the script's holds do not bind them)
        self.people: set[str] = set(team_controllers or {})
        for side, c in (team_controllers or {}).items():
            self.controllers[side] = c

    def orders_for(self, side: str) -> list[Order]:
        g = self.game
        if side in self.exercise.unplayed_sides:
            moves = self.exercise.moves_for(g.state.turn, side)
            if moves:
                why = g.rules.check_orders(g.state, side, moves)
                if why is None:
                    return moves
                g.control(Note(action="scripted_move_refused", by="script",
                          detail=f"{side}: {', '.join(m.card for m in moves)} could not be played ({why}); "
                                 "a bot played instead"))
            # The script reserves the cards it plays later for this side, so that a bot does not use them up
            # (or start their cooldown) first.
            reserved = {m.card for m in self.exercise.script.moves if m.actor == side and m.turn > g.state.turn}
            reserved |= self.exercise.held(g.state.turn, side)
            return [o for o in self.controllers[side](g, side) if o.card not in reserved]
        orders = self.controllers[side](g, side)
        if side in self.people:
            return orders
        held = self.exercise.held(g.state.turn, side)
        return [o for o in orders if o.card not in held]

    def give_orders(self) -> None:
        """Ask every side that has not committed for its orders."""
        for side in self.game.waiting_for():
            self.game.submit(side, self.orders_for(side))

    def rulings(self, facilitator: dict[int, Ruling] | None = None) -> dict[int, Ruling]:
        """The script's forced outcomes for this turn, with the facilitator's rulings on top."""
        g = self.game
        out = self.exercise.forced_rulings(g.state, g.rules.resolution_sequence(g.state))
        out.update(facilitator or {})
        return out

    def adjudicate(self, facilitator: dict[int, Ruling] | None = None) -> TurnRecord:
        rec = self.game.adjudicate(self.rulings(facilitator))
        pause = self.exercise.pause_after(rec.turn)
        if pause is not None and not self.game.over:
            self.game.control(Pause(note=pause.title, by="script"))
        return rec

    def play_turn(self, facilitator: dict[int, Ruling] | None = None) -> TurnRecord:
        self.give_orders()
        return self.adjudicate(facilitator)
