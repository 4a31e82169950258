"""Fuzz the loaders with mutated scenario files, decks, exercise scripts and saves; print the figures.

Every case must end in success (and then play a turn or two) or in the
loader's own clear error with a location, within a time bound (10 s), in a
process limited to 2 GiB of address space. Prints one line of totals:
inputs, outcomes, crashes, hangs, the slowest case and peak memory.

Usage: python bench/fuzz.py [--cases 10000] [--seed 1] [--jobs 2] [--keep N]
  --keep N writes the N slowest cases into tests/fuzz_corpus/ (the regression corpus).
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzzing import Workspace, cases, run_case

MEMORY_LIMIT = 2 * 1024**3


def shard(args: tuple[int, int, int, int]) -> tuple[collections.Counter, list, float, int]:
    seed, start, stop, keep = args
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    counts: collections.Counter = collections.Counter()
    findings = []
    slowest: list = []
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        ws = Workspace.create(Path(d))
        for i, (kind, original, mutated) in enumerate(cases(ws, seed, stop)):
            if i < start:
                continue
            o = run_case(ws, kind, original, mutated)
            counts[o.kind] += 1
            counts[f"kind:{kind}"] += 1
            worst = max(worst, o.ms)
            if o.kind in ("crash", "hang", "unlocated"):
                findings.append((i, kind, o.kind, o.detail, mutated))
            slowest.append((o.ms, i, kind, o.kind, mutated))
            slowest = sorted(slowest, reverse=True)[:keep]
    return counts, findings + [("slow", *s) for s in slowest], worst, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", type=int, default=0)
    args = p.parse_args()
    step = -(-args.cases // args.jobs)
    shards = [(args.seed, i, min(args.cases, i + step), args.keep) for i in range(0, args.cases, step)]
    t = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(shard, shards))
    total: collections.Counter = collections.Counter()
    findings, slow = [], []
    worst, peak = 0.0, 0
    for counts, found, w, rss in results:
        total.update(counts)
        findings += [f for f in found if f[0] != "slow"]
        slow += [f[1:] for f in found if f[0] == "slow"]
        worst, peak = max(worst, w), max(peak, rss)
    for i, kind, what, detail, _ in findings:
        print(f"FINDING case {i} ({kind}): {what}: {detail}")
    if args.keep:
        out = ROOT / "tests" / "fuzz_corpus"
        for ms, i, kind, what, mutated in sorted(slow, reverse=True)[: args.keep]:
            ext = "json" if kind == "save" else "yaml"
            name = f"{kind.replace(':', '_')}__slow_{args.seed}_{i}.{ext}"
            (out / name).write_text(mutated, encoding="utf-8", errors="surrogatepass")
            print(f"kept {name} ({ms:.0f} ms, {what})")
    kinds = ", ".join(f"{k[5:]} {v}" for k, v in sorted(total.items()) if k.startswith("kind:"))
    print(f"inputs={sum(v for k, v in total.items() if not k.startswith('kind:'))} ok={total['ok']} "
          f"refused={total['refused']} crashes={total['crash']} unlocated={total['unlocated']} "
          f"hangs={total['hang']} slowest_ms={worst:.0f} peak_rss_mb={peak / 1024:.0f} "
          f"seconds={time.perf_counter() - t:.0f}")
    print(f"  by file: {kinds}")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
