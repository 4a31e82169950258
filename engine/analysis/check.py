"""Play a scenario many times with bots and say what looks wrong with its design.

Validation proves a scenario is well formed; it cannot tell that a card's
conditions never hold, that every side plays the same card every turn, or that
an objective is met in every game. Those show only in play, so `check_scenario`
plays seeded bot games (a few hundred with the `quick` doctrine bots, on the
batch engine, and some with the `simple` bots, whose noisier choices reach
cards the doctrines leave alone) and turns what it saw into findings. It
returns data; the terminal front end prints it.

Findings, each with the id it is about:

- `never_legal`: no side could ever give an order of the card;
- `never_chosen`: legal at some point but no bot ever chose it;
- `dominant`: chosen nearly whenever it was legal, by every one of at least
  two sides, or its players score clearly better than those who skip it;
- `objective_never_met` / `objective_always_met`, and `side_never_scores`;
- `never_ends`: every game ran to the turn limit although the scenario has
  end conditions (they never held); `always_ends_early`: no game reached it;
- `event_never_fired`.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.bots.batch_quick import QuickBots, play_quick
from engine.bots.controllers import bot_orders
from engine.core import dice
from engine.core.state import GameState
from engine.rules.batch import BatchRules, Unsupported
from engine.rules.game import Game
from engine.rules.turn import Rules
from engine.scenario.model import Scenario

DEFAULT_RUNS = 200
DEFAULT_QUICK_RUNS = 300
#: a card chosen in at least this share of the decisions in which it was legal, by every side, dominates
#: (in the default scenario no card shared by several sides is chosen by all of them in over 10%)
DOMINANT_PICK_RATE = 0.6
#: ... or its players score at least this share of their maximum points more than the sides that skip it
DOMINANT_EDGE = 0.25
MIN_DECISIONS = 20


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    message: str


@dataclass
class CheckReport:
    """What the games showed: counts per level, objective shares, per-card use, and the findings."""

    scenario_id: str
    games: dict[str, int]
    mean_turns: float
    ended_early: int
    objective_share: dict[str, float]
    card_legal: dict[str, int]
    card_chosen: dict[str, int]
    findings: list[Finding] = field(default_factory=list)
    #: why the quick-bot games were played one at a time (the batch engine cannot play the scenario), else ""
    one_at_a_time: str = ""

    @property
    def total_games(self) -> int:
        return sum(self.games.values())


def legal_cards(rules: Rules, state: GameState, side: str) -> list[str]:
    """The cards this side could give an order of now: the first legal aim found is enough, which is
    much cheaper than listing every aim. Aims are tried in an order shuffled by a stream of the check's own,
    so the game's dice are untouched and the result does not depend on it."""
    stream = dice.Stream(0)
    return [cid for cid in rules.playable_cards(state, side)
            if rules.sample_order(state, side, cid, stream) is not None]


def play_for_check(sc: Scenario, seed: int, level: str) -> dict[str, Any]:
    """One bot game, recording for every decision which cards were legal and which were chosen."""
    game = Game(sc, seed=seed)
    legal: Counter[tuple[str, str]] = Counter()
    chosen: Counter[tuple[str, str]] = Counter()
    while not game.over:
        for side in game.waiting_for():
            for card in legal_cards(game.rules, game.state, side):
                legal[(side, card)] += 1
            orders = bot_orders(level, game.rules, game.state, side)
            for card in {o.card for o in orders}:
                chosen[(side, card)] += 1
            game.submit(side, orders)
        game.adjudicate()
    s = game.state
    return {
        "level": level,
        "seed": seed,
        "turns": len(s.log),
        "early": len(s.log) < sc.meta.turns,
        "end_reason": s.end_reason,
        "met": sorted(o for met in s.results.values() for o in met),
        "scores": game.scores(),
        "legal": dict(legal),
        "chosen": dict(chosen),
        "fired": sorted(s.fired),
    }


_WORKER: Scenario | None = None


def _init_worker(sc: Scenario) -> None:
    global _WORKER
    _WORKER = sc


def _play_job(job: tuple[int, str]) -> dict[str, Any]:
    assert _WORKER is not None
    return play_for_check(_WORKER, job[0], job[1])


def batch_unsupported(sc: Scenario) -> str:
    """Why the batch engine cannot play `sc` (its quick games then go one at a time), or "" if it can."""
    try:
        BatchRules(Rules(sc))
    except Unsupported as exc:
        return str(exc)
    return ""


def quick_games_at_once(sc: Scenario, seeds: list[int]) -> list[dict[str, Any]] | None:
    """`play_for_check` with quick bots for many seeds at once on the batch engine (the same games, recorded
    the same way), or None if the batch engine cannot play this scenario."""
    try:
        br = BatchRules(Rules(sc))
    except Unsupported:
        return None
    n = len(seeds)
    legal: dict[tuple[str, str], np.ndarray] = {}
    chosen: dict[tuple[str, str], np.ndarray] = {}

    def watch(side: str, seen: dict[str, np.ndarray], orders: list[np.ndarray]) -> None:
        for card, where in seen.items():
            legal[(side, card)] = legal.get((side, card), 0) + where.astype(np.int64)
        cards = np.array([c.card.card.id for c in br.cands[side]] + [""], dtype=object)
        picked = {c for order in orders for c in set(cards[order]) if c}
        for card in picked:
            gave = np.zeros(n, dtype=bool)
            for order in orders:
                gave |= cards[order] == card
            chosen[(side, card)] = chosen.get((side, card), 0) + gave.astype(np.int64)

    bots = QuickBots(br)
    bots.watch = watch
    st = play_quick(br, seeds, bots=bots)
    outcomes = br.outcomes(st)
    points = {o.id: (o.actor, o.points) for o in sc.objectives}
    records = []
    for g, out in enumerate(outcomes):
        scores = dict.fromkeys(br.bt.all_actors, 0)
        for oid in out.met:
            actor, pts = points[oid]
            scores[actor] = scores.get(actor, 0) + pts
        records.append({
            "level": "quick", "seed": seeds[g], "turns": out.end_turn, "early": out.end_turn < sc.meta.turns,
            "end_reason": out.end_reason, "met": sorted(out.met), "scores": scores,
            "legal": {k: int(v[g]) for k, v in legal.items() if v[g]},
            "chosen": {k: int(v[g]) for k, v in chosen.items() if v[g]},
            "fired": sorted(e.id for e in sc.events if st.get(("fired", e.id))[g]),
        })
    return records


def play_games(sc: Scenario, runs: int = DEFAULT_RUNS, quick_runs: int = DEFAULT_QUICK_RUNS,
               jobs: int = 1) -> list[dict[str, Any]]:
    """Seeds 1..runs with simple bots, then 1..quick_runs with quick bots; the same games whatever `jobs` is."""
    quick_seeds = list(range(1, quick_runs + 1))
    quick = quick_games_at_once(sc, quick_seeds) if quick_runs else []
    plan = [(s, "simple") for s in range(1, runs + 1)]
    if quick is None:
        plan += [(s, "quick") for s in quick_seeds]
        quick = []
    if jobs <= 1 or len(plan) < 2:
        return [play_for_check(sc, seed, level) for seed, level in plan] + quick
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(sc,)) as ex:
        return list(ex.map(_play_job, plan, chunksize=max(1, len(plan) // (jobs * 8)))) + quick


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def analyse(sc: Scenario, games: list[dict[str, Any]]) -> CheckReport:
    """Turn the games' records into a report with findings (pure: no dice, no printing)."""
    n = len(games)
    rules = Rules(sc)
    start = rules.new_game(0)
    legal: Counter[tuple[str, str]] = Counter()
    chosen: Counter[tuple[str, str]] = Counter()
    for g in games:
        legal.update(g["legal"])
        chosen.update(g["chosen"])
    card_legal = {c.id: sum(v for (_, cid), v in legal.items() if cid == c.id) for c in sc.cards}
    card_chosen = {c.id: sum(v for (_, cid), v in chosen.items() if cid == c.id) for c in sc.cards}
    met = Counter(o for g in games for o in g["met"])
    share = {o.id: met[o.id] / n if n else 0.0 for o in sc.objectives}
    early = sum(1 for g in games if g["early"])
    report = CheckReport(
        scenario_id=sc.meta.id,
        games=dict(Counter(g["level"] for g in games)),
        mean_turns=sum(g["turns"] for g in games) / n if n else 0.0,
        ended_early=early,
        objective_share=share,
        card_legal=card_legal,
        card_chosen=card_chosen,
    )
    if n == 0:
        return report
    add = report.findings.append
    max_points = {a: sum(o.points for o in sc.objectives if o.actor == a) for a in sc.playable_ids}

    for card in sc.cards:
        if card_legal[card.id] == 0:
            reasons = [st.reason for a in sc.playable_ids for st in rules.card_statuses(start, a)
                       if st.card.id == card.id and st.reason]
            why = f" (at the start: {reasons[0]})" if reasons else " (no playable side may play it)"
            add(Finding("never_legal", card.id, f"card {card.id} was never legal in {n} games{why}"))
            continue
        if card_chosen[card.id] == 0:
            add(Finding("never_chosen", card.id,
                        f"card {card.id} was legal in {card_legal[card.id]} decisions but no bot ever chose it"))
            continue
        sides = [a for a in sc.playable_ids if legal[(a, card.id)] > 0]
        rates = {a: chosen[(a, card.id)] / legal[(a, card.id)] for a in sides}
        if (len(sides) >= 2 and card_legal[card.id] >= MIN_DECISIONS
                and min(rates.values()) >= DOMINANT_PICK_RATE):
            add(Finding("dominant", card.id,
                        f"card {card.id} was chosen in {_pct(min(rates.values()))}-{_pct(max(rates.values()))} of "
                        f"the decisions in which it was legal, by all {len(sides)} sides that could play it"))
            continue
        edge = _edge(games, card.id, sides, max_points)
        if edge is not None and edge >= DOMINANT_EDGE:
            add(Finding("dominant", card.id,
                        f"card {card.id}: sides that played it more scored {_pct(edge)} of their maximum points "
                        f"more than when they played it less"))

    for obj in sc.objectives:
        if share[obj.id] == 0:
            add(Finding("objective_never_met", obj.id, f"objective {obj.id} ({obj.actor}) was met in none of {n} games"))
        elif share[obj.id] == 1:
            add(Finding("objective_always_met", obj.id, f"objective {obj.id} ({obj.actor}) was met in all {n} games"))
    for side in sc.playable_ids:
        if max_points[side] == 0:
            add(Finding("side_never_scores", side, f"side {side} has no objectives"))
        elif not any(g["scores"].get(side) for g in games):
            add(Finding("side_never_scores", side, f"side {side} met no objective in any of {n} games"))

    has_end = bool(sc.end) or sc.end_on_rung is not None
    if has_end and early == 0:
        ends = [e.id for e in sc.end] + ([f"rung {sc.end_on_rung}"] if sc.end_on_rung else [])
        add(Finding("never_ends", sc.meta.id,
                    f"every one of {n} games ran to the turn limit ({sc.meta.turns}); "
                    f"the end conditions never held: {', '.join(ends)}"))
    if early == n:
        reasons = Counter(g["end_reason"] for g in games).most_common(1)[0][0]
        add(Finding("always_ends_early", sc.meta.id,
                    f"no game reached the last turn ({sc.meta.turns}); most often: {reasons}"))

    fired = Counter(e for g in games for e in g["fired"])
    for ev in sc.events:
        if not fired[ev.id]:
            add(Finding("event_never_fired", ev.id, f"event {ev.id} never fired in {n} games"))
    return report


def _edge(games: list[dict[str, Any]], card_id: str, sides: list[str], max_points: dict[str, int]) -> float | None:
    """Mean over sides of (score share when playing the card more than the median) - (score share otherwise)."""
    n = len(games)
    need = max(20, n // 20)
    edges = []
    for a in sides:
        if not max_points.get(a):
            continue
        counts = [g["chosen"].get((a, card_id), 0) for g in games]
        median = sorted(counts)[n // 2]
        more = [g["scores"].get(a, 0) / max_points[a] for g, k in zip(games, counts, strict=True) if k > median]
        rest = [g["scores"].get(a, 0) / max_points[a] for g, k in zip(games, counts, strict=True) if k <= median]
        if len(more) >= need and len(rest) >= need:
            edges.append(sum(more) / len(more) - sum(rest) / len(rest))
    return sum(edges) / len(edges) if edges else None


def check_scenario(sc: Scenario, runs: int = DEFAULT_RUNS, quick_runs: int = DEFAULT_QUICK_RUNS,
                   jobs: int = 1) -> CheckReport:
    report = analyse(sc, play_games(sc, runs, quick_runs, jobs))
    report.one_at_a_time = batch_unsupported(sc) if quick_runs else ""
    return report
