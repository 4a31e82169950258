"""The quick doctrine bot (engine/bots/controllers.py, `quick`) deciding for every game of a batch at once.

For each order a side could give, in every game at once: is it legal, what is
its chance, what would the side's doctrine make of the state after success and
after failure, does it cross a red line. Then each game ranks its own legal
orders by risk-adjusted value with the same seeded temperament, and picks the
best that fit together, exactly as `quick_orders` does one game at a time.

Like the reference bot it decides from what its side may see: every part of
the state hidden from it reads as the stand-in `Fog.believed_state` puts there
(`Belief`), and its temperament comes from its side's own key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine.bots.controllers import JITTER, doctrines_for
from engine.core import dice
from engine.core.state import relation_key
from engine.rules.batch.arrays import BatchState, View, derive, round6, stream_draw
from engine.rules.batch.interpret import BCtx, all_hold, compile_condition, seq_add
from engine.rules.batch.rules import BatchRules, Cand
from engine.rules.outcome import Outcome
from engine.rules.turn import Rules
from engine.scenario import model as S
from engine.scenario.visibility import Fog

Measure = Callable[[View], Any]
#: sorts after every real position
_LAST = np.iinfo(np.int64).max


class Belief:
    """What one side may see of a batch: the parts hidden from it read as their public stand-ins."""

    def __init__(self, fog: Fog, actor: str, n: int):
        self.fog, self.actor, self.n = fog, actor, n
        self.mine = frozenset((actor,))
        self._cache: dict[tuple, np.ndarray | None] = {}

    def stand_in(self, key: tuple) -> np.ndarray | None:
        try:
            return self._cache[key]
        except KeyError:
            pass
        fog, mine = self.fog, self.mine
        out: np.ndarray | None = None
        kind = key[0]
        if kind == "v" and fog.var_hidden(key[1], key[2], mine):
            out = np.full(self.n, fog.var_default[key[2]])
        elif kind == "g" and fog.global_hidden(key[1], mine):
            out = np.full(self.n, fog.global_default[key[1]])
        elif kind == "r" and fog.relation_hidden(key[1].split("|"), key[2], mine):
            out = np.full(self.n, fog.relation_default[key[2]])
        elif kind == "fired" and fog.event_hidden(fog.private_events.get(key[1]), mine):
            out = np.zeros(self.n, dtype=np.bool_)
        elif kind == "ever" and fog.secret_objectives.get(key[1], self.actor) != self.actor:
            out = np.zeros(self.n, dtype=np.bool_)
        self._cache[key] = out
        return out


class QuickBots:
    def __init__(self, br: BatchRules):
        self.br = br
        rules, bt = br.rules, br.bt
        doc = doctrines_for(rules)
        self.doctrine = doc.doctrine
        self.terms: dict[str, list[tuple[float, Measure]]] = {
            a: [(v.weight, self._measure(v, a)) for v in d.values] for a, d in doc.doctrine.items()}
        self.red_cards = {a: {c for line in d.red_lines for c in line.cards} for a, d in doc.doctrine.items()}
        self.red_rungs = {a: [bt.t.rung_index[line.max_rung] for line in d.red_lines if line.max_rung is not None]
                          for a, d in doc.doctrine.items()}
        self.keeps = {a: [compile_condition(bt, line.keep) for line in d.red_lines if line.keep is not None]
                      for a, d in doc.doctrine.items()}
        self._temperament: dict[str, np.ndarray] = {}
        self._seeds: list[int] | None = None
        self._beliefs: dict[tuple[str, int], Belief] = {}
        #: if set, told after each decision which cards each game could play and which orders it gave
        #: (`watch(side, {card: where legal}, orders)`): what `engine.analysis.check` counts
        self.watch: Callable[[str, dict[str, np.ndarray], list[np.ndarray]], None] | None = None

    # ------------------------------------------------------------- the doctrine's value
    def _measure(self, v: S.ValueTerm, actor: str) -> Measure:
        bt, sc = self.br.bt, self.br.sc
        me = BCtx(actor)
        if v.var is not None:
            who, name = v.var.split(".", 1)
            d = sc.globals[name] if who == "global" else sc.variables[name]
            lo, span = d.min, (d.max - d.min) or 1.0
            if who == "global":
                return lambda view: (view.get(("g", name)) - lo) / span
            if who == "self":
                return lambda view: (view.get(("v", actor, name)) - lo) / span
            whom = bt.actors(who)(me)
            return lambda view: seq_add([(view.get(("v", a, name)) - lo) / span for a in whom]) / max(1, len(whom))
        if v.escalation:
            lad = sc.ladder
            span = (lad.max_score - lad.min_score) or 1.0
            return lambda view: (view.get(("esc",)) - lad.min_score) / span
        if v.relation is not None:
            rel = v.relation
            d = sc.relation_variables[rel]
            span = (d.max - d.min) or 1.0
            others = [a for a in bt.actors(v.with_ or "")(me) if a != actor]
            if not others:
                return lambda view: 0.0
            keys = [("r", relation_key(actor, a), rel) for a in others]
            return lambda view: seq_add([(view.get(k) - d.min) / span for k in keys]) / len(others)
        objectives = [(o, [compile_condition(bt, c) for c in o.conditions])
                      for o in sc.objectives if o.actor == actor]
        total = sum(o.points for o, _ in objectives) or 1

        def share(view: View) -> Any:
            met: Any = 0
            for o, conds in objectives:
                holds = all_hold(conds, view, me)
                if o.judged == "ever":
                    holds = np.logical_or(view.get(("ever", o.id)), holds)
                met = met + np.where(holds, o.points, 0)
            return met / total
        return share

    def value(self, view: View, actor: str) -> Any:
        return seq_add([w * m(view) for w, m in self.terms[actor]])

    # ------------------------------------------------------------- looking at one order
    def preview(self, st: BatchState, cand: Cand, success: bool) -> tuple[View, Any]:
        """The state right after this order, in every game (`Rules.preview`), and where it could not apply."""
        v = View(st, preview=True, belief=self.belief(st, cand.actor))
        for var, amt in cand.card.card.cost.items():
            key = ("v", cand.actor, var)
            v.put(key, round6(v.get(key) - amt), True)
        branch = cand.card.effects if success else cand.card.on_failure
        blocked = branch.blocked(v, cand.ctx)
        branch.run(v, cand.ctx, np.logical_not(blocked))
        return v, blocked

    def _crosses(self, actor: str, before: View, after: View, blocked: Any) -> Any:
        """Where the order's success crosses a red line of rung or kept figure (`Doctrines.crosses_red_line`)."""
        out: Any = False
        for limit in self.red_rungs[actor]:
            out = np.logical_or(out, (after.get(("rung",)) > limit) & (after.get(("esc",)) > before.get(("esc",))))
        me = BCtx(actor)
        for keep in self.keeps[actor]:
            out = np.logical_or(out, np.logical_and(keep(before, me), np.logical_not(keep(after, me))))
        return np.logical_and(out, np.logical_not(blocked))

    # ------------------------------------------------------------- deciding
    def belief(self, st: BatchState, actor: str) -> Belief | None:
        """How `actor` sees the batch (None when the scenario hides nothing)."""
        fog = self.br.rules.fog
        if not fog.anything_private:
            return None
        key = (actor, st.n)
        if key not in self._beliefs:
            self._beliefs[key] = Belief(fog, actor, st.n)
        return self._beliefs[key]

    def temperament(self, st: BatchState, actor: str) -> np.ndarray:
        """Where each game's temperament stream for this side and turn starts (`policy.bot_stream`)."""
        if self._seeds is not st.seeds:
            self._seeds = st.seeds
            self._temperament = {}
        if actor not in self._temperament:
            self._temperament[actor] = np.array([dice.derived(dice.side_key(s, actor), "temperament")
                                                 for s in st.seeds], dtype=np.uint64)
        return derive(self._temperament[actor], st.turn)

    def orders(self, st: BatchState, actor: str, active: np.ndarray) -> list[np.ndarray]:
        """Each game's orders for `actor` this turn: `limit` arrays of candidate indices (-1: none)."""
        br = self.br
        n = st.n
        limit = br.rules.orders_allowed(actor)
        v0 = View(st, belief=self.belief(st, actor))
        base = self.value(v0, actor)
        risk = self.doctrine[actor].risk
        exists = {aid: bool((st.get(("ag", aid)) >= 0).any()) for aid in br.bt.slots}
        rows: list[int] = []
        incl_rows, raw_rows, key_rows = [], [], []
        seen: dict[str, np.ndarray] = {}
        for ci, cand in enumerate(br.cands[actor]):
            if cand.agreement is not None and not exists[cand.agreement]:
                continue
            card_id = cand.card.card.id
            red = card_id in self.red_cards[actor]
            if red and self.watch is None:
                continue  # a card its doctrine never plays: not even weighed
            legal = active & br.legal(v0, cand)
            if self.watch is not None:
                seen[card_id] = seen[card_id] | legal if card_id in seen else legal
            if red or not legal.any():
                continue
            chance = br.chance(v0, cand.card, cand.ctx)
            p = chance / 100
            win, win_blocked = self.preview(st, cand, True)
            crosses = self._crosses(actor, v0, win, win_blocked)
            u_win = np.where(win_blocked, base, self.value(win, actor))
            risky = legal & (chance < 100)
            if risky.any():
                lose, lose_blocked = self.preview(st, cand, False)
                u_lose = np.where(np.logical_or(~risky, lose_blocked), base, self.value(lose, actor))
            else:
                u_lose = base
            expected = p * u_win + (1 - p) * u_lose
            spread = np.abs(u_win - u_lose) * np.sqrt(p * (1 - p))
            rows.append(ci)
            incl_rows.append(legal & np.logical_not(crosses))
            raw_rows.append(expected - (1 - risk) * spread - base)
            order_key = cand.card.index * 65536
            if cand.agreement is not None:
                key_rows.append(order_key + st.get(("agr", cand.agreement)).astype(np.int64))
            else:
                key_rows.append(np.full(n, order_key + cand.within, dtype=np.int64))
        if not rows:
            none = [np.full(n, -1, dtype=np.int64) for _ in range(limit)]
            if self.watch is not None:
                self.watch(actor, seen, none)
            return none
        incl = np.array(incl_rows)
        raw = np.array([np.broadcast_to(r, (n,)) for r in raw_rows])
        keys = np.where(incl, np.array(key_rows), _LAST)
        m = len(rows)
        cols = np.arange(n)
        # each game's legal orders in its own listing order: the temperament draws follow it
        listing = np.argsort(keys, axis=0, kind="stable")
        pos = np.empty_like(listing)
        pos[listing, cols] = np.arange(m)[:, None]
        score = raw + JITTER * (stream_draw(self.temperament(st, actor)[None, :], pos) - 0.5)
        # best first; equal scores keep the listing order (a stable sort)
        ranked = np.lexsort((pos, np.where(incl, -score, np.inf)), axis=0)
        chosen = self._pick(st, actor, limit, rows, incl, score, ranked)
        if self.watch is not None:
            self.watch(actor, seen, chosen)
        return chosen

    def _pick(self, st: BatchState, actor: str, limit: int, rows: list[int], incl: np.ndarray, score: np.ndarray,
              ranked: np.ndarray) -> list[np.ndarray]:
        """The best orders that fit together (`bots._pick`): distinct cards, affordable together, worth giving."""
        br = self.br
        n = st.n
        cols = np.arange(n)
        cands = [br.cands[actor][ci] for ci in rows]
        # one more entry at the end stands for "no order"
        card_of = np.array([c.card.index for c in cands] + [-1])
        cost_vars = sorted({var for c in cands for var in c.card.card.cost})
        cost = {var: np.array([c.card.card.cost.get(var, 0.0) for c in cands] + [0.0]) for var in cost_vars}
        uses = {var: np.array([var in c.card.card.cost for c in cands] + [False]) for var in cost_vars}
        have = {var: st.get(("v", actor, var)) for var in cost_vars}
        none = len(cands)
        chosen = [np.full(n, none) for _ in range(limit)]
        count = np.zeros(n, dtype=np.int64)
        stopped = np.zeros(n, dtype=bool)
        n_incl = incl.sum(axis=0)
        for k in range(len(cands)):
            live = ~stopped & (count < limit) & (k < n_incl)
            if not live.any():
                break
            e = ranked[k]
            stop = live & (score[e, cols] <= 0) & (count > 0)
            stopped |= stop
            ok = live & ~stop
            for j in range(limit):
                ok &= ~((count > j) & (card_of[chosen[j]] == card_of[e]))
            for var in cost_vars:
                total: Any = 0.0
                named = np.zeros(n, dtype=bool)
                for j in range(limit):
                    total = total + cost[var][chosen[j]]
                    named |= uses[var][chosen[j]]
                total = total + cost[var][e]
                named |= uses[var][e]
                ok &= ~(named & (have[var] < total - 1e-9))
            for j in range(limit):
                chosen[j] = np.where(ok & (count == j), e, chosen[j])
            count += ok
        index = np.array([*rows, -1])
        return [index[c] for c in chosen]


def play_quick(br: BatchRules, seeds: list[int], on_turn: Callable[[int, int], None] | None = None,
               bots: QuickBots | None = None) -> BatchState:
    """Play every game to its end with quick bots on every side; return the final batch state.

    `on_turn(turn, games_still_playing)` is called after each turn (for progress bars).
    """
    bots = bots or QuickBots(br)
    st = br.start(seeds)
    while not st.a[("ended",)].all():
        active = ~st.a[("ended",)]
        pending = {side: bots.orders(st, side, active) for side in br.sc.playable_ids}
        br.adjudicate(st, pending)
        if on_turn is not None:
            on_turn(st.turn - 1, int((~st.a[("ended",)]).sum()))
    return st


def play_batch(rules: Rules | BatchRules, seeds: list[int],
               on_turn: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Play one game per seed with quick bots on every side; their outcomes, in the order of `seeds`."""
    br = rules if isinstance(rules, BatchRules) else BatchRules(rules)
    return br.outcomes(play_quick(br, seeds, on_turn))
