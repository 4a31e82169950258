"""The control cell's acts as typed commands: one model per act, told apart by `op`.

A facilitator (at the map, in the terminal, in a script) pauses and resumes a
game, fires injects, adjusts figures, hears matrix arguments, sets chances,
confirms outcomes and notes what they did. Each of those is one model here,
checked when it is made, so a misspelt field fails where it is written, not
in the middle of a turn; `engine.rules.control.apply_command` does each one
with `match`, and mypy checks that no kind is forgotten.

Saves keep an act as a `ControlStep` (`op` and its fields as `args`), the
format they have always had: `step_of` and `command_of` convert both ways, so
every existing save loads unchanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from engine.core.errors import IllegalOrder
from engine.core.state import ControlStep


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pause(_Command):
    """Stop the clock: nothing is adjudicated until the game resumes."""

    op: Literal["pause"] = "pause"
    note: str = ""
    by: str = "facilitator"


class Resume(_Command):
    op: Literal["resume"] = "resume"
    by: str = "facilitator"


class FireInject(_Command):
    """Fire one of the scenario's events now, whatever its own conditions say."""

    op: Literal["fire_inject"] = "fire_inject"
    event: str
    reason: str = ""
    by: str = "facilitator"


class Adjust(_Command):
    """Set a figure (`actor.var`, `global.var` or `ladder`) by hand, with the reason the debrief will show."""

    op: Literal["adjust"] = "adjust"
    ref: str
    value: float = Field(allow_inf_nan=False)
    reason: str = ""
    by: str = "facilitator"


class Argue(_Command):
    """A side's matrix argument: an action not on its cards; `on_success` shifts figures if the dice allow."""

    op: Literal["argue"] = "argue"
    actor: str
    argument: str
    on_success: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = {}


class SetChance(_Command):
    """The facilitator's chance for a pending matrix argument (`index` in the side's list)."""

    op: Literal["set_chance"] = "set_chance"
    actor: str
    index: int
    chance: int
    reason: str = ""
    by: str = "facilitator"


class Confirm(_Command):
    """Accept the proposed outcomes of a turn adjudicated under the facilitator's review."""

    op: Literal["confirm"] = "confirm"
    by: str = "facilitator"


class Note(_Command):
    """A line in the control log that changes nothing: an observation, an override's record, a rewind."""

    op: Literal["note"] = "note"
    action: str = "note"
    detail: str = ""
    reason: str = ""
    by: str = "facilitator"


ControlCommand = Annotated[Pause | Resume | FireInject | Adjust | Argue | SetChance | Confirm | Note,
                           Field(discriminator="op")]

_ADAPTER: TypeAdapter[ControlCommand] = TypeAdapter(ControlCommand)


def step_of(command: ControlCommand) -> ControlStep:
    """The record a save keeps of a command."""
    return ControlStep(op=command.op, args=command.model_dump(exclude={"op"}))


def command_of(step: ControlStep) -> ControlCommand:
    """The command a saved step records; a step a hand has broken is refused as IllegalOrder."""
    try:
        return _ADAPTER.validate_python({**step.args, "op": step.op})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "its fields"
        raise IllegalOrder(f"a recorded act of the control cell ({step.op}) is malformed: "
                           f"{where}: {first['msg']}") from None

