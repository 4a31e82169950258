"""Cross-reference checks a schema cannot express: every id a scenario names must exist,
and `self`/`target`/`parties` may only appear where they mean something.

Yields `(loc, message)` with `loc` a path into the scenario's YAML data, so the
loader can point at the line.
"""

from __future__ import annotations

import calendar
import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any, assert_never

from engine.scenario import model as S
from engine.scenario.visibility import Fog, Read

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Ctx:
    """Which relative actor references are meaningful where we are."""

    self_ok: bool = False
    target_ok: bool = False
    agreement_target: bool = False
    parties_ok: bool = False
    where: str = "here"


class _Checker:
    def __init__(self, sc: S.Scenario):
        self.sc = sc
        self.actors = {a.id for a in sc.actors}
        self.alliances = {a.id for a in sc.alliances}
        self.rungs = {r.id for r in sc.ladder.rungs}
        self.events = {e.id for e in sc.events}
        self.cards = {c.id for c in sc.cards}
        self.atypes = {t.id for t in sc.agreement_types}
        self.agreements = {a.id for a in sc.agreements}
        self.sources = {s.id for s in sc.meta.sources}
        self.fog = Fog(sc)
        self.out: list[tuple[Loc, str]] = []

    def err(self, loc: Loc, msg: str) -> None:
        self.out.append((loc, msg))

    # ---- references
    def actor_ref(self, ref: str, loc: Loc, ctx: Ctx) -> None:
        if ref == "*":
            return
        if ref == "self":
            if not ctx.self_ok:
                self.err(loc, f"`self` has no meaning in {ctx.where}")
        elif ref in ("target", "targets"):
            if not ctx.target_ok:
                self.err(loc, f"`{ref}` needs a card with an actor target (in {ctx.where})")
        elif ref == "parties":
            if not ctx.parties_ok:
                self.err(loc, "`parties` only has a meaning in an agreement type's each_turn effects or with an agreement target")
        elif ref.startswith("@"):
            if ref[1:] not in self.alliances:
                self.err(loc, f"unknown alliance {ref[1:]!r}")
        elif ref not in self.actors:
            self.err(loc, f"unknown actor {ref!r}")

    def var_ref(self, ref: str, loc: Loc, ctx: Ctx) -> None:
        who, name = ref.split(".", 1)
        if who == "global":
            if name not in self.sc.globals:
                self.err(loc, f"unknown global variable {name!r}")
            return
        self.actor_ref(who, loc, ctx)
        if name not in self.sc.variables:
            self.err(loc, f"unknown actor variable {name!r}")

    def known(self, value: str | None, pool: set[str], what: str, loc: Loc) -> None:
        if value is not None and value not in pool:
            self.err(loc, f"unknown {what} {value!r}")

    # ---- conditions and effects
    def condition(self, c: S.Condition, loc: Loc, ctx: Ctx) -> None:
        if isinstance(c, S.VarCondition):
            self.var_ref(c.var, (*loc, "var"), ctx)
        elif isinstance(c, S.RelationCondition):
            self.known(c.relation, set(self.sc.relation_variables), "relation variable", (*loc, "relation"))
            for i, r in enumerate(c.between):
                self.actor_ref(r, (*loc, "between", i), ctx)
        elif isinstance(c, S.RungCondition):
            self.known(c.rung_at_least, self.rungs, "rung", (*loc, "rung_at_least"))
            self.known(c.rung_at_most, self.rungs, "rung", (*loc, "rung_at_most"))
        elif isinstance(c, S.AgreementCondition):
            self.selector(c.agreement, (*loc, "agreement"), ctx)
        elif isinstance(c, S.CommitmentCondition):
            self.actor_ref(c.commitment, (*loc, "commitment"), ctx)
            self.known(c.alliance, self.alliances, "alliance", (*loc, "alliance"))
        elif isinstance(c, S.MemberCondition):
            self.actor_ref(c.member, (*loc, "member"), ctx)
            self.known(c.of, self.alliances, "alliance", (*loc, "of"))
        elif isinstance(c, S.PlayedCondition):
            self.known(c.played, self.cards, "card", (*loc, "played"))
            self.actor_ref(c.by, (*loc, "by"), ctx)
        elif isinstance(c, S.EventCondition):
            self.known(c.fired, self.events, "event", (*loc, "fired"))
        elif isinstance(c, S.IsActorCondition):
            self.actor_ref(c.actor, (*loc, "actor"), ctx)
            for i, r in enumerate(c.among or []):
                self.actor_ref(r, (*loc, "among", i), ctx)
        elif isinstance(c, S.AllCondition):
            self.conditions(c.all, (*loc, "all"), ctx)
        elif isinstance(c, S.AnyCondition):
            self.conditions(c.any, (*loc, "any"), ctx)
        elif isinstance(c, S.NotCondition):
            self.condition(c.not_, (*loc, "not"), ctx)
        elif isinstance(c, S.TurnCondition):
            pass  # names no id: its bounds are checked by the model
        else:
            assert_never(c)

    def conditions(self, cs: list[S.Condition], loc: Loc, ctx: Ctx) -> None:
        for i, c in enumerate(cs):
            self.condition(c, (*loc, i), ctx)

    def selector(self, sel: Any, loc: Loc, ctx: Ctx) -> None:
        self.known(sel.id, self.agreements, "agreement", (*loc, "id"))
        self.known(sel.type, self.atypes, "agreement type", (*loc, "type"))
        for i, r in enumerate(sel.parties or []):
            self.actor_ref(r, (*loc, "parties", i), ctx)
        if sel.target and not ctx.agreement_target:
            self.err((*loc, "target"), "`target: true` needs a card whose target kind is agreement")

    def amount(self, a: Any, loc: Loc, ctx: Ctx) -> None:
        if isinstance(a, S.Scaled):
            self.var_ref(a.var, (*loc, "var"), ctx)

    def effect(self, e: S.Effect, loc: Loc, ctx: Ctx) -> None:
        if isinstance(e, S.ChangeEffect):
            self.var_ref(e.change, (*loc, "change"), ctx)
            self.amount(e.by, (*loc, "by"), ctx)
        elif isinstance(e, S.SetEffect):
            self.var_ref(e.set, (*loc, "set"), ctx)
            self.amount(e.to, (*loc, "to"), ctx)
        elif isinstance(e, S.RelationEffect):
            self.known(e.relation, set(self.sc.relation_variables), "relation variable", (*loc, "relation"))
            for i, r in enumerate(e.between):
                self.actor_ref(r, (*loc, "between", i), ctx)
            self.amount(e.by, (*loc, "by"), ctx)
        elif isinstance(e, S.EscalateEffect):
            self.amount(e.escalate, (*loc, "escalate"), ctx)
        elif isinstance(e, S.AgreementEffect):
            self.selector(e, loc, ctx)
        elif isinstance(e, S.CommitmentEffect):
            self.actor_ref(e.actor, (*loc, "actor"), ctx)
            self.known(e.alliance, self.alliances, "alliance", (*loc, "alliance"))
        elif isinstance(e, S.MemberEffect):
            self.actor_ref(e.actor, (*loc, "actor"), ctx)
            self.known(e.join or e.leave, self.alliances, "alliance", (*loc, "join" if e.join else "leave"))
        elif isinstance(e, S.FireEffect):
            self.known(e.fire, self.events, "event", (*loc, "fire"))
        elif isinstance(e, S.NoteEffect):
            pass  # text only
        else:
            assert_never(e)

    def effects(self, es: list[S.Effect], loc: Loc, ctx: Ctx) -> None:
        for i, e in enumerate(es):
            self.effect(e, (*loc, i), ctx)

    # ---- the scenario
    def duplicates(self, items: list[Any], section: str) -> None:
        counts = Counter(x.id for x in items)
        seen: set[str] = set()
        for i, x in enumerate(items):
            if counts[x.id] > 1 and x.id in seen:
                self.err((section, i, "id"), f"duplicate id {x.id!r} in {section}")
            seen.add(x.id)

    def run(self) -> list[tuple[Loc, str]]:
        sc = self.sc
        for section in ("actors", "alliances", "agreement_types", "agreements", "cards", "events", "objectives", "end"):
            self.duplicates(getattr(sc, section), section)
        self.duplicates(sc.ladder.rungs, "ladder.rungs")
        for name in sc.globals:
            if name in sc.variables:
                self.err(("globals", name), f"{name!r} is both a global and an actor variable")
        for k, g in sc.globals.items():
            self.known(g.source, self.sources, "source", ("globals", k, "source"))
            for j, who in enumerate(g.seen_by):
                self.known(who, self.actors, "actor", ("globals", k, "seen_by", j))
            if g.seen_by and not g.private:
                self.err(("globals", k, "seen_by"), "seen_by only has a meaning for a private figure (private: true)")
            if g.initial is not None and not g.min <= g.initial <= g.max:
                self.err(("globals", k, "initial"), f"initial {g.initial} is outside {g.min}..{g.max}")
        for i, a in enumerate(sc.actors):
            for var, value in a.variables.items():
                d = sc.variables.get(var)
                if d is None:
                    self.err(("actors", i, "variables", var), f"unknown actor variable {var!r} (declare it under variables:)")
                elif not d.min <= value <= d.max:
                    self.err(("actors", i, "variables", var), f"{var} = {value} is outside {d.min}..{d.max}")
            for var, src in a.sources.items():
                if var not in sc.variables:
                    self.err(("actors", i, "sources", var), f"unknown actor variable {var!r}")
                self.known(src, self.sources, "source", ("actors", i, "sources", var))
        for i, r in enumerate(sc.relations):
            for j, who in enumerate(r.between):
                self.known(who, self.actors, "actor", ("relations", i, "between", j))
            if r.between[0] == r.between[1]:
                self.err(("relations", i, "between"), "a relation needs two different actors")
            for var, value in r.values.items():
                d = sc.relation_variables.get(var)
                if d is None:
                    self.err(("relations", i, "values", var), f"unknown relation variable {var!r}")
                elif not d.min <= value <= d.max:
                    self.err(("relations", i, "values", var), f"{var} = {value} is outside {d.min}..{d.max}")
        for i, al in enumerate(sc.alliances):
            if al.id in self.actors:
                self.err(("alliances", i, "id"), f"alliance id {al.id!r} is also an actor id")
            for j, m in enumerate(al.members):
                self.known(m, self.actors, "actor", ("alliances", i, "members", j))
            for m in al.commitments:
                if m not in al.members:
                    self.err(("alliances", i, "commitments", m), f"{m!r} is not a member of {al.id}")
            if al.credibility is not None and al.credibility not in sc.globals:
                self.err(("alliances", i, "credibility"), f"unknown global variable {al.credibility!r}")
        ag_ctx = Ctx(parties_ok=True, where="an agreement type")
        for i, t in enumerate(sc.agreement_types):
            if t.max_parties < t.min_parties:
                self.err(("agreement_types", i, "max_parties"), "max_parties is below min_parties")
            self.effects(t.each_turn, ("agreement_types", i, "each_turn"), ag_ctx)
        types = {t.id: t for t in sc.agreement_types}
        for i, seed in enumerate(sc.agreements):
            self.known(seed.type, self.atypes, "agreement type", ("agreements", i, "type"))
            self.known(seed.source, self.sources, "source", ("agreements", i, "source"))
            for j, p in enumerate(seed.parties):
                self.known(p, self.actors, "actor", ("agreements", i, "parties", j))
            of_type = types.get(seed.type)
            if of_type and not of_type.min_parties <= len(seed.parties) <= of_type.max_parties:
                self.err(("agreements", i, "parties"),
                         f"{of_type.id} takes {of_type.min_parties}..{of_type.max_parties} parties")
            if len(set(seed.parties)) != len(seed.parties):
                self.err(("agreements", i, "parties"), "a party is listed twice")
        for i, c in enumerate(sc.cards):
            self.card(c, ("cards", i))
        ev_ctx = Ctx(where="an event")
        for i, e in enumerate(sc.events):
            self.conditions(e.when, ("events", i, "when"), ev_ctx)
            self.effects(e.effects, ("events", i, "effects"), ev_ctx)
            for j, who in enumerate(e.to or []):
                self.known(who, self.actors, "actor", ("events", i, "to", j))
            if e.at_turn is not None and e.at_turn > sc.meta.turns:
                self.err(("events", i, "at_turn"), f"turn {e.at_turn} is after the last turn ({sc.meta.turns})")
        for i, o in enumerate(sc.objectives):
            self.known(o.actor, self.actors, "actor", ("objectives", i, "actor"))
            self.conditions(o.conditions, ("objectives", i, "conditions"), Ctx(self_ok=True, where="an objective"))
        for i, ending in enumerate(sc.end):
            self.conditions(ending.when, ("end", i, "when"), Ctx(where="an end condition"))
        for i, u in enumerate(sc.each_turn):
            for j, ref in enumerate(u.for_):
                self.actor_ref(ref, ("each_turn", i, "for", j), Ctx(where="each_turn.for"))
            self.effects(u.effects, ("each_turn", i, "effects"), Ctx(self_ok=True, where="each_turn"))
        self.known(sc.end_on_rung, self.rungs, "rung", ("end_on_rung",))
        seen_doctrines: set[str] = set()
        for i, doc in enumerate(sc.doctrines):
            loc = ("doctrines", i)
            self.known(doc.actor, self.actors, "actor", (*loc, "actor"))
            if doc.actor in seen_doctrines:
                self.err((*loc, "actor"), f"a second doctrine for {doc.actor!r}")
            seen_doctrines.add(doc.actor)
            ctx = Ctx(self_ok=True, where="a doctrine")
            for j, v in enumerate(doc.values):
                if v.var is not None:
                    self.var_ref(v.var, (*loc, "values", j, "var"), ctx)
                if v.relation is not None:
                    self.known(v.relation, set(sc.relation_variables), "relation variable", (*loc, "values", j, "relation"))
                    self.actor_ref(v.with_ or "", (*loc, "values", j, "with"), ctx)
            for j, line in enumerate(doc.red_lines):
                for n, card_id in enumerate(line.cards):
                    self.known(card_id, self.cards, "card", (*loc, "red_lines", j, "cards", n))
                self.known(line.max_rung, self.rungs, "rung", (*loc, "red_lines", j, "max_rung"))
                if line.keep is not None:
                    self.condition(line.keep, (*loc, "red_lines", j, "keep"), ctx)
        for i, var in enumerate(sc.meta.dashboard):
            self.known(var, set(sc.variables), "actor variable", ("meta", "dashboard", i))
        if sc.meta.spending_target is not None:
            self.known(sc.meta.spending_target.var, set(sc.variables), "actor variable",
                       ("meta", "spending_target", "var"))
            self.known(sc.meta.spending_target.members_of, self.alliances, "alliance",
                       ("meta", "spending_target", "members_of"))
        self.calendar()
        self.event_chains()
        return self.out

    def calendar(self) -> None:
        """The game's last turn must end by December 9999: Python's dates (and so every turn's date) stop there."""
        m = self.sc.meta
        end = m.start_date.year * 12 + m.start_date.month - 1 + m.turns * m.turn_months
        if end > 9999 * 12 + 11:
            y, mo = divmod(end, 12)
            self.err(("meta", "start_date"),
                     f"{m.turns} turns of {m.turn_months} month(s) from {calendar.month_name[m.start_date.month]} "
                     f"{m.start_date.year} would end on 1 {calendar.month_name[mo + 1]} {y}, but dates stop at the end of December "
                     "9999: start earlier or play fewer turns")

    def event_chains(self) -> None:
        """Events that fire events (`fire:`) must not loop, nor set off chains deeper or larger than the engine allows.

        A loop of repeatable events would fire for ever (it ended in a RecursionError); one through an event
        that is not repeatable does nothing the second time round, so it is a mistake too, and is refused the
        same way. Depth and size are counted as if every event were repeatable and every `fire:` fired: an
        upper bound whatever happens in play, so a scenario that loads never meets the engines' depth cap.
        """
        by_id = {e.id: (i, e) for i, e in reversed(list(enumerate(self.sc.events)))}  # the first of a duplicate
        fires: dict[str, list[tuple[str, Loc]]] = {}
        for ev_id, (i, ev) in by_id.items():
            fires[ev_id] = [(e.fire, ("events", i, "effects", j, "fire")) for j, e in enumerate(ev.effects)
                            if isinstance(e, S.FireEffect) and e.fire in by_id]
        if not any(fires.values()):
            return
        # loops: a depth-first walk in scenario order; an edge back into the path closes a loop
        done: set[str] = set()
        looped = False
        for start in (e.id for e in self.sc.events):
            if start in done:
                continue
            path: list[str] = [start]
            on_path = {start}
            stack = [iter(fires[start])]
            while stack:
                step = next(stack[-1], None)
                if step is None:
                    stack.pop()
                    done.add(path[-1])
                    on_path.discard(path.pop())
                    continue
                nxt, loc = step
                if nxt in on_path:
                    loop = [*path[path.index(nxt):], nxt]
                    said = ", ".join(f"{a} fires {b}" for a, b in itertools.pairwise(loop))
                    self.err(loc, f"event {said}: a loop of events, which would fire each other for ever "
                                  "(or do nothing the second time round); remove one of these fire: effects")
                    looped = True
                elif nxt not in done:
                    path.append(nxt)
                    on_path.add(nxt)
                    stack.append(iter(fires[nxt]))
        if looped:
            return
        depth: dict[str, int] = {}
        count: dict[str, int] = {}
        for ev_id in _post_order(fires):
            depth[ev_id] = 1 + max((depth[n] for n, _ in fires[ev_id]), default=0)
            count[ev_id] = min(1 + sum(count[n] for n, _ in fires[ev_id]), S.MAX_FIRED_AT_ONCE * 10)
        for ev in self.sc.events:
            i = by_id[ev.id][0]
            if depth[ev.id] > S.MAX_FIRE_DEPTH:
                self.err(("events", i, "id"), f"event {ev.id} sets off a chain of {depth[ev.id]} events, each firing the "
                                              f"next: at most {S.MAX_FIRE_DEPTH} deep are allowed")
                return
            if count[ev.id] > S.MAX_FIRED_AT_ONCE:
                many = f"{count[ev.id]:,}" if count[ev.id] < S.MAX_FIRED_AT_ONCE * 10 else \
                    f"more than {S.MAX_FIRED_AT_ONCE * 10:,}"
                self.err(("events", i, "id"), f"firing event {ev.id} would fire {many} events in all (its fire: effects, "
                                              f"theirs, and so on); at most {S.MAX_FIRED_AT_ONCE:,} are allowed")
                return

    def card(self, c: S.Card, loc: Loc) -> None:
        tgt = c.target
        ctx = Ctx(
            self_ok=True,
            target_ok=tgt is not None and tgt.kind == "actor",
            agreement_target=tgt is not None and tgt.kind == "agreement",
            parties_ok=tgt is not None and tgt.kind == "agreement",
            where=f"card {c.id}",
        )
        plain = Ctx(where=f"card {c.id} playable_by")
        for i, r in enumerate(c.playable_by):
            self.actor_ref(r, (*loc, "playable_by", i), plain)
        for i, r in enumerate(c.not_playable_by):
            self.actor_ref(r, (*loc, "not_playable_by", i), plain)
        if tgt is not None:
            for i, r in enumerate(tgt.among or []):
                self.actor_ref(r, (*loc, "target", "among", i), Ctx(self_ok=True, where="target.among"))
            where_ctx = Ctx(self_ok=True, target_ok=tgt.kind == "actor", agreement_target=tgt.kind == "agreement",
                            parties_ok=tgt.kind == "agreement", where=f"card {c.id} target.where")
            self.conditions(tgt.where, (*loc, "target", "where"), where_ctx)
            if tgt.kind == "agreement" and tgt.count != 1:
                self.err((*loc, "target", "count"), "an agreement target takes count 1")
        for var in c.cost:
            if var not in self.sc.variables:
                self.err((*loc, "cost", var), f"unknown actor variable {var!r}")
        self.conditions(c.conditions, (*loc, "conditions"), ctx)
        self.knowable(c, c.conditions, (*loc, "conditions"))
        if tgt is not None:
            self.knowable(c, tgt.where, (*loc, "target", "where"))
        if isinstance(c.chance, S.Chance):
            for i, m in enumerate(c.chance.modifiers):
                self.conditions(m.when, (*loc, "chance", "modifiers", i, "when"), ctx)
        self.effects(c.effects, (*loc, "effects"), ctx)
        self.effects(c.on_failure, (*loc, "on_failure"), ctx)


    def knowable(self, card: S.Card, conds: list[Any], loc: Loc) -> None:
        """Whether a card may be played must be something every side that may play it can see.

        Otherwise the list of legal orders, a refusal or a fizzle would tell a
        side what it may not see; a hidden figure may shape the chance instead
        (the side is shown a range) or the effects.
        """
        refs = card.playable_by
        players = None if any(r == "*" or r.startswith("@") for r in refs) else set(refs)
        for i, cond in enumerate(conds):
            for read in self.fog.reads(cond):
                if not self._seen_by_players(read, players):
                    self.err((*loc, i), f"whether {card.id} may be played depends on {_read_text(read)}, which the "
                                        "side playing it cannot see; test it in a chance modifier or make it public")

    def _seen_by_players(self, read: Read, players: set[str] | None) -> bool:
        if read[0] == "var":
            return read[1] == "self" or (players is not None and players <= {read[1]})
        if players is None:
            return False
        if read[0] == "global":
            return players <= self.fog.private_globals[read[1]]
        if read[0] == "relation":
            return "self" in read[2:] or players <= set(read[2:])
        return players <= self.fog.private_events[read[1]]


def _post_order(graph: dict[str, list[tuple[str, Loc]]]) -> list[str]:
    """The nodes of a graph without loops, each after every node it leads to."""
    out: list[str] = []
    seen: set[str] = set()
    for root in graph:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph[root]))]
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                stack.pop()
                out.append(node)
            elif step[0] not in seen:
                seen.add(step[0])
                stack.append((step[0], iter(graph[step[0]])))
    return out


def _read_text(read: Read) -> str:
    if read[0] == "var":
        return f"the private figure {read[1]}.{read[2]}"
    if read[0] == "global":
        return f"the private shared figure global.{read[1]}"
    if read[0] == "relation":
        return f"the private relation {read[1]} between {read[2]} and {read[3]}"
    return f"whether the private inject {read[1]} has fired"


def check(sc: S.Scenario) -> list[tuple[Loc, str]]:
    return _Checker(sc).run()
