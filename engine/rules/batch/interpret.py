"""Conditions and effects for many games at once: engine/scenario/language.py, vectorised over games.

Each condition compiles to a function of (view, context) giving a bool per
game (or one plain bool when it cannot differ between games); each effect to
a function that applies it to the games in a mask, and a precheck giving the
games in which it could not apply. Contexts (who plays, aimed at what) are the
same in every game of a batch, because the batch engine looks at one possible
order at a time across all games.

Every arithmetic step follows the reference interpreter's order of operations,
so that both engines reach the same numbers bit for bit; tests/test_batch.py
holds them to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never, cast

import numpy as np

from engine.core.lifecycles import AGREEMENT, COMMITMENT, Lifecycle
from engine.core.state import relation_key
from engine.rules.batch.arrays import Mask, View, round6
from engine.rules.turn import Rules
from engine.scenario import model as S
from engine.scenario.language import bounds, select_agreement, unique
from engine.scenario.language import compile_condition as reference_condition

BCond = Callable[[View, "BCtx"], Any]
BApply = Callable[[View, "BCtx", Mask], None]
BPre = Callable[[View, "BCtx"], Any]


@dataclass(frozen=True)
class BCtx:
    """Whose card, aimed at what: the same in every game of the batch."""

    me: str = ""
    targets: tuple[str, ...] = ()
    agreement: str | None = None
    parties: tuple[str, ...] = ()
    #: the place in a chain of events firing events (engine.scenario.language.Ctx.depth)
    depth: int = 0


class Unsupported(Exception):
    """The scenario uses something the batch engine cannot reproduce exactly; use the reference engine."""


class Codes:
    """A lifecycle's states as small integers, with its transition table as arrays (one definition feeds both)."""

    def __init__(self, lc: Lifecycle):
        self.states = list(lc.states)
        self.index = {s: i for i, s in enumerate(self.states)}
        self.next: dict[str, np.ndarray] = {}
        for trigger in sorted(lc.triggers):
            # index = state + 1, so that "does not exist" (-1) looks up the refusal entry (-2)
            table = np.full(len(self.states) + 1, -2, dtype=np.int16)
            for i, s in enumerate(self.states):
                if lc.can(trigger, s):
                    table[i + 1] = self.index[lc.table[(trigger, s)]]
            self.next[trigger] = table

        self._sets: dict[frozenset[str], np.ndarray] = {}

    def step(self, trigger: str, states: np.ndarray) -> np.ndarray:
        return self.next[trigger][states + 1]

    def isin(self, states: np.ndarray, names: Any) -> np.ndarray:
        """Where the state is one of `names` (a table lookup: much cheaper than np.isin)."""
        key = frozenset(names)
        table = self._sets.get(key)
        if table is None:
            table = self._sets[key] = np.array([False] + [s in key for s in self.states])
        return table[states + 1]


AG = Codes(AGREEMENT)
COM = Codes(COMMITMENT)
SIGNED = AG.index["signed"]


def seq_add(parts: list[Any]) -> Any:
    """Add left to right from 0, as the reference engine does (never pairwise, never compensated)."""
    total: Any = 0
    for p in parts:
        total = total + p
    return total


class BTables:
    """What the batch interpreter knows about a scenario: ids, ranges, alliances (fixed in a batch) and slots."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.sc = sc = rules.sc
        self.t = rules.t
        self.all_actors = rules.t.all_actors
        self.aidx = {a: i for i, a in enumerate(self.all_actors)}
        self.members = {al.id: tuple(al.members) for al in sc.alliances}
        self.kind = rules.t.kind
        self.thresholds = np.array(rules.t.thresholds, dtype=np.float64)
        #: agreement id -> its parties, for every agreement that can exist in a game (see slots.py)
        self.slots: dict[str, tuple[str, ...]] = {}
        #: the batch rules' event firing (set by BatchRules): view, event, games, depth of the effect firing it
        self.fire_event: Callable[[View, str, Mask, int], None] = lambda v, e, m, d: None

    def me_index(self, me: str) -> int:
        return self.aidx.get(me, -2)

    def actors(self, ref: str) -> Callable[[BCtx], Sequence[str]]:
        """The reference engine's resolver, but for alliances: their membership never changes in a batch, so it
        is read from the scenario rather than from each game's state (the other references read only the
        context, whose fields a batch context shares)."""
        if ref.startswith("@"):
            members = self.members.get(ref[1:], ())
            return lambda x: members
        resolve: Any = self.t.actors(ref)  # reads only context fields a batch context shares (duck-typed)
        return resolve

    def rung_of(self, score: np.ndarray) -> np.ndarray:
        return np.maximum(np.searchsorted(self.thresholds, score, side="right") - 1, 0).astype(np.int16)


# ------------------------------------------------------------------ conditions

def compile_condition(bt: BTables, cond: S.Condition) -> BCond:
    if isinstance(cond, S.VarCondition):
        test = bounds(cond)
        who, name = cond.var.split(".", 1)
        if who == "global":
            key = ("g", name)
            return lambda v, x: test(v.get(key))
        if who == "self":
            return lambda v, x: test(v.get(("v", x.me, name)))
        if who == "target":
            return lambda v, x: test(v.get(("v", x.targets[0], name))) if x.targets else False
        res = bt.actors(who)
        need = cond.count_at_least
        if need is None:
            def every(v: View, x: BCtx) -> Any:
                out: Any = True
                for a in res(x):
                    out = np.logical_and(out, test(v.get(("v", a, name))))
                return out
            return every

        def count(v: View, x: BCtx) -> Any:
            n: Any = 0
            for a in res(x):
                n = n + test(v.get(("v", a, name))).astype(np.int32)
            return np.asarray(n) >= need
        return count
    if isinstance(cond, S.RelationCondition):
        test = bounds(cond)
        ra, rb = bt.actors(cond.between[0]), bt.actors(cond.between[1])
        rel = cond.relation

        def relation(v: View, x: BCtx) -> Any:
            a, b = ra(x), rb(x)
            if not a or not b or a[0] == b[0]:
                return False
            return test(v.get(("r", relation_key(a[0], b[0]), rel)))
        return relation
    if isinstance(cond, S.RungCondition):
        lo = bt.t.rung_index[cond.rung_at_least] if cond.rung_at_least else 0
        hi = bt.t.rung_index[cond.rung_at_most] if cond.rung_at_most else len(bt.t.rungs)
        rung_key: tuple[str, ...] = ("peak",) if cond.peak else ("rung",)
        return lambda v, x: (v.get(rung_key) >= lo) & (v.get(rung_key) <= hi)
    if isinstance(cond, S.AgreementCondition):
        return _agreement_condition(bt, cond)
    if isinstance(cond, S.CommitmentCondition):
        res = bt.actors(cond.commitment)
        al, allowed = cond.alliance, list(cond.in_)

        def commitment(v: View, x: BCtx) -> Any:
            who = res(x)
            if not who:
                return False
            out: Any = True
            for a in who:
                out = np.logical_and(out, COM.isin(v.get(("com", al, a)), allowed))
            return out
        return commitment
    if isinstance(cond, S.MemberCondition):
        res = bt.actors(cond.member)
        al, want = cond.of, cond.is_
        return lambda v, x: all((a in bt.members.get(al, ())) == want for a in res(x))
    if isinstance(cond, S.TurnCondition):
        lo_t = cond.turn_at_least or 0
        hi_t = cond.turn_at_most if cond.turn_at_most is not None else 10**9
        return lambda v, x: lo_t <= v.turn <= hi_t
    if isinstance(cond, S.PlayedCondition):
        res = bt.actors(cond.by)
        card, within, want = cond.played, cond.within, cond.is_

        def played(v: View, x: BCtx) -> Any:
            hit: Any = False
            for a in res(x):
                last = v.get(("succ", a, card))
                ok = last >= 0
                if within is not None:
                    ok = ok & (v.turn - last < within)
                hit = np.logical_or(hit, ok)
            return hit if want else np.logical_not(hit)
        return played
    if isinstance(cond, S.EventCondition):
        ev, want = cond.fired, cond.is_
        return lambda v, x: v.get(("fired", ev)) if want else ~v.get(("fired", ev))
    if isinstance(cond, S.IsActorCondition):
        # it reads only the context, never the state: the reference engine's own test serves, with our resolvers
        is_actor: Any = reference_condition(cast(Any, bt), cond)
        return lambda v, x: is_actor(x)
    if isinstance(cond, S.AllCondition):
        subs = [compile_condition(bt, c) for c in cond.all]

        def all_of(v: View, x: BCtx) -> Any:
            out: Any = True
            for s in subs:
                out = np.logical_and(out, s(v, x))
            return out
        return all_of
    if isinstance(cond, S.AnyCondition):
        subs = [compile_condition(bt, c) for c in cond.any]

        def any_of(v: View, x: BCtx) -> Any:
            out: Any = False
            for s in subs:
                out = np.logical_or(out, s(v, x))
            return out
        return any_of
    if isinstance(cond, S.NotCondition):
        sub = compile_condition(bt, cond.not_)
        return lambda v, x: np.logical_not(sub(v, x))
    assert_never(cond)


def never(bt: BTables, cond: Any, x: BCtx) -> bool:
    """True when the condition cannot hold in this context whatever the state (so the order is never legal).

    The batch engine lists every order a side could give, e.g. a card aimed at
    each of a hundred possible agreements; most of them fail on facts fixed
    for the context, such as not being a party. Dropping those before play
    saves checking them every turn in every game. Conservative: False when
    unsure.
    """
    if isinstance(cond, S.AgreementCondition):
        if not cond.exists:
            return False
        aid = select_agreement(bt, cond.agreement)(x)
        if aid is None or aid not in bt.slots:
            return True
        return cond.self_is_party is not None and (x.me in bt.slots[aid]) != cond.self_is_party
    if isinstance(cond, (S.MemberCondition, S.IsActorCondition)):
        return not compile_condition(bt, cond)(None, x)  # type: ignore[arg-type]
    if isinstance(cond, S.RelationCondition):
        a, b = bt.actors(cond.between[0])(x), bt.actors(cond.between[1])(x)
        return not a or not b or a[0] == b[0]
    if isinstance(cond, S.VarCondition):
        return cond.var.startswith("target.") and not x.targets
    if isinstance(cond, S.AllCondition):
        return any(never(bt, c, x) for c in cond.all)
    if isinstance(cond, S.AnyCondition):
        return all(never(bt, c, x) for c in cond.any)
    return False


def all_hold(conds: list[BCond], v: View, x: BCtx) -> Any:
    out: Any = True
    for c in conds:
        out = np.logical_and(out, c(v, x))
    return out


def _agreement_condition(bt: BTables, cond: S.AgreementCondition) -> BCond:
    which = select_agreement(bt, cond.agreement)
    allowed = list(cond.in_) if cond.in_ else None
    exists, party, proposer = cond.exists, cond.self_is_party, cond.self_is_proposer

    def check(v: View, x: BCtx) -> Any:
        aid = which(x)
        if aid is None or aid not in bt.slots:
            found: Any = False
        else:
            st = v.get(("ag", aid))
            found = st >= 0
            if allowed is not None:
                found = found & AG.isin(st, allowed)
            if party is not None and (x.me in bt.slots[aid]) != party:
                found = False
            if proposer is not None:
                same = v.get(("agp", aid)) == bt.me_index(x.me)
                found = found & (same if proposer else ~same)
        return found if exists else np.logical_not(found)
    return check


# ------------------------------------------------------------------ effects

def amount(bt: BTables, a: float | S.Scaled) -> Callable[[View, BCtx], Any]:
    if isinstance(a, (int, float)):
        value = float(a)
        return lambda v, x: value
    who, name = a.var.split(".", 1)
    times, plus = a.times, a.plus
    if who == "global":
        return lambda v, x: seq_add([v.get(("g", name))]) * times + plus
    res = bt.actors(who)
    return lambda v, x: seq_add([v.get(("v", r, name)) for r in res(x)]) * times + plus


def clamp(value: Any, lo: float, hi: float) -> np.ndarray:
    """`engine.scenario.language.clamp` for arrays: round, then keep within the range."""
    r = round6(np.asarray(value, dtype=float))
    return np.where(r < lo, lo, np.minimum(r, hi))


def set_rung(bt: BTables, v: View, mask: Mask) -> None:
    """The ladder walks to the rung its score now stands on; the peak follows it up."""
    rung = bt.rung_of(v.get(("esc",)))
    v.put(("rung",), rung, mask)
    v.put(("peak",), np.maximum(v.get(("peak",)), rung), mask)


def compile_effect(bt: BTables, eff: S.Effect) -> tuple[BApply, BPre | None]:
    """(apply, precheck): apply to the games in a mask; the precheck gives the games where it cannot apply."""
    if isinstance(eff, (S.ChangeEffect, S.SetEffect)):
        is_set = isinstance(eff, S.SetEffect)
        ref = eff.set if isinstance(eff, S.SetEffect) else eff.change
        value = amount(bt, eff.to if isinstance(eff, S.SetEffect) else eff.by)
        who, name = ref.split(".", 1)
        if who == "global":
            lo, hi = bt.t.global_range[name]
            key = ("g", name)

            def change_global(v: View, x: BCtx, mask: Mask) -> None:
                amt = value(v, x)
                v.put(key, clamp(amt if is_set else v.get(key) + amt, lo, hi), mask)
            return change_global, None
        res = bt.actors(who)
        lo, hi = bt.t.var_range[name]

        def change_var(v: View, x: BCtx, mask: Mask) -> None:
            amt = value(v, x)
            for a in res(x):
                key = ("v", a, name)
                v.put(key, clamp(amt if is_set else v.get(key) + amt, lo, hi), mask)
        return change_var, None
    if isinstance(eff, S.RelationEffect):
        ra, rb = bt.actors(eff.between[0]), bt.actors(eff.between[1])
        rel, value = eff.relation, amount(bt, eff.by)
        lo, hi = bt.t.rel_range[rel]

        def change_relation(v: View, x: BCtx, mask: Mask) -> None:
            amt = value(v, x)
            done: set[str] = set()
            for a in ra(x):
                for b in rb(x):
                    pair = relation_key(a, b)
                    if a == b or pair in done:
                        continue
                    done.add(pair)
                    key = ("r", pair, rel)
                    v.put(key, clamp(v.get(key) + amt, lo, hi), mask)
        return change_relation, None
    if isinstance(eff, S.EscalateEffect):
        value = amount(bt, eff.escalate)
        lad = bt.sc.ladder

        def escalate(v: View, x: BCtx, mask: Mask) -> None:
            before = v.get(("esc",))
            after = clamp(before + value(v, x), lad.min_score, lad.max_score)
            changed = np.logical_and(mask, after != before)
            v.put(("esc",), after, changed)
            v.put(("escalated",), True, np.logical_and(changed, after > before))
            set_rung(bt, v, changed)
        return escalate, None
    if isinstance(eff, S.AgreementEffect):
        return _agreement_effect(bt, eff)
    if isinstance(eff, S.CommitmentEffect):
        res = bt.actors(eff.actor)
        al, trig = eff.alliance, eff.commitment

        def pre_commit(v: View, x: BCtx) -> Any:
            out: Any = False
            for a in res(x):
                out = np.logical_or(out, COM.step(trig, v.get(("com", al, a))) < 0)
            return out

        def commit(v: View, x: BCtx, mask: Mask) -> None:
            for a in res(x):
                key = ("com", al, a)
                after = COM.step(trig, v.get(key))
                v.put(key, after, np.logical_and(mask, after >= 0))  # else skipped, as engine.scenario.language._skipped
        return commit, pre_commit
    if isinstance(eff, S.FireEffect):
        ev = eff.fire
        return (lambda v, x, mask: bt.fire_event(v, ev, mask, x.depth)), None
    if isinstance(eff, S.NoteEffect):
        return (lambda v, x, mask: None), None
    if isinstance(eff, S.MemberEffect):
        raise Unsupported(f"effect {type(eff).__name__} (alliance membership changing in play)")
    assert_never(eff)


def _agreement_effect(bt: BTables, eff: S.AgreementEffect) -> tuple[BApply, BPre]:
    trig = eff.agreement
    which = select_agreement(bt, eff)
    party_res = [bt.actors(p) for p in eff.parties or []]
    atype = bt.t.atypes.get(eff.type) if eff.type else None

    def pre(v: View, x: BCtx) -> Any:
        aid = which(x)
        if aid is None:
            return True
        st = v.get(("ag", aid)) if aid in bt.slots else None
        if trig == "propose":
            assert atype is not None
            n = len(unique(a for r in party_res for a in r(x)))
            if not atype.min_parties <= n <= atype.max_parties:
                return True
            return False if st is None else (st >= 0) & (AG.step("propose", st) < 0)
        if st is None:
            return True
        return AG.step(trig, st) < 0

    def apply(v: View, x: BCtx, mask: Mask) -> None:
        aid = which(x)
        if aid is None or aid not in bt.slots:
            return  # an agreement no game can hold: nothing to step (the reference engine notes it and skips)
        st = v.get(("ag", aid))
        after = AG.step(trig, st)
        if trig == "propose":
            after = np.where(st < 0, AG.index["proposed"], after)
        # a step an earlier effect of the same list made impossible is skipped (engine.scenario.language._skipped)
        mask = np.logical_and(mask, after >= 0)
        if trig == "propose":
            new = np.logical_and(mask, st < 0)
            counter = v.get(("agn",))
            v.put(("agr", aid), counter, new)
            v.put(("agn",), counter + 1, new)
            v.put(("agp", aid), bt.me_index(x.me) if x.me else -1, mask)
        v.put(("ag", aid), after, mask)
        v.put(("ags", aid), v.turn, mask)
        v.put(("agsign", aid), v.turn, np.logical_and(np.logical_and(mask, after == SIGNED), v.get(("agsign", aid)) < 0))
    return apply, pre
