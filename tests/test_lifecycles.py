"""Every state machine: each legal transition works, each illegal one is refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from engine.core.errors import IllegalOrder
from engine.core.lifecycles import AGREEMENT, COMMITMENT, GAME_PHASES, Lifecycle, ladder_lifecycle

LADDER = ladder_lifecycle(["calm", "tense", "crisis", "war"])
ALL = [GAME_PHASES, AGREEMENT, COMMITMENT, LADDER]

EXPECTED = {
    "agreement": {
        ("negotiate", "proposed"): "negotiating", ("sign", "negotiating"): "signed", ("ratify", "signed"): "in_force",
        ("invoke", "in_force"): "invoked", ("conclude", "invoked"): "in_force", ("suspend", "in_force"): "suspended",
        ("suspend", "invoked"): "suspended", ("resume", "suspended"): "in_force", ("lapse", "proposed"): "lapsed",
        ("withdraw", "in_force"): "withdrawn", ("propose", "lapsed"): "proposed", ("propose", "withdrawn"): "proposed",
    },
    "commitment": {
        ("waver", "committed"): "conditional", ("reaffirm", "conditional"): "committed",
        ("announce_withdrawal", "conditional"): "withdrawing", ("reverse", "withdrawing"): "conditional",
        ("complete_withdrawal", "withdrawing"): "withdrawn", ("rejoin", "withdrawn"): "conditional",
    },
    "game": {
        ("brief", "setup"): "briefing", ("open_planning", "briefing"): "planning", ("adjudicate", "planning"): "adjudication",
        ("deliver_injects", "adjudication"): "injects", ("assess", "injects"): "assessment",
        ("next_turn", "assessment"): "planning", ("finish", "assessment"): "end", ("debrief", "end"): "debrief",
    },
}


@pytest.mark.parametrize("lc", ALL, ids=lambda lc: lc.name)
def test_every_trigger_from_every_state(lc: Lifecycle):
    """The machine agrees with the table derived from the same definition, for every pair."""
    for trigger, state in itertools.product(sorted(lc.triggers), lc.states):
        if lc.can(trigger, state):
            assert lc.fire(trigger, state) == lc.table[(trigger, state)]
        else:
            with pytest.raises(IllegalOrder) as info:
                lc.fire(trigger, state, "the thing")
            assert f"cannot {trigger.replace('_', ' ')} the thing" in info.value.reason
            assert state.replace("_", " ") in info.value.reason


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_transitions(name):
    lc = {lc.name: lc for lc in ALL}[name]
    for (trigger, src), dest in EXPECTED[name].items():
        assert lc.fire(trigger, src) == dest


def test_illegal_agreement_steps_name_what_is_possible():
    with pytest.raises(IllegalOrder) as info:
        AGREEMENT.fire("sign", "proposed", "the UK–Ukraine agreement")
    assert info.value.reason == ("cannot sign the UK–Ukraine agreement: it is proposed (possible: lapse, negotiate)")
    for final in ("lapsed", "withdrawn"):
        assert AGREEMENT.allowed_from(final) == ["propose"]
    with pytest.raises(IllegalOrder):
        AGREEMENT.fire("invoke", "signed")


def test_commitment_cannot_skip_steps():
    with pytest.raises(IllegalOrder):
        COMMITMENT.fire("complete_withdrawal", "committed")
    with pytest.raises(IllegalOrder):
        COMMITMENT.fire("announce_withdrawal", "committed")


def test_ladder_moves_one_rung_at_a_time():
    assert LADDER.fire("climb", "calm") == "tense"
    assert LADDER.fire("descend", "war") == "crisis"
    with pytest.raises(IllegalOrder):
        LADDER.fire("climb", "war")
    with pytest.raises(IllegalOrder):
        LADDER.fire("descend", "calm")


def test_unknown_state_or_trigger():
    with pytest.raises(IllegalOrder, match="unknown state"):
        AGREEMENT.fire("sign", "ratified")
    with pytest.raises(IllegalOrder, match="no such step"):
        AGREEMENT.fire("explode", "proposed")


def test_game_phases_run_a_full_cycle_in_order():
    s = "setup"
    for trig in ("brief", "open_planning", "adjudicate", "deliver_injects", "assess", "next_turn",
                 "adjudicate", "deliver_injects", "assess", "finish", "debrief"):
        s = GAME_PHASES.fire(trig, s)
    assert s == "debrief"
    with pytest.raises(IllegalOrder):
        GAME_PHASES.fire("adjudicate", "setup")
