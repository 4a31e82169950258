"""The interpreter of conditions and effects: the only code that changes numbers in a game.

Each condition and effect of a scenario is compiled once into a closure, so
that evaluating a card during play is a few function calls and dict lookups
rather than a walk over pydantic models. Closures take a `Ctx`: the state
being changed, who acts, and what the card is aimed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, assert_never

from engine.core.lifecycles import AGREEMENT, COMMITMENT, Lifecycle
from engine.core.state import AgreementState, GameState, relation_key
from engine.scenario import model as S

Record = dict[str, Any]


class Ctx:
    """Where a condition or effect is evaluated: whose card, aimed at what.

    `depth` counts the events that fired one another (`fire:`) to get here: 0 for a card or an upkeep, n for
    the effects of the n-th event of a chain (an event the turn delivers is the first; see `fire_depth_exceeded`).
    """

    __slots__ = ("agreement", "depth", "me", "parties", "state", "targets")

    def __init__(self, state: GameState, me: str = "", targets: tuple[str, ...] = (),
                 agreement: str | None = None, parties: tuple[str, ...] = (), depth: int = 0):
        self.state = state
        self.me = me
        self.targets = targets
        self.agreement = agreement
        self.parties = parties
        self.depth = depth


def fire_depth_exceeded(depth: int) -> bool:
    """Whether an event fired by an effect at this depth of a chain must be skipped: the guard against loops.

    The loader refuses events that fire each other in a loop or deeper than `MAX_FIRE_DEPTH` (engine/scenario/xref.py),
    so this only stops a scenario built without its checks; the batch engine applies the same test at the
    same depth, so both engines still play the same game.
    """
    return depth >= S.MAX_FIRE_DEPTH


Cond = Callable[[Ctx], bool]
Eff = Callable[[Ctx, list[Record]], None]
Resolver = Callable[[Ctx], Sequence[str]]


def agreement_id(type_id: str, parties: Sequence[str]) -> str:
    """Agreements created in play are named by type and parties, so the same pact is found again."""
    return f"{type_id}__{'_'.join(sorted(parties))}"


class Tables:
    """What the interpreter needs to know about a scenario, computed once."""

    def __init__(self, sc: S.Scenario, ladder: Lifecycle):
        self.sc = sc
        self.ladder = ladder
        self.all_actors: tuple[str, ...] = tuple(a.id for a in sc.actors)
        self.kind = {a.id: a.kind for a in sc.actors}
        self.names = {a.id: a.name for a in sc.actors}
        self.var_range = {k: (v.min, v.max) for k, v in sc.variables.items()}
        self.global_range = {k: (v.min, v.max) for k, v in sc.globals.items()}
        self.rel_range = {k: (v.min, v.max) for k, v in sc.relation_variables.items()}
        self.rung_index = {r.id: i for i, r in enumerate(sc.ladder.rungs)}
        self.rungs = [r.id for r in sc.ladder.rungs]
        self.thresholds = [r.threshold for r in sc.ladder.rungs]
        self.atypes = {t.id: t for t in sc.agreement_types}
        self.fire_event: Callable[[Ctx, str, list[Record]], None] = lambda c, e, rec: None

    def actors(self, ref: str) -> Resolver:
        if ref == "self":
            return lambda c: (c.me,)
        if ref == "target":
            return lambda c: c.targets[:1]
        if ref == "targets":
            return lambda c: c.targets
        if ref == "parties":
            return lambda c: c.parties
        if ref == "*":
            everyone = self.all_actors
            return lambda c: everyone
        if ref.startswith("@"):
            alliance = ref[1:]
            return lambda c: c.state.members.get(alliance, ())
        const = (ref,)
        return lambda c: const

    def rung_for(self, score: float) -> str:
        idx = 0
        for i, th in enumerate(self.thresholds):
            if score >= th:
                idx = i
        return self.rungs[idx]

    def label(self, var_ref: str) -> str:
        who, name = var_ref.split(".", 1)
        d = self.sc.globals.get(name) if who == "global" else self.sc.variables.get(name)
        label = d.label if d else name
        who_text = {"self": "own", "target": "target's", "global": "", "targets": "each target's"}.get(
            who, f"{self.names.get(who, who)}'s" if not who.startswith("@") else f"each {who[1:]} member's")
        return f"{who_text} {label}".strip()


# ------------------------------------------------------------------ conditions

def bounds(c: S._Compare) -> Callable[[Any], Any]:
    """The comparison as a test of one value; it works alike on a float and on a numpy array of them
    (the batch engine's), hence `&` rather than `and`."""
    tests: list[Callable[[Any], Any]] = []
    if c.at_least is not None:
        lo = c.at_least
        tests.append(lambda v: v >= lo)
    if c.at_most is not None:
        hi = c.at_most
        tests.append(lambda v: v <= hi)
    if c.above is not None:
        a = c.above
        tests.append(lambda v: v > a)
    if c.below is not None:
        b = c.below
        tests.append(lambda v: v < b)
    if c.equals is not None:
        e = c.equals
        tests.append(lambda v: abs(v - e) < 1e-9)
    if len(tests) == 1:
        return tests[0]

    def every(v: Any) -> Any:
        out = tests[0](v)
        for t in tests[1:]:
            out = out & t(v)
        return out
    return every


def _bounds_text(c: S._Compare) -> str:
    parts = []
    for key, sym in (("at_least", "≥"), ("at_most", "≤"), ("above", ">"), ("below", "<"), ("equals", "=")):
        v = getattr(c, key)
        if v is not None:
            parts.append(f"{sym} {v:g}")
    return " and ".join(parts)


def var_getter(t: Tables, ref: str) -> Callable[[Ctx], list[float]]:
    who, name = ref.split(".", 1)
    if who == "global":
        return lambda c: [c.state.globals[name]]
    res = t.actors(who)
    return lambda c: [c.state.vars[a][name] for a in res(c)]


def amount(t: Tables, a: float | S.Scaled) -> Callable[[Ctx], float]:
    if isinstance(a, (int, float)):
        v = float(a)
        return lambda c: v
    get = var_getter(t, a.var)
    times, plus = a.times, a.plus
    return lambda c: seq_sum(get(c)) * times + plus


def compile_condition(t: Tables, cond: S.Condition) -> Cond:
    if isinstance(cond, S.VarCondition):
        test = bounds(cond)
        who, name = cond.var.split(".", 1)
        if who == "global":
            return lambda c: test(c.state.globals[name])
        if who in ("self", "target"):
            idx_self = who == "self"
            return lambda c: bool(c.targets or idx_self) and test(c.state.vars[c.me if idx_self else c.targets[0]][name])
        res = t.actors(who)
        need = cond.count_at_least
        if need is None:
            return lambda c: all(test(c.state.vars[a][name]) for a in res(c))
        return lambda c: sum(1 for a in res(c) if test(c.state.vars[a][name])) >= need
    if isinstance(cond, S.RelationCondition):
        test = bounds(cond)
        ra, rb = t.actors(cond.between[0]), t.actors(cond.between[1])
        rel = cond.relation
        default = t.sc.relation_variables[rel].default

        def relation(c: Ctx) -> bool:
            a, b = ra(c), rb(c)
            if not a or not b or a[0] == b[0]:
                return False
            return test(c.state.relations.get(relation_key(a[0], b[0]), {}).get(rel, default))
        return relation
    if isinstance(cond, S.RungCondition):
        lo = t.rung_index[cond.rung_at_least] if cond.rung_at_least else 0
        hi = t.rung_index[cond.rung_at_most] if cond.rung_at_most else len(t.rungs)
        ri = t.rung_index
        if cond.peak:
            return lambda c: lo <= ri[c.state.peak_rung] <= hi
        return lambda c: lo <= ri[c.state.rung] <= hi
    if isinstance(cond, S.AgreementCondition):
        return _agreement_condition(t, cond)
    if isinstance(cond, S.CommitmentCondition):
        res = t.actors(cond.commitment)
        al, allowed = cond.alliance, frozenset(cond.in_)
        return lambda c: all(c.state.commitments.get(al, {}).get(a) in allowed for a in res(c)) and bool(res(c))
    if isinstance(cond, S.MemberCondition):
        res = t.actors(cond.member)
        al, want = cond.of, cond.is_
        return lambda c: all((a in c.state.members.get(al, ())) == want for a in res(c))
    if isinstance(cond, S.TurnCondition):
        lo_t = cond.turn_at_least or 0
        hi_t = cond.turn_at_most if cond.turn_at_most is not None else 10**9
        return lambda c: lo_t <= c.state.turn <= hi_t
    if isinstance(cond, S.PlayedCondition):
        res = t.actors(cond.by)
        card, within, want = cond.played, cond.within, cond.is_

        def played(c: Ctx) -> bool:
            for a in res(c):
                turns = c.state.successes.get(f"{a}:{card}")
                if turns and (within is None or c.state.turn - turns[-1] < within):
                    return want
            return not want
        return played
    if isinstance(cond, S.EventCondition):
        ev, want = cond.fired, cond.is_
        return lambda c: (ev in c.state.fired) == want
    if isinstance(cond, S.IsActorCondition):
        res = t.actors(cond.actor)
        among = [t.actors(r) for r in cond.among] if cond.among else None
        kinds = set(cond.kind) if cond.kind else None
        want = cond.is_
        kind_of = t.kind

        def is_actor(c: Ctx) -> bool:
            for a in res(c):
                ok = True
                if among is not None:
                    ok = any(a in r(c) for r in among)
                if ok and kinds is not None:
                    ok = kind_of[a] in kinds
                if ok != want:
                    return False
            return True
        return is_actor
    if isinstance(cond, S.AllCondition):
        subs = [compile_condition(t, x) for x in cond.all]
        return lambda c: all(s(c) for s in subs)
    if isinstance(cond, S.AnyCondition):
        subs = [compile_condition(t, x) for x in cond.any]
        return lambda c: any(s(c) for s in subs)
    if isinstance(cond, S.NotCondition):
        sub = compile_condition(t, cond.not_)
        return lambda c: not sub(c)
    assert_never(cond)


class ResolvesActors(Protocol):
    """Anything that turns an actor reference into a resolver: `Tables`, or the batch engine's tables."""

    def actors(self, ref: str) -> Callable[[Any], Sequence[str]]: ...


def select_agreement(t: ResolvesActors, sel: Any) -> Callable[[Any], str | None]:
    """The id of the agreement a selector means in this context (it may not exist yet).

    Shared with the batch engine, whose contexts have the same fields.
    """
    if sel.id is not None:
        fixed = sel.id
        return lambda c: fixed
    if sel.target:
        return lambda c: c.agreement
    type_id = sel.type
    resolvers = [t.actors(p) for p in sel.parties or []]

    def by_parties(c: Any) -> str | None:
        parties = unique(a for r in resolvers for a in r(c))
        return agreement_id(type_id, parties) if len(parties) >= 2 else None
    return by_parties


def unique(items: Any) -> list[str]:
    seen: list[str] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen


def _agreement_condition(t: Tables, cond: S.AgreementCondition) -> Cond:
    which = select_agreement(t, cond.agreement)
    allowed = frozenset(cond.in_) if cond.in_ else None
    exists, party, proposer = cond.exists, cond.self_is_party, cond.self_is_proposer

    def check(c: Ctx) -> bool:
        aid = which(c)
        ag = c.state.agreements.get(aid) if aid else None
        found = ag is not None and (allowed is None or ag.state in allowed)
        if ag is not None and found and party is not None:
            found = (c.me in ag.parties) == party
        if ag is not None and found and proposer is not None:
            found = (ag.proposer == c.me) == proposer
        return found == exists
    return check


def _who(t: Tables, ref: str) -> str:
    return {"self": "you", "target": "the target", "targets": "the targets", "parties": "the parties",
            "*": "everyone"}.get(ref, f"members of {ref[1:]}" if ref.startswith("@") else t.names.get(ref, ref))


def _alliance(t: Tables, alliance_id: str) -> str:
    name = next((a.name for a in t.sc.alliances if a.id == alliance_id), alliance_id)
    return name.split(" (")[0]


def describe(t: Tables, cond: S.Condition) -> str:
    """A condition in words, for the reason shown when a card is refused."""
    if isinstance(cond, S.VarCondition):
        extra = f" (for at least {cond.count_at_least})" if cond.count_at_least else ""
        return f"{t.label(cond.var)} {_bounds_text(cond)}{extra}"
    if isinstance(cond, S.RelationCondition):
        label = t.sc.relation_variables[cond.relation].label if cond.relation in t.sc.relation_variables else cond.relation
        return f"{label} between {_who(t, cond.between[0])} and {_who(t, cond.between[1])} {_bounds_text(cond)}"
    if isinstance(cond, S.RungCondition):
        parts = []
        if cond.rung_at_least:
            parts.append(f"at or above '{cond.rung_at_least}'")
        if cond.rung_at_most:
            parts.append(f"at or below '{cond.rung_at_most}'")
        return f"{'peak ' if cond.peak else ''}escalation {' and '.join(parts)}"
    if isinstance(cond, S.AgreementCondition):
        sel = cond.agreement
        if sel.type:
            atype = t.atypes.get(sel.type)
            who = " and ".join(_who(t, p) for p in sel.parties or [])
            what = f"{atype.name if atype else sel.type} between {who}"
        elif sel.id:
            seed = next((a for a in t.sc.agreements if a.id == sel.id), None)
            what = seed.name if seed else sel.id
        else:
            what = "the agreement"
        states = " or ".join(s.replace("_", " ") for s in cond.in_) if cond.in_ else ""
        if cond.exists:
            text = f"{'a ' if sel.type else ''}{what} {'that is ' + states if states else 'to exist'}"
        else:
            text = f"no {what} already {states}" if states else f"no {what}"
        if cond.self_is_party is not None:
            text += ", with you a party" if cond.self_is_party else ", with you not a party"
        if cond.self_is_proposer is not None:
            text += ", proposed by you" if cond.self_is_proposer else ", proposed by another side"
        return text
    if isinstance(cond, S.CommitmentCondition):
        return f"{_who(t, cond.commitment)}: commitment to {_alliance(t, cond.alliance)} {' or '.join(cond.in_)}"
    if isinstance(cond, S.MemberCondition):
        return f"{_who(t, cond.member)} {'in' if cond.is_ else 'not in'} {_alliance(t, cond.of)}"
    if isinstance(cond, S.TurnCondition):
        lo, hi = cond.turn_at_least, cond.turn_at_most
        return f"turn {'≥ ' + str(lo) if lo else ''}{' and ' if lo and hi else ''}{'≤ ' + str(hi) if hi else ''}"
    if isinstance(cond, S.PlayedCondition):
        when = f" in the last {cond.within} turns" if cond.within else ""
        card = next((c.name for c in t.sc.cards if c.id == cond.played), cond.played)
        return f"{_who(t, cond.by)} {'having' if cond.is_ else 'not having'} played {card}{when}"
    if isinstance(cond, S.EventCondition):
        ev = next((e.name for e in t.sc.events if e.id == cond.fired), cond.fired)
        return f"'{ev}' {'to have happened' if cond.is_ else 'not to have happened'}"
    if isinstance(cond, S.IsActorCondition):
        being: list[str] = []
        if cond.among:
            being.append("one of " + ", ".join(cond.among))
        if cond.kind:
            being.append("a " + "/".join(cond.kind))
        return f"{_who(t, cond.actor)} {'being' if cond.is_ else 'not being'} {' and '.join(being)}"
    if isinstance(cond, S.AllCondition):
        return "all of: " + "; ".join(describe(t, x) for x in cond.all)
    if isinstance(cond, S.AnyCondition):
        return "any of: " + "; ".join(describe(t, x) for x in cond.any)
    if isinstance(cond, S.NotCondition):
        return "not (" + describe(t, cond.not_) + ")"
    assert_never(cond)


# ------------------------------------------------------------------ effects

#: beyond this many millionths a float has no fraction left to round
_EXACT = float(2**52)


def round6(x: float) -> float:
    """Round to the nearest millionth, halves to even: the one rounding every figure in a game goes through.

    Written as `round(x * 1e6) / 1e6` rather than `round(x, 6)` so that the
    batch engine (engine/rules/batch/arrays.py) can do exactly the same with numpy's
    `rint`: the two engines then agree bit for bit.
    """
    y = x * 1e6
    return round(y) / 1e6 if -_EXACT < y < _EXACT else x


def seq_sum(values: Iterable[float]) -> float:
    """Add left to right, one after another: what the batch engine repeats over arrays.

    The built-in `sum` adds floats with compensation from Python 3.12 on,
    which would make the two engines part ways in the last bit.
    """
    total = 0.0
    for v in values:
        total += v
    return total


def clamp(v: float, rng: tuple[float, float]) -> float:
    """Round, then keep within the range: a bound finer than a millionth (1e-300) is then still never crossed."""
    lo, hi = rng
    r = round6(v)
    return lo if r < lo else min(r, hi)


def move_ladder(t: Tables, state: GameState, rec: list[Record]) -> None:
    """Walk the ladder machine rung by rung to the rung the score now stands on."""
    goal = t.rung_index[t.rung_for(state.escalation)]
    here = t.rung_index[state.rung]
    while here != goal:
        trigger = "climb" if goal > here else "descend"
        before = state.rung
        state.rung = t.ladder.fire(trigger, state.rung, "the escalation ladder")
        here = t.rung_index[state.rung]
        rec.append({"kind": "rung", "from": before, "to": state.rung})
        if here > t.rung_index[state.peak_rung]:
            state.peak_rung = state.rung


def _skipped(why: str) -> Record:
    """A lifecycle step that an earlier effect of the same list made impossible: noted, not applied.

    Every step is checked before any effect of a list runs (the whole list is
    refused if one cannot apply); only a step that an earlier effect of the
    same list (or an event it fired) has just made impossible lands here,
    e.g. two effects that both make the same commitment waver. Skipping it,
    rather than failing the turn, keeps adjudication total for any scenario.
    """
    return {"kind": "note", "text": f"no effect: {why}"}


def compile_effect(t: Tables, eff: S.Effect) -> tuple[Eff, Callable[[Ctx], str | None] | None]:
    """Return (apply, precheck); precheck says why the effect could not apply, or None."""
    if isinstance(eff, (S.ChangeEffect, S.SetEffect)):
        ref = eff.change if isinstance(eff, S.ChangeEffect) else eff.set
        value = amount(t, eff.by if isinstance(eff, S.ChangeEffect) else eff.to)
        is_set = isinstance(eff, S.SetEffect)
        who, name = ref.split(".", 1)
        if who == "global":
            rng = t.global_range[name]

            def change_global(c: Ctx, rec: list[Record]) -> None:
                g = c.state.globals
                before = g[name]
                v = value(c)
                g[name] = after = clamp(v if is_set else before + v, rng)
                if after != before:
                    rec.append({"kind": "change", "actor": "global", "var": name, "from": before, "to": after})
            return change_global, None
        res = t.actors(who)
        rng = t.var_range[name]

        def change_var(c: Ctx, rec: list[Record]) -> None:
            v = value(c)
            for a in res(c):
                row = c.state.vars[a]
                before = row[name]
                row[name] = after = clamp(v if is_set else before + v, rng)
                if after != before:
                    rec.append({"kind": "change", "actor": a, "var": name, "from": before, "to": after})
        return change_var, None
    if isinstance(eff, S.RelationEffect):
        ra, rb = t.actors(eff.between[0]), t.actors(eff.between[1])
        rel, value, rng = eff.relation, amount(t, eff.by), t.rel_range[eff.relation]
        default = t.sc.relation_variables[rel].default

        def change_relation(c: Ctx, rec: list[Record]) -> None:
            v = value(c)
            done: set[str] = set()
            for a in ra(c):
                for b in rb(c):
                    key = relation_key(a, b)
                    if a == b or key in done:  # each pair once, even for `between: [parties, parties]`
                        continue
                    done.add(key)
                    row = c.state.relations.setdefault(key, {})
                    before = row.get(rel, default)
                    row[rel] = after = clamp(before + v, rng)
                    if after != before:
                        rec.append({"kind": "relation", "between": [a, b], "var": rel, "from": before, "to": after})
        return change_relation, None
    if isinstance(eff, S.EscalateEffect):
        value = amount(t, eff.escalate)
        lad = t.sc.ladder

        def escalate(c: Ctx, rec: list[Record]) -> None:
            s = c.state
            before = s.escalation
            s.escalation = clamp(before + value(c), (lad.min_score, lad.max_score))
            if s.escalation != before:
                rec.append({"kind": "escalate", "from": before, "to": s.escalation})
                move_ladder(t, s, rec)
        return escalate, None
    if isinstance(eff, S.AgreementEffect):
        return _agreement_effect(t, eff)
    if isinstance(eff, S.CommitmentEffect):
        res = t.actors(eff.actor)
        al, trig = eff.alliance, eff.commitment

        def pre_commit(c: Ctx) -> str | None:
            table = c.state.commitments.get(al, {})
            for a in res(c):
                if a not in table:
                    return f"{t.names.get(a, a)} has no commitment to {al}"
                if not COMMITMENT.can(trig, table[a]):
                    return f"{t.names.get(a, a)}'s commitment to {al} is {table[a]}: cannot {trig.replace('_', ' ')}"
            return None

        def commit(c: Ctx, rec: list[Record]) -> None:
            table = c.state.commitments.get(al, {})
            for a in res(c):
                before = table.get(a)
                if before is None or not COMMITMENT.can(trig, before):
                    rec.append(_skipped(f"{t.names.get(a, a)}'s commitment to {al} cannot {trig.replace('_', ' ')} "
                                        f"now ({before or 'none'})"))
                    continue
                table[a] = COMMITMENT.fire(trig, before, f"{t.names.get(a, a)}'s commitment to {al}")
                rec.append({"kind": "commitment", "actor": a, "alliance": al, "from": before, "to": table[a]})
        return commit, pre_commit
    if isinstance(eff, S.MemberEffect):
        res = t.actors(eff.actor)
        member_of = eff.join or eff.leave or ""  # the model requires exactly one of them
        joining = eff.join is not None

        def membership(c: Ctx, rec: list[Record]) -> None:
            members = c.state.members.setdefault(member_of, [])
            commits = c.state.commitments.setdefault(member_of, {})
            for a in list(res(c)):
                if joining and a not in members:
                    members.append(a)
                    commits[a] = "committed"
                    rec.append({"kind": "join", "actor": a, "alliance": member_of})
                elif not joining and a in members:
                    members.remove(a)
                    commits.pop(a, None)
                    rec.append({"kind": "leave", "actor": a, "alliance": member_of})
        return membership, None
    if isinstance(eff, S.FireEffect):
        ev = eff.fire
        return (lambda c, rec: t.fire_event(c, ev, rec)), None
    if isinstance(eff, S.NoteEffect):
        text = eff.note
        return (lambda c, rec: rec.append({"kind": "note", "text": text})), None
    assert_never(eff)


def own_agreement(state: GameState, aid: str) -> AgreementState:
    """The state's own copy of an agreement, made before changing it.

    States copied by `working_copy` share their agreement objects; whoever
    changes one first replaces it with a copy, so other states never see it.
    """
    ag = state.agreements[aid]
    mine = ag.model_copy(update={"parties": list(ag.parties), "history": list(ag.history)})
    state.agreements[aid] = mine
    return mine


def _agreement_effect(t: Tables, eff: S.AgreementEffect) -> tuple[Eff, Callable[[Ctx], str | None]]:
    trig = eff.agreement
    which = select_agreement(t, eff)
    party_res = [t.actors(p) for p in eff.parties or []]
    atype = t.atypes.get(eff.type) if eff.type else None

    def parties_of(c: Ctx) -> list[str]:
        return unique(a for r in party_res for a in r(c))

    def pre(c: Ctx) -> str | None:
        aid = which(c)
        if aid is None:
            return "no agreement selected"
        ag = c.state.agreements.get(aid)
        if trig == "propose":
            parties = parties_of(c)
            assert atype is not None
            if not atype.min_parties <= len(parties) <= atype.max_parties:
                return f"{atype.name} takes {atype.min_parties}-{atype.max_parties} parties, not {len(parties)}"
            if ag is not None and not AGREEMENT.can("propose", ag.state):
                return f"{ag.name} is already {ag.state.replace('_', ' ')}"
            return None
        if ag is None:
            return f"there is no such agreement to {trig}"
        if not AGREEMENT.can(trig, ag.state):
            return f"cannot {trig} {ag.name}: it is {ag.state.replace('_', ' ')}"
        return None

    def apply(c: Ctx, rec: list[Record]) -> None:
        s = c.state
        aid = which(c)
        ag = s.agreements.get(aid) if aid else None
        if trig == "propose" and ag is None:
            assert atype is not None and aid is not None
            parties = parties_of(c)
            names = ", ".join(t.names.get(p, p) for p in parties)
            ag = AgreementState(id=aid, type=atype.id, name=f"{atype.name} ({names})", parties=parties,
                                state="proposed", proposer=c.me or None, since_turn=s.turn,
                                history=[(s.turn, "proposed")])
            s.agreements[aid] = ag
            rec.append({"kind": "agreement", "id": aid, "from": None, "to": "proposed"})
            return
        if ag is None or not AGREEMENT.can(trig, ag.state):
            rec.append(_skipped(f"cannot {trig} {ag.name if ag else 'an agreement that does not exist'}"
                                f"{': it is ' + ag.state.replace('_', ' ') if ag else ''}"))
            return
        ag = own_agreement(s, ag.id)
        before = ag.state
        ag.state = AGREEMENT.fire(trig, before, ag.name)
        if trig == "propose":
            ag.proposer = c.me or None
        ag.since_turn = s.turn
        ag.history.append((s.turn, ag.state))
        rec.append({"kind": "agreement", "id": ag.id, "from": before, "to": ag.state})

    return apply, pre

