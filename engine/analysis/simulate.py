"""Monte Carlo runs and parameter sweeps: many bot games of a scenario, and what they add up to.

A run of N games with seed S plays game k with seed `game_seed(S, k)`, so any
game in the results can be played again on its own (`play --seed`). Games
are split into chunks; a chunk is played by the batch engine (quick bots,
engine/rules/batch/) or, for other bot levels and scenarios it cannot play, by the
reference engine one game at a time. Chunks may run in this process, in a
local process pool, or on a Dask cluster: each game depends only on its seed,
and the results are put back in seed order, so the numbers are the same
whatever the number of workers or where they run.

A chunk sends back its outcomes as columns (numpy arrays), which keeps the
parent's memory small and flat over long runs.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.analysis.sweep import Change, apply_changes
from engine.bots.batch_quick import play_batch
from engine.bots.controllers import controller
from engine.core import dice
from engine.rules.batch import BatchRules, Unsupported
from engine.rules.game import Game
from engine.rules.outcome import Outcome, outcome_of, spending_pool
from engine.rules.turn import Rules
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario

#: games in one chunk, at most and at least. A chunk's cost is a fixed part (looking at every order a
#: side could give, whatever the number of games) plus a part per game, so chunks are made as big as
#: the workers allow: one per worker, up to a size whose arrays stay small in memory.
MAX_CHUNK = 5000
MIN_CHUNK = 100


def game_seed(seed: int, k: int) -> int:
    """The seed of the k-th game of a run: independent streams for different run seeds."""
    return dice.derived(seed, "simulate", k)


@dataclass(frozen=True)
class Job:
    """A chunk of games to play: everything a worker needs, small enough to send anywhere."""

    scenario: str
    changes: tuple[Change, ...]
    seed: int
    start: int
    stop: int
    level: str = "quick"


@dataclass
class Columns:
    """The outcomes of many games, one entry per game in each array."""

    seeds: list[int]
    end_turn: np.ndarray
    end_reason: list[str]
    peak: np.ndarray  # rung index
    final_rung: np.ndarray
    escalation: np.ndarray
    met: np.ndarray  # (games, objectives) bool
    #: agreement id -> the turn it was first signed (-1: not signed in that game)
    signed: dict[str, np.ndarray]
    at_target: np.ndarray  # (games, sides in the target's pool) bool
    final_names: list[str]
    final: np.ndarray  # (games, figures)
    engine: str = "batch"
    #: why quick games were played one at a time (the batch engine cannot play this scenario), else ""
    unsupported: str = ""

    @property
    def n(self) -> int:
        return len(self.seeds)

    @classmethod
    def of(cls, sc: Scenario, pool: list[str], outcomes: list[Outcome], engine: str,
           unsupported: str = "") -> Columns:
        rungs = {r.id: i for i, r in enumerate(sc.ladder.rungs)}
        objectives = [o.id for o in sc.objectives]
        n = len(outcomes)
        met = np.zeros((n, len(objectives)), dtype=bool)
        at = np.zeros((n, len(pool)), dtype=bool)
        signed: dict[str, np.ndarray] = {}
        for g, o in enumerate(outcomes):
            got = set(o.met)
            met[g] = [x in got for x in objectives]
            there = set(o.at_target)
            at[g] = [x in there for x in pool]
            for aid, turn in o.signed:
                signed.setdefault(aid, np.full(n, -1, dtype=np.int16))[g] = turn
        names = [name for name, _ in outcomes[0].final] if outcomes else []
        return cls(
            seeds=[o.seed for o in outcomes],
            end_turn=np.array([o.end_turn for o in outcomes], dtype=np.int16),
            end_reason=[o.end_reason for o in outcomes],
            peak=np.array([rungs[o.peak_rung] for o in outcomes], dtype=np.int8),
            final_rung=np.array([rungs[o.final_rung] for o in outcomes], dtype=np.int8),
            escalation=np.array([o.escalation for o in outcomes]),
            met=met, signed=signed, at_target=at, final_names=names,
            final=np.array([[x for _, x in o.final] for o in outcomes]).reshape(n, len(names)),
            engine=engine, unsupported=unsupported,
        )

    @classmethod
    def join(cls, parts: list[Columns]) -> Columns:
        """Chunks, in order, as one table."""
        n = sum(p.n for p in parts)
        signed: dict[str, np.ndarray] = {}
        at = 0
        for p in parts:
            for aid, turns in p.signed.items():
                signed.setdefault(aid, np.full(n, -1, dtype=np.int16))[at:at + p.n] = turns
            at += p.n
        return cls(
            seeds=[s for p in parts for s in p.seeds],
            end_turn=np.concatenate([p.end_turn for p in parts]),
            end_reason=[r for p in parts for r in p.end_reason],
            peak=np.concatenate([p.peak for p in parts]),
            final_rung=np.concatenate([p.final_rung for p in parts]),
            escalation=np.concatenate([p.escalation for p in parts]),
            met=np.concatenate([p.met for p in parts]),
            signed=dict(sorted(signed.items())),
            at_target=np.concatenate([p.at_target for p in parts]),
            final_names=parts[0].final_names,
            final=np.concatenate([p.final for p in parts]),
            engine="+".join(sorted({p.engine for p in parts})),
            unsupported=next((p.unsupported for p in parts if p.unsupported), ""),
        )


# ------------------------------------------------------------------ playing chunks

_LOADED: dict[tuple[str, tuple[Change, ...]], tuple[Scenario, Any, str]] = {}


def _compiled(path: str, changes: tuple[Change, ...]) -> tuple[Scenario, Any, str]:
    """The scenario with the sweep's changes, its batch rules (None if the batch engine cannot play it) and
    why not; kept for the life of the worker process."""
    key = (path, changes)
    if key not in _LOADED:
        sc = apply_changes(load_scenario(path), changes)
        why = ""
        try:
            batch: Any = BatchRules(Rules(sc))
        except Unsupported as exc:
            batch, why = None, str(exc)
        if len(_LOADED) >= 8:  # a sweep moves from point to point: keep a few, not all
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = (sc, batch, why)
    return _LOADED[key]


def play_chunk(job: Job, report: Callable[[int], None] | None = None) -> Columns:
    """Play one chunk of a run (in whichever process or cluster worker it lands).

    `report(n)` hears of progress as it is made, in games (a turn of the batch
    engine counts as its share of the chunk's games); the calls add up to the
    chunk's size.
    """
    sc, batch, why = _compiled(job.scenario, job.changes)
    seeds = [game_seed(job.seed, k) for k in range(job.start, job.stop)]
    size, sent = len(seeds), 0

    def tell(upto: int) -> None:
        nonlocal sent
        if report is not None and upto > sent:
            report(upto - sent)
            sent = upto

    if batch is not None and job.level == "quick":
        turns = sc.meta.turns
        outcomes = play_batch(batch, seeds, lambda turn, _: tell(min(size, size * turn // turns)))
        engine = "batch"
    else:
        bot = controller(job.level)
        outcomes = []
        for s in seeds:
            game = Game(sc, seed=s)
            game.play_out(dict.fromkeys(sc.playable_ids, bot))
            outcomes.append(outcome_of(game.rules, game.state))
            tell(len(outcomes))
        engine = "reference"
    tell(size)
    return Columns.of(sc, spending_pool(sc), outcomes, engine, why if job.level == "quick" else "")


def chunks(scenario: str, changes: tuple[Change, ...], runs: int, seed: int, workers: int, level: str) -> list[Job]:
    """Split a run into chunks: one per worker where the size allows (see MAX_CHUNK)."""
    size = max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(runs / max(1, workers))))
    return [Job(scenario, changes, seed, a, min(runs, a + size), level) for a in range(0, runs, size)]


Progress = Callable[[int], None]


@dataclass
class Backend:
    """Where chunks are played: "local" (this process, or a pool of `workers` processes) or "dask"."""

    kind: str = "local"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: a Dask scheduler's address; None starts a local Dask cluster of `workers` processes
    address: str | None = None

    def run(self, jobs: list[Job], progress: Progress | None = None) -> list[Columns]:
        """Play every job; the results in the order of `jobs`, whatever order they finish in."""
        done = progress or (lambda n: None)
        if self.kind == "dask":
            return list(self._dask(jobs, done))
        if self.workers <= 1 or len(jobs) <= 1:
            return [play_chunk(job, done) for job in jobs]
        return self._pool(jobs, done)

    def _pool(self, jobs: list[Job], done: Progress) -> list[Columns]:
        """A local process pool; the workers' progress comes back through a queue while they play."""
        results: dict[int, Columns] = {}
        credited = [0] * len(jobs)

        def credit(i: int, n: int) -> None:
            n = min(n, jobs[i].stop - jobs[i].start - credited[i])  # never more than the chunk holds
            if n > 0:
                credited[i] += n
                done(n)

        with multiprocessing.Manager() as manager, ProcessPoolExecutor(max_workers=self.workers) as pool:
            queue = manager.Queue()
            futures = {pool.submit(play_chunk, job, _QueueReport(queue, i)): i for i, job in enumerate(jobs)}
            waiting = set(futures)
            while waiting:
                finished, waiting = wait(waiting, timeout=0.25, return_when=FIRST_COMPLETED)
                while not queue.empty():
                    credit(*queue.get())
                for fut in finished:
                    i = futures[fut]
                    results[i] = fut.result()
                    credit(i, jobs[i].stop - jobs[i].start)
        return [results[i] for i in range(len(jobs))]

    def _dask(self, jobs: list[Job], done: Progress) -> Iterator[Columns]:
        try:
            from dask.distributed import Client, LocalCluster, as_completed
        except ImportError as exc:
            raise RuntimeError("the dask back end needs the optional extra: pip install -e '.[cluster]'") from exc
        cluster = None
        if self.address:
            client = Client(self.address)
        else:
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        try:
            futures = client.map(play_chunk, jobs, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            results: dict[int, Columns] = {}
            for fut in as_completed(futures):
                i = index[fut.key]
                results[i] = fut.result()
                done(jobs[i].stop - jobs[i].start)
            yield from (results[i] for i in range(len(jobs)))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


@dataclass(frozen=True)
class _QueueReport:
    """A chunk's progress, sent from a worker process to the parent (picklable, unlike a closure)."""

    queue: Any
    index: int

    def __call__(self, n: int) -> None:
        self.queue.put((self.index, n))


def simulate(scenario: str | Path, runs: int, seed: int, backend: Backend | None = None, level: str = "quick",
             changes: tuple[Change, ...] = (), progress: Progress | None = None) -> Columns:
    """Play `runs` games and return their outcomes in seed order."""
    return simulate_points(scenario, runs, seed, [changes], backend, level, progress)[0]


def simulate_points(scenario: str | Path, runs: int, seed: int, points: list[tuple[Change, ...]],
                    backend: Backend | None = None, level: str = "quick",
                    progress: Progress | None = None) -> list[Columns]:
    """Play `runs` games at each point of a sweep (the same seeds at every point, so that the points differ by
    their parameters, not by luck), all through one back end; one table per point."""
    backend = backend or Backend(workers=1)
    if runs < 1:
        raise ValueError("runs must be at least 1")
    per_point = [chunks(str(scenario), changes, runs, seed, backend.workers, level) for changes in points]
    done = backend.run([job for jobs in per_point for job in jobs], progress)
    out, at = [], 0
    for jobs in per_point:
        out.append(Columns.join(done[at:at + len(jobs)]))
        at += len(jobs)
    return out
