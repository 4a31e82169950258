"""Decisions per second for each bot level on the default scenario, and how long a human waits.

A decision is one side's orders for one turn. The states are taken from a game
played by quick bots (turns 1, 6 and 11), so the figures cover early and late
positions. Prints one line per level: `level=NAME decisions_per_s=X`, with the
time all the other sides' bots take together in one turn.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bots.controllers import LEVELS, bot_orders, controller
from engine.rules.game import Game
from engine.scenario.load import load_scenario


def states(sc, seed: int = 1):  # type: ignore[no-untyped-def]
    g = Game(sc, seed=seed)
    quick = controller("quick")
    out = []
    while not g.over:
        if g.state.turn in (1, 6, 11):
            out.append(g.state)
        g.play_turn(dict.fromkeys(sc.playable_ids, quick))
    return out


def main() -> None:
    sc = load_scenario(ROOT / "scenarios" / "post_nato_2024.yaml")
    g = Game(sc, seed=1)
    positions = states(sc)
    sides = sc.playable_ids
    for level in LEVELS:
        n = 0
        worst_turn = 0.0
        start = time.perf_counter()
        for s in positions:
            t0 = time.perf_counter()
            for side in sides:
                bot_orders(level, g.rules, s, side)
                n += 1
            # a person plays one side: the other nine bots' time is what they wait for
            worst_turn = max(worst_turn, (time.perf_counter() - t0) * (len(sides) - 1) / len(sides))
        elapsed = time.perf_counter() - start
        print(f"level={level} decisions_per_s={n / elapsed:.1f} wait_for_{len(sides) - 1}_bots_s={worst_turn:.2f}")


if __name__ == "__main__":
    main()
