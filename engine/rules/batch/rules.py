"""The rules of one scenario for many games at once: legality, chances, and a turn's adjudication.

This is engine/rules/turn.py step for step, over arrays: the same fixed order of
resolution (family, side, order), the same dice drawn in the same order in
each game, the same injects and assessment. Where the reference engine walks
a `transitions` machine, this looks up the table derived from the same
lifecycle definition (engine/core/lifecycles.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.core import dice
from engine.core.lifecycles import AGREEMENT_ACTIVE, AGREEMENT_PENDING
from engine.core.state import relation_key
from engine.rules.batch.arrays import BatchState, Mask, View, d100, round6
from engine.rules.batch.interpret import (
    AG,
    COM,
    BCond,
    BCtx,
    BTables,
    all_hold,
    compile_condition,
    compile_effect,
    never,
    set_rung,
)
from engine.rules.batch.slots import actor_aims, find_slots, may_play
from engine.rules.outcome import Outcome, spending_pool
from engine.rules.turn import Rules
from engine.scenario import model as S
from engine.scenario.language import fire_depth_exceeded


class BEffects:
    """A list of effects: all prechecked on the state before any runs, as in the reference engine."""

    def __init__(self, bt: BTables, effects: list[Any]):
        compiled = [compile_effect(bt, e) for e in effects]
        self.apply = [a for a, _ in compiled]
        self.pres = [p for _, p in compiled if p is not None]

    def blocked(self, v: View, x: BCtx) -> Any:
        out: Any = False
        for p in self.pres:
            out = np.logical_or(out, p(v, x))
        return out

    def run(self, v: View, x: BCtx, mask: Mask) -> None:
        if mask is not True and not np.any(mask):
            return
        for fn in self.apply:
            fn(v, x, mask)


@dataclass
class BCard:
    card: S.Card
    index: int
    conditions: list[BCond]
    target_where: list[BCond]
    effects: BEffects
    on_failure: BEffects
    mods: list[tuple[list[BCond], float]]
    base: float


@dataclass(frozen=True)
class Cand:
    """One order a side could give: a card and its aim. Its index in `BatchRules.cands[actor]` names it."""

    actor: str
    card: BCard
    targets: tuple[str, ...]
    agreement: str | None
    ctx: BCtx
    #: contexts for checking each target on its own (`target.where`)
    singles: tuple[BCtx, ...]
    #: its place among the card's orders; agreements are listed in each game's order of creation instead
    within: int


class BatchRules:
    def __init__(self, rules: Rules):
        self.rules = rules
        self.sc = sc = rules.sc
        self.bt = bt = BTables(rules)
        bt.slots, self.slot_type = find_slots(bt)
        bt.fire_event = self._fire_by_effect
        self.cards = {c.id: self._card(i, c) for i, c in enumerate(sc.cards)}
        self.events = [(e, [compile_condition(bt, w) for w in e.when], BEffects(bt, e.effects)) for e in sc.events]
        self.event_by_id = {e.id: (e, conds, effs) for e, conds, effs in self.events}
        self.objectives = [(o, [compile_condition(bt, c) for c in o.conditions]) for o in sc.objectives]
        self.end_checks = [(e, [compile_condition(bt, c) for c in e.when]) for e in sc.end]
        self.upkeep = [(list(u.for_), BEffects(bt, u.effects)) for u in sc.each_turn]
        self.ag_upkeep = {t.id: BEffects(bt, t.each_turn) for t in sc.agreement_types}
        self.lapse_after = {t.id: t.lapse_after for t in sc.agreement_types}
        self.cands = {actor: self._candidates(actor) for actor in sc.playable_ids}
        self.cand_family = {a: np.array([rules.family_order.get(c.card.card.family, 99) for c in cs] + [-1])
                            for a, cs in self.cands.items()}
        families = sorted({rules.family_order.get(c.family, 99) for c in sc.cards})
        self.family_ranks = families
        self.spending_pool = spending_pool(sc)

    # ------------------------------------------------------------- compiling
    def _card(self, index: int, card: S.Card) -> BCard:
        bt = self.bt
        chance = card.chance if isinstance(card.chance, S.Chance) else S.Chance(base=card.chance)
        return BCard(
            card=card, index=index,
            conditions=[compile_condition(bt, c) for c in card.conditions],
            target_where=[compile_condition(bt, c) for c in card.target.where] if card.target else [],
            effects=BEffects(bt, card.effects), on_failure=BEffects(bt, card.on_failure),
            mods=[([compile_condition(bt, w) for w in m.when], m.add) for m in chance.modifiers],
            base=chance.base,
        )

    def _candidates(self, actor: str) -> list[Cand]:
        """Every order `actor` could ever give, in the order the reference engine lists legal orders."""
        every = self._every_order(actor)
        return [c for c in every if not self._never_legal(c)]

    def _never_legal(self, cand: Cand) -> bool:
        card = cand.card.card
        bt = self.bt
        if any(never(bt, c, cand.ctx) for c in card.conditions):
            return True
        where = card.target.where if card.target else []
        if cand.agreement is not None:
            return any(never(bt, c, cand.ctx) for c in where)
        return any(never(bt, c, single) for c in where for single in cand.singles)

    def _every_order(self, actor: str) -> list[Cand]:
        out: list[Cand] = []
        for bc in self.cards.values():
            card = bc.card
            if not may_play(self.bt, actor, card):
                continue
            if card.target is None:
                out.append(Cand(actor, bc, (), None, BCtx(actor), (), 0))
            elif card.target.kind == "agreement":
                for aid, parties in self.bt.slots.items():
                    out.append(Cand(actor, bc, (), aid, BCtx(actor, (), aid, parties), (), -1))
            else:
                for i, aim in enumerate(actor_aims(self.bt, card, actor)):
                    out.append(Cand(actor, bc, aim, None, BCtx(actor, aim), tuple(BCtx(actor, (t,)) for t in aim), i))
        return out

    # ------------------------------------------------------------- a new batch
    def start(self, seeds: list[int]) -> BatchState:
        """Every game at the start of turn 1's planning, with the injects due then delivered."""
        sc, bt = self.sc, self.bt
        st = BatchState(seeds)
        n = st.n
        init = self.rules.initial_state(0)
        for actor, row in init.vars.items():
            for var, x in row.items():
                st.a[("v", actor, var)] = np.full(n, x)
        for g, x in init.globals.items():
            st.a[("g", g)] = np.full(n, x)
        for a, b in ((a, b) for i, a in enumerate(bt.all_actors) for b in bt.all_actors[i + 1:]):
            pair = relation_key(a, b)
            seeded = init.relations.get(pair, {})
            for rel, d in sc.relation_variables.items():
                st.a[("r", pair, rel)] = np.full(n, seeded.get(rel, d.default))
        st.a[("esc",)] = np.full(n, init.escalation)
        st.a[("rung",)] = np.full(n, bt.t.rung_index[init.rung], dtype=np.int16)
        st.a[("peak",)] = np.full(n, bt.t.rung_index[init.peak_rung], dtype=np.int16)
        for i, ag in enumerate(init.agreements.values()):
            st.a[("ag", ag.id)] = np.full(n, AG.index[ag.state], dtype=np.int8)
            st.a[("agr", ag.id)] = np.full(n, i, dtype=np.int32)
        st.a[("agn",)] = np.full(n, len(init.agreements), dtype=np.int32)
        for al in sc.alliances:
            table = init.commitments.get(al.id, {})
            for a in bt.all_actors:
                st.a[("com", al.id, a)] = np.full(n, COM.index[table[a]] if a in table else -1, dtype=np.int8)
        st.a[("rng",)] = np.array([dice.seed_state(s) for s in seeds], dtype=np.uint64)
        st.a[("ended",)] = np.zeros(n, dtype=bool)
        st.a[("end_turn",)] = np.zeros(n, dtype=np.int32)
        st.a[("end_reason",)] = np.full(n, -1, dtype=np.int32)
        self._due_events(View(st), "before_orders", np.ones(n, dtype=bool))
        return st

    # ------------------------------------------------------------- legality and chance
    def legal(self, v: View, cand: Cand) -> Any:
        """Where this order is legal now (`Rules.check_order`)."""
        bc, actor = cand.card, cand.actor
        card = bc.card
        ok: Any = True
        if card.max_plays is not None or card.cooldown:
            tries = v.get(("att_n", actor, card.id))
            if card.max_plays is not None:
                ok = tries < card.max_plays
            if card.cooldown:
                recent = (tries > 0) & (v.turn - v.get(("att_last", actor, card.id)) <= card.cooldown)
                ok = np.logical_and(ok, ~recent)
        for var, amt in card.cost.items():
            ok = np.logical_and(ok, ~(v.get(("v", actor, var)) < amt))
        if cand.agreement is not None:
            ok = np.logical_and(ok, v.get(("ag", cand.agreement)) >= 0)
            if not ok.any():
                return ok  # (most possible agreements exist in few games: stop early)
            ok = np.logical_and(ok, all_hold(bc.target_where, v, cand.ctx))
        else:
            for single in cand.singles:
                ok = np.logical_and(ok, all_hold(bc.target_where, v, single))
        if not np.any(ok):
            return ok
        ok = np.logical_and(ok, all_hold(bc.conditions, v, cand.ctx))
        return np.logical_and(ok, np.logical_not(bc.effects.blocked(v, cand.ctx)))

    def chance(self, v: View, bc: BCard, x: BCtx) -> np.ndarray:
        """The order's chance in percent in each game (`Rules.chance_percent`)."""
        extra: Any = 0
        for conds, add in bc.mods:
            extra = np.where(all_hold(conds, v, x), extra + add, extra)
        p = bc.base + extra
        return np.broadcast_to(np.clip(np.rint(np.asarray(p, dtype=np.float64) * 100), 0, 100).astype(np.int64),
                               (v.base.n,))

    def roll(self, st: BatchState, mask: np.ndarray) -> np.ndarray:
        """A d100 in the games of `mask` (only their dice move)."""
        rng = st.a[("rng",)]
        new, rolls = d100(rng)
        st.a[("rng",)] = np.where(mask, new, rng)
        return rolls

    # ------------------------------------------------------------- adjudication
    def adjudicate(self, st: BatchState, pending: dict[str, list[np.ndarray]]) -> None:
        """Resolve every game's committed orders (`pending[side][j]`: the candidate index of its j-th order,
        -1 for none), then injects and assessment; games that end stay as they ended."""
        v = View(st)
        active = ~st.a[("ended",)]
        st.a[("escalated",)] = np.zeros(st.n, dtype=bool)
        for fam in self.family_ranks:
            for actor in self.sc.playable_ids:
                fams = self.cand_family[actor]
                for orders in pending.get(actor, []):
                    step = active & (orders >= 0) & (fams[orders] == fam)
                    if not step.any():
                        continue
                    for c in np.unique(orders[step]):
                        self._resolve(v, self.cands[actor][int(c)], step & (orders == c))
        self._due_events(v, "after_orders", active)
        escalated = st.a[("escalated",)].copy()
        self._assess(v, active, escalated)

    def _resolve(self, v: View, cand: Cand, mask: np.ndarray) -> None:
        go = mask & self.legal(v, cand)
        if not go.any():
            return  # fizzled: no longer legal when its turn came
        bc, actor, x = cand.card, cand.actor, cand.ctx
        card = bc.card
        for var, amt in card.cost.items():
            key = ("v", actor, var)
            v.put(key, round6(v.get(key) - amt), go)
        v.put(("att_n", actor, card.id), v.get(("att_n", actor, card.id)) + 1, go)
        v.put(("att_last", actor, card.id), v.turn, go)
        chance = self.chance(v, bc, x)
        dice_needed = go & (chance < 100)
        success = np.ones(v.base.n, dtype=bool)
        if dice_needed.any():
            rolls = self.roll(v.base, dice_needed)
            success = ~dice_needed | (rolls <= chance)
        win = go & success
        lose = go & ~success
        blocked_win = bc.effects.blocked(v, x)
        blocked_lose = bc.on_failure.blocked(v, x)
        run_win = win & np.logical_not(blocked_win)
        bc.effects.run(v, x, run_win)
        bc.on_failure.run(v, x, lose & np.logical_not(blocked_lose))
        v.put(("succ", actor, card.id), v.turn, run_win)

    # ------------------------------------------------------------- events
    def _due_events(self, v: View, when: str, active: np.ndarray) -> None:
        for ev, conds, effs in self.events:
            if ev.delivered != when or (ev.at_turn is not None and ev.at_turn != v.turn):
                continue
            due = active if ev.repeatable else active & ~v.get(("fired", ev.id))
            if not due.any():
                continue
            due = due & all_hold(conds, v, BCtx())
            if ev.chance < 1 and due.any():
                rolls = self.roll(v.base, due)
                due = due & (rolls <= round(ev.chance * 100))
            self._fire(v, ev.id, effs, due)

    def _fire(self, v: View, event_id: str, effs: BEffects, mask: Any, depth: int = 1) -> None:
        if not np.any(mask):
            return
        v.put(("fired", event_id), True, mask)
        x = BCtx(depth=depth)
        effs.run(v, x, np.logical_and(mask, np.logical_not(effs.blocked(v, x))))

    def _fire_by_effect(self, v: View, event_id: str, mask: Mask, depth: int) -> None:
        if fire_depth_exceeded(depth):  # as the reference engine: the chain stops at the same depth
            return
        ev, _, effs = self.event_by_id[event_id]
        self._fire(v, event_id, effs, mask if ev.repeatable else np.logical_and(mask, ~v.get(("fired", event_id))),
                   depth + 1)

    # ------------------------------------------------------------- assessment
    def _assess(self, v: View, active: np.ndarray, escalated: np.ndarray) -> None:
        sc, bt, st = self.sc, self.bt, v.base
        # agreements, in each game's own order (the order they came into being), as the reference engine does
        existing = [aid for aid in bt.slots if (v.get(("ag", aid)) >= 0).any()]
        count = v.get(("agn",)).copy()
        for rank in range(int(count.max(initial=0))):
            placed = active & (rank < count)
            for aid in existing:
                here = placed & (v.get(("agr", aid)) == rank)
                if not here.any():
                    continue
                state = v.get(("ag", aid))
                atype = self.slot_type[aid]
                live = here & AG.isin(state, AGREEMENT_ACTIVE)
                up = self.ag_upkeep.get(atype)
                if up is not None and up.apply and live.any():
                    x = BCtx("", (), aid, bt.slots[aid])
                    up.run(v, x, live & np.logical_not(up.blocked(v, x)))
                limit = self.lapse_after.get(atype)
                if limit is not None:
                    lapse = here & AG.isin(state, AGREEMENT_PENDING) & (v.turn - v.get(("ags", aid)) >= limit)
                    if lapse.any():
                        v.put(("ag", aid), AG.step("lapse", state), lapse)
                        v.put(("ags", aid), v.turn, lapse)
        for refs, effs in self.upkeep:
            done: list[str] = []
            for ref in refs:
                for actor in bt.actors(ref)(BCtx()):
                    if actor not in done:
                        done.append(actor)
                        x = BCtx(actor)
                        effs.run(v, x, active & np.logical_not(effs.blocked(v, x)))
        lad = sc.ladder
        if lad.decay:
            esc = v.get(("esc",))
            calm = active & ~escalated & (esc > lad.min_score)
            if calm.any():
                v.put(("esc",), np.maximum(lad.min_score, round6(esc - lad.decay)), calm)
                set_rung(bt, v, calm)
        for obj, conds in self.objectives:
            if obj.judged == "ever":
                v.put(("ever", obj.id), True, active & ~v.get(("ever", obj.id)) & all_hold(conds, v, BCtx(obj.actor)))
        reason = np.full(st.n, -1, dtype=np.int32)
        open_ = active.copy()
        if sc.end_on_rung:
            hit = open_ & (v.get(("rung",)) >= bt.t.rung_index[sc.end_on_rung])
            reason[hit] = 0
            open_ &= ~hit
        for i, (_, conds) in enumerate(self.end_checks):
            hit = open_ & all_hold(conds, v, BCtx())
            reason[hit] = i + 1
            open_ &= ~hit
        if v.turn >= sc.meta.turns:
            reason[open_] = len(self.end_checks) + 1
        ending = active & (reason >= 0)
        if ending.any():
            st.a[("ended",)] = st.a[("ended",)] | ending
            st.a[("end_turn",)] = np.where(ending, v.turn, st.a[("end_turn",)])
            st.a[("end_reason",)] = np.where(ending, reason, st.a[("end_reason",)])
            for obj, conds in self.objectives:
                met = v.get(("ever", obj.id)) if obj.judged == "ever" else all_hold(conds, v, BCtx(obj.actor))
                st.a[("met", obj.id)] = np.where(ending, met, st.a.get(("met", obj.id), False))
        going_on = active & ~ending
        st.turn += 1
        if going_on.any():
            self._due_events(View(st), "before_orders", going_on)

    # ------------------------------------------------------------- results
    def outcomes(self, st: BatchState) -> list[Outcome]:
        sc, bt = self.sc, self.bt
        rungs = [r.id for r in sc.ladder.rungs]
        reasons = [""] + [e.text for e, _ in self.end_checks] + [f"the last turn ({sc.meta.turns}) was played"]
        a = st.a
        met = {o.id: a.get(("met", o.id), np.zeros(st.n, dtype=bool)) for o in sc.objectives}
        target = sc.meta.spending_target
        finals: list[tuple[str, tuple[str, ...]]] = [
            (f"{actor}.{var}", ("v", actor, var)) for actor in bt.all_actors for var in sc.variables]
        finals += [(f"global.{g}", ("g", g)) for g in sc.globals]
        out = []
        for g in range(st.n):
            r = int(a[("end_reason",)][g])
            final_rung = rungs[int(a[("rung",)][g])]
            why = reasons[r] if r > 0 else f"the ladder reached '{sc.ladder.rungs[int(a[('rung',)][g])].name}'"
            signed = sorted((aid, int(st.get(("agsign", aid))[g])) for aid in bt.slots
                            if st.get(("agsign", aid))[g] >= 1)
            at_target: tuple[str, ...] = ()
            if target is not None:
                at_target = tuple(s for s in self.spending_pool if a[("v", s, target.var)][g] >= target.at_least)
            out.append(Outcome(
                seed=st.seeds[g], end_turn=int(a[("end_turn",)][g]), end_reason=why,
                peak_rung=rungs[int(a[("peak",)][g])], final_rung=final_rung, escalation=float(a[("esc",)][g]),
                met=tuple(o.id for o in sc.objectives if met[o.id][g]), signed=tuple(signed), at_target=at_target,
                final=tuple((name, float(a[key][g])) for name, key in finals), rng=int(a[("rng",)][g]),
            ))
        return out
