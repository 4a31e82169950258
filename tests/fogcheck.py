"""Data hidden from a side, changed on purpose: the perturbation behind the non-interference checks.

`perturb` builds a copy of a game state in which only what an observer may
not know differs. The list of what is hidden follows the fog-of-war rules
(SECURITY.md) and is written out here on purpose, independently of the
engine's own view code (engine/rules/views.py, engine/scenario/visibility.py), so that a mistake
in one is caught by the other. Shared by tests/test_fog.py and the long
random play of tests/random_play.py (bench/long_run.py).
"""

from __future__ import annotations

import copy
import itertools
import random
import re
from collections.abc import Iterable
from typing import Any

from engine.core.state import FreeAction, GameState, Order, relation_key
from engine.rules.game import Game, planning_start
from engine.rules.turn import Rules
from engine.scenario import model as S

ROOM = ""  # the room's view: public data only

#: the kinds of hidden data `perturb` may change, as the fog-of-war rules list them
CATEGORIES = (
    "vars",            # other sides' private figures
    "globals",         # private shared figures the observer is not among `seen_by` of
    "relations",       # private relation values of pairs without the observer
    "pending",         # other sides' committed orders (and their rationales), their free actions
    "seed",
    "rng",
    "keys",            # other sides' bot keys
    "inject_text",     # name, text, recipients and effects of private injects not sent to the observer
    "inject_existence",  # such injects dropped from, or added to, the log and the inbox
    "fired",           # whether / when such injects fired
    "hidden_effects",  # effect records about hidden figures: their numbers, or the record itself
    "reasons",         # fizzle reasons quoting another side's private figure
    "chances",         # an order's chance, when it depended on a figure hidden from the observer
    "notes",           # notes about private injects not sent to the observer (that one failed its roll)
    "ever_met",        # other sides' "ever" objectives that read what the observer cannot see, before the end
    "control",         # the control cell's log
)
#: hidden data the first statement of the rules did not name, which a careful designer keeps hidden too
BEYOND = (
    "relation_rows",   # a private relation value (only) appearing for a pair without the observer
    "rationales",      # the reasoning other sides' bots gave for orders already resolved (it weighs their secrets)
)
EVERYTHING = CATEGORIES + BEYOND


def mine_of(observer: str) -> set[str]:
    return set() if observer == ROOM else {observer}




# --------------------------------------------------------------------------------------------- the fog, written out


class Secrets:
    """What the fog-of-war rules hide from an observer (`mine`: the actors it plays; empty: the room).

    Written from the rule set, independently of engine/rules/views.py, on purpose.
    """

    def __init__(self, sc: S.Scenario, mine: set[str]):
        self.sc = sc
        self.mine = mine
        self.private_vars = {k for k, d in sc.variables.items() if d.private}
        self.private_globals = {k: set(getattr(d, "seen_by", None) or []) for k, d in sc.globals.items() if d.private}
        self.private_rels = {k for k, d in sc.relation_variables.items() if d.private}
        self.others = [a.id for a in sc.actors if a.id not in mine]

    def var(self, actor: str, var: str) -> bool:
        return var in self.private_vars and actor not in self.mine

    def glob(self, name: str) -> bool:
        return name in self.private_globals and not (self.mine & self.private_globals[name])

    def rel(self, a: str, b: str, var: str) -> bool:
        return var in self.private_rels and a not in self.mine and b not in self.mine

    def event(self, to: Iterable[str] | None) -> bool:
        return to is not None and not (self.mine & set(to))

    def record(self, e: dict[str, Any]) -> bool:
        """An effect record the observer may not see: about a hidden figure, or part of a hidden inject."""
        if "private_to" in e and self.event(e.get("private_to")):
            return True
        kind = e.get("kind")
        if kind in ("change", "cost"):
            return self.glob(e["var"]) if e.get("actor") == "global" else self.var(e.get("actor", ""), e["var"])
        if kind == "relation":
            a, b = e["between"]
            return self.rel(a, b, e["var"])
        if kind == "event":
            return self.event(e.get("to"))
        return False

    def range_of(self, e: dict[str, Any]) -> tuple[float, float]:
        kind = e.get("kind")
        if kind == "relation":
            d = self.sc.relation_variables[e["var"]]
        elif kind in ("change", "cost"):
            d = self.sc.globals[e["var"]] if e.get("actor") == "global" else self.sc.variables[e["var"]]
        else:
            lad = self.sc.ladder
            return lad.min_score, lad.max_score
        return d.min, d.max

    # -- what a chance modifier reads
    def reads_hidden(self, cond: Any, state: GameState, order: Order) -> bool:
        def who(ref: str) -> list[str]:
            if ref == "self":
                return [order.actor]
            if ref in ("target", "targets"):
                return list(order.targets)
            if ref == "parties":
                ag = state.agreements.get(order.agreement or "")
                return list(ag.parties) if ag else []
            if ref == "*":
                return [a.id for a in self.sc.actors]
            if ref.startswith("@"):
                return list(state.members.get(ref[1:], []))
            return [ref]

        if isinstance(cond, S.VarCondition):
            head, name = cond.var.split(".", 1)
            if head == "global":
                return self.glob(name)
            return any(self.var(a, name) for a in who(head))
        if isinstance(cond, S.RelationCondition):
            return any(self.rel(a, b, cond.relation) for a in who(cond.between[0]) for b in who(cond.between[1]))
        if isinstance(cond, S.AllCondition):
            return any(self.reads_hidden(c, state, order) for c in cond.all)
        if isinstance(cond, S.AnyCondition):
            return any(self.reads_hidden(c, state, order) for c in cond.any)
        if isinstance(cond, S.NotCondition):
            return self.reads_hidden(cond.not_, state, order)
        if isinstance(cond, S.EventCondition):
            ev = next((e for e in self.sc.events if e.id == cond.fired), None)
            return ev is not None and self.event(ev.to)
        return False


def _value(r: random.Random, lo: float, hi: float) -> float:
    """An in-range value: usually whole, sometimes with a fraction, sometimes a bound."""
    roll = r.random()
    if roll < 0.1:
        return float(lo)
    if roll < 0.2:
        return float(hi)
    if hi - lo >= 2 and roll < 0.8:
        return float(r.randint(int(lo) + (lo != int(lo)), int(hi)))
    return round(r.uniform(lo, hi), 2)


def _words(r: random.Random) -> str:
    pool = ("sealed", "cable", "ministry", "whisper", "convoy", "ledger", "asset", "dawn", "harbour", "cipher",
            "rumour", "depot", "envoy", "signal", "border", "shadow")
    return " ".join(r.choice(pool) for _ in range(r.randint(1, 7))).capitalize() + "."


def _rationale(order: Order, salt: int) -> str:
    """Another reasoning for a resolved order: the same for the order wherever it is recorded."""
    return _words(random.Random(f"{salt}|rationale|{order.actor}|{order.card}|{order.targets}|{order.rationale}"))


def perturb(sc: S.Scenario, rules: Rules, state: GameState, observer: str, cats: frozenset[str],
            salt: int) -> GameState:
    """A copy of `state` in which only what is hidden from `observer` differs (the kinds listed in `cats`).

    Every random choice is keyed by what it changes (and the turn), so the same salt perturbs the shared
    past of several states of one game alike: a game's history stays one story.
    """
    mine = mine_of(observer)
    sec = Secrets(sc, mine)
    d = state.model_dump(mode="json")
    turn = d["turn"]

    def R(*key: Any) -> random.Random:
        return random.Random("|".join(map(str, (salt, *key))))

    if "vars" in cats:
        for a, row in d["vars"].items():
            for v in sorted(sec.private_vars):
                r = R("var", turn, a, v)
                if sec.var(a, v) and r.random() < 0.85:
                    row[v] = _value(r, sc.variables[v].min, sc.variables[v].max)
    if "globals" in cats:
        for g in d["globals"]:
            r = R("global", turn, g)
            if sec.glob(g) and r.random() < 0.85:
                row_def = sc.globals[g]
                d["globals"][g] = _value(r, row_def.min, row_def.max)
    if "relations" in cats:
        for key, row in d["relations"].items():
            a, b = key.split("|")
            for rel in sorted(row):
                r = R("relation", turn, key, rel)
                if sec.rel(a, b, rel) and r.random() < 0.85:
                    row[rel] = _value(r, sc.relation_variables[rel].min, sc.relation_variables[rel].max)
    if "relation_rows" in cats and sec.private_rels:
        for a, b in itertools.combinations([x.id for x in sc.actors], 2):
            key = relation_key(a, b)
            for rel in sorted(sec.private_rels):
                r = R("relation_row", turn, key, rel)
                if sec.rel(a, b, rel) and rel not in d["relations"].get(key, {}) and r.random() < 0.3:
                    d["relations"].setdefault(key, {})[rel] = _value(r, sc.relation_variables[rel].min,
                                                                     sc.relation_variables[rel].max)
    if "seed" in cats:
        d["seed"] = R("seed").randrange(1, 1 << 62)
    if "rng" in cats:
        d["rng"] = R("rng", turn, len(d["log"])).randrange(1 << 64)
    if "keys" in cats and isinstance(d.get("keys"), dict):
        for a in d["keys"]:
            if a not in mine:
                d["keys"][a] = R("key", a).randrange(1, 1 << 62)
    if "control" in cats:
        actions = ("inject_skipped", "adjust", "set_chance", "fire_inject", "pause", "note")
        new = []
        for i, c in enumerate(d["control"]):
            r = R("control", i)
            if r.random() < 0.2:
                continue
            new.append({**c, "detail": _words(r), "reason": _words(r) if r.random() < 0.5 else ""})
        r = R("control_extra", turn)
        for _ in range(r.randint(0, 3)):
            new.append({"turn": r.randint(1, turn), "by": r.choice(("dice", "facilitator")),
                        "action": r.choice(actions), "detail": _words(r), "reason": ""})
        d["control"] = new
    if "ever_met" in cats and not d["ended"]:
        for o in sc.objectives:
            r = R("ever", turn, o.id)
            as_self = Order.model_construct(actor=o.actor, card="", targets=(), agreement=None, rationale="")
            secret = any(sec.reads_hidden(c, state, as_self) for c in o.conditions)
            if o.judged == "ever" and o.actor not in mine and secret and r.random() < 0.6:
                if o.id in d["ever_met"]:
                    d["ever_met"].remove(o.id)
                else:
                    d["ever_met"].append(o.id)
    if "fired" in cats:
        for ev in sc.events:
            r = R("fired", turn, ev.id)
            if sec.event(ev.to) and r.random() < 0.6:
                if ev.id in d["fired"] and r.random() < 0.5:
                    del d["fired"][ev.id]
                else:
                    n = r.randint(1, 3) if ev.repeatable else 1
                    d["fired"][ev.id] = sorted(r.randint(1, turn) for _ in range(n))

    def effects(lst: list[dict[str, Any]], *key: Any) -> list[dict[str, Any]]:
        out = []
        for j, e in enumerate(lst):
            r = R("effect", *key, j)
            if not sec.record(e):
                out.append(e)
                continue
            kind = e.get("kind")
            in_inject = "private_to" in e and sec.event(e.get("private_to"))
            if kind == "event":
                if "inject_existence" in cats and r.random() < 0.3:
                    continue
                if "inject_text" in cats:
                    e = {**e, "name": _words(r), "text": _words(r), "to": r.sample(sec.others, r.randint(1, min(
                        2, len(sec.others))))}
            elif in_inject and "inject_text" in cats:
                e = dict(e)
                if "text" in e:
                    e["text"] = _words(r)
                if isinstance(e.get("from"), (int, float)) and isinstance(e.get("to"), (int, float)):
                    lo, hi = sec.range_of(e)
                    e["from"], e["to"] = _value(r, lo, hi), _value(r, lo, hi)
            elif kind in ("change", "cost", "relation") and "hidden_effects" in cats:
                if r.random() < 0.2:
                    continue
                lo, hi = sec.range_of(e)
                e = {**e, "from": _value(r, lo, hi), "to": _value(r, lo, hi)}
            out.append(e)
        if "inject_existence" in cats and sec.others and R("fake_effect", *key).random() < 0.2:
            r = R("fake_effect_body", *key)
            out.insert(r.randint(0, len(out)), {"kind": "event", "event": r.choice([e.id for e in sc.events]),
                                                 "name": _words(r), "text": _words(r), "to": [r.choice(sec.others)]})
        return out

    def events(lst: list[dict[str, Any]], *key: Any) -> list[dict[str, Any]]:
        out = []
        for j, ev in enumerate(lst):
            r = R("event", *key, j)
            if sec.event(ev.get("to")):
                if "inject_existence" in cats and r.random() < 0.3:
                    continue
                if "inject_text" in cats:
                    lo, hi = sec.range_of({})
                    fx = [{"kind": "note", "text": _words(r)} for _ in range(r.randint(0, 2))]
                    fx += [{"kind": "escalate", "from": _value(r, lo, hi), "to": _value(r, lo, hi)}] * r.randint(0, 1)
                    ev = {**ev, "name": _words(r), "text": _words(r), "effects": fx,
                          "to": r.sample(sec.others, r.randint(1, min(2, len(sec.others)))),
                          "roll": r.randint(1, 100) if r.random() < 0.5 else None}
                    ev["chance"] = r.randint(ev["roll"], 100) if ev["roll"] is not None else None
            else:
                ev = {**ev, "effects": effects(ev["effects"], *key, "event", j)}
            out.append(ev)
        if "inject_existence" in cats and sec.others and R("fake_event", *key).random() < 0.4:
            r = R("fake_event_body", *key)
            base = lst[0] if lst else None
            fake = {"event": r.choice([e.id for e in sc.events]), "name": _words(r), "text": _words(r),
                    "to": [r.choice(sec.others)], "roll": None, "chance": None,
                    "effects": [{"kind": "note", "text": _words(r)}], "turn": key[1] if len(key) > 1 else turn,
                    "source": "scenario"}
            if base is not None:
                fake = {**base, **fake}
            out.insert(r.randint(0, len(out)), fake)
        return out

    hidden_events = {e.name: e for e in sc.events if sec.event(e.to)}
    label_to_var = {v.label: k for k, v in sc.variables.items()}
    for rec in d["log"]:
        t = rec["turn"]
        rec["events"] = events(rec["events"], "log", t, "events")
        rec["briefing"] = events(rec["briefing"], "log", t, "briefing")
        for k, res in enumerate(rec["resolutions"]):
            order = Order.model_validate(res["order"])
            res["effects"] = effects(res["effects"], "res", t, k)
            r = R("res", t, k)
            if "rationales" in cats and order.actor not in mine:
                res["order"]["rationale"] = _rationale(order, salt)
            m = re.fullmatch(r"costs (\S+) (.+); you have (\S+)", res.get("reason") or "")
            if "reasons" in cats and m and sec.var(order.actor, label_to_var.get(m.group(2), "")):
                var = sc.variables[label_to_var[m.group(2)]]
                cost = float(m.group(1))
                have = r.choice([x for x in range(int(var.min), int(min(var.max, cost - 1e-9)) + 1)] or [var.min])
                res["reason"] = f"costs {m.group(1)} {m.group(2)}; you have {have:g}"
            card = sc.card(order.card)
            if ("chances" in cats and res.get("roll") is not None and res.get("chance") is not None
                    and res.get("decided_by") == "rules" and isinstance(card.chance, S.Chance)
                    and any(sec.reads_hidden(w, state, order) for mod in card.chance.modifiers for w in mod.when)):
                adds = [mod.add for mod in card.chance.modifiers]
                possible = {max(0, min(100, round((card.chance.base + sum(c)) * 100)))
                            for n in range(len(adds) + 1) for c in itertools.combinations(adds, n)}
                rng_ = res.get("chance_range")
                won = res["roll"] <= res["chance"]
                alike = sorted(p for p in possible if (res["roll"] <= p) == won and p != res["chance"]
                               and (not rng_ or rng_[0] <= p <= rng_[1]))
                if alike:
                    res["chance"] = r.choice(alike)
        rec["upkeep"] = effects(rec["upkeep"], "upkeep", t)
        for k, f in enumerate(rec.get("free", [])):
            f["effects"] = effects(f["effects"], "free", t, k)
        if "notes" in cats:
            notes = []
            for k, text in enumerate(rec["notes"]):
                r = R("note", t, k)
                ev = next((e for name, e in hidden_events.items() if text.startswith(f"{name}: did not happen")), None)
                if ev is not None:
                    if r.random() < 0.4:
                        continue
                    chance = round(ev.chance * 100)
                    text = f"{ev.name}: did not happen (rolled {r.randint(min(100, chance + 1), 100)} against {chance}%)"
                notes.append(text)
            rec["notes"] = notes
    d["inbox"] = events(d["inbox"], "inbox", turn)

    out = GameState.model_validate(d)
    # Other sides' orders: other legal orders (or none), with other rationales; and free actions
    limit_of = rules.orders_allowed
    for a in list(out.committed):
        if a in mine:
            continue
        orders = list(out.pending.get(a, []))
        if "pending" in cats:
            r = R("pending", turn, a)
            legal = rules.legal_orders(out, a)
            r.shuffle(legal)
            orders, want = [], r.randint(0, limit_of(a))
            for o in legal:
                if len(orders) >= want:
                    break
                trial = [*orders, o.model_copy(update={"rationale": _words(r)})]
                if rules.check_orders(out, a, trial) is None:
                    orders = trial
        if rules.check_orders(out, a, orders) is not None:
            orders = []  # its figures changed under it: it would have given other orders
        rules.submit(out, a, orders)
    if "pending" in cats:
        for a in sc.playable_ids:
            r = R("free", turn, a)
            if a not in mine and r.random() < 0.3:
                out.free_pending[a] = [FreeAction(actor=a, argument=_words(r), chance=r.randint(0, 100))]
    return out


def perturb_game(game: Game, observer: str, cats: frozenset[str], salt: int) -> Game:
    """The same game with its current state and every past state perturbed alike (see `perturb`)."""
    sc, rules = game.scenario, game.rules
    state = perturb(sc, rules, game.state, observer, cats, salt)
    history = [perturb(sc, rules, h, observer, cats, salt) for h in game.history[:-1]]
    history.append(planning_start(state) if game.history[-1].turn == state.turn
                   else perturb(sc, rules, game.history[-1], observer, cats, salt))
    turns = []
    for i, t in enumerate(game.turns):
        orders = t.orders
        if "rationales" in cats:
            orders = {a: [o.model_copy(update={"rationale": _rationale(o, salt)}) if a not in mine_of(observer) else o
                          for o in os] for a, os in t.orders.items()}
        turns.append(t.model_copy(update={"orders": orders, "digest": history[i + 1].digest() if t.digest else ""}))
    return fork(game, state, history, turns)


def fork(game: Game, state: GameState | None = None, history: list[GameState] | None = None,
         turns: list[Any] | None = None) -> Game:
    """A game sharing `game`'s compiled rules, with its own state, history and order log."""
    g = copy.copy(game)
    g.state = (state if state is not None else game.state).snapshot()
    g.history = list(history if history is not None else game.history)
    g.turns = [t.model_copy(deep=True) for t in (turns if turns is not None else game.turns)]
    g.planning_steps = []
    return g
