"""An exercise's after-action review: each learning objective with what served it and what happened.

Professional practice (HSEEP-style hot wash and after-action report) ties
every observation to an objective: for each learning objective, the injects
that served it, what control expected the teams to do, what each team did in
that turn, the control cell's rulings, and the facilitator's observations. A
scenario's review (`engine/analysis/review.py`) says what happened in the game; this
says what the exercise taught, and is written for one of two audiences:

- the facilitator (`FACILITATOR`): everything, including expected actions,
  private injects, scripted outcomes and the control log;
- the room (`ROOM`): what every team may read after the exercise: the
  exercise, its teams and objectives, the public injects and pauses, and the
  teams' orders as the room's view shows them; never expected actions,
  private injects, rulings' reasons or observations.

Observations are control notes (`action="observation"`, the objective's id as
`detail`), so they are kept in saves and replays with the rest of the control log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.core.commands import Note
from engine.core.errors import IllegalOrder
from engine.exercise.script import Exercise
from engine.rules.game import Game
from engine.rules.views import FACILITATOR, ROOM, side_view

#: the objective id of an observation that is about the exercise as a whole
GENERAL = "general"


def observe(game: Game, ex: Exercise, objective: str, text: str, by: str = "facilitator") -> None:
    """Record the facilitator's observation against a learning objective (or `GENERAL`), for the report."""
    ids = {o.id for o in ex.script.exercise.objectives}
    if objective not in ids and objective != GENERAL:
        raise IllegalOrder(f"no learning objective {objective!r} (objectives: {', '.join(sorted(ids))})")
    text = " ".join(text.split())
    if not text:
        raise IllegalOrder("an observation needs some text")
    game.control(Note(action="observation", detail=objective, reason=text, by=by))


@dataclass(frozen=True)
class Observation:
    turn: int
    objective: str
    text: str
    by: str


def observations(game: Game) -> list[Observation]:
    """Every observation recorded so far, in the order it was made."""
    return [Observation(c.turn, c.detail, c.reason, c.by) for c in game.state.control if c.action == "observation"]


@dataclass(frozen=True)
class TeamAction:
    team: str
    actor: str
    what: str
    outcome: str


@dataclass(frozen=True)
class InjectReview:
    id: str
    title: str
    turn: int | None  # None: never delivered
    to: str  # "the room" or team names
    channel: str
    expected_action: str  # empty for the room
    responses: list[TeamAction] = field(default_factory=list)


@dataclass(frozen=True)
class ObjectiveReview:
    id: str
    text: str
    injects: list[InjectReview]
    observations: list[Observation]
    rulings: list[str]


@dataclass(frozen=True)
class ExerciseReview:
    title: str
    summary: str
    audience: str | None
    adjudication: str
    teams: list[tuple[str, str]]  # (team name, the actors it played)
    others: str
    objectives: list[ObjectiveReview]
    pauses: list[tuple[int, str, list[str], bool]]  # (after turn, title, prompts, held)
    control_log: list[str]
    general: list[Observation]


def _order_words(game: Game, view: dict[str, Any], res: dict[str, Any]) -> str:
    sc = game.scenario
    o = res["order"]
    what = sc.card(o["card"]).name
    if o.get("targets"):
        what += " → " + ", ".join(sc.actor(t).name for t in o["targets"])
    elif o.get("agreement"):
        ag = view["agreements"].get(o["agreement"]) or {}
        what += " → " + str(ag.get("name", o["agreement"]))
    return what


def _delivered(view: dict[str, Any]) -> dict[str, int]:
    """Inject id → the turn it reached this audience (scripted or fired by hand)."""
    out: dict[str, int] = {}
    for rec in view["log"]:
        for ev in rec.get("briefing", []) + rec.get("events", []):
            if ev.get("source") in ("script", "facilitator"):
                out.setdefault(ev["event"], rec["turn"])
    return out


def exercise_review(ex: Exercise, game: Game, audience: str | None = FACILITATOR) -> ExerciseReview:
    """The review of an exercise played so far, for `FACILITATOR` (everything) or `ROOM` (what teams may read)."""
    facilitator = audience is FACILITATOR
    view = side_view(game.scenario, game.state, None if facilitator else ROOM, game.rules.fog)
    sc = game.scenario
    meta = ex.script.exercise
    teams = {t.id: t for t in ex.script.teams}
    when = _delivered(view)
    log = {rec["turn"]: rec for rec in view["log"]}
    obs = observations(game) if facilitator else []

    def responses(turn: int, team_ids: list[str]) -> list[TeamAction]:
        rec = log.get(turn)
        if rec is None:
            return []
        out = []
        for tid in team_ids:
            for res in rec["resolutions"]:
                if res["order"]["actor"] in teams[tid].actors:
                    out.append(TeamAction(teams[tid].name, sc.actor(res["order"]["actor"]).name,
                                          _order_words(game, view, res), res["outcome"]))
            for fr in rec.get("free", []):
                act = fr["action"]
                if act["actor"] in teams[tid].actors:
                    out.append(TeamAction(teams[tid].name, sc.actor(act["actor"]).name,
                                          f"argued: {act['argument']}", str(fr["outcome"])))
        return out

    def rulings(turns: set[int]) -> list[str]:
        if not facilitator:
            return []
        out = []
        for turn in sorted(turns):
            for res in log.get(turn, {}).get("resolutions", []):
                if res.get("decided_by", "rules") != "rules":
                    out.append(f"turn {turn}: {res['decided_by']} set {sc.actor(res['order']['actor']).name}'s "
                               f"{_order_words(game, view, res)} to {res['outcome']}: {res.get('decided_because', '')}")
        return out

    objectives = []
    for lo in meta.objectives:
        injects = []
        for inj in ex.script.injects:
            if inj.objective != lo.id or (inj.to is not None and not facilitator):
                continue
            turn = when.get(inj.id)
            recipients = list(teams) if inj.to is None else list(inj.to)
            injects.append(InjectReview(
                id=inj.id, title=inj.title, turn=turn,
                to="the room" if inj.to is None else ", ".join(teams[t].name for t in inj.to if t in teams),
                channel=inj.channel, expected_action=inj.expected_action if facilitator else "",
                responses=responses(turn, recipients) if turn is not None else []))
        turns = {i.turn for i in injects if i.turn is not None}
        objectives.append(ObjectiveReview(lo.id, lo.text, injects, [o for o in obs if o.objective == lo.id],
                                          rulings(turns)))
    held = {c.detail for c in game.state.control if c.action == "pause"}
    pauses = [(p.after_turn, p.title, list(p.prompts), p.title in held) for p in ex.script.pauses]
    control_log = []
    if facilitator:
        for c in game.state.control:
            if c.action == "observation":
                continue
            why = f" ({c.reason})" if c.reason else ""
            control_log.append(f"turn {c.turn}: {c.by} {c.action.replace('_', ' ')}: {c.detail}{why}")
    return ExerciseReview(
        title=meta.title, summary=meta.summary.strip(), audience=audience, adjudication=meta.adjudication,
        teams=[(t.name, ", ".join(sc.actor(a).name for a in t.actors)) for t in ex.script.teams],
        others=", ".join(sc.actor(a).name for a in ex.unplayed_sides),
        objectives=objectives, pauses=pauses, control_log=control_log,
        general=[o for o in obs if o.objective == GENERAL])
