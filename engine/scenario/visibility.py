"""Who may see what: the one definition of fog of war, used by views, bots, chances and checks.

A scenario marks figures `private`. What that means, for an observer that
plays the actors `mine` (a team may play several; the room plays none):

- an actor variable is seen only by its own actor;
- a shared figure (`globals`) only by the actors in its `seen_by` (nobody but
  the facilitator when that is empty);
- a relation variable only by the two actors of the pair;
- an event sent `to` some actors (a private inject) only by them: its text,
  its effects, and whether it fired at all.

Anything that depends on a hidden thing is hidden with it. A condition's
*needs* say who may know its truth: a list of actor groups, and an observer
may know it when it shares an actor with every group (no groups: everyone).
Fizzle reasons and the chance of an order carry their needs, so a view can
show the exact chance to those who may know it and a range to the others.

Bots never see more than their side: `believed_state` is the state as a
side may picture it, every figure hidden from it replaced by the variable's
declared `default` (the same for every actor, so it gives nothing away),
other sides' orders and secrets removed and the dice replaced by the side's
own. Whatever a bot computes from it is a function of the side's view.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import assert_never

from engine.core import dice
from engine.core.state import GameState
from engine.scenario import model as S
from engine.scenario.language import Ctx, Tables

#: what a condition reads that may be hidden: ("var", who, name) | ("global", name) |
#: ("relation", name, who_a, who_b) | ("event", id)
Read = tuple[str, ...]
#: groups of actors; an observer may know the thing when it shares an actor with each group
Needs = list[list[str]]


def mine_of(side: str | Collection[str] | None) -> frozenset[str] | None:
    """The actors an observer plays: None for the facilitator (sees all), empty for the room."""
    if side is None:
        return None
    return frozenset((side,) if isinstance(side, str) else side)


def satisfied(needs: Iterable[Sequence[str]], mine: frozenset[str] | None) -> bool:
    """May an observer playing `mine` know something with these needs?"""
    return mine is None or all(not mine.isdisjoint(group) for group in needs)


class Fog:
    """A scenario's secrets, looked up once."""

    def __init__(self, sc: S.Scenario):
        self.private_vars = frozenset(k for k, d in sc.variables.items() if d.private)
        #: private shared figure -> the actors who see it
        self.private_globals = {k: frozenset(d.seen_by) for k, d in sc.globals.items() if d.private}
        self.private_relations = frozenset(k for k, d in sc.relation_variables.items() if d.private)
        #: private event -> its recipients
        self.private_events = {e.id: frozenset(e.to) for e in sc.events if e.to is not None}
        #: each figure's stand-in for those who cannot see it
        self.var_default = {k: d.default for k, d in sc.variables.items()}
        self.global_default = {k: d.default for k, d in sc.globals.items()}
        self.relation_default = {k: d.default for k, d in sc.relation_variables.items()}
        #: objectives whose conditions read something private -> their actor: whether another side has met
        #: one is that side's business until the game ends
        self.secret_objectives = {o.id: o.actor for o in sc.objectives
                                  if any(self.reads(c) for c in o.conditions)}

    @property
    def anything_private(self) -> bool:
        return bool(self.private_vars or self.private_globals or self.private_relations or self.private_events)

    # ------------------------------------------------------------- single figures
    def var_hidden(self, actor: str, var: str, mine: frozenset[str] | None) -> bool:
        return mine is not None and var in self.private_vars and actor not in mine

    def global_hidden(self, name: str, mine: frozenset[str] | None) -> bool:
        seers = self.private_globals.get(name)
        return mine is not None and seers is not None and seers.isdisjoint(mine)

    def relation_hidden(self, pair: Sequence[str], rel: str, mine: frozenset[str] | None) -> bool:
        return mine is not None and rel in self.private_relations and mine.isdisjoint(pair)

    def event_hidden(self, to: Collection[str] | None, mine: frozenset[str] | None) -> bool:
        return mine is not None and to is not None and mine.isdisjoint(to)

    def record_hidden(self, rec: dict, mine: frozenset[str] | None) -> bool:
        """Is this log record (an effect, a cost, a fired inject and what it did) hidden from `mine`?"""
        if mine is None:
            return False
        if self.event_hidden(rec.get("private_to"), mine):
            return True
        kind = rec.get("kind")
        if kind in ("change", "cost"):
            actor, var = rec.get("actor"), rec.get("var", "")
            if actor == "global":
                return self.global_hidden(var, mine)
            return self.var_hidden(str(actor), var, mine)
        if kind == "relation":
            return self.relation_hidden(rec.get("between", ()), rec.get("var", ""), mine)
        if kind == "event":
            return self.event_hidden(rec.get("to"), mine)
        return False

    # ------------------------------------------------------------- conditions
    def reads(self, cond: S.Condition) -> list[Read]:
        """What a condition reads that a scenario can mark private (statically: the refs, not who they are)."""
        out: list[Read] = []
        self._reads(cond, out)
        return out

    def _reads(self, c: S.Condition, out: list[Read]) -> None:
        if isinstance(c, S.VarCondition):
            who, name = c.var.split(".", 1)
            if who == "global":
                if name in self.private_globals:
                    out.append(("global", name))
            elif name in self.private_vars:
                out.append(("var", who, name))
        elif isinstance(c, S.RelationCondition):
            if c.relation in self.private_relations:
                out.append(("relation", c.relation, c.between[0], c.between[1]))
        elif isinstance(c, S.EventCondition):
            if c.fired in self.private_events:
                out.append(("event", c.fired))
        elif isinstance(c, S.AllCondition):
            for x in c.all:
                self._reads(x, out)
        elif isinstance(c, S.AnyCondition):
            for x in c.any:
                self._reads(x, out)
        elif isinstance(c, S.NotCondition):
            self._reads(c.not_, out)
        elif isinstance(c, (S.RungCondition, S.AgreementCondition, S.CommitmentCondition, S.MemberCondition,
                            S.TurnCondition, S.PlayedCondition, S.IsActorCondition)):
            pass  # public figures only: the ladder, agreements, alliances, the turn, plays and who is who
        else:
            assert_never(c)

    def needs(self, t: Tables, reads: Iterable[Read], ctx: Ctx) -> Needs:
        """Who may know the truth of a condition with these reads, where it is evaluated."""
        out: Needs = []
        for r in reads:
            if r[0] == "var":
                out.extend([a] for a in t.actors(r[1])(ctx))
            elif r[0] == "global":
                out.append(sorted(self.private_globals[r[1]]))
            elif r[0] == "relation":
                for a in t.actors(r[2])(ctx):
                    for b in t.actors(r[3])(ctx):
                        out.append(sorted({a, b}))
            else:
                out.append(sorted(self.private_events[r[1]]))
        return out

    # ------------------------------------------------------------- what a bot may picture
    def believed_state(self, state: GameState, side: str | Collection[str]) -> GameState:
        """The state as `side` may picture it: what it cannot see replaced by public stand-ins.

        Only what effects and the rules read is rebuilt; the log is shared
        (bots never read it). The result must not be adjudicated for real.
        """
        mine = mine_of(side)
        assert mine is not None
        me = min(mine)
        own = state.keys.get(me, 0)
        hidden_events = {e for e, to in self.private_events.items() if to.isdisjoint(mine)}
        vars_ = {a: {k: (self.var_default[k] if a not in mine and k in self.private_vars else v)
                     for k, v in row.items()} for a, row in state.vars.items()}
        globals_ = {k: (self.global_default[k] if self.global_hidden(k, mine) else v)
                    for k, v in state.globals.items()}
        relations = {key: {r: (self.relation_default[r] if self.relation_hidden(key.split("|"), r, mine) else v)
                           for r, v in row.items()} for key, row in state.relations.items()}
        return state.model_copy(update={
            "seed": 0,
            "rng": dice.derived(own, "believed dice", state.turn),
            "keys": {a: (k if a in mine else dice.derived(own, "believed key", a)) for a, k in state.keys.items()},
            "vars": vars_,
            "globals": globals_,
            "relations": relations,
            "pending": {a: list(o) for a, o in state.pending.items() if a in mine},
            "free_pending": {a: list(o) for a, o in state.free_pending.items() if a in mine},
            "fired": {k: list(v) for k, v in state.fired.items() if k not in hidden_events},
            "inbox": [e for e in state.inbox if not self.event_hidden(e.to, mine)],
            "control": [],
            "ever_met": self.ever_met_seen(state, mine),
        })

    def ever_met_seen(self, state: GameState, mine: frozenset[str] | None) -> list[str]:
        """The objectives judged "ever" that `mine` may know were met (all of them once the game is over)."""
        if mine is None or state.ended:
            return list(state.ever_met)
        return [o for o in state.ever_met if self.secret_objectives.get(o) in (None, *mine)]


__all__ = ["Fog", "Needs", "Read", "mine_of", "satisfied"]
