"""`main.py simulate`: many bot games, their summary on the terminal, and files for analysts.

The summary on stdout depends only on the scenario, the runs, the seed, the
bot level and the sweep, never on the number of workers or the machine, so
two runs can be compared with `diff`. Timing and progress go to stderr.
Files: outcomes.csv (one row per game, with its seed, so any game can be
played again), agreements.csv (every signing), summary.json, and charts as
PNG (matplotlib, Agg backend); a sweep adds sweep.csv and sweep.png.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import matplotlib

matplotlib.use("Agg")  # files only: never a display
import matplotlib.pyplot as plt
import numpy as np

from engine.analysis.simulate import Backend, Columns, simulate_points
from engine.analysis.summary import Share, Summary, summarise
from engine.analysis.sweep import Change, SweepError, apply_changes, grid, parse_sweep
from engine.cli.common import load_or_refuse, positive, workers
from engine.core import paths
from engine.persistence.files import Batch, WriteError, prepare_folder, write_file
from engine.present.render import chart_text, clean, csv_cell
from engine.scenario.model import Scenario


def pct(s: Share) -> str:
    lo, hi = s.ci
    return f"{100 * s.p:5.1f}%  [{100 * lo:4.1f}, {100 * hi:5.1f}]"


def mean_text(m: Any, digits: int = 2) -> str:
    lo, hi = m.ci
    return f"{m.mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def print_summary(sc: Scenario, s: Summary, head: str) -> None:
    """The summary on stdout; every name and text from the scenario through `clean` (nothing a terminal obeys)."""
    print(clean(head))
    print("\nPeak of the escalation ladder (share of games, 95% confidence interval):")
    for (_, name), share, reached in zip(s.rungs, s.peak, s.reached, strict=True):
        print(f"  {clean(name):<28} {share.count:>7}  {pct(share)}   reached or passed: {pct(reached)}")
    print(f"\nGames end at turn {mean_text(s.end_turn)} on average; before turn {sc.meta.turns} in "
          f"{pct(s.ended_early).strip()}")
    for text, share in s.end_reasons:
        print(f"  {share.count:>7}  {100 * share.p:5.1f}%  {clean(text)}")
    print("\nObjectives met (share of games, 95% CI):")
    side = None
    points = {name: (m, avail) for name, m, avail in s.side_points}
    for who, _, desc, share in s.objectives:
        if who != side:
            side = who
            m, avail = points.get(who, (None, 0))
            extra = f" — {mean_text(m)} of {avail} points a game" if m is not None else ""
            print(f"  {clean(who)}{extra}")
        text = clean(desc if len(desc) <= 70 else desc[:69] + "…")
        print(f"    {pct(share)}  {text}")
    print(f"\nAgreements signed during the game: {mean_text(s.signed_per_game)} a game", end="")
    if s.signed_turn.n:
        print(f", on turn {mean_text(s.signed_turn, 1)} on average")
    else:
        print()
    if s.signed_by_turn:
        marks = [f"t{t}: {v:.2f}" for t, v in enumerate(s.signed_by_turn, start=1)
                 if t == 1 or t % max(1, len(s.signed_by_turn) // 6) == 0 or t == len(s.signed_by_turn)]
        print("  signed by the end of turn (mean a game): " + ", ".join(marks))
    for a in s.agreements[:10]:
        print(f"  {pct(a.signed)}  {clean(a.name)} (turn {a.turn.mean:.1f} on average)")
    if len(s.agreements) > 10:
        print(f"  ... and {len(s.agreements) - 10} more (agreements.csv)")
    if s.target_label:
        print(f"\n{clean(s.target_label)}: {mean_text(s.at_target)} of {len(s.target_pool)} {clean(s.target_whom)} "
              "meet it at the end")
        for name, share in s.side_at_target:
            print(f"  {clean(name):<20} {pct(share)}")


# ------------------------------------------------------------------ files

#: every file a run or a sweep may write, checked before the games are played (a pipe or a link among them is refused)
RUN_FILES = ("outcomes.csv", "agreements.csv", "summary.json", "peak_rung.png", "objectives.png", "agreements.png",
             "target.png")
SWEEP_FILES = ("sweep.csv", "sweep.png")


def write_files(out: Path, sc: Scenario, cols: Columns, s: Summary) -> list[Path]:
    """Every file of a run, each atomic (engine/persistence/files.py); one failing, the others are still written.

    Returns the files written; raises WriteError naming those that failed and those written.
    """
    batch = Batch(out)
    rungs = [r.id for r in sc.ladder.rungs]
    objectives = [o.id for o in sc.objectives]
    points = {side: [j for j, o in enumerate(sc.objectives) if o.actor == side] for side in sc.playable_ids}
    signed_count = np.zeros(cols.n, dtype=int)
    for t in cols.signed.values():
        signed_count += (t >= 1).astype(int)
    with _text(batch, "outcomes.csv") as f:
        w = _CsvWriter(f)
        w.writerow(["game", "seed", "end_turn", "end_reason", "peak_rung", "final_rung", "escalation",
                    "agreements_signed", "sides_at_target", *[f"met:{o}" for o in objectives],
                    *[f"points:{side}" for side in sc.playable_ids], *[f"final:{x}" for x in cols.final_names]])
        for g in range(cols.n):
            pts = [sum(sc.objectives[j].points for j in points[side] if cols.met[g, j]) for side in sc.playable_ids]
            w.writerow([g, cols.seeds[g], int(cols.end_turn[g]), cols.end_reason[g], rungs[cols.peak[g]],
                        rungs[cols.final_rung[g]], repr(float(cols.escalation[g])), int(signed_count[g]),
                        int(cols.at_target[g].sum()), *[int(x) for x in cols.met[g]], *pts,
                        *[repr(float(x)) for x in cols.final[g]]])
    with _text(batch, "agreements.csv") as f:
        w = _CsvWriter(f)
        w.writerow(["game", "seed", "agreement", "name", "signed_turn"])
        names = {a.id: a.name for a in s.agreements}
        for g in range(cols.n):
            for aid, turns in cols.signed.items():
                if turns[g] >= 1:
                    w.writerow([g, cols.seeds[g], aid, names[aid], int(turns[g])])
    batch.write("summary.json", json.dumps(summary_json(s), indent=1))
    try:
        batch.written.extend(charts(out, sc, s))
    except WriteError as exc:  # the charts before it are written; the files above are kept
        batch.add_failure(exc)
    return batch.finish()


@contextlib.contextmanager
def _text(batch: Batch, name: str) -> Iterator[IO[str]]:
    """A text file (UTF-8, for csv) written atomically into the batch's folder, streamed rather than held."""
    with batch.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # the temporary file is the batch's to close and publish


class _CsvWriter:
    """`csv.writer` whose every cell goes through `csv_cell`: no cell a spreadsheet would run as a formula."""

    def __init__(self, f: Any):
        self._w = csv.writer(f)

    def writerow(self, row: list[Any]) -> None:
        self._w.writerow([csv_cell(v) for v in row])


def summary_json(s: Summary) -> dict[str, Any]:
    def share(x: Share) -> dict[str, Any]:
        return {"count": x.count, "share": x.p, "ci95": list(x.ci)}

    def mean(m: Any) -> dict[str, Any]:
        return {"mean": m.mean, "sd": m.sd, "ci95": list(m.ci)}

    return {
        "runs": s.runs,
        "peak_rung": {rid: share(x) for (rid, _), x in zip(s.rungs, s.peak, strict=True)},
        "reached_rung": {rid: share(x) for (rid, _), x in zip(s.rungs, s.reached, strict=True)},
        "end_turn": mean(s.end_turn),
        "end_reasons": {t: share(x) for t, x in s.end_reasons},
        "objectives": {oid: share(x) for _, oid, _, x in s.objectives},
        "side_points": {side: mean(m) for side, m, _ in s.side_points},
        "agreements_signed_per_game": mean(s.signed_per_game),
        "agreement_signed_turn": mean(s.signed_turn),
        "agreements": {a.id: {"name": a.name, **share(a.signed), "turn": a.turn.mean} for a in s.agreements},
        "signed_by_turn": s.signed_by_turn,
        "sides_at_target": mean(s.at_target) if s.target_label else None,
        "side_at_target": {name: share(x) for name, x in s.side_at_target},
    }


def _bars(ax: Any, labels: list[str], shares: list[Share], color: str, horizontal: bool = False) -> None:
    p = [100 * x.p for x in shares]
    err = [[max(0.0, 100 * (x.p - x.ci[0])) for x in shares], [max(0.0, 100 * (x.ci[1] - x.p)) for x in shares]]
    if horizontal:
        ax.barh(range(len(p)), p, xerr=err, color=color, capsize=2)
        ax.set_yticks(range(len(p)), [chart_text(t) for t in labels], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of games (95% CI)")
    else:
        ax.bar(range(len(p)), p, yerr=err, color=color, capsize=3)
        ax.set_xticks(range(len(p)), [chart_text(t) for t in labels], rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("% of games (95% CI)")
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)


def charts(out: Path, sc: Scenario, s: Summary) -> list[Path]:
    files = []
    fig, ax = plt.subplots(figsize=(8, 4))
    _bars(ax, [name for _, name in s.rungs], s.peak, "#b5443c")
    ax.set_title(f"Highest rung of the escalation ladder ({s.runs} games)")
    files.append(_save(fig, out / "peak_rung.png"))

    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.28 * len(s.objectives) + 1)))
    labels = [chart_text(f"{who}: {desc}", 60) for who, _, desc, _ in s.objectives]
    _bars(ax, labels, [x for *_, x in s.objectives], "#3f7fbf", horizontal=True)
    ax.set_title(f"Objectives met ({s.runs} games)")
    files.append(_save(fig, out / "objectives.png"))

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1, 1.2]},
                                      layout="constrained")
    turns = list(range(1, len(s.signed_by_turn) + 1))
    left.plot(turns, s.signed_by_turn, marker="o", color="#2e8b57")
    left.set_xlabel("turn")
    left.set_ylabel("agreements signed so far (mean a game)")
    left.set_title("Agreements signed, turn by turn")
    left.grid(alpha=0.3)
    left.xaxis.get_major_locator().set_params(integer=True)
    top = s.agreements[:12]
    if top:
        _bars(right, [chart_text(a.name, 52) for a in top], [a.signed for a in top], "#2e8b57", horizontal=True)
    right.set_title("Most often signed")
    files.append(_save(fig, out / "agreements.png"))

    if s.target_label:
        fig, ax = plt.subplots(figsize=(8, 4))
        _bars(ax, [name for name, _ in s.side_at_target], [x for _, x in s.side_at_target], "#e69a28")
        ax.set_title(chart_text(f"{s.target_label} at the end: {s.at_target.mean:.2f} of {len(s.target_pool)} "
                                f"{s.target_whom} on average", 120))
        files.append(_save(fig, out / "target.png"))
    return files


def _save(fig: Any, path: Path) -> Path:
    """The chart as PNG, written by the engine's rule for files (never through a link, a pipe or half a file)."""
    png = io.BytesIO()
    try:
        fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return write_file(path, png.getvalue())


# ------------------------------------------------------------------ sweeps

def sweep_rows(sc: Scenario, points: list[tuple[Change, ...]], summaries: list[Summary]) -> list[dict[str, Any]]:
    rows = []
    for changes, s in zip(points, summaries, strict=True):
        row: dict[str, Any] = {p: v for p, v in changes}
        for (rid, _), x in zip(s.rungs, s.reached, strict=True):
            row[f"reached:{rid}"] = x.p
        for (rid, _), x in zip(s.rungs, s.peak, strict=True):
            row[f"peak:{rid}"] = x.p
        row["end_turn"] = s.end_turn.mean
        row["agreements_signed"] = s.signed_per_game.mean
        if s.target_label:
            row["sides_at_target"] = s.at_target.mean
        for name, m, _ in s.side_points:
            row[f"points:{name}"] = m.mean
        for _, oid, _, x in s.objectives:
            row[f"met:{oid}"] = x.p
        # sweep.csv's cells, its column names (the header) too: no formula, nothing a terminal obeys
        rows.append({csv_cell(k): csv_cell(v) for k, v in row.items()})
    return rows


def print_sweep(sc: Scenario, sweeps: list[tuple[str, list[Any]]], points: list[tuple[Change, ...]],
                summaries: list[Summary]) -> None:
    rungs = sc.ladder.rungs
    shown = list(range(max(1, len(rungs) - 4), len(rungs)))
    params = [p for p, _ in sweeps]
    heads = [clean(p.split(".")[-2] + "." + p.split(".")[-1] if "." in p else p) for p in params]
    cols = [*heads, *[f"≥ {clean(rungs[i].name[:24])}" for i in shown], "signed/game"]
    if summaries and summaries[0].target_label:
        cols.append("at target")
    widths = [max(10, len(c)) for c in cols]
    print("\nSweep (each point plays the same seeds; shares are % of games, 95% CI half-width in brackets):")
    print("  " + "  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True)))
    for changes, s in zip(points, summaries, strict=True):
        cells = [clean(v) for _, v in changes]
        for i in shown:
            x = s.reached[i]
            cells.append(f"{100 * x.p:.1f} (±{100 * (x.ci[1] - x.ci[0]) / 2:.1f})")
        cells.append(f"{s.signed_per_game.mean:.2f}")
        if s.target_label:
            cells.append(f"{s.at_target.mean:.2f}")
        print("  " + "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))


def sweep_chart(out: Path, sc: Scenario, sweeps: list[tuple[str, list[Any]]], points: list[tuple[Change, ...]],
                summaries: list[Summary]) -> Path:
    first, values = sweeps[0]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    xs = values if numeric else list(range(len(values)))
    rest = sorted({changes[1:] for changes in points}, key=repr)
    rungs = sc.ladder.rungs
    shown = list(range(max(1, len(rungs) - 4), len(rungs)))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8), sharex=True, layout="constrained")
    styles = ["-", "--", ":", "-."]
    colors = plt.cm.viridis([i / max(1, len(shown) - 1) for i in range(len(shown))])
    for k, others in enumerate(rest):
        idx = [points.index(((first, v), *others)) for v in values]
        tag = ", ".join(f"{p.split('.')[-1]}={v}" for p, v in others)
        for c, i in zip(colors, shown, strict=True):
            p = [100 * summaries[j].reached[i].p for j in idx]
            lo = [100 * summaries[j].reached[i].ci[0] for j in idx]
            hi = [100 * summaries[j].reached[i].ci[1] for j in idx]
            top.plot(xs, p, styles[k % 4], color=c, marker="o",
                     label=chart_text(f"≥ {rungs[i].name}" + (f" ({tag})" if tag else ""), 120))
            top.fill_between(xs, lo, hi, color=c, alpha=0.12)
        for name, _, _ in summaries[0].side_points:
            pts = [next(m.mean for n_, m, _ in summaries[j].side_points if n_ == name) for j in idx]
            bottom.plot(xs, pts, styles[k % 4], marker=".", label=chart_text(name) if k == 0 else None)
    top.set_ylabel("% of games reaching the rung")
    top.set_title(chart_text(f"How the outcomes move with {first} ({summaries[0].runs} games a point)", 120))
    top.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    top.grid(alpha=0.3)
    if len(rest) > 1:
        styles_used = "; ".join(f"{styles[k % 4]!r}: " + ", ".join(f"{p.split('.')[-1]}={v}" for p, v in others)
                                for k, others in enumerate(rest))
        bottom.set_title(chart_text(f"line styles {styles_used}", 200), fontsize=8)
    bottom.set_ylabel("objective points a game (mean)")
    bottom.set_xlabel(chart_text(first))
    bottom.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    bottom.grid(alpha=0.3)
    if not numeric:
        bottom.set_xticks(xs, [chart_text(v) for v in values])
    return _save(fig, out / "sweep.png")


# ------------------------------------------------------------------ the command

def _progress(total: int) -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="game", file=sys.stderr, disable=None, dynamic_ncols=True, leave=False)
    return bar, bar.update


def cmd_simulate(args: argparse.Namespace) -> int:
    path = Path(args.scenario)
    sc = load_or_refuse(path)
    try:
        sweeps = [parse_sweep(s) for s in args.sweep or []]
        points: list[tuple[Change, ...]] = grid(sweeps) if sweeps else [()]
        scenarios = [apply_changes(sc, p) for p in points]  # refuse a bad sweep before playing anything
    except SweepError as exc:
        print(clean(f"error: {exc}"), file=sys.stderr)
        return 2
    backend = Backend(kind=args.backend, workers=args.workers if args.workers is not None else Backend().workers,
                      address=args.scheduler)
    out = Path(args.out) if args.out else paths.written("reports") / "simulate" / f"{sc.meta.id}-seed{args.seed}-runs{args.runs}"
    if not args.no_files:  # a destination that cannot work is refused now, not after every game has been played
        try:
            prepare_folder(out, SWEEP_FILES if sweeps else RUN_FILES, named=bool(args.out))
        except WriteError as exc:
            print(clean(f"error: cannot write the results into {out}: {exc.strerror}; no game was played"),
                  file=sys.stderr)
            return 2
    start = time.perf_counter()
    bar, tick = _progress(args.runs * len(points))
    try:
        results = simulate_points(path, args.runs, args.seed, points, backend, level=args.bot_level, progress=tick)
    except (RuntimeError, OSError) as exc:  # no dask installed; a scheduler that cannot be reached
        where = f" (scheduler {args.scheduler})" if args.scheduler else ""
        print(clean(f"error{where}: {exc}"), file=sys.stderr)
        return 2
    finally:
        bar.close()
    elapsed = time.perf_counter() - start
    games = args.runs * len(points)
    engines = sorted({c.engine for c in results})
    slow = next((c.unsupported for c in results if c.unsupported), "")
    if slow:  # never silently: the analyst asked for the fast path and did not get it
        print(clean(f"warning: the batch engine cannot play this scenario ({slow}); its quick-bot games were "
                    "played one at a time on the reference engine, many times slower"), file=sys.stderr)
    print(f"{games} games in {elapsed:.1f} s ({games / elapsed:.0f} games/s) with {backend.workers} worker(s) "
          f"({backend.kind}), {' and '.join(engines)} engine", file=sys.stderr)
    summaries = []
    for scn, cols in zip(scenarios, results, strict=True):
        summaries.append(summarise(scn, cols))
    level = f"{args.bot_level} bots on every side"
    if not sweeps:
        s = summaries[0]
        print_summary(sc, s, f"{sc.meta.title}: {args.runs} games, seed {args.seed}, {level}")
        if not args.no_files:
            try:
                files = write_files(out, sc, results[0], s)
            except WriteError as exc:
                return _not_written(out, exc)
            print(f"\nFiles: {clean(out)}/ ({clean(', '.join(f.name for f in files))})")
        return 0
    print(f"{clean(sc.meta.title)}: sweep over {len(points)} points, {args.runs} games each, seed {args.seed}, {level}")
    print_sweep(sc, sweeps, points, summaries)
    if not args.no_files:
        batch = Batch(out)
        rows = sweep_rows(sc, points, summaries)
        with _text(batch, "sweep.csv") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        try:
            chart = sweep_chart(out, sc, sweeps, points, summaries)
        except WriteError as exc:
            batch.add_failure(exc)
        try:
            batch.finish()
        except WriteError as exc:
            return _not_written(out, exc)
        print(f"\nFiles: {clean(out)}/ (sweep.csv, {chart.name})")
    return 0


def _not_written(out: Path, exc: WriteError) -> int:
    """Files that failed at the end: one sentence, exit 1; the summary is already on the terminal."""
    print(clean(f"error: the files in {out} are not complete: {exc.strerror}; the summary above is complete"),
          file=sys.stderr)
    return 1


def add_parser(sub: Any, default_scenario: str) -> None:
    sim = sub.add_parser("simulate", help="play many bot games (Monte Carlo) and summarise them; --sweep varies "
                                          "scenario parameters")
    sim.add_argument("--scenario", default=None, help="scenario file (default: the shipped one)")
    sim.add_argument("--runs", type=positive, default=1000, help="games to play (at each sweep point); default 1000")
    sim.add_argument("--seed", type=int, default=1, help="the run's seed: game k plays with a seed derived from it")
    sim.add_argument("--workers", type=workers, default=None, help="worker processes (default: one per core)")
    sim.add_argument("--backend", choices=["local", "dask"], default="local",
                     help="local process pool (default), or a Dask cluster (pip install -e '.[cluster]')")
    sim.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="with --backend dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    sim.add_argument("--bot-level", default="quick", choices=["simple", "quick", "strong"],
                     help="the bots' level (quick runs on the fast batch engine; the others game by game)")
    sim.add_argument("--sweep", action="append", metavar="PATH=V1,V2,...",
                     help="vary a scenario parameter, e.g. doctrines.red.risk=0.2,0.5,0.8 or "
                          "events.surprise.chance=0.3,0.5,0.7 (repeat for a grid)")
    sim.add_argument("--out", default=None, metavar="DIR",
                     help="folder for the CSV, JSON and charts (default reports/simulate/SCENARIO-seedS-runsN)")
    sim.add_argument("--no-files", action="store_true", help="print the summary only")
    sim.set_defaults(func=cmd_simulate, default_scenario=default_scenario)
