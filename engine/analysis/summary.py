"""What many games add up to: shares and means with their 95% confidence intervals.

Shares use the Wilson score interval (sound near 0% and 100%, where the
normal approximation says silly things); means use the normal approximation
(mean ± 1.96 standard errors), fine for the hundreds of games a run has.
Plain data for the terminal, the charts and the files to print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.analysis.simulate import Columns
from engine.rules.outcome import spending_pool
from engine.scenario.model import Scenario

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Share:
    count: int
    n: int

    @property
    def p(self) -> float:
        return self.count / self.n if self.n else 0.0

    @property
    def ci(self) -> tuple[float, float]:
        """Wilson score interval, 95%."""
        n = self.n
        if not n:
            return (0.0, 1.0)
        p = self.p
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
        return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Mean:
    mean: float
    sd: float
    n: int

    @classmethod
    def of(cls, values: np.ndarray) -> Mean:
        x = np.asarray(values, dtype=np.float64)
        if x.size == 0:
            return cls(float("nan"), float("nan"), 0)
        sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
        return cls(float(x.mean()), sd, int(x.size))

    @property
    def ci(self) -> tuple[float, float]:
        half = Z95 * self.sd / math.sqrt(self.n) if self.n > 1 else 0.0
        return (self.mean - half, self.mean + half)


@dataclass(frozen=True)
class AgreementStat:
    id: str
    name: str
    signed: Share
    turn: Mean


@dataclass
class Summary:
    runs: int
    rungs: list[tuple[str, str]]
    peak: list[Share]
    reached: list[Share]
    end_turn: Mean
    ended_early: Share
    end_reasons: list[tuple[str, Share]]
    objectives: list[tuple[str, str, str, Share]]  # (side, objective id, description, share)
    side_points: list[tuple[str, Mean, int]]  # (side, points met per game, points available)
    signed_per_game: Mean
    signed_turn: Mean
    agreements: list[AgreementStat]
    #: mean number of agreements signed by the end of each turn (turns 1..N)
    signed_by_turn: list[float]
    target_label: str
    target_pool: list[str]
    #: who the pool is, e.g. "alliance members" or "sides"
    target_whom: str
    at_target: Mean
    side_at_target: list[tuple[str, Share]]


def agreement_name(sc: Scenario, aid: str) -> str:
    """A readable name for an agreement id: the scenario's name, or its type and parties."""
    seed = next((a for a in sc.agreements if a.id == aid), None)
    if seed is not None:
        return seed.name
    names = {a.id: a.name for a in sc.actors}
    for t in sc.agreement_types:
        prefix = t.id + "__"
        if aid.startswith(prefix):
            parties = _split_ids(aid[len(prefix):], sorted(names, key=len, reverse=True))
            if parties:
                return f"{t.name} ({', '.join(names[p] for p in parties)})"
    return aid


def _split_ids(text: str, ids: list[str]) -> list[str] | None:
    """'north_south_east' -> ['north', 'south_east'] (ids may hold underscores too)."""
    if not text:
        return []
    for i in ids:
        if text == i or text.startswith(i + "_"):
            rest = _split_ids(text[len(i) + 1:], ids)
            if rest is not None:
                return [i, *rest]
    return None


def _whom(sc: Scenario) -> str:
    target = sc.meta.spending_target
    if target is None or not target.members_of:
        return "sides"
    alliance = next(a for a in sc.alliances if a.id == target.members_of)
    return alliance.name.split(" (")[0] + " members"


def summarise(sc: Scenario, cols: Columns) -> Summary:
    pool = spending_pool(sc)  # the columns of `cols.at_target`
    n = cols.n
    names = {a.id: a.name for a in sc.actors}
    rungs = [(r.id, r.name) for r in sc.ladder.rungs]
    peak = [Share(int((cols.peak == i).sum()), n) for i in range(len(rungs))]
    reached = [Share(int((cols.peak >= i).sum()), n) for i in range(len(rungs))]
    reasons: dict[str, int] = {}
    for r in cols.end_reason:
        reasons[r] = reasons.get(r, 0) + 1
    objectives = [(names.get(o.actor, o.actor), o.id, o.description, Share(int(cols.met[:, j].sum()), n))
                  for j, o in enumerate(sc.objectives)]
    side_points = []
    for side in sc.playable_ids:
        cols_of = [j for j, o in enumerate(sc.objectives) if o.actor == side]
        pts = np.array([sc.objectives[j].points for j in cols_of], dtype=np.float64)
        got = cols.met[:, cols_of].astype(np.float64) @ pts if cols_of else np.zeros(n)
        side_points.append((names[side], Mean.of(got), int(pts.sum())))
    signed = np.array([cols.signed[a] for a in cols.signed]) if cols.signed else np.zeros((0, n), dtype=np.int16)
    per_game = (signed >= 1).sum(axis=0) if signed.size else np.zeros(n)
    turns = signed[signed >= 1]
    agreements = [AgreementStat(aid, agreement_name(sc, aid), Share(int((t >= 1).sum()), n), Mean.of(t[t >= 1]))
                  for aid, t in cols.signed.items()]
    agreements.sort(key=lambda a: (-a.signed.count, a.id))
    last = sc.meta.turns
    by_turn = [float(((signed >= 1) & (signed <= t)).sum()) / n for t in range(1, last + 1)] if n else []
    target = sc.meta.spending_target
    at = cols.at_target
    return Summary(
        runs=n, rungs=rungs, peak=peak, reached=reached,
        end_turn=Mean.of(cols.end_turn), ended_early=Share(int((cols.end_turn < last).sum()), n),
        end_reasons=sorted(((r, Share(k, n)) for r, k in reasons.items()), key=lambda x: -x[1].count),
        objectives=objectives, side_points=side_points,
        signed_per_game=Mean.of(per_game), signed_turn=Mean.of(turns), agreements=agreements,
        signed_by_turn=by_turn,
        target_label=target.label if target else "",
        target_pool=[names[p] for p in pool],
        target_whom=_whom(sc),
        at_target=Mean.of(at.sum(axis=1)) if target else Mean(float("nan"), float("nan"), 0),
        side_at_target=[(names[p], Share(int(at[:, j].sum()), n)) for j, p in enumerate(pool)],
    )
