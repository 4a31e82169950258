"""Engine speed: play N headless games with random legal orders; print games/s and turns/s.

Usage: python bench/engine_speed.py [--games N] [--scenario PATH] [--profile]
The last line is `games_per_s=X turns_per_s=Y` (other tools read it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bots.policy import random_orders
from engine.core import dice
from engine.rules.game import Game
from engine.scenario.load import load_scenario


def play(sc, seed: int) -> int:  # type: ignore[no-untyped-def]
    g = Game(sc, seed=seed)
    stream = dice.Stream(dice.derived(seed, "bench"))
    while not g.over:
        for side in sc.playable_ids:
            g.submit(side, random_orders(g.rules, g.state, side, stream))
        g.adjudicate()
    return len(g.state.log)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--games", type=int, default=300)
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "post_nato_2024.yaml"))
    p.add_argument("--profile", action="store_true", help="print the top functions by time (cProfile)")
    args = p.parse_args()
    sc = load_scenario(args.scenario)
    play(sc, 0)  # warm up
    if args.profile:
        import cProfile
        import pstats
        cProfile.runctx("for s in range(args.games): play(sc, s)", globals(), {"args": args, "sc": sc, "play": play},
                        "/tmp/engine.prof")
        pstats.Stats("/tmp/engine.prof").sort_stats("tottime").print_stats(15)
        return
    start = time.perf_counter()
    turns = sum(play(sc, seed) for seed in range(1, args.games + 1))
    elapsed = time.perf_counter() - start
    print(f"scenario={sc.meta.id} games={args.games} turns={turns} seconds={elapsed:.2f} "
          f"sides={len(sc.playable_ids)} cards={len(sc.cards)}")
    print(f"games_per_s={args.games / elapsed:.1f} turns_per_s={turns / elapsed:.0f}")


if __name__ == "__main__":
    main()
