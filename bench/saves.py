"""Save and load time, and the save's size, for the default scenario after its last turn.

The game is played to its end by quick bots on every side with a fixed seed,
then saved and loaded several times; the median of each is printed as
`save_ms=X load_ms=Y size_kb=Z`. Loading includes replaying the whole order
log and checking every turn's digest, which is what a player waits for.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bots.controllers import controller
from engine.persistence.saves import load_game, save_game
from engine.rules.game import Game
from engine.scenario.load import load_scenario

SCENARIO = ROOT / "scenarios" / "post_nato_2024.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    sc = load_scenario(SCENARIO)
    g = Game(sc, seed=args.seed)
    g.play_out(dict.fromkeys(sc.playable_ids, controller("quick")))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "game.json"
        save_game(path, g, SCENARIO)  # warm the scenario digest cache, as an autosave after turn 1 would
        save_s, load_s = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            save_game(path, g, SCENARIO)
            save_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            loaded, _ = load_game(path)
            load_s.append(time.perf_counter() - t0)
        assert loaded.state.digest() == g.state.digest()
        size = path.stat().st_size
    print(f"save_ms={statistics.median(save_s) * 1000:.1f} "
          f"load_ms={statistics.median(load_s) * 1000:.1f} size_kb={size / 1024:.1f}")


if __name__ == "__main__":
    main()
