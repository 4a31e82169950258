"""Fuzz the loaders with mutated scenario files, decks, exercise scripts and saves; print the figures.

Every case must end in success (and then play a turn or two) or in the
loader's own clear error with a location, within a time bound (10 s), in a
process limited to 2 GiB of address space. Prints one line of totals:
inputs, outcomes, crashes, hangs, the slowest case and peak memory.

Usage: python bench/fuzz.py [--cases 10000] [--seed 1] [--jobs 2] [--keep N]
  --keep N writes the N slowest cases into tests/fuzz_corpus/ (the regression corpus).

Semantic mode (tests/semantic.py): scenarios and saves valid to the schema but
extreme (NaN and huge numbers, dates near 9999, events that fire each other,
40 actors and 5 targets, hostile texts, huge saves), each through the whole
pipeline: load, play with simple and quick bots, save, read_save, replay_save,
write_report, batch engine against reference engine, simulate, and for some
cases `main.py play --headless`. Outcomes: ok, refused (with a location),
crash, hang (> 10 s), unlocated. Each finding class's cases go into
--findings (default /tmp/semantic_findings/, with SUMMARY.txt), the first one
reduced to a minimal input.

Usage: python bench/fuzz.py --semantic [--cases 10000] [--seed 1] [--jobs 2]
                            [--findings DIR] [--no-reduce] [--corpus] [--verbose]
       python bench/fuzz.py --semantic --replay FILE [FILE ...]
  --corpus copies each class's minimal input into tests/fuzz_corpus/ as semantic_*__NAME.
  --replay runs kept cases (a finding's case_N.yaml/.json, minimal.*, a corpus file) again.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import re
import resource
import shutil
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


def semantic(args: argparse.Namespace) -> None:
    """The semantic campaign (tests/semantic.py): one line of totals, one line per finding class."""
    from tests import semantic as sem

    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    if args.replay:
        failed = 0
        runner = sem.Runner()
        try:
            for name in args.replay:
                res = runner.run(sem.load_case_file(Path(name)))
                failed += res.finding
                print(f"{name}: {res.signature} ({res.ms:.0f} ms)" + (f"\n  {res.detail}" if res.finding else ""))
                if res.finding and args.verbose and res.trace:
                    print(res.trace)
        finally:
            runner.close()
        sys.exit(1 if failed else 0)
    t = time.perf_counter()
    folder = Path(args.findings) if args.findings else None
    if folder is not None and folder.is_dir():  # one campaign's findings, not a mix of old and new:
        for old in folder.iterdir():  # remove what an earlier campaign wrote there, and nothing else
            if old.name == "SUMMARY.txt":
                old.unlink()
            elif old.is_dir() and not old.is_symlink() and re.match(r"\d\d_[a-z0-9_]+$", old.name):
                shutil.rmtree(old)
    findings = sem.Findings(folder)
    done = 0

    def progress(index: int, case: sem.Case, res: sem.Result) -> None:
        nonlocal done
        done += 1
        if args.verbose and res.finding:
            print(f"FINDING case {index} ({', '.join(case.attacks)}): {res.signature}: {res.detail[:200]!r}",
                  flush=True)
        elif done % 500 == 0:
            print(f"  {done} cases, {len(findings.classes)} finding classes, "
                  f"{time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)

    totals = sem.campaign(args.cases, args.seed, args.jobs, findings, progress)
    seconds = time.perf_counter() - t
    if findings.classes and args.reduce:
        sem.reduce_findings(findings, log=lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    for n, fc in enumerate(sorted(findings.classes.values(), key=lambda c: -c.count), 1):
        print(f"FINDING class {n}: {fc.count} case(s), e.g. case {fc.cases[0][0]}: {fc.signature}"
              + (f" -> {findings.example(fc)}" if folder is not None else ""))
    if args.corpus:
        out = ROOT / "tests" / "fuzz_corpus"
        for fc in findings.classes.values():
            example = findings.example(fc)
            if example is None:
                continue
            kind = "semantic_save" if example.suffix == ".json" else "semantic_scenario"
            name = f"{kind}__{sem.corpus_name(fc.signature)}{example.suffix}"
            shutil.copy(example, out / name)
            print(f"kept {name}")
    summary = findings.write_summary()
    attacks = ", ".join(f"{k} {v}" for k, v in sorted(totals.attacks.items()))
    print(totals.line(seconds))
    print(f"  by attack: {attacks}; slowest case {totals.slowest_case}")
    if summary is not None:
        print(f"  {len(findings.classes)} finding class(es): {summary}")
    if totals.warned:
        top = sorted(totals.warned.items(), key=lambda kv: -kv[1])[:3]
        print(f"  warnings in {sum(totals.warned.values())} case(s), e.g. " + "; ".join(f"{w!r} x{n}" for w, n in top))
    sys.exit(1 if findings.classes else 0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", type=int, default=0)
    p.add_argument("--semantic", action="store_true", help="valid but extreme inputs through the whole pipeline")
    p.add_argument("--findings", default="/tmp/semantic_findings", metavar="DIR",
                   help="semantic: where each finding class's cases go ('' for nowhere)")
    p.add_argument("--no-reduce", dest="reduce", action="store_false",
                   help="semantic: keep each class's first case as found (no reduction)")
    p.add_argument("--corpus", action="store_true", help="semantic: copy each class's minimal case into the corpus")
    p.add_argument("--replay", nargs="+", metavar="FILE", help="semantic: run kept cases again")
    p.add_argument("--verbose", action="store_true", help="semantic: print every finding as it is met")
    args = p.parse_args()
    if args.semantic:
        semantic(args)
        return
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
