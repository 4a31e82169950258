"""What one side may see of the game: the engine enforces fog of war, not the UI.

Every observer reads the game through `side_view`: a team's screen, the
terminal's `--as`, an agent's observation, the room's screen and report. Who
may see what is defined once, in engine/scenario/visibility.py. A side sees:

- every public figure, and the private ones that are its own (actor
  variables), shared with it (`seen_by`) or about a pair it is in (relations);
- its own pending orders and free actions (never another side's; who has
  committed is public);
- public injects and those sent to it, and only those: another side's
  private inject, what it changed and whether it fired at all stay out;
- the resolved orders of past turns (orders are public once adjudicated),
  without another side's reasoning (`rationale`), with a neutral reason when
  an order fizzled for a reason that quotes a figure it may not see, and a
  range instead of the chance when the chance depended on one;
- never the seed, the dice state or another side's key, from which the coming
  rolls or another side's choices would follow; never the control cell's log;
  never the scenario's digest (a hash that would confirm a guess at a private
  starting figure), nor a hidden relation value (left out: that one exists
  at all would tell that something set it).

The facilitator's view (`side=None`) holds everything. The room's view (an
empty side, e.g. `""`) holds only what every side may see.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from engine.core.state import GameState
from engine.scenario.model import Scenario
from engine.scenario.visibility import Fog, mine_of, satisfied

HIDDEN = None

#: the audiences of a view beyond one side: the room (public data only, what may be handed to every team)
#: and the facilitator (everything); a side id is that side's own
ROOM = ""
FACILITATOR = None
#: what an observer reads in place of a fizzle reason it may not know
SECRET_REASON = "it could no longer be carried out, for a reason only its side knows"


def side_view(sc: Scenario, state: GameState, side: str | Collection[str] | None,
              fog: Fog | None = None, recent: int | None = None) -> dict[str, Any]:
    """A plain-data view of `state` for `side`, or for a team's actors (None: the facilitator, who sees all).

    `fog` is the scenario's (Rules keeps one); it is built if not given. `recent`: only the last that many turns
    of the log (each exactly as in the whole view), for an observer that reads only the turn just played: the
    whole log grows with the game, and dumping it every turn made a long game quadratic.
    """
    if recent is None:
        data = state.model_dump(mode="json")
    else:
        data = state.model_dump(mode="json", exclude={"log"})
        data["log"] = [rec.model_dump(mode="json") for rec in state.log[len(state.log) - recent:]] if recent else []
    mine = mine_of(side)
    if mine is None:
        return data
    fog = fog or Fog(sc)
    for actor, row in data["vars"].items():
        if actor not in mine:
            for k in fog.private_vars:
                if k in row:
                    row[k] = HIDDEN
    for name in data["globals"]:
        if fog.global_hidden(name, mine):
            data["globals"][name] = HIDDEN
    relations = {}
    for key, row in data["relations"].items():
        pair = key.split("|")
        # A relation value is recorded only once something sets it, so even that a hidden one exists is hidden:
        # it is left out, not shown as None (and a row of secrets alone goes with it).
        shown = {rel: v for rel, v in row.items() if not fog.relation_hidden(pair, rel, mine)}
        if shown:
            relations[key] = shown
    data["relations"] = relations
    data["pending"] = {k: v for k, v in data["pending"].items() if k in mine}
    data["free_pending"] = {k: v for k, v in data["free_pending"].items() if k in mine}
    data["seed"] = HIDDEN
    data["scenario_digest"] = HIDDEN  # a hash of the whole scenario: it would confirm a guess at a private start
    data["rng"] = HIDDEN  # the next dice are nobody's business
    data["keys"] = {k: v for k, v in data["keys"].items() if k in mine}
    data["control"] = []  # the control cell's notes and reasons are for the facilitator and the debrief
    data["fired"] = {k: v for k, v in data["fired"].items() if not fog.event_hidden(fog.private_events.get(k), mine)}
    data["ever_met"] = fog.ever_met_seen(state, mine)
    data["inbox"] = _events(data["inbox"], fog, mine)
    for rec in data["log"]:
        rec["events"] = _events(rec["events"], fog, mine)
        rec["briefing"] = _events(rec["briefing"], fog, mine)
        rec["upkeep"] = _records(rec["upkeep"], fog, mine)
        for res in rec["resolutions"]:
            res["effects"] = _records(res["effects"], fog, mine)
            order = res["order"]
            if order["actor"] not in mine:
                order["rationale"] = ""  # a side's reasoning weighs what only it can see
            if res["reason"] and not satisfied(res["reason_needs"], mine):
                res["reason"] = SECRET_REASON
            if res["chance"] is not None and not satisfied(res["chance_needs"], mine):
                res["chance"] = HIDDEN
        for free in rec["free"]:
            free["effects"] = _records(free["effects"], fog, mine)
    return data


def chance_words(low: int, high: int, why: bool = False) -> str:
    """A chance as a side may know it: "70%", or a range "50–70%" when it depends on what the side cannot see
    (`why` says so in words)."""
    if low == high:
        return f"{low}%"
    return f"{low}–{high}%" + (" (depends on what you cannot see)" if why else "")


def seen_chance(item: dict[str, Any]) -> tuple[int, int] | None:
    """The chance a view holds for a resolved order or an inject: (low, high), equal when exact; None if none."""
    if item.get("chance") is not None:
        return item["chance"], item["chance"]
    span = item.get("chance_range")
    return (span[0], span[1]) if span else None


def resolution_chance(item: dict[str, Any]) -> str:
    """The chance as words, as the view holding `item` may know it ("" when there is none)."""
    seen = seen_chance(item)
    return chance_words(*seen) if seen else ""


def _events(events: list[dict[str, Any]], fog: Fog, mine: frozenset[str]) -> list[dict[str, Any]]:
    out = []
    for ev in events:
        if not fog.event_hidden(ev["to"], mine):
            ev["effects"] = _records(ev["effects"], fog, mine)
            out.append(ev)
    return out


def _records(records: list[dict[str, Any]], fog: Fog, mine: frozenset[str]) -> list[dict[str, Any]]:
    return [r for r in records if not fog.record_hidden(r, mine)]
