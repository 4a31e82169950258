"""Does the strong bot beat the quick one, in each doctrine's own terms?

For each side and each seed, two games: the side played by the strong bot,
then by the quick bot, every other side by the quick bot both times, same
seed. Compared: the side's doctrine value at the end of the game (what its
bot is told to maximise) and its objective points. Prints a table and a
summary line.

Usage: python bench/bot_strength.py [--seeds N] [--sides a,b,...] [--jobs J]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bots.controllers import controller, doctrines_for
from engine.rules.game import Game
from engine.scenario.load import load_scenario

SCENARIO = ROOT / "scenarios" / "post_nato_2024.yaml"


def play(side: str, level: str, seed: int, scenario: str = str(SCENARIO)) -> tuple[float, int]:
    sc = load_scenario(scenario)
    g = Game(sc, seed=seed)
    controllers = dict.fromkeys(sc.playable_ids, controller("quick"))
    controllers[side] = controller(level)
    g.play_out(controllers)
    return doctrines_for(g.rules).value(g.state, side), g.scores()[side]


def compare(side: str, seeds: list[int], scenario: str = str(SCENARIO)) -> dict[str, float]:
    strong = [play(side, "strong", s, scenario) for s in seeds]
    quick = [play(side, "quick", s, scenario) for s in seeds]
    wins = sum(1 for a, b in zip(strong, quick, strict=True) if a[0] > b[0] + 1e-9)
    losses = sum(1 for a, b in zip(strong, quick, strict=True) if a[0] < b[0] - 1e-9)
    return {
        "strong_value": statistics.mean(v for v, _ in strong), "quick_value": statistics.mean(v for v, _ in quick),
        "strong_points": statistics.mean(p for _, p in strong), "quick_points": statistics.mean(p for _, p in quick),
        "wins": wins, "losses": losses, "n": len(seeds),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--sides", default="")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    sc = load_scenario(SCENARIO)
    sides = [s for s in args.sides.split(",") if s] or sc.playable_ids
    seeds = list(range(1, args.seeds + 1))
    with ProcessPoolExecutor(args.jobs) as pool:
        results = dict(zip(sides, pool.map(compare, sides, [seeds] * len(sides)), strict=True))
    print(f"{'side':<10} {'value strong':>12} {'value quick':>12} {'points strong':>14} {'points quick':>13} "
          f"{'strong better/worse':>20}")
    total_w = total_l = 0
    for side, r in results.items():
        total_w += int(r["wins"])
        total_l += int(r["losses"])
        print(f"{side:<10} {r['strong_value']:12.3f} {r['quick_value']:12.3f} {r['strong_points']:14.2f} "
              f"{r['quick_points']:13.2f} {int(r['wins']):>9}/{int(r['losses'])} of {int(r['n'])}")
    better = sum(1 for r in results.values() if r["strong_value"] > r["quick_value"])
    print(f"strong_better_sides={better}/{len(results)} strong_wins={total_w} strong_losses={total_l} "
          f"games_per_side={2 * len(seeds)}")


if __name__ == "__main__":
    main()
