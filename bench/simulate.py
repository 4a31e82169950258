"""Games per second for Monte Carlo runs with one and two workers, the scaling, and peak memory.

Usage: python bench/simulate.py [--runs 10000] [--scenario PATH] [--memory] [--reference 6]
Prints `workers=1 games_per_s=X` and `workers=2 games_per_s=Y` (other tools read these lines), then
`scaling_1_to_2=Z`. `--reference N` also times N games of the reference engine with quick bots (the
speed before the batch engine). `--memory` runs `main.py simulate` for 1,000, 10,000 and 40,000 games
and samples the resident memory of the whole process tree (parent and workers) every 50 ms: it
grows with the chunk size up to its cap (engine/analysis/simulate.py, MAX_CHUNK), then stays flat.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.analysis.simulate import Backend, simulate


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, grew = {root}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in family} - family
        family |= more
        grew = bool(more)
    total = 0
    for pid in family:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def peak_memory(runs: int, scenario: str) -> float:
    cmd = [sys.executable, str(ROOT / "main.py"), "simulate", "--runs", str(runs), "--seed", "1", "--workers", "2",
           "--no-files", "--scenario", scenario]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.05)
    return peak


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=10_000)
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "post_nato_2024.yaml"))
    p.add_argument("--memory", action="store_true")
    p.add_argument("--reference", type=int, default=0, metavar="N")
    args = p.parse_args()
    if args.reference:
        from engine.bots.controllers import controller
        from engine.rules.game import Game
        from engine.scenario.load import load_scenario

        sc = load_scenario(args.scenario)
        quick = controller("quick")
        start = time.perf_counter()
        for s in range(1, args.reference + 1):
            Game(sc, seed=s).play_out(dict.fromkeys(sc.playable_ids, quick))
        print(f"reference_engine games_per_s={args.reference / (time.perf_counter() - start):.2f}")
    speed = {}
    for workers in (1, 2):
        start = time.perf_counter()
        simulate(args.scenario, args.runs, seed=1, backend=Backend(workers=workers))
        speed[workers] = args.runs / (time.perf_counter() - start)
        print(f"workers={workers} games_per_s={speed[workers]:.1f}", flush=True)
    print(f"scaling_1_to_2={speed[2] / speed[1]:.2f} runs={args.runs} "
          f"seconds_for_10000_games_on_2_workers={10_000 / speed[2]:.1f}")
    if args.memory:
        for runs in (1_000, 10_000, 40_000):
            print(f"runs={runs} peak_rss_mb={peak_memory(runs, args.scenario):.0f}", flush=True)


if __name__ == "__main__":
    main()
