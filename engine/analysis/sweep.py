"""Changing a scenario's parameters by path, for sweeps: `doctrines.SIDE.risk=0.8`, `events.ID.chance=0.3`.

A path walks the scenario as it is written: mappings by key, lists by the
`id` of their items (or `actor`, for doctrines), or by position. The changed
scenario is validated again in full, cross-references included, so a sweep
can never play a scenario the loader would have refused.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from pydantic import ValidationError

from engine.scenario import limits, xref
from engine.scenario.model import LIMIT, Scenario

#: one change: (path, new value)
Change = tuple[str, Any]

#: the most points one sweep may have: each point is a whole Monte Carlo run, and every changed scenario is
#: validated before the first game, so a grid of 10,000 points would run for minutes before saying anything
MAX_SWEEP_POINTS = 400


class SweepError(ValueError):
    """A sweep that names a parameter the scenario does not have, or a value it cannot take."""


def parse_value(text: str) -> Any:
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    for kind in (int, float):
        try:
            return kind(t)
        except ValueError:
            pass
    return t


def _check_number(path: str, text: str, value: Any) -> None:
    """A swept number must be one a scenario file could hold: finite and within the format's limit."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise SweepError(f"{path}={text}: not a finite number (a scenario's numbers cannot be NaN or infinite)")
    if abs(value) > LIMIT:
        raise SweepError(f"{path}={text}: beyond the limit of ±{LIMIT:g} for a number in a scenario")


def parse_sweep(spec: str) -> tuple[str, list[Any]]:
    """"PATH=V1,V2,..." -> (PATH, [values])."""
    path, sep, values = spec.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise SweepError(f"a sweep is PATH=V1,V2,... (e.g. doctrines.SIDE.risk=0.2,0.5,0.8), not {spec!r}")
    items = [parse_value(v) for v in values.split(",") if v.strip()]
    for text, item in zip([v for v in values.split(",") if v.strip()], items, strict=True):
        _check_number(path.strip(), text.strip(), item)
    if len(set(map(repr, items))) != len(items):
        raise SweepError(f"{path.strip()}: a value is listed twice")
    return path.strip(), items


def grid(sweeps: list[tuple[str, list[Any]]]) -> list[tuple[Change, ...]]:
    """Every combination of the swept values, the first parameter varying slowest."""
    paths = [p for p, _ in sweeps]
    if len(set(paths)) != len(paths):
        raise SweepError("the same parameter is swept twice")
    points = math.prod(len(v) for _, v in sweeps)
    if points > MAX_SWEEP_POINTS:
        sizes = " × ".join(str(len(v)) for _, v in sweeps)
        raise SweepError(f"the sweep has {points:,} points ({sizes} values); at most {MAX_SWEEP_POINTS:,} are run "
                         "at once: sweep fewer values, or split the sweep into several runs")
    return [tuple(zip(paths, combo, strict=True)) for combo in itertools.product(*[v for _, v in sweeps])]


def _step(node: Any, seg: str, walked: str) -> tuple[Any, Any]:
    """(container, key) for one segment of a path."""
    if isinstance(node, dict):
        if seg not in node:
            known = ", ".join(sorted(map(str, node))) or "nothing"
            raise SweepError(f"{walked or 'the scenario'} has no {seg!r} (it has: {known})")
        return node, seg
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and seg in (item.get("id"), item.get("actor")):
                return node, i
        if seg.isdigit() and int(seg) < len(node):
            return node, int(seg)
        ids = [str(x.get("id") or x.get("actor")) for x in node if isinstance(x, dict)]
        raise SweepError(f"{walked} has no item {seg!r} (it has: {', '.join(ids) or 'no named items'})")
    raise SweepError(f"{walked} is a value, not a mapping or a list: cannot go on to {seg!r}")


def apply_changes(sc: Scenario, changes: tuple[Change, ...]) -> Scenario:
    """The scenario with each path set to its value, validated like a loaded file."""
    if not changes:
        return sc
    data = sc.model_dump(by_alias=True)
    for path, value in changes:
        node: Any = data
        segs = path.split(".")
        walked = ""
        for seg in segs[:-1]:
            container, key = _step(node, seg, walked)
            node = container[key]
            walked = f"{walked}.{seg}" if walked else seg
        container, key = _step(node, segs[-1], walked)
        if isinstance(container[key], (dict, list)):
            raise SweepError(f"{path} is a whole section, not a single value")
        container[key] = value
    try:
        changed = Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        msg = first["msg"].removeprefix("Value error, ")
        raise SweepError(f"{', '.join(f'{p}={v}' for p, v in changes)}: {where}: {msg}") from None
    problems = xref.check(changed) or limits.check(changed)
    if problems:
        loc, msg = problems[0]
        raise SweepError(f"{', '.join(f'{p}={v}' for p, v in changes)}: {'.'.join(map(str, loc))}: {msg}")
    return changed
