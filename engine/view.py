"""What one side may see of the game: the engine enforces fog of war, not the UI.

A side sees public variables of everyone, its own private variables, its own
pending orders (never another side's), public events and the private events
sent to it, and the resolved orders of past turns (orders are public once
adjudicated). The facilitator's view (`side=None`) sees everything.
"""

from __future__ import annotations

from typing import Any

from engine.scenario import Scenario
from engine.state import GameState

HIDDEN = None


def side_view(sc: Scenario, state: GameState, side: str | None) -> dict[str, Any]:
    """A plain-data view of `state` for `side` (None: the facilitator, who sees all)."""
    data = state.model_dump(mode="json")
    if side is None:
        return data
    private = {k for k, d in sc.variables.items() if d.private}
    if private:
        for actor, row in data["vars"].items():
            if actor != side:
                for k in private:
                    row[k] = HIDDEN
    data["pending"] = {k: v for k, v in data["pending"].items() if k == side}
    data["committed"] = list(data["committed"])  # who has committed is public; what is not
    data["rng"] = HIDDEN  # the next dice are nobody's business
    for rec in data["log"]:
        rec["events"] = [e for e in rec["events"] if e["to"] is None or side in e["to"]]
        for res in rec["resolutions"]:
            res["effects"] = [_filter_effect(e, side, private) for e in res["effects"]]
            res["effects"] = [e for e in res["effects"] if e is not None]
        rec["upkeep"] = [e for e in (_filter_effect(x, side, private) for x in rec["upkeep"]) if e is not None]
    return data


def _filter_effect(e: dict[str, Any], side: str, private: set[str]) -> dict[str, Any] | None:
    if e.get("kind") in ("change", "cost") and e.get("var") in private and e.get("actor") != side:
        return None
    if e.get("kind") == "event" and e.get("to") is not None and side not in e["to"]:
        return None
    return e
