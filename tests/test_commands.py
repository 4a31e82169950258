"""The control cell's acts are typed commands; saves keep them in the format they always had."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from engine.core.commands import (
    Adjust,
    Argue,
    Confirm,
    FireInject,
    Note,
    Pause,
    Resume,
    SetChance,
    command_of,
    step_of,
)
from engine.core.errors import IllegalOrder
from engine.core.state import ControlStep
from engine.rules.game import Game
from tests.conftest import DEFAULT

EVERY_KIND = [Pause(note="lunch"), Resume(by="script"), FireInject(event="x", reason="r"),
              Adjust(ref="ladder", value=3.5, reason="r"), Argue(actor="a", argument="b", on_success={"ladder": 1.0}),
              SetChance(actor="a", index=0, chance=40), Confirm(), Note(action="observation", detail="d")]


@pytest.mark.parametrize("cmd", EVERY_KIND, ids=lambda c: c.op)
def test_each_command_round_trips_through_the_saved_step(cmd):
    step = step_of(cmd)
    assert step.op == cmd.op and "op" not in step.args
    assert command_of(ControlStep.model_validate(step.model_dump(mode="json"))) == cmd


def test_a_step_in_the_old_saved_form_reads_as_its_command():
    step = ControlStep(op="adjust", args={"ref": "ladder", "value": 12, "reason": "why", "by": "facilitator"})
    assert command_of(step) == Adjust(ref="ladder", value=12.0, reason="why")


@pytest.mark.parametrize("args", [{"value": 3}, {"ref": "ladder", "value": "lots"}, {"ref": "ladder", "value": 1,
                                                                                        "colour": "red"}])
def test_a_broken_saved_step_is_refused_with_what_is_wrong(args):
    with pytest.raises(IllegalOrder, match=r"a recorded act of the control cell \(adjust\) is malformed"):
        command_of(ControlStep(op="adjust", args=args))


def test_a_command_is_checked_where_it_is_written():
    with pytest.raises(ValidationError):
        Adjust(ref="ladder", value=math.nan)
    with pytest.raises(ValidationError):
        Pause(notes="typo")  # type: ignore[call-arg]


def test_the_game_keeps_each_command_as_a_step_and_a_refused_one_leaves_no_trace():
    g = Game.from_file(DEFAULT, seed=3)
    g.control(Adjust(ref="ladder", value=g.state.escalation + 1, reason="a test"))
    assert g.planning_steps == [step_of(Adjust(ref="ladder", value=g.state.escalation, reason="a test"))]
    with pytest.raises(IllegalOrder):
        g.control(Adjust(ref="nowhere.nothing", value=1, reason="a test"))
    assert len(g.planning_steps) == 1 and g.state.control[-1].action == "adjust"


def test_one_override_for_every_front_end_rules_and_notes_it_or_refuses_leaving_no_trace():
    g = Game.from_file(DEFAULT, seed=5)
    for side in g.scenario.playable_ids:
        legal = g.legal_orders(side)
        g.submit(side, legal[:1])
    rulings: dict = {}
    assert g.rules.resolution_sequence(g.state)
    before = (len(g.state.control), len(g.planning_steps))
    with pytest.raises(IllegalOrder, match="give a reason"):
        g.overrule(rulings, 0, "failure", "   ")
    with pytest.raises(IllegalOrder, match="no order number"):
        g.overrule(rulings, 10_000, "failure", "why")
    assert rulings == {} and (len(g.state.control), len(g.planning_steps)) == before
    g.overrule(rulings, 0, "failure", "  the minister is ill  ")
    assert rulings[0].outcome == "failure" and rulings[0].reason == "the minister is ill"
    assert g.state.control[-1].action == "override" and g.state.control[-1].reason == "the minister is ill"
    record = g.adjudicate(rulings)
    assert record.resolutions[0].decided_by == "facilitator"
