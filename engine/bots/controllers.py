"""Bots that play a side by its doctrine, at several strengths, each explaining its choice.

Levels:
- `simple`: the built-in policy (engine/bots/policy.py): weights legal orders by how
  a card's effects point toward the side's objectives, with seeded noise. No
  look-ahead; the fastest.
- `quick`: a utility bot. For every legal order it previews the state after
  success and after failure, scores both with the side's doctrine, and ranks
  orders by expected value less a penalty for spread that shrinks as the
  doctrine's risk tolerance grows. Red lines are never crossed.
- `strong`: looks ahead. It takes the quick bot's best few sets of orders and
  plays each forward through the engine itself (this turn and the next): this
  turn the other sides give the orders a quick bot would, next turn everyone
  follows the simple policy; the dice come from streams of its own, the same
  for every plan so that plans, not luck, are compared. It keeps the plan with
  the best average doctrine value.

Bots see only what their side may see: every level decides from the state as
its side may picture it (`Fog.believed_state`, engine/scenario/visibility.py): another side's
private figures read as the variable's declared default, other sides' orders
and keys are gone, and the dice are the bot's own. Their randomness comes from
their side's own key, never the game's seed or dice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.bots.policy import bot_stream, simple_orders
from engine.core import dice
from engine.core.state import GameState, Order, relation_key
from engine.rules.turn import Rules, working_copy
from engine.scenario import model as S
from engine.scenario.language import Ctx, compile_condition, select_agreement, seq_sum

LEVELS = ("simple", "quick", "strong")
#: spread of the seeded temperament added to each order's score (typical gains are 0.002 to 0.02)
JITTER = 0.004


@dataclass
class Term:
    name: str
    weight: float
    measure: Callable[[GameState, str], float]


class Doctrines:
    """Each side's doctrine compiled into value functions over states."""

    def __init__(self, rules: Rules):
        self.rules = rules
        sc = rules.sc
        given = {d.actor: d for d in sc.doctrines}
        self.doctrine: dict[str, S.Doctrine] = {}
        self.terms: dict[str, list[Term]] = {}
        for actor in sc.playable_ids:
            d = given.get(actor) or S.Doctrine(actor=actor, summary="Pursue the objectives.",
                                               values=[S.ValueTerm(name="objectives", weight=1, objectives=True)])
            self.doctrine[actor] = d
            self.terms[actor] = [Term(v.name, v.weight, self._measure(v, actor)) for v in d.values]
        self.red_lines: dict[str, list[tuple[S.RedLine, Callable[[GameState, str], bool] | None]]] = {
            a: [(r, self._keep(r.keep) if r.keep else None) for r in d.red_lines] for a, d in self.doctrine.items()}
        self.points = {a: sum(o.points for o in sc.objectives if o.actor == a) for a in sc.playable_ids}

    def _measure(self, v: S.ValueTerm, actor: str) -> Callable[[GameState, str], float]:
        rules, sc = self.rules, self.rules.sc
        if v.var is not None:
            who, name = v.var.split(".", 1)
            d = sc.globals[name] if who == "global" else sc.variables[name]
            lo, span = d.min, (d.max - d.min) or 1.0
            if who == "global":
                return lambda s, me: (s.globals[name] - lo) / span
            if who == "self":
                return lambda s, me: (s.vars[me][name] - lo) / span
            resolve = rules.t.actors(who)
            return lambda s, me: seq_sum((s.vars[a][name] - lo) / span for a in resolve(Ctx(s, me))) / max(
                1, len(resolve(Ctx(s, me))))
        if v.escalation:
            lad = sc.ladder
            span = (lad.max_score - lad.min_score) or 1.0
            return lambda s, me: (s.escalation - lad.min_score) / span
        if v.relation is not None:
            rel, other = v.relation, v.with_ or ""
            d = sc.relation_variables[rel]
            resolve = rules.t.actors(other)
            span = (d.max - d.min) or 1.0

            def relation(s: GameState, me: str) -> float:
                others = [a for a in resolve(Ctx(s, me)) if a != me]
                if not others:
                    return 0.0
                return seq_sum((s.relations.get(relation_key(me, a), {}).get(rel, d.default) - d.min) / span
                               for a in others) / len(others)
            return relation
        objectives = [(o, conds) for o, conds in rules.objectives if o.actor == actor]
        total = sum(o.points for o, _ in objectives) or 1

        def share(s: GameState, me: str) -> float:
            ctx = Ctx(s, me)
            met = sum(o.points for o, conds in objectives
                      if (o.judged == "ever" and o.id in s.ever_met) or all(f(ctx) for f in conds))
            return met / total
        return share

    def _keep(self, cond: S.VarCondition) -> Callable[[GameState, str], bool]:
        f = compile_condition(self.rules.t, cond)
        return lambda s, me: f(Ctx(s, me))

    def value(self, state: GameState, actor: str) -> float:
        return seq_sum(t.weight * t.measure(state, actor) for t in self.terms[actor])

    def breakdown(self, state: GameState, actor: str) -> dict[str, float]:
        return {t.name: t.weight * t.measure(state, actor) for t in self.terms[actor]}

    def crosses_red_line(self, state: GameState, actor: str, order: Order, after: GameState | None) -> str | None:
        """The red line this order would cross (judged on its success), or None."""
        t = self.rules.t
        for line, keep in self.red_lines[actor]:
            if order.card in line.cards:
                return line.text
            if after is None:
                continue
            if (line.max_rung is not None and t.rung_index[after.rung] > t.rung_index[line.max_rung]
                    and after.escalation > state.escalation):
                return line.text  # only orders that push it further: calming down stays allowed
            if keep is not None and keep(state, actor) and not keep(after, actor):
                return line.text
        return None


_STAGE = {"proposed": 0.25, "negotiating": 0.5, "signed": 0.75, "in_force": 1.0, "invoked": 1.0}


class Progress:
    """How far each side is toward each of its objectives (0..1), not just met or not.

    Objectives are all-or-nothing and mostly judged at the end, so a short
    look-ahead rarely sees one flip; the strong bot adds this estimate to see
    which plan moves it closer: a variable's distance to its threshold, an
    agreement's stage in its lifecycle, the ladder's distance to a rung.
    """

    def __init__(self, rules: Rules):
        self.rules = rules
        self.objectives: dict[str, list[tuple[int, list[Callable[[GameState, str], float]]]]] = {}
        for o in rules.sc.objectives:
            parts = [self._degree(c) for c in o.conditions]
            self.objectives.setdefault(o.actor, []).append((o.points, parts))

    def share(self, state: GameState, actor: str) -> float:
        objs = self.objectives.get(actor, [])
        total = sum(p for p, _ in objs) or 1
        return sum(p * (sum(f(state, actor) for f in parts) / max(1, len(parts))) for p, parts in objs) / total

    def _degree(self, c: S.Condition) -> Callable[[GameState, str], float]:
        rules, sc = self.rules, self.rules.sc
        holds = compile_condition(rules.t, c)
        exact = lambda s, me: 1.0 if holds(Ctx(s, me)) else 0.0  # noqa: E731
        if isinstance(c, S.VarCondition) and c.count_at_least is None:
            who, name = c.var.split(".", 1)
            d = sc.globals[name] if who == "global" else sc.variables[name]
            resolve = rules.t.actors(who)
            get = (lambda s, me: [s.globals[name]]) if who == "global" else (
                lambda s, me: [s.vars[a][name] for a in resolve(Ctx(s, me))])
            up = c.at_least if c.at_least is not None else c.above
            down = c.at_most if c.at_most is not None else c.below

            def degree(s: GameState, me: str) -> float:
                if holds(Ctx(s, me)):
                    return 1.0
                vals = get(s, me)
                if not vals:
                    return 0.0
                v = sum(vals) / len(vals)
                if up is not None and up > d.min:
                    return max(0.0, min(0.99, (v - d.min) / (up - d.min)))
                if down is not None and down < d.max:
                    return max(0.0, min(0.99, (d.max - v) / (d.max - down)))
                return 0.0
            return degree
        if isinstance(c, S.AgreementCondition) and c.exists and c.in_ and set(c.in_) & {"in_force", "invoked", "signed"}:
            which = select_agreement(rules.t, c.agreement)

            def stage(s: GameState, me: str) -> float:
                if holds(Ctx(s, me)):
                    return 1.0
                ag = s.agreements.get(which(Ctx(s, me)) or "")
                return 0.9 * _STAGE.get(ag.state, 0.0) if ag is not None else 0.0
            return stage
        if isinstance(c, S.RungCondition) and not c.peak:
            idx, n = rules.t.rung_index, len(rules.t.rungs)

            def rung(s: GameState, me: str) -> float:
                if holds(Ctx(s, me)):
                    return 1.0
                here = idx[s.rung]
                target = idx[c.rung_at_most] if c.rung_at_most else idx[c.rung_at_least or s.rung]
                return max(0.0, 1.0 - abs(here - target) / n) * 0.9
            return rung
        if isinstance(c, S.AllCondition):
            parts = [self._degree(x) for x in c.all]
            return lambda s, me: sum(f(s, me) for f in parts) / max(1, len(parts))
        if isinstance(c, S.AnyCondition):
            parts = [self._degree(x) for x in c.any]
            return lambda s, me: max((f(s, me) for f in parts), default=0.0)
        return exact


_CACHE: dict[int, Doctrines] = {}
_PROGRESS: dict[int, Progress] = {}


def progress_for(rules: Rules) -> Progress:
    key = id(rules)
    if key not in _PROGRESS or _PROGRESS[key].rules is not rules:
        _PROGRESS[key] = Progress(rules)
    return _PROGRESS[key]


def estimate(rules: Rules, state: GameState, actor: str) -> float:
    """The strong bot's estimate of a state: doctrine value plus half-credit for progress toward objectives."""
    doc = doctrines_for(rules)
    w = sum(v.weight for v in doc.doctrine[actor].values if v.objectives)
    return doc.value(state, actor) + 0.5 * w * progress_for(rules).share(state, actor)


def doctrines_for(rules: Rules) -> Doctrines:
    key = id(rules)
    if key not in _CACHE or _CACHE[key].rules is not rules:
        _CACHE[key] = Doctrines(rules)
    return _CACHE[key]


@dataclass
class Scored:
    order: Order
    score: float
    gain: dict[str, float]


def score_orders(rules: Rules, state: GameState, actor: str) -> list[Scored]:
    """Every legal order that crosses no red line, with its risk-adjusted doctrine score (best first)."""
    doc = doctrines_for(rules)
    risk = doc.doctrine[actor].risk
    base = doc.value(state, actor)
    base_parts = doc.breakdown(state, actor)
    # A little seeded temperament: near-equal options are not always settled the same way, as with
    # people; reproducible for a given seed, and never the game's own dice.
    jitter = bot_stream(state, actor, "temperament")
    out: list[Scored] = []
    for order in rules.legal_orders(state, actor):
        cc = rules.cards[order.card]
        p = rules.chance_percent(cc, rules._ctx_for(state, order)) / 100
        win = rules.preview(state, order, True)
        if doc.crosses_red_line(state, actor, order, win):
            continue
        lose = rules.preview(state, order, False) if p < 1 else None
        u_win = doc.value(win, actor) if win is not None else base
        u_lose = doc.value(lose, actor) if lose is not None else base
        expected = p * u_win + (1 - p) * u_lose
        spread = abs(u_win - u_lose) * math.sqrt(p * (1 - p))
        score = expected - (1 - risk) * spread - base + JITTER * (jitter.random() - 0.5)
        parts = doc.breakdown(win, actor) if win is not None else base_parts
        gain = {k: parts[k] - base_parts[k] for k in parts}
        out.append(Scored(order, score, gain))
    out.sort(key=lambda x: -x.score)
    return out


def _explain(rules: Rules, s: Scored, how: str) -> str:
    card = rules.sc.card(s.order.card).name
    aim = ""
    if s.order.targets:
        aim = " → " + ", ".join(rules.t.names[t] for t in s.order.targets)
    best = max(s.gain.items(), key=lambda kv: kv[1], default=("nothing", 0.0))
    why = f"best for {best[0]} ({best[1]:+.3f})" if best[1] > 1e-9 else "least harm among the options"
    return f"{card}{aim}: {why}; {how}"


def _pick(rules: Rules, state: GameState, actor: str, ranked: list[Scored], limit: int) -> list[Scored]:
    """The best orders that fit together: distinct cards, affordable together, each worth giving."""
    chosen: list[Scored] = []
    for s in ranked:
        if len(chosen) >= limit:
            break
        if s.score <= 0 and chosen:
            break
        trial = [c.order for c in chosen] + [s.order]
        if rules.check_orders(state, actor, trial) is None:
            chosen.append(s)
    return chosen


def quick_orders(rules: Rules, state: GameState, actor: str) -> list[Order]:
    """The quick bot's orders, from what `actor` may see of `state`."""
    return _quick_orders(rules, rules.fog.believed_state(state, actor), actor)


def _quick_orders(rules: Rules, state: GameState, actor: str) -> list[Order]:
    ranked = score_orders(rules, state, actor)
    chosen = _pick(rules, state, actor, ranked, rules.orders_allowed(actor))
    return [c.order.model_copy(update={"rationale": _explain(rules, c, f"expected value {c.score:+.3f}")})
            for c in chosen]


def _candidates(rules: Rules, state: GameState, actor: str, ranked: list[Scored], k: int) -> list[list[Scored]]:
    limit = rules.orders_allowed(actor)
    sets: list[list[Scored]] = []
    heads = ranked[:k]
    for i, first in enumerate(heads):
        rest = [first] + [s for j, s in enumerate(ranked) if j != i]
        picked = _pick(rules, state, actor, rest, limit)
        if picked and [p.order for p in picked] not in [[q.order for q in c] for c in sets]:
            sets.append(picked)
    if ranked:
        sets.append([ranked[0]])
    return sets


def rollout_value(rules: Rules, state: GameState, actor: str, orders: list[Order], others: dict[str, list[Order]],
                  stream_seed: int, horizon: int) -> float:
    """Play this turn with `orders` for the actor and `others` for the rest, then `horizon - 1` more turns
    with the simple policy for everyone; return the actor's doctrine value at the end."""
    s = working_copy(state)
    s.pending = {}
    s.committed = []
    s.rng = stream_seed  # the look-ahead's own dice: never the game's
    for turn in range(horizon):
        if s.ended:
            break
        for side in rules.sc.playable_ids:
            if turn == 0:
                mine = orders if side == actor else others[side]
            else:
                mine = simple_orders(rules, s, side)
            rules.submit(s, side, mine)
        s = rules.adjudicate(s)
    return estimate(rules, s, actor)


def strong_orders(rules: Rules, state: GameState, actor: str, candidates: int = 4, rollouts: int = 6,
                  horizon: int = 1, margin: float = 0.002, z: float = 2.0) -> list[Order]:
    """The strong bot's orders, from what `actor` may see of `state` (its rollouts too)."""
    state = rules.fog.believed_state(state, actor)
    ranked = score_orders(rules, state, actor)
    if not ranked:
        return []
    sets = _candidates(rules, state, actor, ranked, candidates)
    # What the others are expected to do this turn does not depend on our plan: work it out once.
    # Their real pending orders are hidden from us; we expect each to play as a quick bot would.
    blind = working_copy(state)
    blind.pending, blind.committed = {}, []
    others = {side: [x.order for x in _pick(rules, blind, side, score_orders(rules, blind, side),
                                            rules.orders_allowed(side))]
              for side in rules.sc.playable_ids if side != actor}
    values: list[list[float]] = []
    for cand in sets:
        orders = [c.order for c in cand]
        # the same dice for every plan (common random numbers): plans are compared, not luck
        values.append([rollout_value(rules, state, actor, orders, others,
                                     dice.derived(state.keys.get(actor, 0), "rollout", state.turn, r), horizon)
                       for r in range(rollouts)])
    # The quick bot's plan comes first; the look-ahead overrules it only when it is clearly better:
    # better on average by the margin, and by more than z standard errors of the paired differences.
    best, best_gain = 0, 0.0
    for i in range(1, len(sets)):
        diffs = [a - b for a, b in zip(values[i], values[0], strict=True)]
        mean = sum(diffs) / len(diffs)
        sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / max(1, len(diffs) - 1))
        if mean >= margin and mean > z * sd / math.sqrt(len(diffs)) and mean > best_gain:
            best, best_gain = i, mean
    chosen = sets[best]
    if best == 0:
        how = f"the look-ahead ({len(sets)} plans, {rollouts}×{horizon} turns) found nothing clearly better"
    else:
        how = (f"the look-ahead prefers it to the first instinct by {best_gain:+.3f} "
               f"({len(sets)} plans, {rollouts}×{horizon} turns)")
    return [c.order.model_copy(update={"rationale": _explain(rules, c, how)}) for c in chosen]


def bot_orders(level: str, rules: Rules, state: GameState, actor: str) -> list[Order]:
    if level == "simple":
        return [o.model_copy(update={"rationale": "built-in policy: weighted toward the objectives"})
                for o in simple_orders(rules, rules.fog.believed_state(state, actor), actor)]
    if level == "quick":
        return quick_orders(rules, state, actor)
    if level == "strong":
        return strong_orders(rules, state, actor)
    raise ValueError(f"unknown bot level {level!r}; choose one of {', '.join(LEVELS)}")


def controller(level: str) -> Callable[[Any, str], list[Order]]:
    """A controller for Game.play_turn: (game, side) -> orders."""
    if level not in LEVELS:
        raise ValueError(f"unknown bot level {level!r}; choose one of {', '.join(LEVELS)}")
    return lambda game, side: bot_orders(level, game.rules, game.state, side)
