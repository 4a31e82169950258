"""What can go wrong with an exercise script that validation alone does not show.

A script can be well formed and still fall flat in the room: a scripted move
for a card its side may never play, a forced outcome that never finds its
order (the team did not play that card), an inject whose effects change
nothing because a bot already did it. Some of this is visible from the script
and its scenario (`script_warnings`, for `validate`); the rest only in play
(`script_findings`, for `check` and the tests), by playing the whole exercise
with bots for every team and reading what the game logged.

Both return data (`Finding`); the terminal prints it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.analysis.check import Finding
from engine.core.commands import Resume
from engine.core.state import GameState
from engine.exercise.script import Exercise, ExerciseRun, turn_of_date
from engine.rules.game import Game
from engine.rules.turn import Rules

#: levels `check` plays an exercise at by default (the strong bot is slow; the tests cover it)
CHECK_LEVELS = ("simple", "quick")


def _never_playable(rules: Rules, state: GameState, actor: str, card: str) -> bool:
    """Whether `playable_by`/`not_playable_by` bar this actor from this card whatever happens (alliances aside)."""
    cc = rules.cards.get(card)
    if cc is None:
        return True
    refs = cc.card.playable_by + cc.card.not_playable_by
    if any(r.startswith("@") for r in refs):
        return False  # alliance membership can change during play
    return not rules.may_play(actor, cc.card, state)


def script_warnings(ex: Exercise) -> list[Finding]:
    """Problems visible without playing: steps that can never take effect, or that depend on a team's choice."""
    game = Game(ex.scenario, seed=1)
    rules, state = game.rules, game.state
    names = {a.id: a.name for a in ex.scenario.actors}
    out: list[Finding] = []
    for m in ex.script.moves:
        if _never_playable(rules, state, m.actor, m.card):
            out.append(Finding("move_never_playable", m.card,
                               f"scripted move in turn {m.turn}: {names.get(m.actor, m.actor)} may never play "
                               f"{m.card!r}; a bot will play instead"))
    for f in ex.script.forced:
        if _never_playable(rules, state, f.actor, f.card):
            out.append(Finding("forced_never_matches", f.card,
                               f"forced outcome in turn {f.turn}: {names.get(f.actor, f.actor)} may never play "
                               f"{f.card!r}, so the outcome can never be applied"))
        elif f.actor in ex.team_of:
            scripted = any(m.turn == f.turn and m.actor == f.actor and m.card == f.card for m in ex.script.moves)
            if not scripted:
                out.append(Finding("forced_depends_on_team", f.card,
                                   f"forced outcome in turn {f.turn} applies only if team {ex.team_of[f.actor]!r} "
                                   f"plays {f.card!r} as {names.get(f.actor, f.actor)} that turn"))
    return out


def _alternatives(ex: Exercise, inject_id: str) -> set[str]:
    """The other branches of a conditional inject: injects with conditions due at the same turn.

    Only one branch of a fork is delivered in a game (which one may be a team's choice, and bots in the teams'
    places may never make it), so a branch that never came is a finding only if none of its fork did.
    """
    def turn(inj: Any) -> int | None:
        return inj.at_turn if inj.at_date is None else turn_of_date(ex.scenario, inj.at_date)

    me = next(i for i in ex.script.injects if i.id == inject_id)
    if not me.when or turn(me) is None:
        return set()
    return {i.id for i in ex.script.injects if i.id != me.id and i.when and turn(i) == turn(me)}


def script_findings(ex: Exercise, levels: Iterable[str] = CHECK_LEVELS, seeds: Iterable[int] = range(1, 21)
                    ) -> list[Finding]:
    """Every scripted inject, move or forced outcome that did nothing, over whole exercises played by bots.

    Teams are played by bots of each level in turn; discussion pauses are resumed at once. A step is reported
    once per (kind, subject), with the first game that showed it and how many games did.
    """
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    seeds = list(seeds)

    def note(kind: str, subject: str, where: str, what: str) -> None:
        first, n = seen.get((kind, subject), (f"{where}: {what}", 0))
        seen[(kind, subject)] = (first, n + 1)

    delivered: set[str] = set()
    games = 0
    for level in levels:
        for seed in seeds:
            games += 1
            run = ExerciseRun(ex, seed=seed, bot_level=level)
            g = run.game
            unmatched: list[tuple[int, str, str]] = []
            while not g.over:
                run.give_orders()
                sequence = g.rules.resolution_sequence(g.state)
                matched = ex.forced_rulings(g.state, sequence)
                for f in ex.script.forced:
                    if f.turn == g.state.turn and not any(
                            sequence[i].actor == f.actor and sequence[i].card == f.card for i in matched):
                        unmatched.append((f.turn, f.actor, f.card))
                run.adjudicate()
                if g.state.phase == "paused":
                    g.control(Resume(by="script"))
            where = f"{level} bots, seed {seed}"
            for rec in g.state.log:
                for ev in rec.briefing + rec.events:
                    if ev.source != "script":
                        continue
                    delivered.add(ev.event)
                    for e in ev.effects:
                        if e.get("kind") == "note" and str(e.get("text", "")).startswith("no effect"):
                            note("inject_no_effect", ev.event, f"{where}, turn {rec.turn}", f"inject {ev.name!r}: {e['text']}")
                for r in rec.resolutions:
                    if r.decided_by == "script" and r.outcome == "fizzled":
                        note("forced_fizzled", r.order.card, f"{where}, turn {rec.turn}",
                             f"forced outcome fizzled: {r.reason}")
            for turn, actor, card in unmatched:
                note("forced_never_matched", f"{actor}:{card}:{turn}", where,
                     f"forced outcome in turn {turn}: {actor} did not play {card!r}, so it was not applied")
            for c in g.state.control:
                if c.action == "scripted_move_refused":
                    note("move_refused", c.detail.split(":")[0], where, c.detail)
    out = [Finding(kind, subject, f"{first} (in {n} of {games} games)") for (kind, subject), (first, n) in seen.items()]
    for inj in ex.script.injects:
        if inj.id not in delivered and inj.chance > 0 and not (_alternatives(ex, inj.id) & delivered):
            out.append(Finding("inject_never_delivered", inj.id,
                               f"inject {inj.id!r} ({inj.title}) was never delivered in {games} games: its trigger "
                               "never held"))
    return out
