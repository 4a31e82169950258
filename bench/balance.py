"""Balance report for a scenario: play N games with the built-in policy for every side and summarise.

Usage: python bench/balance.py [N] [--scenario PATH] [--jobs J]

Seeds 1..N; every side is played by `engine.bots.policy.simple_orders`. Prints, per
actor, the mean objective points against the maximum and the share of games in
which each objective was met; per card, how often it was played and, within
each side that may play it, how that side scored in games where it played the
card more often against the rest; the distribution of the final and peak
rungs; how many games ended early and why; and how often each event fired. Lines starting with `!` flag what looks out of balance: an objective met
in under 15% or over 85% of games, a card that every side able to play it
plays in nearly every game (cards only one side may play are not flagged for
this: a side's own core cards are used in most games), a card whose players
do much better than the rest, or a card never played.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bots.controllers import LEVELS, bot_orders
from engine.rules.game import Game
from engine.rules.turn import Rules
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario

_SC: Scenario | None = None
_LEVEL = "simple"


def _init(path: str, level: str = "simple") -> None:
    global _SC, _LEVEL
    _SC = load_scenario(path)
    _LEVEL = level


def _bot(game: Game, side: str):  # type: ignore[no-untyped-def]
    return bot_orders(_LEVEL, game.rules, game.state, side)


def play_one(seed: int) -> dict:
    """One game's summary as plain data (so it crosses process boundaries)."""
    sc = _SC
    assert sc is not None
    g = Game(sc, seed=seed)
    g.play_out({a: _bot for a in sc.playable_ids})
    s = g.state
    played: Counter[tuple[str, str]] = Counter()  # (actor, card) -> orders resolved (not fizzled)
    fizzled: Counter[str] = Counter()
    for rec in s.log:
        for r in rec.resolutions:
            if r.outcome == "fizzled":
                fizzled[r.order.card] += 1
            else:
                played[(r.order.actor, r.order.card)] += 1
    return {
        "seed": seed,
        "turns": len(s.log),
        "end_reason": s.end_reason,
        "rung": s.rung,
        "peak": s.peak_rung,
        "scores": g.scores(),
        "met": {a: list(v) for a, v in s.results.items()},
        "played": dict(played),
        "fizzled": dict(fizzled),
        "fired": sorted(s.fired),
    }


def run(path: str, n: int, jobs: int) -> list[dict]:
    seeds = list(range(1, n + 1))
    if jobs <= 1:
        _init(path, _LEVEL)
        return [play_one(s) for s in seeds]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(path, _LEVEL)) as ex:
        return list(ex.map(play_one, seeds, chunksize=max(1, n // (jobs * 4))))


def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def report(sc: Scenario, games: list[dict]) -> list[str]:
    n = len(games)
    out: list[str] = []
    flags: list[str] = []
    out.append(f"scenario {sc.meta.id}: {n} games, seeds 1..{n}, {_LEVEL} bots for every side")

    # ---- actors and objectives
    out.append("")
    out.append("Objectives (mean points / max; share of games each objective was met)")
    by_actor: dict[str, list] = defaultdict(list)
    for o in sc.objectives:
        by_actor[o.actor].append(o)
    for actor in sc.playable_ids:
        objs = by_actor.get(actor, [])
        top = sum(o.points for o in objs)
        mean = sum(g["scores"].get(actor, 0) for g in games) / n
        any_met = sum(1 for g in games if g["met"].get(actor)) / n
        out.append(f"  {actor:<9} {mean:4.2f} / {top}   (some objective met in {pct(any_met).strip()})")
        for o in objs:
            share = sum(1 for g in games if o.id in g["met"].get(actor, [])) / n
            out.append(f"      {pct(share)}  {o.id} ({o.points}): {o.description}")
            if share < 0.15 or share > 0.85:
                flags.append(f"! objective {o.id} met in {pct(share).strip()} of games")

    # ---- cards
    out.append("")
    out.append("Cards  games: share of games in which any side played it (orders resolved, not fizzled)")
    out.append("       per game: orders resolved per game, all sides together")
    out.append("       eligible: share of games in which a side that may play it did (mean over those sides)")
    out.append("       edge: within each side, mean share of max points in games where it played the card more")
    out.append("             than its median vs the rest, averaged over sides (> 0: its players do better)")
    out.append(f"  {'card':<32} {'family':<10} {'games':>6} {'per game':>8} {'eligible':>8} {'edge':>6} {'fizzled':>7}")
    rules = Rules(sc)
    start = rules.new_game(0)
    max_points = {a: sum(o.points for o in by_actor.get(a, [])) or 1 for a in sc.playable_ids}
    for card in sc.cards:
        eligible = [a for a in sc.playable_ids if rules.may_play(a, card, start)]
        plays = sum(g["played"].get((a, card.id), 0) for g in games for a in eligible)
        games_any = sum(1 for g in games if any(g["played"].get((a, card.id)) for a in eligible)) / n
        elig_shares = []
        edges = []
        for a in eligible:
            counts = [g["played"].get((a, card.id), 0) for g in games]
            elig_shares.append(sum(1 for k in counts if k) / n)
            median = sorted(counts)[n // 2]
            more = [g["scores"].get(a, 0) / max_points[a] for g, k in zip(games, counts, strict=True) if k > median]
            rest = [g["scores"].get(a, 0) / max_points[a] for g, k in zip(games, counts, strict=True) if k <= median]
            if len(more) >= max(5, n // 20) and len(rest) >= max(5, n // 20):
                edges.append(sum(more) / len(more) - sum(rest) / len(rest))
        elig = sum(elig_shares) / len(elig_shares) if elig_shares else 0.0
        edge = sum(edges) / len(edges) if edges else float("nan")
        fz = sum(g["fizzled"].get(card.id, 0) for g in games) / n
        out.append(f"  {card.id:<32} {card.family:<10} {pct(games_any):>6} {plays / n:8.2f} {pct(elig):>8} "
                   f"{edge:+6.2f} {fz:7.2f}")
        if len(eligible) > 1 and min(elig_shares) > 0.95:
            flags.append(f"! card {card.id} is played by every side that may play it in over 95% of games")
        if edges and edge > 0.2:
            flags.append(f"! card {card.id}: its players do better by {edge:.2f} of max points")
        if games_any == 0:
            flags.append(f"! card {card.id} was never played")

    # ---- ladder
    out.append("")
    rung_ids = [r.id for r in sc.ladder.rungs]
    final = Counter(g["rung"] for g in games)
    peak = Counter(g["peak"] for g in games)
    out.append(f"  {'rung':<22} {'final':>7} {'peak':>7}")
    for r in rung_ids:
        out.append(f"  {r:<22} {pct(final[r] / n):>7} {pct(peak[r] / n):>7}")
    if len([r for r in rung_ids if final[r]]) < 3:
        flags.append("! the final rung takes fewer than three values across games")

    # ---- endings
    out.append("")
    early = [g for g in games if g["turns"] < sc.meta.turns]
    out.append(f"Games ended early: {len(early)} of {n} ({pct(len(early) / n).strip()})")
    for reason, k in Counter(g["end_reason"] for g in games).most_common():
        out.append(f"  {k:4d}  {reason}")
    if sc.end_on_rung:
        cat = sum(1 for g in games if g["rung"] == sc.end_on_rung)
        out.append(f"Catastrophe ('{sc.end_on_rung}'): {cat} of {n} ({pct(cat / n).strip()})")
        if cat / n > 0.1:
            flags.append(f"! {pct(cat / n).strip()} of games end in '{sc.end_on_rung}'")

    # ---- events
    out.append("")
    out.append("Events (share of games in which each fired)")
    fired = Counter(e for g in games for e in g["fired"])
    for ev in sc.events:
        out.append(f"  {pct(fired[ev.id] / n)}  {ev.id}")

    out.append("")
    out.extend(flags or ["no balance flags"])
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("games", nargs="?", type=int, default=200, help="number of games (seeds 1..N), default 200")
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "post_nato_2024.yaml"))
    p.add_argument("--jobs", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--level", choices=LEVELS, default="simple", help="bot level for every side (default simple)")
    args = p.parse_args()
    global _LEVEL
    _LEVEL = args.level
    sc = load_scenario(args.scenario)
    games = run(args.scenario, args.games, args.jobs)
    print("\n".join(report(sc, games)))


if __name__ == "__main__":
    main()
