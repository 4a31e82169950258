"""The control cell's hand on the game: pause, fire injects, adjust figures, set chances, rule on outcomes.

Professional exercises are steered by a facilitator ("white cell") who keeps
the game on its learning objectives. Everything done here goes through the
engine, not the front end, so it is applied the same way from the map, the
terminal or a script, and each act is written to `state.control` with who did
it and why: the debrief can always tell the dice from a person's ruling.
All functions mutate the planning-phase state in place, as `Rules.submit` does.
"""

from __future__ import annotations

from typing import Any, assert_never

from engine.core.commands import (
    Adjust,
    Argue,
    Confirm,
    ControlCommand,
    FireInject,
    Note,
    Pause,
    Resume,
    SetChance,
    command_of,
)
from engine.core.errors import IllegalOrder, PhaseError
from engine.core.lifecycles import next_phase
from engine.core.state import ControlRecord, ControlStep, FreeAction, GameState, Resolution, Ruling
from engine.rules.figures import apply_adjustment, resolve_ref
from engine.rules.turn import Rules


def _log(s: GameState, by: str, action: str, detail: str, reason: str = "") -> ControlRecord:
    rec = ControlRecord(turn=s.turn, by=by, action=action, detail=detail, reason=reason)
    s.control.append(rec)
    return rec


def _need_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise IllegalOrder("give a reason: every ruling by the control cell is recorded for the debrief")
    return reason


def _in_planning(s: GameState, what: str) -> None:
    if s.ended:
        raise PhaseError("the game is over")
    if s.phase not in ("planning", "paused"):
        raise PhaseError(f"{what} happens between turns, in planning; the game is in {s.phase}")


def pause(s: GameState, note: str, by: str = "facilitator") -> None:
    """Stop the clock: no side may give orders until control resumes (a discussion, a break)."""
    _in_planning(s, "pausing")
    s.phase = next_phase("pause", s.phase)
    s.pause_note = note.strip() or "paused by the facilitator"
    _log(s, by, "pause", s.pause_note)


def resume(s: GameState, by: str = "facilitator") -> None:
    s.phase = next_phase("resume", s.phase)
    _log(s, by, "resume", s.pause_note)
    s.pause_note = ""


def fire_inject(rules: Rules, s: GameState, event_id: str, reason: str = "", by: str = "facilitator") -> None:
    """Deliver an inject now rather than when the script would; the teams get it in this turn's briefing."""
    _in_planning(s, "firing an inject")
    rec = rules.fire_now(s, event_id, source=by)
    _log(s, by, "fire_inject", f"{rec.name} ({event_id})", reason)


def adjust(rules: Rules, s: GameState, ref: str, value: float, reason: str, by: str = "facilitator") -> dict[str, Any]:
    """The facilitator sets a figure by hand (e.g. a result the cards cannot express), with a recorded reason."""
    _in_planning(s, "adjusting a figure")
    reason = _need_reason(reason)
    rec = apply_adjustment(rules.t, rules.sc.ladder, s, ref, value=value)
    _log(s, by, "adjust", f"{ref}: {rec['from']:g} → {rec['to']:g}", reason)
    return rec


# ------------------------------------------------------------------ free (matrix) actions
def argue(rules: Rules, s: GameState, actor: str, argument: str, on_success: dict[str, float] | None = None) -> None:
    """A side argues for an action not on its cards; it waits for the facilitator to set its chance."""
    _in_planning(s, "arguing a free action")
    if actor not in rules.sc.playable_ids:
        raise IllegalOrder(f"{actor!r} is not a side in this game")
    argument = argument.strip()
    if not argument:
        raise IllegalOrder("state the argument: what happens, and why it should")
    for ref in on_success or {}:
        resolve_ref(rules.t, rules.sc.ladder, ref)
    action = FreeAction(actor=actor, argument=argument, on_success=dict(on_success or {}))
    s.free_pending.setdefault(actor, []).append(action)


def set_chance(s: GameState, actor: str, index: int, chance: int, reason: str = "",
               by: str = "facilitator") -> None:
    """The facilitator judges the argument: its chance of success in percent; the dice decide at adjudication."""
    _in_planning(s, "judging a free action")
    actions = s.free_pending.get(actor, [])
    if not 0 <= index < len(actions):
        raise IllegalOrder(f"{actor} has no free action number {index + 1}")
    if not 0 <= chance <= 100:
        raise IllegalOrder("a chance is a percentage from 0 to 100")
    action = actions[index]
    actions[index] = action.model_copy(update={"chance": chance, "chance_set_by": by})
    _log(s, by, "set_chance", f"{actor}: “{action.argument}” at {chance}%", reason)


# ------------------------------------------------------------------ rulings on outcomes
def propose(rules: Rules, s: GameState, rulings: dict[int, Ruling] | None = None) -> list[Resolution]:
    """What the rules and dice would decide for this turn's orders, without deciding it (semi-rigid play).

    The facilitator reads the proposals and confirms or overrides them; the
    dice are the game's own, so the proposal is exactly what adjudication
    will do if nobody intervenes.
    """
    after = rules.adjudicate(s, dict(rulings or {}))  # adjudication works on a copy; `s` stays as it is
    return list(after.log[-1].resolutions)


def override(rules: Rules, s: GameState, rulings: dict[int, Ruling], index: int, outcome: str, reason: str,
             by: str = "facilitator") -> None:
    """Add the facilitator's decision to set order `index` (in resolution order) to `outcome` to `rulings`.

    Pass `rulings` to adjudication: the turn's record then names who decided
    and why (Resolution.decided_by / decided_because), and the order log keeps
    the ruling, so a replay applies it again.
    """
    if outcome not in ("success", "failure"):
        raise IllegalOrder("an outcome is success or failure")
    reason = _need_reason(reason)
    orders = rules.resolution_sequence(s)
    if not 0 <= index < len(orders):
        raise IllegalOrder(f"there is no order number {index + 1} this turn")
    rulings[index] = Ruling(outcome=outcome, by=by, reason=reason)


def confirm(s: GameState, by: str = "facilitator") -> None:
    """The facilitator accepts the rules' proposals for the rest of the turn (semi-rigid play)."""
    _log(s, by, "confirm", "the rules' outcomes for the other orders stand")



def note(s: GameState, action: str, detail: str, reason: str = "", by: str = "facilitator") -> None:
    """Write a control record as it is (e.g. a rewind, which leaves no other trace in the state it returns to)."""
    _log(s, by, action, detail, reason)


def apply_command(rules: Rules, s: GameState, cmd: ControlCommand) -> None:
    """Do one act of the control cell; every kind of command is handled (mypy checks the match is exhaustive)."""
    match cmd:
        case Pause():
            pause(s, cmd.note, cmd.by)
        case Resume():
            resume(s, cmd.by)
        case FireInject():
            fire_inject(rules, s, cmd.event, cmd.reason, cmd.by)
        case Adjust():
            adjust(rules, s, cmd.ref, cmd.value, cmd.reason, cmd.by)
        case Argue():
            argue(rules, s, cmd.actor, cmd.argument, dict(cmd.on_success))
        case SetChance():
            set_chance(s, cmd.actor, cmd.index, cmd.chance, cmd.reason, cmd.by)
        case Confirm():
            confirm(s, cmd.by)
        case Note():
            note(s, cmd.action, cmd.detail, cmd.reason, cmd.by)
        case _:
            assert_never(cmd)


def apply_step(rules: Rules, s: GameState, step: ControlStep) -> None:
    """Do one recorded act of the control cell again: how a replay reproduces a facilitated game.

    A step's arguments come from a save file, which anyone may have edited: a
    missing or mistyped one is refused as IllegalOrder, like any other act
    the game does not allow.
    """
    cmd = command_of(step)
    try:
        apply_command(rules, s, cmd)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise IllegalOrder(f"a recorded act of the control cell ({step.op}) is malformed: {what}") from None
