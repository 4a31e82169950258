"""The rules of one scenario, compiled: what is legal, and how a turn is adjudicated.

Adjudication order (documented in the README, fixed for determinism):
1. all committed orders are revealed and sorted by card family
   (`resolution_order`, default budget → agreement → escalation), then by the
   actor's place in the scenario, then by the order's place in its list;
2. each order is checked again against the state as it now stands (an earlier
   order may have changed it) and fizzles with a reason if no longer legal;
   otherwise its cost is paid, its dice rolled (d100 ≤ chance) when its chance
   is below 100%, and its effects (or failure effects) applied;
3. injects: events due this turn, or whose conditions now hold, fire in
   scenario order (rolling their chance, if any);
4. assessment: agreements in force apply their per-turn effects, the
   scenario's per-turn upkeep runs, idle proposals lapse, the escalation score
   decays if nothing escalated, objectives judged "ever" are recorded, and the
   end conditions are checked.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.core import dice
from engine.core.errors import IllegalOrder, PhaseError
from engine.core.lifecycles import (
    AGREEMENT,
    AGREEMENT_PENDING,
    ladder_lifecycle,
    next_phase,
)
from engine.core.state import (
    AgreementState,
    ControlRecord,
    EventRecord,
    FreeResolution,
    GameState,
    Order,
    Resolution,
    Ruling,
    TurnRecord,
    relation_key,
)
from engine.rules.figures import apply_adjustment
from engine.scenario import model as S
from engine.scenario.language import (
    Cond,
    Ctx,
    Eff,
    Record,
    Tables,
    compile_condition,
    compile_effect,
    describe,
    fire_depth_exceeded,
    move_ladder,
    own_agreement,
    round6,
    seq_sum,
)
from engine.scenario.visibility import Fog, Needs, Read, satisfied


@dataclass
class CompiledEffects:
    apply: list[Eff]
    checks: list[Callable[[Ctx], str | None]]

    def blocked(self, c: Ctx) -> str | None:
        for chk in self.checks:
            why = chk(c)
            if why:
                return why
        return None

    def run(self, c: Ctx, rec: list[Record]) -> None:
        for fn in self.apply:
            fn(c, rec)


@dataclass
class CompiledCard:
    card: S.Card
    conditions: list[tuple[Cond, str]]
    target_where: list[tuple[Cond, str]]
    effects: CompiledEffects
    on_failure: CompiledEffects
    chance_mods: list[tuple[Cond, float]]
    base_chance: float
    playable_by: frozenset[str] = field(default_factory=frozenset)
    #: what each condition, target test and chance modifier reads that may be private (engine/scenario/visibility.py)
    condition_reads: list[list[Read]] = field(default_factory=list)
    where_reads: list[list[Read]] = field(default_factory=list)
    mod_reads: list[list[Read]] = field(default_factory=list)


class Reason(str):
    """A sentence saying why an order cannot be given, with who may read it (`needs`, engine/scenario/visibility.py).

    A plain string everywhere a reason is shown to the side that gave the
    order; a view replaces it for observers who may not know what it quotes.
    """

    needs: Needs

    def __new__(cls, text: str, needs: Needs | None = None) -> Reason:
        r = super().__new__(cls, text)
        r.needs = needs or []
        return r


@dataclass
class CompiledEvent:
    event: S.Event
    when: list[Cond]
    effects: CompiledEffects


@dataclass
class CardStatus:
    """What a side sees for one card in planning: legal aims, or why it cannot be played."""

    card: S.Card
    orders: list[Order]
    reason: str | None
    #: each order's chance in percent as its side may know it: (lowest, highest), equal when known exactly
    chances: list[tuple[int, int]] = field(default_factory=list)


def scenario_digest(sc: S.Scenario) -> str:
    return hashlib.sha256(sc.model_dump_json(by_alias=True).encode()).hexdigest()[:16]


def legacy_scenario_digest(sc: S.Scenario) -> str:
    """The digest saves of format 2 and older recorded: before shared figures could name who sees them."""
    dump = sc.model_dump_json(by_alias=True, exclude={"globals": {"__all__": {"seen_by"}}})
    return hashlib.sha256(dump.encode()).hexdigest()[:16]


class Rules:
    def __init__(self, scenario: S.Scenario):
        self.sc = scenario
        self.ladder = ladder_lifecycle([r.id for r in scenario.ladder.rungs])
        self.t = Tables(scenario, self.ladder)
        self.t.fire_event = self._fire_by_effect
        self.fog = Fog(scenario)
        self.digest = scenario_digest(scenario)
        self.actor_order = {a.id: i for i, a in enumerate(scenario.actors)}
        self.family_order = {f: i for i, f in enumerate(scenario.resolution_order)}
        self.cards = {c.id: self._compile_card(c) for c in scenario.cards}
        self.events = {e.id: CompiledEvent(e, [compile_condition(self.t, w) for w in e.when],
                                           self._effects(e.effects)) for e in scenario.events}
        self.objectives = [(o, [compile_condition(self.t, c) for c in o.conditions]) for o in scenario.objectives]
        self.end_checks = [(e, [compile_condition(self.t, c) for c in e.when]) for e in scenario.end]
        self.upkeep = [([r for r in u.for_], self._effects(u.effects)) for u in scenario.each_turn]
        self.agreement_upkeep = {t.id: self._effects(t.each_turn) for t in scenario.agreement_types}
        self.lapse_after = {t.id: t.lapse_after for t in scenario.agreement_types}
        self._static_play = self._static_playability()
        self._playable_split = {
            a: ([cid for cid in self.cards if self._static_play.get((a, cid))],
                [cid for cid in self.cards if (a, cid) not in self._static_play])
            for a in self.t.all_actors
        }

    # ------------------------------------------------------------- compiling
    def _effects(self, effects: list[Any]) -> CompiledEffects:
        compiled = [compile_effect(self.t, e) for e in effects]
        return CompiledEffects([a for a, _ in compiled], [p for _, p in compiled if p is not None])

    def _conds(self, conds: list[Any]) -> list[tuple[Cond, str]]:
        return [(compile_condition(self.t, c), describe(self.t, c)) for c in conds]

    def _compile_card(self, card: S.Card) -> CompiledCard:
        chance = card.chance if isinstance(card.chance, S.Chance) else S.Chance(base=card.chance)
        where = card.target.where if card.target else []
        return CompiledCard(
            card=card,
            conditions=self._conds(card.conditions),
            target_where=self._conds(where),
            effects=self._effects(card.effects),
            on_failure=self._effects(card.on_failure),
            chance_mods=[(_all_of([compile_condition(self.t, w) for w in m.when]), m.add) for m in chance.modifiers],
            base_chance=chance.base,
            condition_reads=[self.fog.reads(c) for c in card.conditions],
            where_reads=[self.fog.reads(c) for c in where],
            mod_reads=[[r for w in m.when for r in self.fog.reads(w)] for m in chance.modifiers],
        )

    # ------------------------------------------------------------- new game
    def new_game(self, seed: int) -> GameState:
        state = self.initial_state(seed)
        self._deliver_before_orders(state)
        return state

    def initial_state(self, seed: int) -> GameState:
        """The state at the start of planning of turn 1, before the injects due then are delivered."""
        sc = self.sc
        vars_ = {a.id: {k: float(a.variables.get(k, d.default)) for k, d in sc.variables.items()} for a in sc.actors}
        globals_ = {k: float(g.initial if g.initial is not None else g.default) for k, g in sc.globals.items()}
        relations: dict[str, dict[str, float]] = {}
        for r in sc.relations:
            relations.setdefault(relation_key(*r.between), {}).update({k: float(v) for k, v in r.values.items()})
        rung = self.t.rung_for(sc.ladder.initial_score)
        state = GameState(
            scenario_id=sc.meta.id,
            scenario_digest=self.digest,
            seed=seed,
            rng=dice.seed_state(seed),
            vars=vars_,
            globals=globals_,
            relations=relations,
            keys={a: dice.side_key(seed, a) for a in sc.playable_ids},
            members={al.id: list(al.members) for al in sc.alliances},
            commitments={al.id: {m: al.commitments.get(m, "committed") for m in al.members} for al in sc.alliances},
            escalation=sc.ladder.initial_score,
            rung=rung,
            peak_rung=rung,
            agreements={a.id: AgreementState(id=a.id, type=a.type, name=a.name, parties=list(a.parties),
                                             state=a.state, since_turn=0, history=[(0, a.state)])
                         for a in sc.agreements},
        )
        state.phase = next_phase("brief", state.phase)
        state.phase = next_phase("open_planning", state.phase)
        return state

    # ------------------------------------------------------------- legality
    def may_play(self, actor: str, card: S.Card, state: GameState) -> bool:
        """`playable_by` / `not_playable_by`; only `@alliance` entries depend on the state."""
        static = self._static_play.get((actor, card.id))
        if static is not None:
            return static

        def hits(refs: list[str]) -> bool:
            for r in refs:
                if r == "*" or r == actor or (r.startswith("@") and actor in state.members.get(r[1:], ())):
                    return True
            return False
        return hits(card.playable_by) and not hits(card.not_playable_by)

    def _static_playability(self) -> dict[tuple[str, str], bool]:
        table: dict[tuple[str, str], bool] = {}
        for card in self.sc.cards:
            refs = card.playable_by + card.not_playable_by
            if any(r.startswith("@") for r in refs):
                continue
            for actor in self.t.all_actors:
                allowed = "*" in card.playable_by or actor in card.playable_by
                barred = "*" in card.not_playable_by or actor in card.not_playable_by
                table[(actor, card.id)] = allowed and not barred
        return table

    def orders_allowed(self, actor: str) -> int:
        a = self.sc.actor(actor)
        return a.orders_per_turn if a.orders_per_turn is not None else self.sc.meta.orders_per_turn

    def _card_blocker(self, state: GameState, actor: str, cc: CompiledCard) -> str | None:
        """Why this actor cannot play this card at all this turn (target aside), or None."""
        card = cc.card
        if not self.may_play(actor, card, state):
            return f"{self.t.names[actor]} may not play {card.name}"
        key = f"{actor}:{card.id}"
        tries = state.attempts.get(key)
        if tries:
            if card.max_plays is not None and len(tries) >= card.max_plays:
                return f"already played {len(tries)} time(s); the limit is {card.max_plays}"
            if card.cooldown and state.turn - tries[-1] <= card.cooldown:
                return f"played on turn {tries[-1]}; wait {card.cooldown} turn(s) between plays"
        row = state.vars[actor]
        for var, amount in card.cost.items():
            if row[var] < amount:
                return Reason(f"costs {amount:g} {self.sc.variables[var].label}; you have {row[var]:g}",
                              [[actor]] if var in self.fog.private_vars else [])
        return None

    def _order_blocker(self, state: GameState, cc: CompiledCard, ctx: Ctx) -> str | None:
        for (cond, text), reads in zip(cc.conditions, cc.condition_reads, strict=True):
            if not cond(ctx):
                return Reason(f"requires {text}", self.fog.needs(self.t, reads, ctx) if reads else [])
        return cc.effects.blocked(ctx)

    def _target_candidates(self, state: GameState, actor: str, cc: CompiledCard) -> list[str]:
        tgt = cc.card.target
        assert tgt is not None
        if tgt.kind == "agreement":
            return list(state.agreements)
        pool: list[str]
        if tgt.among:
            c = Ctx(state, actor)
            pool = []
            for ref in tgt.among:
                for a in self.t.actors(ref)(c):
                    if a not in pool:
                        pool.append(a)
        else:
            pool = list(self.t.all_actors)
        kinds = set(tgt.kinds) if tgt.kinds else None
        return [a for a in pool if (tgt.allow_self or a != actor) and (kinds is None or self.t.kind[a] in kinds)]

    def _target_ok(self, cc: CompiledCard, ctx: Ctx) -> str | None:
        for (cond, text), reads in zip(cc.target_where, cc.where_reads, strict=True):
            if not cond(ctx):
                return Reason(f"the target must meet: {text}", self.fog.needs(self.t, reads, ctx) if reads else [])
        return None

    def _ctx_for(self, state: GameState, order: Order) -> Ctx:
        parties: tuple[str, ...] = ()
        if order.agreement is not None and order.agreement in state.agreements:
            parties = tuple(state.agreements[order.agreement].parties)
        return Ctx(state, order.actor, tuple(order.targets), order.agreement, parties)

    def check_order(self, state: GameState, order: Order) -> str | None:
        """Why `order` is not legal now (a sentence for the player), or None if it is."""
        cc = self.cards.get(order.card)
        if cc is None:
            return f"there is no card {order.card!r}"
        if order.actor not in self.t.names:
            return f"there is no actor {order.actor!r}"
        why = self._card_blocker(state, order.actor, cc)
        if why:
            return why
        tgt = cc.card.target
        if tgt is None:
            if order.targets or order.agreement:
                return f"{cc.card.name} takes no target"
        elif tgt.kind == "agreement":
            if order.targets or not order.agreement:
                return f"{cc.card.name} is aimed at an agreement"
            if order.agreement not in state.agreements:
                return f"there is no agreement {order.agreement!r}"
            why = self._target_ok(cc, self._ctx_for(state, order))
            if why:
                return why
        else:
            if order.agreement or len(order.targets) != tgt.count:
                return f"{cc.card.name} takes {tgt.count} target actor(s)"
            if len(set(order.targets)) != len(order.targets):
                return "the same target is named twice"
            allowed = self._target_candidates(state, order.actor, cc)
            for tid in order.targets:
                if tid not in allowed:
                    return f"{self.t.names.get(tid, tid)} cannot be targeted by {cc.card.name}"
                why = self._target_ok(cc, Ctx(state, order.actor, (tid,)))
                if why:
                    return why
        return self._order_blocker(state, cc, self._ctx_for(state, order))

    def card_statuses(self, state: GameState, actor: str) -> list[CardStatus]:
        """Every card this actor may ever play, with its legal orders now or the reason there are none."""
        out = []
        for cc in self.cards.values():
            if not self.may_play(actor, cc.card, state):
                continue
            why = self._card_blocker(state, actor, cc)
            orders: list[Order] = []
            if why is None:
                orders, why = self._orders_for_card(state, actor, cc)
            chances = [self.chance_as_seen(cc, self._ctx_for(state, o), frozenset((actor,))) for o in orders]
            out.append(CardStatus(cc.card, orders, None if orders else why, chances))
        return out

    def _orders_for_card(self, state: GameState, actor: str, cc: CompiledCard) -> tuple[list[Order], str | None]:
        tgt = cc.card.target
        cid = cc.card.id
        if tgt is None:
            why = self._order_blocker(state, cc, Ctx(state, actor))
            return ([_order(actor, cid)] if why is None else []), why
        last_reason = "no valid target"
        cands = self._target_candidates(state, actor, cc)
        if tgt.kind == "agreement":
            found = []
            for aid in cands:
                order = _order(actor, cid, agreement=aid)
                ctx = self._ctx_for(state, order)
                why = self._target_ok(cc, ctx) or self._order_blocker(state, cc, ctx)
                if why is None:
                    found.append(order)
                else:
                    last_reason = why
            return found, (None if found else last_reason)
        single_ok = []
        for a in cands:
            why = self._target_ok(cc, Ctx(state, actor, (a,)))
            if why is None:
                single_ok.append(a)
            else:
                last_reason = why
        found = []
        for combo in itertools.combinations(single_ok, tgt.count):
            ctx = Ctx(state, actor, combo)
            why = self._order_blocker(state, cc, ctx)
            if why is None:
                found.append(_order(actor, cid, targets=combo))
            else:
                last_reason = why
        return found, (None if found else last_reason)

    def orders_for_card(self, state: GameState, actor: str, card_id: str) -> list[Order]:
        """The legal orders of one card for this actor now (empty if it cannot be played)."""
        cc = self.cards[card_id]
        if state.phase != "planning" or state.ended or self._card_blocker(state, actor, cc) is not None:
            return []
        return self._orders_for_card(state, actor, cc)[0]

    def sample_order(self, state: GameState, actor: str, card_id: str, stream: dice.Stream) -> Order | None:
        """A uniformly random legal order of one card (the first legal aim of a random permutation), or None."""
        cc = self.cards[card_id]
        if state.phase != "planning" or state.ended or self._card_blocker(state, actor, cc) is not None:
            return None
        tgt = cc.card.target
        if tgt is None:
            return _order(actor, card_id) if self._order_blocker(state, cc, Ctx(state, actor)) is None else None
        cands = self._target_candidates(state, actor, cc)
        if tgt.kind == "agreement":
            _shuffle(cands, stream)
            for aid in cands:
                ag = state.agreements[aid]
                ctx = Ctx(state, actor, (), aid, tuple(ag.parties))
                if self._target_ok(cc, ctx) is None and self._order_blocker(state, cc, ctx) is None:
                    return _order(actor, card_id, agreement=aid)
            return None
        ok = [a for a in cands if self._target_ok(cc, Ctx(state, actor, (a,))) is None]
        combos = list(itertools.combinations(ok, tgt.count)) if tgt.count > 1 else [(a,) for a in ok]
        _shuffle(combos, stream)
        for combo in combos:
            if self._order_blocker(state, cc, Ctx(state, actor, combo)) is None:
                return _order(actor, card_id, targets=combo)
        return None

    def playable_cards(self, state: GameState, actor: str) -> list[str]:
        """Cards this actor may play under `playable_by` (conditions aside), in scenario order."""
        fixed, dynamic = self._playable_split[actor]
        if not dynamic:
            return list(fixed)
        allowed = set(fixed)
        allowed.update(cid for cid in dynamic if self.may_play(actor, self.cards[cid].card, state))
        return [cid for cid in self.cards if cid in allowed]

    def legal_orders(self, state: GameState, actor: str) -> list[Order]:
        """Every single order this actor could give now (a turn's orders are up to `orders_allowed` of them)."""
        if state.phase != "planning" or state.ended:
            return []
        out: list[Order] = []
        for cc in self.cards.values():
            if self._card_blocker(state, actor, cc) is None:
                out.extend(self._orders_for_card(state, actor, cc)[0])
        return out

    def check_orders(self, state: GameState, actor: str, orders: list[Order]) -> str | None:
        """Why this set of orders cannot be committed together, or None."""
        if state.phase != "planning":
            return f"orders are given in the planning phase; the game is in {state.phase}"
        if actor not in self.t.names or not self.sc.actor(actor).playable:
            return f"{actor!r} is not a playable side"
        limit = self.orders_allowed(actor)
        if len(orders) > limit:
            return f"{self.t.names[actor]} may give at most {limit} order(s) a turn"
        cards = [o.card for o in orders]
        if len(set(cards)) != len(cards):
            return "the same card is played twice in one turn"
        spend: dict[str, float] = {}
        for o in orders:
            if o.actor != actor:
                return f"an order for {o.actor} cannot be given by {actor}"
            why = self.check_order(state, o)
            if why:
                return f"{self.sc.card(o.card).name if o.card in self.cards else o.card}: {why}"
            for var, amt in self.sc.card(o.card).cost.items():
                spend[var] = spend.get(var, 0.0) + amt
        for var, total in spend.items():
            if state.vars[actor][var] < total - 1e-9:
                return f"together these orders cost {total:g} {self.sc.variables[var].label}; you have {state.vars[actor][var]:g}"
        return None

    def preview(self, state: GameState, order: Order, success: bool = True) -> GameState | None:
        """The state right after this one order resolves as success or failure (no dice, no other orders).

        For bots weighing their options; None if the order could not apply.
        """
        cc = self.cards[order.card]
        s = _effects_copy(state)
        ctx = self._ctx_for(s, order)
        row = s.vars[order.actor]
        for var, amount in cc.card.cost.items():
            row[var] = round6(row[var] - amount)
        branch = cc.effects if success else cc.on_failure
        if branch.blocked(ctx):
            return None
        branch.run(ctx, [])
        return s

    def chance_percent(self, cc: CompiledCard, ctx: Ctx) -> int:
        p = cc.base_chance + seq_sum(add for cond, add in cc.chance_mods if cond(ctx))
        return _percent(p)

    def chance_needs(self, cc: CompiledCard, ctx: Ctx) -> tuple[Needs, tuple[int, int] | None]:
        """Who may know an order's chance exactly, and the range the others are shown.

        A modifier that reads nothing private counts as everyone can see it;
        one that reads a hidden figure may or may not apply, so the range
        runs from all such penalties applying to all such bonuses applying.
        """
        needs: Needs = []
        known: list[float] = []
        low = high = 0.0
        for (cond, add), reads in zip(cc.chance_mods, cc.mod_reads, strict=True):
            group = self.fog.needs(self.t, reads, ctx) if reads else []
            if group:
                needs.extend(g for g in group if g not in needs)
                low, high = low + min(add, 0.0), high + max(add, 0.0)
            elif cond(ctx):
                known.append(add)
        if not needs:
            return [], None
        base = cc.base_chance + seq_sum(known)
        return needs, (_percent(base + low), _percent(base + high))

    def chance_as_seen(self, cc: CompiledCard, ctx: Ctx, mine: frozenset[str] | None) -> tuple[int, int]:
        """The order's chance as an observer playing `mine` may know it: (lowest, highest) percent."""
        needs, span = self.chance_needs(cc, ctx)
        if span is None or satisfied(needs, mine):
            exact = self.chance_percent(cc, ctx)
            return exact, exact
        return span

    # ------------------------------------------------------------- orders
    def submit(self, state: GameState, actor: str, orders: list[Order]) -> None:
        """Commit an actor's orders for this turn (replacing any earlier ones); refuse with a reason."""
        if state.phase == "paused":
            raise PhaseError(f"the exercise is paused ({state.pause_note}); orders wait until control resumes it")
        why = self.check_orders(state, actor, orders)
        if why:
            raise IllegalOrder(why)
        state.pending[actor] = list(orders)
        if actor not in state.committed:
            state.committed.append(actor)

    def withdraw_orders(self, state: GameState, actor: str) -> None:
        """Take back an actor's committed orders before adjudication (undo)."""
        if state.phase != "planning":
            raise PhaseError(f"orders can only be taken back in planning; the game is in {state.phase}")
        state.pending.pop(actor, None)
        if actor in state.committed:
            state.committed.remove(actor)

    def waiting_for(self, state: GameState) -> list[str]:
        return [a for a in self.sc.playable_ids if a not in state.committed]

    # ------------------------------------------------------------- adjudication
    def adjudicate(self, state: GameState, overrides: Mapping[int, str | Ruling] | None = None) -> GameState:
        """Resolve the turn; return the next state (the given one is not changed).

        `overrides` maps an order's position in resolution order to a forced
        outcome: a Ruling (who decided and why), or just "success"/"failure".
        """
        if state.ended:
            raise PhaseError("the game is over")
        if state.phase != "planning":
            raise PhaseError(f"the turn can only be adjudicated from planning; the game is in {state.phase}")
        missing = self.waiting_for(state)
        if missing:
            raise PhaseError("waiting for orders from " + ", ".join(self.t.names[a] for a in missing))
        s = working_copy(state)
        s.phase = next_phase("adjudicate", s.phase)
        record = TurnRecord.model_construct(
            turn=s.turn, date=self.sc.turn_date(s.turn).isoformat(), rung_before=s.rung, rung_after=s.rung,
            escalation_before=s.escalation, escalation_after=s.escalation, resolutions=[], events=[],
            upkeep=[], notes=[],
        )
        record.briefing = s.inbox
        s.inbox = []
        orders = self.resolution_sequence(s)
        escalated = False
        for i, order in enumerate(orders):
            forced = (overrides or {}).get(i)
            ruling = Ruling(outcome=forced, by="override") if isinstance(forced, str) else forced
            res = self._resolve(s, order, ruling)
            record.resolutions.append(res)
            escalated = escalated or any(e["kind"] == "escalate" and e["to"] > e["from"] for e in res.effects)
        for actor in self.sc.playable_ids:
            for action in s.free_pending.get(actor, []):
                record.free.append(self._resolve_free(s, action))
        s.free_pending = {}
        s.pending = {}
        s.committed = []
        s.phase = next_phase("deliver_injects", s.phase)
        self._events(s, record)
        escalated = escalated or any(e["kind"] == "escalate" and e["to"] > e["from"]
                                     for ev in record.events for e in ev.effects)
        s.phase = next_phase("assess", s.phase)
        self._assess(s, record, escalated)
        record.rung_after, record.escalation_after = s.rung, s.escalation
        s.log.append(record)
        return s

    def resolution_sequence(self, state: GameState) -> list[Order]:
        keyed = []
        for actor, orders in state.pending.items():
            for j, o in enumerate(orders):
                fam = self.family_order.get(self.sc.card(o.card).family, 99)
                keyed.append(((fam, self.actor_order[actor], j), o))
        keyed.sort(key=lambda kv: kv[0])
        return [o for _, o in keyed]

    def _resolve_free(self, s: GameState, action: Any) -> FreeResolution:
        """A matrix argument: the facilitator's chance against the game's dice; on success its adjustments."""
        if action.chance is None:
            return FreeResolution.model_construct(action=action, outcome="fizzled", roll=None, effects=[
                {"kind": "note", "text": "no chance was set by the facilitator"}], decided_by="facilitator")
        roll = None
        if 0 < action.chance < 100:
            s.rng, roll = dice.d100(s.rng)
            success = roll <= action.chance
        else:
            success = action.chance >= 100
        effects: list[Record] = []
        if success:
            for ref, delta in action.on_success.items():
                effects.append(apply_adjustment(self.t, self.sc.ladder, s, ref, delta=delta))
        return FreeResolution.model_construct(action=action, outcome="success" if success else "failure", roll=roll,
                                              effects=effects, decided_by="dice" if roll is not None else "facilitator")

    def _resolve(self, s: GameState, order: Order, forced: Ruling | None) -> Resolution:
        cc = self.cards[order.card]
        why = self.check_order(s, order)
        if why:
            return Resolution.model_construct(order=order, outcome="fizzled", chance=None, roll=None, reason=str(why),
                                              reason_needs=getattr(why, "needs", []), chance_needs=[],
                                              chance_range=None, effects=[], decided_by="rules")
        ctx = self._ctx_for(s, order)
        effects: list[Record] = []
        row = s.vars[order.actor]
        for var, amount in cc.card.cost.items():
            before = row[var]
            row[var] = round6(before - amount)
            effects.append({"kind": "cost", "actor": order.actor, "var": var, "from": before, "to": row[var]})
        key = f"{order.actor}:{order.card}"
        s.attempts.setdefault(key, []).append(s.turn)
        chance = self.chance_percent(cc, ctx)
        chance_needs, chance_range = self.chance_needs(cc, ctx)
        roll = None
        if chance < 100:
            s.rng, roll = dice.d100(s.rng)
            success = roll <= chance
        else:
            success = True
        decided_by, because = "rules", ""
        if forced is not None and forced.outcome in ("success", "failure"):
            success = forced.outcome == "success"
            decided_by, because = forced.by, forced.reason
        branch = cc.effects if success else cc.on_failure
        blocked = branch.blocked(ctx)
        if blocked:
            return Resolution.model_construct(order=order, outcome="fizzled", chance=chance if roll else None,
                                              roll=roll, reason=str(blocked), reason_needs=getattr(blocked, "needs", []),
                                              chance_needs=chance_needs, chance_range=chance_range, effects=effects,
                                              decided_by=decided_by, decided_because=because)
        branch.run(ctx, effects)
        if success:
            s.successes.setdefault(key, []).append(s.turn)
        return Resolution.model_construct(order=order, outcome="success" if success else "failure",
                                          chance=chance if roll is not None else None, roll=roll, reason="",
                                          reason_needs=[], chance_needs=chance_needs, chance_range=chance_range,
                                          effects=effects, decided_by=decided_by, decided_because=because)

    # ------------------------------------------------------------- events
    def _fire(self, s: GameState, ce: CompiledEvent, rec_list: list[EventRecord], roll: int | None,
              chance: int | None, source: str = "", depth: int = 1) -> None:
        """Fire an event; `depth` is its place in a chain of events firing events (1: the first)."""
        ev = ce.event
        effects: list[Record] = []
        s.fired.setdefault(ev.id, []).append(s.turn)
        ctx = Ctx(s, depth=depth)
        blocked = ce.effects.blocked(ctx)
        if blocked:
            # A scripted step that the state no longer allows is skipped whole, never half applied.
            effects.append({"kind": "note", "text": f"no effect: {blocked}"})
        else:
            ce.effects.run(ctx, effects)
        rec_list.append(EventRecord.model_construct(event=ev.id, name=ev.name, text=ev.text, to=ev.to, roll=roll,
                                                    chance=chance, effects=effects, turn=s.turn, source=source or ev.by))

    def _deliver_before_orders(self, s: GameState) -> None:
        """Injects due at the start of this turn reach the teams before anyone gives orders."""
        notes: list[str] = []
        self._due_events(s, "before_orders", s.inbox, notes)
        # An inject that its dice kept away is the control cell's business, not the teams'.
        s.control.extend(ControlRecord(turn=s.turn, by="dice", action="inject_skipped", detail=n) for n in notes)

    def fire_now(self, s: GameState, event_id: str, source: str = "facilitator") -> EventRecord:
        """Deliver an event or inject at once, during planning (the control cell's "fire this inject now")."""
        if s.phase not in ("planning", "paused"):
            raise PhaseError(f"injects are fired by hand during planning; the game is in {s.phase}")
        if event_id not in self.events:
            raise IllegalOrder(f"no event or inject {event_id!r} in this scenario")
        ce = self.events[event_id]
        if event_id in s.fired and not ce.event.repeatable:
            raise IllegalOrder(f"{ce.event.name} has already been delivered and is not repeatable")
        self._fire(s, ce, s.inbox, None, None, source)
        return s.inbox[-1]

    def _events(self, s: GameState, record: TurnRecord) -> None:
        self._due_events(s, "after_orders", record.events, record.notes)

    def _due_events(self, s: GameState, when: str, out: list[EventRecord], notes: list[str]) -> None:
        ctx = Ctx(s)
        for ce in self.events.values():
            ev = ce.event
            if ev.delivered != when:
                continue
            if ev.id in s.fired and not ev.repeatable:
                continue
            if ev.at_turn is not None and ev.at_turn != s.turn:
                continue
            if not all(w(ctx) for w in ce.when):
                continue
            roll = chance = None
            if ev.chance < 1:
                chance = round(ev.chance * 100)
                s.rng, roll = dice.d100(s.rng)
                if roll > chance:
                    note = f"{ev.name}: did not happen (rolled {roll} against {chance}%)"
                    if ev.to is None:
                        notes.append(note)
                    else:  # that a private inject might have come is its recipients' secret, and control's
                        s.control.append(ControlRecord(turn=s.turn, by="dice", action="inject_skipped", detail=note))
                    continue
            self._fire(s, ce, out, roll, chance)

    def _fire_by_effect(self, c: Ctx, event_id: str, rec: list[Record]) -> None:
        """An effect that fires an event: recorded where the triggering effect is."""
        ce = self.events[event_id]
        if event_id in c.state.fired and not ce.event.repeatable:
            return
        if fire_depth_exceeded(c.depth):  # never for a loaded scenario: the loader refuses loops (engine/scenario/xref.py)
            note: Record = {"kind": "note", "text": f"no effect: {ce.event.name} was not fired, since events firing "
                                                   f"events {c.depth} deep is the limit"}
            rec.append(note if ce.event.to is None else {**note, "private_to": ce.event.to})
            return
        nested: list[EventRecord] = []
        self._fire(c.state, ce, nested, None, None, depth=c.depth + 1)
        for er in nested:
            rec.append({"kind": "event", "event": er.event, "name": er.name, "text": er.text, "to": er.to})
            if er.to is None:
                rec.extend(er.effects)
            else:  # what a private inject did is its recipients' to know, wherever it is recorded
                rec.extend({**e, "private_to": er.to} for e in er.effects)

    # ------------------------------------------------------------- assessment
    def _assess(self, s: GameState, record: TurnRecord, escalated: bool) -> None:
        for aid in list(s.agreements):  # by id: an upkeep effect may replace an agreement (copy on write)
            ag = s.agreements[aid]
            if ag.state in ("in_force", "invoked"):
                up = self.agreement_upkeep.get(ag.type)
                if up and up.apply:
                    ctx = Ctx(s, "", (), ag.id, tuple(ag.parties))
                    if up.blocked(ctx) is None:
                        up.run(ctx, record.upkeep)
            elif ag.state in AGREEMENT_PENDING:
                limit = self.lapse_after.get(ag.type)
                if limit is not None and s.turn - ag.since_turn >= limit:
                    ag = own_agreement(s, ag.id)
                    before = ag.state
                    ag.state = AGREEMENT.fire("lapse", before, ag.name)
                    ag.since_turn = s.turn
                    ag.history.append((s.turn, ag.state))
                    record.upkeep.append({"kind": "agreement", "id": ag.id, "from": before, "to": ag.state})
        for refs, effects in self.upkeep:
            done: set[str] = set()
            for ref in refs:
                for actor in tuple(self.t.actors(ref)(Ctx(s))):  # the members as they stood: one may leave
                    if actor not in done:
                        done.add(actor)
                        ctx = Ctx(s, actor)
                        if effects.blocked(ctx) is None:
                            effects.run(ctx, record.upkeep)
        decay = self.sc.ladder.decay
        if decay and not escalated and s.escalation > self.sc.ladder.min_score:
            was = s.escalation
            s.escalation = max(self.sc.ladder.min_score, round6(was - decay))  # round, then bound (as clamp)
            record.upkeep.append({"kind": "escalate", "from": was, "to": s.escalation, "why": "decay"})
            move_ladder(self.t, s, record.upkeep)
        for obj, conds in self.objectives:
            if obj.judged == "ever" and obj.id not in s.ever_met and all(f(Ctx(s, obj.actor)) for f in conds):
                s.ever_met.append(obj.id)
        reason = self.end_reason(s)
        if reason:
            s.end_reason = reason
            s.phase = next_phase("finish", s.phase)
            s.ended = True
            s.results = self.judge(s)
        else:
            s.phase = next_phase("next_turn", s.phase)
            s.turn += 1
            self._deliver_before_orders(s)

    def end_reason(self, s: GameState) -> str:
        if self.sc.end_on_rung and self.t.rung_index[s.rung] >= self.t.rung_index[self.sc.end_on_rung]:
            rung = self.sc.ladder.rungs[self.t.rung_index[s.rung]]
            return f"the ladder reached '{rung.name}'"
        ctx = Ctx(s)
        for end, conds in self.end_checks:
            if all(f(ctx) for f in conds):
                return end.text
        if s.turn >= self.sc.meta.turns:
            return f"the last turn ({self.sc.meta.turns}) was played"
        return ""

    def judge(self, s: GameState) -> dict[str, list[str]]:
        """Which objectives each actor met."""
        out: dict[str, list[str]] = {a: [] for a in self.t.all_actors}
        for obj, conds in self.objectives:
            if obj.judged == "ever":
                met = obj.id in s.ever_met
            else:
                met = all(f(Ctx(s, obj.actor)) for f in conds)
            if met:
                out[obj.actor].append(obj.id)
        return out

    def scores(self, s: GameState) -> dict[str, int]:
        results = s.results if s.ended else self.judge(s)
        points = {o.id: o.points for o in self.sc.objectives}
        return {a: sum(points[o] for o in met) for a, met in results.items()}


def _percent(p: float) -> int:
    return max(0, min(100, round(p * 100)))


def _all_of(conds: list[Cond]) -> Cond:
    return lambda c: all(f(c) for f in conds)


def _shuffle(items: list[Any], stream: dice.Stream) -> None:
    """Fisher–Yates with the given stream (never the game's dice)."""
    for i in range(len(items) - 1, 0, -1):
        j = stream.randrange(i + 1)
        items[i], items[j] = items[j], items[i]


_ORDERS: dict[tuple[str, str, tuple[str, ...], str | None], Order] = {}


def _order(actor: str, card: str, targets: tuple[str, ...] = (), agreement: str | None = None) -> Order:
    """An order the engine built itself from known ids: no need to validate it again.

    Orders are frozen, so one object per distinct order is shared (legal-move
    generation builds the same few hundred orders again every decision).
    """
    key = (actor, card, targets, agreement)
    order = _ORDERS.get(key)
    if order is None:
        if len(_ORDERS) > 100_000:  # bounded: scenarios loaded one after another in a long process
            _ORDERS.clear()
        order = _ORDERS[key] = Order.model_construct(actor=actor, card=card, targets=targets, agreement=agreement,
                                                     rationale="")
    return order


def _rows(d: dict[str, Any]) -> dict[str, Any]:
    """A mapping of mutable rows (dicts or lists), one level deep."""
    return {k: v.copy() for k, v in d.items()}


#: how each mutable part of a state is copied; what is not listed is shared (immutable, or never changed in place)
_COPY: dict[str, Callable[[Any], Any]] = {
    "vars": _rows, "globals": dict, "relations": _rows, "members": _rows, "commitments": _rows,
    "agreements": dict,  # the agreements themselves are copied on write (`own_agreement`)
    "fired": _rows, "pending": _rows, "committed": list, "attempts": _rows, "successes": _rows,
    "ever_met": list, "inbox": list, "free_pending": _rows, "control": list, "log": list, "results": _rows,
}
#: the parts effects can change: all a preview needs to copy
_EFFECT_PARTS = ("vars", "globals", "relations", "members", "commitments", "agreements", "fired")


def _effects_copy(state: GameState) -> GameState:
    """A copy in which effects may run: only what effects can change is copied (see `preview`).

    The order log, attempts and the rest are shared with `state`, so this copy
    must never be adjudicated or kept.
    """
    return state.model_copy(update={p: _COPY[p](getattr(state, p)) for p in _EFFECT_PARTS})


def working_copy(state: GameState) -> GameState:
    """A copy that adjudication may mutate; past turn records are shared, never changed.

    Agreements are shared too and copied on write (`own_agreement`): a bot's
    preview copies a state dozens of times a decision and rarely touches one.
    """
    return state.model_copy(update={p: copy(getattr(state, p)) for p, copy in _COPY.items()})


__all__ = ["CardStatus", "Reason", "Rules", "Ruling", "working_copy"]
