"""Long random play over both shipped scenarios and the fog-of-war fixture: random legal steps, invariants after each.

Steps include orders, undo, the control cell's acts (adjust, fire, pause,
free actions, rewind) and adjudication; after every adjudication every
side's view is checked for what it must not see, and one observer's view by
non-interference: with its secrets changed, its view must not change
(tests/random_play.py, tests/fogcheck.py). Prints one line per scenario and
a total (`leaks=` counts views that changed); exits 1 if anything broke.

Usage: python bench/long_run.py [--steps 100000] [--seed 1] [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.scenario.load import load_scenario
from tests.random_play import Tally, play_randomly

SCENARIOS = ["scenarios/post_nato_2024.yaml", "scenarios/baltic_2027.yaml", "tests/fixtures/fog.yaml"]
COUNTS = ("steps", "turns", "games", "views_checked", "interference_checked", "leaks", "refused")
CHUNK = 2_500


def chunk(args: tuple[str, int, int]) -> Tally:
    path, seed, steps = args
    tally = Tally()
    try:
        play_randomly(load_scenario(ROOT / path), seed, steps, tally)
    except Exception as exc:  # an exception is a finding: report it with the seed that reproduces it
        tally.problems.append(f"{path} seed {seed}: {type(exc).__name__}: {exc}")
    return tally


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--steps", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    per = args.steps // len(SCENARIOS)
    tasks = [(path, args.seed * 10_000 + i, min(CHUNK, per - i * CHUNK))
             for path in SCENARIOS for i in range(-(-per // CHUNK))]
    t = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(chunk, tasks))
    total = Tally()
    for path in SCENARIOS:
        mine = [r for (pth, _, _), r in zip(tasks, results, strict=True) if pth == path]
        s = Tally(**{k: sum(getattr(r, k) for r in mine) for k in COUNTS},
                  problems=[x for r in mine for x in r.problems])
        print(f"{path}: " + " ".join(f"{k}={getattr(s, k)}" for k in COUNTS) + f" problems={len(s.problems)}")
        for x in s.problems[:10]:
            print(f"  PROBLEM {x}")
        for k in COUNTS:
            setattr(total, k, getattr(total, k) + getattr(s, k))
        total.problems += s.problems
    print(" ".join(f"{k}={getattr(total, k)}" for k in COUNTS) +
          f" problems={len(total.problems)} seconds={time.perf_counter() - t:.0f}")
    sys.exit(1 if total.problems else 0)


if __name__ == "__main__":
    main()
