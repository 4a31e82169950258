"""What one side may see of the game: the engine enforces fog of war, not the UI.

A side sees public variables of everyone, its own private variables, its own
pending orders (never another side's), public events and the private events
sent to it, and the resolved orders of past turns (orders are public once
adjudicated). The facilitator's view (`side=None`) sees everything. A team
that plays several actors sees what any of them may see. The control cell's
own log (`control`) is the facilitator's alone.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from engine.scenario import Scenario
from engine.state import GameState

HIDDEN = None


def side_view(sc: Scenario, state: GameState, side: str | Collection[str] | None) -> dict[str, Any]:
    """A plain-data view of `state` for `side`, or for a team's actors (None: the facilitator, who sees all)."""
    data = state.model_dump(mode="json")
    if side is None:
        return data
    mine = {side} if isinstance(side, str) else set(side)
    private = {k for k, d in sc.variables.items() if d.private}
    if private:
        for actor, row in data["vars"].items():
            if actor not in mine:
                for k in private:
                    row[k] = HIDDEN
    data["pending"] = {k: v for k, v in data["pending"].items() if k in mine}
    data["free_pending"] = {k: v for k, v in data["free_pending"].items() if k in mine}
    data["committed"] = list(data["committed"])  # who has committed is public; what is not
    data["rng"] = HIDDEN  # the next dice are nobody's business
    data["control"] = []  # the control cell's notes and reasons are for the facilitator and the debrief
    data["inbox"] = [e for e in data["inbox"] if _sees(e, mine)]
    # Which events have fired is known only for those the side may see: a private inject's very existence
    # is the recipients' business.
    hidden_events = {e.id for e in sc.events if e.to is not None and not mine & set(e.to)}
    data["fired"] = {k: v for k, v in data["fired"].items() if k not in hidden_events}
    for rec in data["log"]:
        rec["events"] = [e for e in rec["events"] if _sees(e, mine)]
        rec["briefing"] = [e for e in rec["briefing"] if _sees(e, mine)]
        for res in rec["resolutions"]:
            res["effects"] = [_filter_effect(e, mine, private) for e in res["effects"]]
            res["effects"] = [e for e in res["effects"] if e is not None]
        rec["upkeep"] = [e for e in (_filter_effect(x, mine, private) for x in rec["upkeep"]) if e is not None]
        for ev in rec["events"] + rec["briefing"]:
            ev["effects"] = [e for e in (_filter_effect(x, mine, private) for x in ev["effects"]) if e is not None]
    for ev in data["inbox"]:
        ev["effects"] = [e for e in (_filter_effect(x, mine, private) for x in ev["effects"]) if e is not None]
    return data


def _sees(event: dict[str, Any], mine: set[str]) -> bool:
    return event["to"] is None or bool(mine & set(event["to"]))


def _filter_effect(e: dict[str, Any], mine: set[str], private: set[str]) -> dict[str, Any] | None:
    if e.get("kind") in ("change", "cost") and e.get("var") in private and e.get("actor") not in mine:
        return None
    if e.get("kind") == "event" and e.get("to") is not None and not mine & set(e["to"]):
        return None
    return e
