"""Semantic fuzzing: scenarios (and saves) that are valid to the schema but extreme, run through the whole pipeline.

`tests/fuzzing.py` mutates syntax; this module builds inputs the schema
accepts, or nearly accepts, and pushes them to the edge. It uses Hypothesis
strategies over Python dicts, written out with `yaml.safe_dump`. The attack
classes, combined one to three at a time:

* numbers: NaN, infinities and huge finite values (1.7e308, ±1e300, 10**20
  integers) in effects, costs, upkeep, Scaled amounts, variable ranges, doctrine
  weights, the spending target, the ladder, objective points, chances and
  condition bounds;
* dates: start dates near year 9999 (and year 1), long turns, many turns;
* loops: events that `fire:` themselves or each other (directly or through
  chains), cards that fire events that fire events, fan-outs that double at
  every step, acyclic chains deeper than the recursion limit;
* combinatorics: up to 40 actors and cards aimed at 3 to 5 targets at once;
* strings: `$x^2$` (matplotlib's mathtext), NUL, ANSI/OSC escapes, bidi
  overrides, `<script>`, spreadsheet formulas, 20,000-character names, lone
  surrogates, in every free text the format has;
* size (saves): a game's save whose log has very many entries, whose objects
  nest very deep or grow very wide, or whose size sits at the limit.

Each case runs in a worker process (2 GiB of address space, an alarm after
10 s of CPU time, counted with the CLI's child process; the parent kills a
worker that has not answered after 60 s of wall-clock time). The pipeline is
load_scenario; then, if the scenario is accepted: play with simple bots and
with quick bots (checking the engine's invariants after every turn, and
rendering each turn as the terminal would), save_game, read_save and
replay_save, play on, write_report (HTML, Markdown, CSV, charts), the batch
engine against the reference engine, a small `simulate`, and, for some cases,
`main.py play --headless`. Outcomes:

* ok: every stage passed;
* refused: the loader refused the scenario with FILE:LINE:COLUMN, or
  read_save refused the save with a reason;
* unlocated: a refusal without a location;
* crash: any other exception, a game the engine accepted but cannot save,
  reload or replay, a broken invariant, engines that disagree, raw control
  characters in terminal output, or unsafe report files;
* hang: more than 10 s (of CPU time: other work on the machine does not make a case hang).

Used by `bench/fuzz.py --semantic` (the long campaign) and
`tests/test_semantic_fuzz.py` (a short seeded run and the corpus).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import datetime as dt
import hashlib
import json
import math
import multiprocessing
import os
import queue
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_for_connections
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from engine.core.commands import Resume

ROOT = Path(__file__).resolve().parent.parent
#: a case's budget, in CPU seconds (the worker's and its children's): the verdict holds on a loaded machine too.
#: The campaign's goal is 10 s; a replay of the corpus may allow more (SEMANTIC_CPU_SECONDS), since its slowest
#: files are legal games of 200 turns that take most of the 10 s when the machine is idle
SECONDS_PER_CASE = float(os.environ.get("SEMANTIC_CPU_SECONDS", "10"))
#: wall-clock bound: a worker that has not answered by then is killed (C code ignores alarms; a process may block)
WALL_SECONDS = 60.0
MEMORY_LIMIT = 2 * 1024**3
#: turns played in process by each bot level (the CLI plays the whole game)
TURNS = 6
#: a worker is replaced after this many cases (caches and fragmentation stay bounded)
RECYCLE_AFTER = 400
#: a scenario file's name in a case's folder
CASE_FILE = "case.yaml"

NAN, INF = float("nan"), float("inf")

# ------------------------------------------------------------------ extreme values

FLOATS: list[float] = [NAN, INF, -INF, 1.7e308, -1.7e308, 1e300, -1e300]
INTS: list[int] = [10**20, -(10**20), 2**63, -(2**63), 2**64, 10**30]
#: extreme values a scenario may still hold (the engine caps magnitudes at 1e15, counts at 10**6): the limit itself,
#: subnormals, integers past float precision, -0.0
LEGAL: list[float | int] = [1e15, -1e15, 999_999_999_999_999.9, 1e14, -1e14, 5e-324, -5e-324, 1e-300, -0.0, 0.1,
                            1e-7, 10**6, 123456789.123456789, 2**49 + 1]
#: just past those limits, and where floats lose integers
EDGE: list[float | int] = [1.0000000000000002e15, -1.0000000000000002e15, 2**53 + 1, -(2**53) - 1, 10**6 + 1]
WILD: list[float | int] = [*FLOATS, *INTS, *EDGE]
ANY_NUMBER: list[float | int] = [*WILD, *LEGAL]
POSITIVE: list[float | int] = [INF, 1.7e308, 1e300, NAN, 10**20, 2**63, 2**64, 10**30, 2**53 + 1]
LEGAL_POSITIVE: list[float | int] = [1e15, 1e14, 5e-324, 1e-300, 10**6, 999_999_999_999_999.9]
BIG_INTS: list[int] = [10**20, 2**63 - 1, 2**63, 2**64, 10**30, 10**6 + 1]
LEGAL_INTS: list[int] = [10**6, 999_999, 2**19]
#: (min, max) of a variable's range
RANGES: list[tuple[float | int, float | int]] = [
    (-INF, INF), (-1.7e308, 1.7e308), (-1e300, 1e300), (0, 1.7e308), (0, INF), (-INF, 0), (-(10**20), 10**20),
    (0, 10**30),
]
LEGAL_RANGES: list[tuple[float | int, float | int]] = [
    (-1e15, 1e15), (0, 1e15), (1e15, 1e15), (-1e15, -1e15), (5e-324, 5e-324), (0, 5e-324), (-5e-324, 5e-324),
    (1e-300, 1e-300), (0, 0), (-0.0, 0.0), (0.1, 0.30000000000000004),
]


@dataclass(frozen=True)
class Pools:
    """Where one case's numbers come from: legal extremes only, or anything (most of which the loader refuses)."""

    num: list[Any]
    pos: list[Any]
    ints: list[Any]
    ranges: list[Any]


LEGAL_POOLS = Pools(LEGAL, LEGAL_POSITIVE, LEGAL_INTS, LEGAL_RANGES)
WILD_POOLS = Pools(ANY_NUMBER, POSITIVE + LEGAL_POSITIVE, BIG_INTS + LEGAL_INTS, RANGES + LEGAL_RANGES)
DATES = [dt.date(9999, 12, 1), dt.date(9999, 1, 1), dt.date(9998, 1, 31), dt.date(9990, 6, 15), dt.date(1, 1, 1),
         dt.date(1970, 1, 1)]
SEEDS = [1, 2, 7, 0, -1, 2**63, 2**64 + 1, -(2**70), 10**20]

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE: list[str] = [
    "$x^2$", "$", "$$", "a $b$ c $", "$\\frac{1}{$", "$\\undefinedcommand$", "$^$", "10$ and 20$", "$\\sqrt{-1$",
    "\x00", "nul\x00inside", "\x1b[2J\x1b[H", "\x1b]52;c;SGVsbG8=\x07", "\x1b]0;pwned\x07", "\x07", "\x9b31m",
    "\x1bP+q\x1b\\", "\x1b[6n", "\r\x1b[K",
    "\u202eevil\u202c", "\u2066isolate\u2069", "\u200b", "\ufeff", "\u2028line\u2029para", "\x85next",
    SCRIPT, IMG, "</td></tr></table>", "\" onmouseover=\"alert(1)", "&amp;&lt;", "]]>", "<!--",
    '=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-cmd|x", "@SUM(1+1)", "\t=1+1", "\r=1",
    "| a | b |", "[x](javascript:alert(1))", "# heading", "*bold* _it_ `code`",
    "%s %d %(x)s {0} {name} {{", "\\", "'", '"', "\r\n", "\n\n\n", " ", "",
    "e\u0301\u0303\u0345", "\U0001f1ea\U0001f1fa\U0001f469\u200d\U0001f469\u200d\U0001f467", "\ufdfa", "\U0001242b",
    "\U0010ffff",
]
#: lone surrogates: YAML can only write them as escapes, which the C parser refuses (so the whole file is
#: refused, whatever else it holds): drawn rarely, to keep them from hiding the other attacks
SURROGATES: list[str] = ["\ud800", "\udfff", "x\ud83dy"]
LONG: list[str] = ["W" * 20_000, ("\x1b[31mA") * 3_000, "$" * 5_001, "\U0001242b" * 20_000, "a b " * 5_000,
                   (SCRIPT + "$x$") * 700]


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes shared objects out in full: the loader refuses YAML aliases (an attack of the syntax fuzzer's)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class _PyDumper(yaml.SafeDumper):
    """The same in pure Python: libyaml cannot write a lone surrogate, PyYAML writes it as an escape."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(doc: Any) -> str:
    try:
        return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)
    except UnicodeEncodeError:
        return yaml.dump(doc, Dumper=_PyDumper, sort_keys=False, allow_unicode=True, width=200)


# ------------------------------------------------------------------ a valid base scenario


def _actor(i: int, kind: str = "state") -> dict[str, Any]:
    return {"id": f"a{i}", "name": f"Actor {i}", "kind": kind,
            "variables": {"power": float(20 + (i * 7) % 60), "secret": 4}}


def base_scenario(draw: Any, n: int) -> dict[str, Any]:
    """A small scenario every part of the engine can play (the attacks then push it to the edge)."""
    ids = [f"a{i}" for i in range(n)]
    turns = draw(st.integers(1, 6))
    last = ids[-1]
    doc: dict[str, Any] = {
        "format": 1,
        "meta": {
            "id": "semantic_case", "title": "Semantic case", "summary": "Generated by tests/semantic.py.",
            "start_date": dt.date(2024, 2, 1), "turn_months": draw(st.sampled_from([1, 1, 3, 12])), "turns": turns,
            "orders_per_turn": draw(st.integers(1, 3)),
            "sources": [{"id": "made_up", "title": "Invented for fuzzing"}],
            "dashboard": ["budget", "power"],
            "spending_target": {"var": "power", "at_least": 50, "label": "Half power"},
        },
        "variables": {
            "budget": {"label": "Budget", "min": 0, "max": 20, "default": 3},
            "power": {"label": "Power", "min": 0, "max": 100, "default": 40, "unit": "%"},
            "secret": {"label": "Secret", "min": 0, "max": 10, "private": True},
        },
        "globals": {"credibility": {"label": "Credibility", "min": 0, "max": 100, "initial": 70}},
        "relation_variables": {"trust": {"label": "Trust", "min": -100, "max": 100}},
        "actors": [_actor(i, draw(st.sampled_from(["state", "state", "bloc", "organisation"]))) for i in range(n)],
        "relations": [{"between": [ids[0], ids[1]], "values": {"trust": -40}}],
        "alliances": [{"id": "pact", "name": "The Pact", "members": ids[:2], "credibility": "credibility"}],
        "ladder": {"rungs": [{"id": "calm", "name": "Calm", "threshold": 0},
                             {"id": "tense", "name": "Tense", "threshold": 10},
                             {"id": "crisis", "name": "Crisis", "threshold": 25},
                             {"id": "war", "name": "War", "threshold": 50}],
                   "decay": 2},
        "end_on_rung": "war",
        "agreement_types": [{"id": "bilateral", "name": "Bilateral agreement", "lapse_after": 2,
                             "each_turn": [{"change": "parties.power", "by": 0.5}]}],
        "agreements": [{"id": "first_pact", "type": "bilateral", "name": "First pact", "parties": ids[:2]}],
        "cards": [
            {"id": "raise", "name": "Raise power", "family": "budget", "cost": {"budget": 1},
             "effects": [{"change": "self.power", "by": 3}]},
            {"id": "propose", "name": "Propose a bilateral", "family": "agreement", "target": {"kind": "actor"},
             "conditions": [{"agreement": {"type": "bilateral", "parties": ["self", "target"]},
                             "in": ["proposed", "negotiating", "signed", "in_force", "invoked"], "exists": False}],
             "effects": [{"agreement": "propose", "type": "bilateral", "parties": ["self", "target"]}]},
            {"id": "accept", "name": "Accept a proposal", "family": "agreement",
             "target": {"kind": "agreement", "where": [{"agreement": {"target": True}, "in": ["proposed"],
                                                        "self_is_party": True, "self_is_proposer": False}]},
             "effects": [{"agreement": "negotiate", "target": True}]},
            {"id": "threaten", "name": "Threaten", "family": "escalation", "playable_by": [last],
             "target": {"kind": "actor", "where": [{"member": "target", "of": "pact"}]},
             "chance": {"base": 0.6, "modifiers": [{"when": [{"var": "global.credibility", "below": 50}],
                                                    "add": 0.2, "why": "credibility is low"}]},
             "effects": [{"escalate": 12}, {"relation": "trust", "between": ["self", "target"], "by": -10}],
             "on_failure": [{"note": "The threat fell flat."}]},
            {"id": "calm_down", "name": "De-escalate", "family": "escalation", "effects": [{"escalate": -5}]},
        ],
        "events": [
            {"id": "wobble", "name": "Ally wobbles", "at_turn": min(2, turns), "text": "A wobble.",
             "effects": [{"commitment": "waver", "actor": ids[0], "alliance": "pact"},
                         {"change": "global.credibility", "by": -15}]},
            {"id": "brief", "name": "Private briefing", "at_turn": 1, "to": [ids[0]], "text": "Only a0 hears this."},
        ],
        "each_turn": [{"for": ["*"], "effects": [{"change": "self.budget", "by": 1}]}],
        "objectives": [
            {"id": "a0_power", "actor": ids[0], "description": "a0 grows",
             "conditions": [{"var": "self.power", "at_least": 60}]},
            {"id": "a1_calm", "actor": ids[1], "description": "No crisis", "conditions": [{"rung_at_most": "tense"}]},
            {"id": "last_crisis", "actor": last, "description": "A crisis", "judged": "ever",
             "conditions": [{"rung_at_least": "crisis"}]},
        ],
    }
    if draw(st.booleans()):
        doc["doctrines"] = [{"actor": ids[0], "summary": "Grow, stay calm.", "risk": 0.5,
                             "values": [{"name": "Power", "weight": 1, "var": "self.power"},
                                        {"name": "Calm", "weight": -0.5, "escalation": True},
                                        {"name": "Trust", "weight": 0.3, "relation": "trust", "with": ids[1]}],
                             "red_lines": [{"text": "No war", "max_rung": "crisis"}]}]
    if draw(st.booleans()):
        doc["end"] = [{"id": "collapse", "text": "Credibility collapsed",
                       "when": [{"var": "global.credibility", "below": 5}]}]
    return doc


def _card(doc: dict[str, Any], card_id: str) -> dict[str, Any]:
    return next(c for c in doc["cards"] if c["id"] == card_id)


# ------------------------------------------------------------------ attack: numbers


def _pick(draw: Any, values: list[Any]) -> Any:
    return draw(st.sampled_from(values))


def _amount(draw: Any, P: Pools) -> Any:
    """An extreme plain number or an extreme Scaled amount."""
    if draw(st.integers(0, 3)) == 0:
        return {"var": _pick(draw, ["self.power", "global.credibility", "self.budget"]),
                "times": _pick(draw, P.num), "plus": _pick(draw, P.num)}
    return _pick(draw, P.num)


def _n_effect(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    _card(doc, "raise")["effects"][0]["by"] = _amount(draw, P)


def _n_scaled(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    target = _pick(draw, ["self.power", "self.budget", "global.credibility", "*.power"])
    doc["cards"].append({"id": "scale", "name": "Scale up", "family": "budget",
                         "effects": [{"change": target, "by": {"var": _pick(draw, ["self.power", "global.credibility"]),
                                                                "times": _pick(draw, P.num),
                                                                "plus": _pick(draw, P.num)}}]})


def _n_set(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    _card(doc, "raise")["effects"].append({"set": _pick(draw, ["self.power", "global.credibility"]),
                                           "to": _amount(draw, P)})


def _n_escalate(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    _card(doc, "calm_down")["effects"] = [{"escalate": _amount(draw, P)}]


def _n_relation(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    _card(doc, "threaten")["effects"][1]["by"] = _amount(draw, P)


def _n_cost(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    cost = {"budget": _pick(draw, P.num)}
    if draw(st.booleans()):
        cost["power"] = _pick(draw, P.num)
    _card(doc, "raise")["cost"] = cost


def _n_upkeep(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    doc["each_turn"][0]["effects"][0]["by"] = _amount(draw, P)
    if draw(st.booleans()):
        doc["each_turn"].append({"for": [_pick(draw, ["*", "@pact", "a0"])],
                                 "effects": [{"change": "global.credibility", "by": _amount(draw, P)},
                                             {"escalate": _amount(draw, P)}]})


def _n_agreement_upkeep(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    doc["agreement_types"][0]["each_turn"] = [{"change": "parties.power", "by": _amount(draw, P)},
                                              {"relation": "trust", "between": ["parties", "parties"],
                                               "by": _pick(draw, P.num)}]


def _ranged(draw: Any, var: dict[str, Any], P: Pools) -> tuple[Any, Any, Any]:
    lo, hi = _pick(draw, P.ranges)
    choices = [lo, hi] + ([0] if lo <= 0 <= hi else [])
    var["min"], var["max"], var["default"] = lo, hi, _pick(draw, choices)
    return lo, hi, choices


def _n_var_range(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    name = _pick(draw, ["power", "budget"])
    _, _, choices = _ranged(draw, doc["variables"][name], P)
    for a in doc["actors"]:
        a["variables"][name] = _pick(draw, choices)
    if name == "power" and doc["meta"].get("spending_target"):
        doc["meta"]["spending_target"]["at_least"] = _pick(draw, choices)


def _n_global(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    g = doc["globals"]["credibility"]
    _, _, choices = _ranged(draw, g, P)
    g["initial"] = _pick(draw, choices)


def _n_relation_range(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    _, _, choices = _ranged(draw, doc["relation_variables"]["trust"], P)
    doc["relations"][0]["values"]["trust"] = _pick(draw, choices)


def _n_ladder(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    lad = doc["ladder"]
    way = draw(st.integers(0, 3)) if P is WILD_POOLS else 4
    if way == 4:  # thresholds at the legal extremes
        for r, th in zip(lad["rungs"], [-1e15, 0, 5e-324, 1e15], strict=True):
            r["threshold"] = th
        lad.update(min_score=-1e15, max_score=_pick(draw, [1e15, 1e14]), initial_score=_pick(draw, [0, -1e15, 1e15]))
    elif way == 0:  # thresholds across the whole float range
        for r, th in zip(lad["rungs"], [-1.7e308, 0, 1e300, 1.7e308], strict=True):
            r["threshold"] = th
        lad.update(min_score=-1.7e308, max_score=_pick(draw, [1.7e308, INF]), initial_score=0)
    elif way == 1:  # a NaN threshold (every comparison with it is false)
        lad["rungs"][draw(st.integers(0, 3))]["threshold"] = NAN
    elif way == 2:  # an unbounded score
        lad["rungs"][0]["threshold"] = -INF
        lad.update(min_score=-INF, max_score=INF, initial_score=_pick(draw, [-INF, 0, INF, 1e300]))
    else:
        lad.update(initial_score=_pick(draw, [0, 100, 5e-324]), max_score=_pick(draw, [100, 1e300, INF]))
    if draw(st.booleans()):
        lad["decay"] = _pick(draw, P.pos)


def _n_decay(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    doc["ladder"]["decay"] = _pick(draw, P.pos)


def _n_doctrine(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    ids = [a["id"] for a in doc["actors"]]
    doc["doctrines"] = [{"actor": a, "risk": _pick(draw, [0, 1, 0.5, 5e-324]),
                         "values": [{"name": "Power", "weight": _pick(draw, P.num), "var": "self.power"},
                                    {"name": "Ladder", "weight": _pick(draw, P.num), "escalation": True},
                                    {"name": "Goals", "weight": _pick(draw, P.num), "objectives": True},
                                    {"name": "Cred", "weight": _pick(draw, P.num), "var": "global.credibility"}]}
                        for a in ids[: draw(st.integers(1, len(ids)))]]


def _n_spending(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    doc["meta"]["spending_target"]["at_least"] = _pick(draw, P.num)


def _n_points(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    for o in doc["objectives"]:
        if draw(st.booleans()):
            o["points"] = _pick(draw, P.ints)


def _n_chance(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    mods = [{"when": [{"turn_at_least": 1}], "add": _pick(draw, [1, -1, 5e-324, -5e-324, 0.5])}
            for _ in range(draw(st.integers(1, 4)))]
    _card(doc, "threaten")["chance"] = {"base": _pick(draw, [0, 1, 5e-324, 1 - 2**-53]), "modifiers": mods}
    if P is WILD_POOLS:
        mods.append({"when": [{"turn_at_least": 1}], "add": _pick(draw, [NAN, INF, 1 + 2**-52])})
    _card(doc, "raise")["chance"] = _pick(draw, [5e-324, 1e-300, 1 - 2**-53, 0.0])
    for e in doc["events"]:
        e["chance"] = _pick(draw, [5e-324, 0.0, 1.0, 1 - 2**-53])


def _n_bounds(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    op = _pick(draw, ["at_least", "at_most", "above", "below", "equals"])
    doc["objectives"][0]["conditions"] = [{"var": "self.power", op: _pick(draw, P.num)}]
    doc["end"] = [{"id": "edge", "text": "An edge", "when": [{"var": "global.credibility",
                                                              _pick(draw, ["below", "above", "equals"]):
                                                                  _pick(draw, P.num)}]}]
    _card(doc, "threaten")["target"]["where"].append({"var": "target.power", "at_least": _pick(draw, P.num)})


def _n_ints(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    raise_card = _card(doc, "raise")
    which = draw(st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True))
    if 0 in which:
        raise_card["cooldown"] = _pick(draw, P.ints)
    if 1 in which:
        raise_card["max_plays"] = _pick(draw, P.ints)
    if 2 in which:
        doc["objectives"][0]["conditions"].append({"played": "raise", "within": _pick(draw, P.ints)})
    if 3 in which:
        doc["objectives"][1]["conditions"].append({"var": "*.power", "at_least": 0,
                                                   "count_at_least": _pick(draw, [*P.ints, -1, 0])})
    if 4 in which:
        raise_card["conditions"] = [{_pick(draw, ["turn_at_least", "turn_at_most"]): _pick(draw, [*P.ints, -1])}]
    if 5 in which:
        doc["agreement_types"][0].update(lapse_after=_pick(draw, P.ints), max_parties=_pick(draw, P.ints))


def _n_capital(draw: Any, doc: dict[str, Any], P: Pools) -> None:
    doc["actors"][0]["capital"] = [_pick(draw, P.num), _pick(draw, P.num)]


NUMBER_SLOTS: dict[str, Callable[[Any, dict[str, Any], Pools], None]] = {
    "effect": _n_effect, "scaled": _n_scaled, "set": _n_set, "escalate": _n_escalate, "relation": _n_relation,
    "cost": _n_cost, "upkeep": _n_upkeep, "agreement_upkeep": _n_agreement_upkeep, "var_range": _n_var_range,
    "global": _n_global, "relation_range": _n_relation_range, "ladder": _n_ladder, "decay": _n_decay,
    "doctrine": _n_doctrine, "spending": _n_spending, "points": _n_points, "chance": _n_chance, "bounds": _n_bounds,
    "ints": _n_ints, "capital": _n_capital,
}


def attack_numbers(draw: Any, doc: dict[str, Any]) -> list[str]:
    """Extreme numbers in one to four places; in most cases only values a scenario may hold, so that the case
    gets past the loader to the rest of the pipeline."""
    legal = draw(st.integers(0, 9)) < 6
    pools = LEGAL_POOLS if legal else WILD_POOLS
    slots = draw(st.lists(st.sampled_from(sorted(NUMBER_SLOTS)), min_size=1, max_size=4, unique=True))
    for name in slots:
        NUMBER_SLOTS[name](draw, doc, pools)
    return [f"numbers:{s}" for s in slots] + ([] if legal else ["numbers:wild"])


# ------------------------------------------------------------------ attack: dates


def attack_dates(draw: Any, doc: dict[str, Any]) -> list[str]:
    meta = doc["meta"]
    meta["start_date"] = _pick(draw, DATES)
    meta["turn_months"] = _pick(draw, [1, 12, 24])
    meta["turns"] = _pick(draw, [6, 24, 200])
    if draw(st.booleans()):
        doc["events"].append({"id": "last_word", "name": "The last word", "at_turn": meta["turns"],
                              "text": "The very last turn."})
    return [f"dates:{meta['start_date'].year}"]


# ------------------------------------------------------------------ attack: loops

DORMANT = [{"turn_at_most": 0}]  # never holds: the event only fires when another fires it


def _event(eid: str, effects: list[Any], trigger: dict[str, Any] | None, repeatable: bool) -> dict[str, Any]:
    ev: dict[str, Any] = {"id": eid, "name": f"Event {eid}", "text": f"{eid} happens.", "repeatable": repeatable,
                          "effects": effects}
    ev.update(trigger or {"when": DORMANT})
    return ev


def attack_loops(draw: Any, doc: dict[str, Any]) -> list[str]:
    variant = _pick(draw, ["self", "pair", "cycle", "card", "fanout", "deep_chain", "upkeep", "agreement",
                           "on_failure"])
    repeatable = draw(st.booleans())
    trigger = _pick(draw, [{"at_turn": 1}, {"when": [{"turn_at_least": 1}]}, {"at_turn": doc["meta"]["turns"]}])
    bump = {"change": "global.credibility", "by": -1}
    events = doc["events"]
    if variant == "self":
        events.append(_event("echo", [bump, {"fire": "echo"}], trigger, repeatable))
    elif variant == "pair":
        events.append(_event("ping", [{"fire": "pong"}], trigger, repeatable))
        events.append(_event("pong", [bump, {"fire": "ping"}], None, repeatable))
    elif variant == "cycle":
        k = _pick(draw, [3, 10, 50, 200])
        for i in range(k):
            events.append(_event(f"c{i}", [{"fire": f"c{(i + 1) % k}"}], trigger if i == 0 else None, repeatable))
    elif variant == "fanout":  # no cycle, but every event fires the next one twice: 2**depth firings
        depth = _pick(draw, [8, 8, 9, 14, 22])  # 2**9 + ... + 1 = 1023 firings: just past 1000
        for i in range(depth):
            events.append(_event(f"f{i}", [bump, {"fire": f"f{i + 1}"}, {"fire": f"f{i + 1}"}],
                                 trigger if i == 0 else None, True))
        events.append(_event(f"f{depth}", [bump], None, True))
    elif variant == "deep_chain":  # no cycle: a finite chain longer than Python's recursion limit
        k = _pick(draw, [49, 50, 51, 52, 1100, 3000])  # about the deepest chain the engine allows (50)
        for i in range(k):
            events.append(_event(f"d{i}", [{"fire": f"d{i + 1}"}] if i + 1 < k else [bump],
                                 trigger if i == 0 else None, repeatable))
    else:
        k = _pick(draw, [1, 2, 5])
        for i in range(k):
            events.append(_event(f"c{i}", [bump, {"fire": f"c{(i + 1) % k}"}], None, repeatable))
        spark = [{"fire": "c0"}]
        if variant == "card":
            doc["cards"].append({"id": "spark", "name": "Spark", "family": "escalation", "effects": spark})
        elif variant == "upkeep":
            doc["each_turn"].append({"for": ["*"], "effects": spark})
        elif variant == "agreement":
            doc["agreement_types"][0]["each_turn"].extend(spark)
        else:
            doc["cards"].append({"id": "spark", "name": "Spark", "family": "escalation", "chance": 0.0,
                                 "effects": [], "on_failure": spark})
    return [f"loops:{variant}"]


# ------------------------------------------------------------------ attack: combinatorics


def attack_combinatorics(draw: Any, doc: dict[str, Any]) -> list[str]:
    # 40 actors (C(39, 5) = 575,757 aims), and just under the engine's bounds: C(19, 3) = 969, C(12, 5) = 792
    n = _pick(draw, [6, 13, 20, 21, 25, 40, 40])
    have = len(doc["actors"])
    doc["actors"].extend(_actor(i) for i in range(have, n))
    ids = [a["id"] for a in doc["actors"]]
    if draw(st.booleans()):
        doc["alliances"][0]["members"] = ids
    count = _pick(draw, [3, 4, 5, 5])
    target: dict[str, Any] = {"kind": "actor", "count": count, "allow_self": draw(st.booleans())}
    if draw(st.booleans()):
        target["where"] = [{"var": "target.power", "at_least": 0}]
    if draw(st.booleans()):
        target["among"] = [_pick(draw, ["*", "@pact"])]
    doc["cards"].append({"id": "gang_up", "name": "Gang up", "family": "escalation", "target": target,
                         "effects": [{"escalate": 1}, {"relation": "trust", "between": ["self", "target"], "by": -1},
                                     {"change": "targets.power", "by": -1}]})
    for k in range(draw(st.integers(0, 5))):  # more cards aimed the same way: the orders add up
        doc["cards"].append({"id": f"gang_up_{k}", "name": f"Gang up again {k}",
                             "family": _pick(draw, ["budget", "agreement", "escalation"]),
                             "target": {"kind": "actor", "count": count},
                             "effects": [{"change": "targets.budget", "by": 1}]})
    doc["meta"]["orders_per_turn"] = draw(st.integers(1, 10))
    return [f"combinatorics:{n}x{count}"]


# ------------------------------------------------------------------ attack: hostile strings


def text_slots(doc: dict[str, Any]) -> list[tuple[Any, Any]]:
    """Every free text of the scenario: (container, key) pairs."""
    slots: list[tuple[Any, Any]] = []

    def add(container: Any, *keys: str) -> None:
        for k in keys:
            slots.append((container, k))

    meta = doc["meta"]
    add(meta, "title", "summary")
    if meta.get("spending_target"):
        add(meta["spending_target"], "label")
    for s in meta.get("sources", []):
        add(s, "title", "publisher", "note")
    for section in ("variables", "globals", "relation_variables"):
        for v in doc.get(section, {}).values():
            add(v, "label", "unit", "description")
    for a in doc["actors"]:
        add(a, "name", "description")
    for al in doc.get("alliances", []):
        add(al, "name", "description")
    for r in doc["ladder"]["rungs"]:
        add(r, "name", "description")
    for t in doc.get("agreement_types", []):
        add(t, "name", "description")
    for ag in doc.get("agreements", []):
        add(ag, "name", "signed")
    for c in doc.get("cards", []):
        add(c, "name", "text")
        chance = c.get("chance")
        if isinstance(chance, dict):
            for m in chance.get("modifiers", []):
                add(m, "why")
    for e in doc.get("events", []):
        add(e, "name", "text")
    for o in doc.get("objectives", []):
        add(o, "description")
    for e in doc.get("end", []):
        add(e, "text")
    for d in doc.get("doctrines", []):
        add(d, "summary")
        for v in d["values"]:
            add(v, "name")
        for r in d.get("red_lines", []):
            add(r, "text")
    return slots


def _hostile(draw: Any) -> str:
    way = draw(st.integers(0, 5))
    if way == 0:
        return _pick(draw, LONG)
    if way == 1:
        return "".join(draw(st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4)))
    if way == 2:
        return draw(st.text(max_size=12)) + _pick(draw, HOSTILE)
    return _pick(draw, HOSTILE)


def attack_strings(draw: Any, doc: dict[str, Any]) -> list[str]:
    # notes reach the log (and so the terminal, the report and the save) from effects
    if draw(st.booleans()):
        _card(doc, "raise")["effects"].append({"note": _hostile(draw)})
        doc["events"][0]["effects"].append({"note": _hostile(draw)})
    slots = text_slots(doc)
    picks = draw(st.lists(st.integers(0, len(slots) - 1), min_size=1, max_size=8, unique=True))
    for i in picks:
        container, key = slots[i]
        container[key] = _hostile(draw)
    if draw(st.integers(0, 5)) == 0:  # every name at once
        for container, key in slots:
            if key in ("name", "title", "label"):
                container[key] = _pick(draw, HOSTILE)
    if draw(st.integers(0, 19)) == 0:
        container, key = slots[draw(st.integers(0, len(slots) - 1))]
        container[key] = _pick(draw, SURROGATES)
        return ["strings", "strings:surrogate"]
    return ["strings"]


ATTACKS: dict[str, Callable[[Any, dict[str, Any]], list[str]]] = {
    # applied in this order: structure first, texts last (so that added cards and events get hostile names too)
    "combinatorics": attack_combinatorics, "dates": attack_dates, "loops": attack_loops, "numbers": attack_numbers,
    "strings": attack_strings,
}
#: how often each attack is drawn (combinatorics and dates make the slowest cases)
ATTACK_POOL = ["numbers"] * 4 + ["strings"] * 4 + ["loops"] * 3 + ["dates", "combinatorics"]


# ------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One input and what to run it through."""

    kind: str  # "scenario" | "save"
    text: str  # the scenario YAML (for a save: the scenario the game is played under)
    attacks: tuple[str, ...] = ()
    seed: int = 1
    #: for kind "save": how the save is damaged (see SAVE_ATTACKS)
    save: dict[str, Any] | None = None
    report: bool = False
    engines: bool = True
    cli: bool = False
    turns: int = TURNS
    #: stop after this stage (the reducer runs only as far as the finding)
    until: str | None = None


def _chance(draw: Any, percent: int) -> bool:
    return draw(st.integers(0, 99)) < percent


def _share(text: str, salt: str) -> float:
    """A number in [0, 1) fixed by the case's text: which costly stages a case runs does not follow Hypothesis's
    habit of repeating its choices from one example to the next, so their share of the cases stays as set."""
    digest = hashlib.blake2b(f"{salt}\0{text}".encode("utf-8", errors="surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@st.composite
def scenario_cases(draw: Any) -> Case:
    chosen = sorted(set(draw(st.lists(st.sampled_from(ATTACK_POOL), min_size=1, max_size=3))),
                    key=list(ATTACKS).index)
    doc = base_scenario(draw, draw(st.integers(2, 5)))
    tags: list[str] = []
    for name in chosen:
        tags += ATTACKS[name](draw, doc)
    strings = "strings" in chosen
    heavy = len(doc["actors"]) > 12 or doc["meta"]["turns"] > 24
    text = _dump(doc)
    return Case(kind="scenario", text=text, attacks=tuple(tags), seed=_pick(draw, SEEDS),
                report=_share(text, "report") < (0.4 if strings else 0.1),
                engines=not heavy or _share(text, "engines") < 0.2,
                cli=_share(text, "cli") < (0.1 if strings else 0.02))


#: how a save may be damaged, with the sizes drawn for each (small sizes are drawn more often: they are cheap)
SAVE_ATTACKS: dict[str, list[int]] = {
    "log_copies": [1, 10, 10, 1000, 1000, 20_000, 100_000],
    "turns_copies": [1, 10, 1000, 20_000, 100_000],
    "nested_effects": [10, 100, 500, 990, 2000, 10_000, 200_000],
    "nested_extra": [100, 990, 5000, 200_000],
    "nested_planning": [10, 100, 990, 5000, 100_000],
    "wide_extra": [10, 10_000, 300_000, 1_000_000],
    "wide_vars": [10, 10_000, 200_000],
    "long_label": [1000, 1_000_000, 10_000_000, 40_000_000],
    "pad_to_limit": [-100, -1, 0, 1, 100],
    "many_orders": [10, 1000, 100_000],
    "notes": [10, 1000, 100_000],
    "number_literal": [0, 1, 2, 3, 4, 5, 6, 7],
}
NUMBER_LITERALS = ["1e999", "-1e999", "1" + "0" * 5000, "NaN", "Infinity", "1e308", "-0", str(2**64)]


@st.composite
def save_cases(draw: Any) -> Case:
    doc = base_scenario(draw, draw(st.integers(2, 4)))
    tags: list[str] = []
    if _chance(draw, 30):  # hostile texts travel into the save's log
        tags += attack_strings(draw, doc)
    what = draw(st.sampled_from(sorted(SAVE_ATTACKS)))
    n = _pick(draw, SAVE_ATTACKS[what])
    spec = {"what": what, "n": n, "turns": draw(st.integers(0, 3)),
            "where": _pick(draw, ["escalation", "var", "seed", "rng", "global"])}
    text = _dump(doc)
    return Case(kind="save", text=text, attacks=(f"size:{what}", *tags), seed=_pick(draw, SEEDS[:4]),
                save=spec, report=_share(text + what, "report") < 0.1)


def cases() -> st.SearchStrategy[Case]:
    """Any case: mostly scenarios, some saves (one in seven)."""
    return st.integers(0, 6).flatmap(lambda k: save_cases() if k == 0 else scenario_cases())


def generate(seed: int, n: int, strategy: st.SearchStrategy[Case] | None = None,
             chunk: int = 10) -> Iterator[tuple[int, Case]]:
    """`n` distinct cases for this seed, numbered from 0 (the same cases for the same seed and Hypothesis version).

    Hypothesis draws them in a thread (its @given drives generation); they
    come out through a small queue as the workers need them. Hypothesis
    builds many examples by mutating earlier ones, so runs are kept short
    (`chunk` examples, each run its own seed) and exact repeats are dropped.
    """
    strategy = strategy or cases()
    out: queue.Queue[Any] = queue.Queue(maxsize=16)
    stop = threading.Event()
    end = object()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def produce() -> None:
        made, round_ = 0, 0
        seen: set[int] = set()
        try:
            while made < n and not stop.is_set() and round_ < 20 + n // chunk * 4:
                # a whole chunk each time: every run starts from the same simplest example, so a run asked
                # for only the last few cases would offer nothing but repeats

                @hypothesis_seed(seed * 7919 + round_)
                @settings(max_examples=chunk, database=None, deadline=None, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
                @given(strategy)
                def collect(case: Case) -> None:
                    nonlocal made
                    key = hash((case.kind, case.text, json.dumps(case.save, sort_keys=True), case.seed, case.report,
                                case.engines, case.cli))
                    if made < n and not stop.is_set() and key not in seen:
                        seen.add(key)
                        put(case)
                        made += 1

                collect()
                round_ += 1
        except BaseException as exc:  # shown to the consumer, not lost in the thread
            put(exc)
        finally:
            put(end)

    thread = threading.Thread(target=produce, name="semantic-cases", daemon=True)
    thread.start()
    i = 0
    try:
        while True:
            item = out.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield i, item
            i += 1
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                out.get_nowait()


# ------------------------------------------------------------------ outcomes


@dataclass
class Result:
    kind: str  # ok | refused | crash | hang | unlocated
    stage: str = ""
    #: what the finding is, without the case's particulars: findings with the same tag are one class
    tag: str = ""
    detail: str = ""
    trace: str = ""
    ms: float = 0.0
    #: CPU time of the case (the worker's and its child processes')
    cpu_ms: float = 0.0
    #: CPU time of each stage reached, in ms
    stages: dict[str, float] = field(default_factory=dict)
    #: the warnings the case raised (category: message), a few at most; not findings, but worth a look
    warnings: list[str] = field(default_factory=list)
    rss_kb: int = 0
    #: the worker should be replaced after this case (memory ran out, or it was killed)
    restart: bool = False

    @property
    def finding(self) -> bool:
        return self.kind in ("crash", "hang", "unlocated")

    @property
    def signature(self) -> str:
        return f"{self.kind} at {self.stage}: {self.tag}" if self.finding else self.kind


class _Timeout(BaseException):
    """The case's time is up. A BaseException, so that the engine's `except Exception` nets cannot swallow it."""


class Finding(Exception):
    """A check of the pipeline failed (not an exception of the engine's own)."""

    def __init__(self, tag: str, detail: str = ""):
        self.tag, self.detail = tag, detail or tag
        super().__init__(self.detail)


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def shape(text: str, limit: int = 70) -> str:
    """A message with its particulars (numbers, quoted values, ids, paths) taken out, to group findings."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", str(text))
    text = re.sub(r"(/[\w.+-]+)+", "PATH", text)
    text = re.sub(r"\b[a-z]+\d+\b", "ID", text)
    text = re.sub(r"[-+]?(\d[\d,_]*\.?\d*(e[-+]?\d+)?|inf|nan)\b", "N", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit]


def _where(exc: BaseException) -> str:
    """The innermost frame of the project's own code (engine/, engine/cli/, engine/ui/) in the exception's traceback."""
    tb = traceback.extract_tb(exc.__traceback__)

    def own(filename: str) -> str | None:
        try:
            rel = Path(filename).resolve().relative_to(ROOT)
        except ValueError:
            return None
        return rel.as_posix() if rel.parts[0] in ("engine", "cli", "ui", "main.py") else None

    mine = [(own(f.filename), f.name) for f in tb if own(f.filename)]
    if mine:
        return f"{mine[-1][0]}:{mine[-1][1]}"
    if tb:
        return f"{Path(tb[-1].filename).name}:{tb[-1].name}"
    return "?"


def _exception_result(exc: BaseException, stage: str) -> Result:
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    where = _where(cause)
    tag = f"{type(exc).__name__} in {where}" if cause is exc else \
        f"{type(exc).__name__} from {type(cause).__name__} in {where}"
    detail = f"{type(exc).__name__}: {exc}"[:600]
    trace = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
    return Result("crash", stage, tag, detail, _clip_trace(trace), restart=isinstance(cause, MemoryError))


def _clip_trace(trace: str) -> str:
    """A RecursionError's thousand frames: keep both ends."""
    return trace if len(trace) <= 12_000 else trace[:4000] + "\n[...]\n" + trace[-6000:]


# ------------------------------------------------------------------ output checks

#: characters a terminal obeys (or that reorder what it shows), which must never reach its output raw
RAW = {"\x1b": "ESC", "\x07": "BEL", "\x00": "NUL", "\x9b": "CSI", "\x9d": "OSC", "\x08": "BS"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def unsafe_text(text: str) -> str | None:
    """What makes this terminal text unsafe (None if nothing): "raw ESC", "raw bidi control", "lone surrogate"."""
    for ch, name in RAW.items():
        if ch in text:
            return f"raw {name}"
    if any(ch in BIDI for ch in text):
        return "raw bidi control"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "lone surrogate"
    return None


def _kind_of(bad: str) -> str:
    """The finding class of an unsafe text: ESC, BEL, NUL, CSI, ... are one defect (raw control characters)."""
    return "raw control character" if bad.startswith("raw ") and bad != "raw bidi control" else bad


def unsafe_bytes(data: bytes) -> str | None:
    return unsafe_text(data.decode("utf-8", errors="surrogateescape").replace("\udc9b", "\x9b"))


_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-][A-Za-z(=@])")


def _check_report(out: Path) -> None:
    for name in ("report.html", "report.md", "log.csv", "log.json"):
        if not (out / name).is_file():
            raise Finding(f"report: {name} missing")
    if not list(out.glob("*.png")):
        raise Finding("report: no chart written")
    for name in ("report.html", "report.md", "log.csv"):
        text = (out / name).read_text(encoding="utf-8", errors="surrogateescape")
        bad = unsafe_text(text.replace("\udc9b", "\x9b"))
        if bad and bad != "raw bidi control":
            raise Finding(f"report: {_kind_of(bad)} in {name}", f"report: {bad} in {name}: {_around(text, bad)}")
    page = (out / "report.html").read_text(encoding="utf-8", errors="replace")
    for raw in (SCRIPT[:14], IMG[:10], "onmouseover=\"alert"):
        if raw in page:
            raise Finding("report: raw HTML from the scenario in report.html", f"{raw!r} in report.html")
    with (out / "log.csv").open(encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.reader(f):
            for cell in row:
                if _FORMULA.match(cell):
                    raise Finding("report: log.csv cell starts a spreadsheet formula", f"cell {cell[:80]!r}")


# ------------------------------------------------------------------ the pipeline

SCENARIO_STAGES = ["write", "load", "play:simple", "play:quick", "save", "read_save", "replay_save", "continue",
                   "report", "engines", "simulate", "cli"]
SAVE_STAGES = ["write", "load", "play", "save", "attack", "read_save", "replay_save", "continue", "report"]


class _Stop(BaseException):
    """The reducer asked to stop after a stage."""


class _Run:
    """One case's run: its folder, deadline and current stage."""

    def __init__(self, case: Case, folder: Path, tell: Callable[[str], None]):
        self.case, self.root, self.tell = case, folder, tell
        self.stage = "write"
        self.deadline = time.monotonic() + WALL_SECONDS - 5
        self.order = SCENARIO_STAGES if case.kind == "scenario" else SAVE_STAGES
        self.stages: dict[str, float] = {}
        self._since = _cpu_seconds()

    def enter(self, stage: str) -> None:
        self.lap()
        if self.case.until and self.order.index(stage) > self.order.index(self.case.until):
            raise _Stop
        self.stage = stage
        self.tell(stage)

    def lap(self) -> None:
        """Charge the CPU time since the last call to the current stage."""
        now = _cpu_seconds()
        self.stages[self.stage] = self.stages.get(self.stage, 0.0) + (now - self._since) * 1000
        self._since = now


def run_case(case: Case, folder: Path, tell: Callable[[str], None] = lambda stage: None) -> Result:
    """Run one case through the pipeline in this process (under an alarm); its files go into `folder`."""
    run = _Run(case, folder, tell)
    start, cpu = time.perf_counter(), _cpu_seconds()
    old = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, SECONDS_PER_CASE)
    caught: list[warnings.WarningMessage] = []
    try:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
                res = _scenario_pipeline(run) if case.kind == "scenario" else _save_pipeline(run)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _Stop:
        res = Result("ok", run.stage)
    except _Timeout:
        res = Result("hang", run.stage, "more than the time allowed",
                     f"more than {SECONDS_PER_CASE:.0f} s of CPU time")
    except Finding as f:
        cause = f.__cause__
        trace = "" if cause is None else "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        res = Result("crash", run.stage, f.tag, f.detail, _clip_trace(trace))
    except Exception as exc:
        res = _exception_result(exc, run.stage)
    finally:
        signal.signal(signal.SIGPROF, old)
    run.lap()
    res.warnings = list(dict.fromkeys(f"{w.category.__name__}: {str(w.message)[:120]}" for w in caught))[:5]
    res.ms = (time.perf_counter() - start) * 1000
    res.cpu_ms = (_cpu_seconds() - cpu) * 1000
    res.stages = {k: round(v, 1) for k, v in run.stages.items()}
    if res.cpu_ms > SECONDS_PER_CASE * 1000 and res.kind != "hang":  # the CLI's child used the time
        res = dataclasses.replace(res, kind="hang", tag="more than the time allowed",
                                  detail=f"{res.cpu_ms / 1000:.1f} s of CPU time")
    if res.kind == "hang":
        res.detail += " (CPU ms by stage: " + ", ".join(f"{k} {v:.0f}" for k, v in res.stages.items()) + ")"
    res.rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                     resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return res


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (the CLI runs)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _write_scenario(run: _Run) -> Path:
    (run.root / "scenarios").mkdir(parents=True, exist_ok=True)
    (run.root / "saves").mkdir(exist_ok=True)
    path = run.root / "scenarios" / CASE_FILE
    path.write_text(run.case.text, encoding="utf-8", errors="surrogatepass")
    return path


def _refusal(exc: Any) -> Result:
    problems = getattr(exc, "problems", [])
    if not problems:
        return Result("unlocated", "load", "ScenarioError without problems", str(exc)[:300])
    unlocated = [p for p in problems if not p.file or p.line < 1 or p.column < 1]
    if unlocated:
        return Result("unlocated", "load", shape(unlocated[0].message), str(unlocated[0])[:300])
    return Result("refused", "load", "", str(problems[0])[:300])


def _scenario_pipeline(run: _Run) -> Result:
    from engine.core.errors import ScenarioError
    from engine.scenario.load import load_scenario

    case = run.case
    path = _write_scenario(run)
    run.enter("load")
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        refused = _refusal(exc)
        if case.cli:
            run.enter("cli")
            _cli(run, path, accepted=False)
        return refused
    run.enter("play:simple")
    _play(sc, case.seed, "simple", case.turns, render=True)
    run.enter("play:quick")
    game = _play(sc, case.seed, "quick", case.turns, render=False)
    _round_trip(run, game, path)
    if case.report:
        run.enter("report")
        _report(game, run.root / "report", audience_all=case.seed % 2 == 0)
    if case.engines:
        run.enter("engines")
        _engines(sc, case.seed)
        run.enter("simulate")
        _simulate(sc, path, case.seed)
    if case.cli:
        run.enter("cli")
        _cli(run, path, accepted=True)
    return Result("ok", run.stage)


def _play(sc: Any, seed: int, level: str, turns: int, render: bool) -> Any:
    """Play up to `turns` turns with `level` bots on every side, checking the invariants after each turn."""
    from engine.bots.controllers import bot_orders
    from engine.bots.policy import simple_orders
    from engine.rules.game import Game
    from engine.rules.invariants import broken_invariants

    game = Game(sc, seed=seed)
    lines: list[str] = []
    renderer = None
    if render:
        from engine.present.render import Renderer

        renderer = Renderer(sc)
        lines += renderer.situation(game.view(None))
    for _ in range(turns):
        if game.over:
            break
        if game.state.phase == "paused":
            game.control(Resume())
        before = game.view(None) if renderer else None
        for side in game.waiting_for():
            orders = simple_orders(game.rules, game.state, side) if level == "simple" else \
                bot_orders(level, game.rules, game.state, side)
            game.submit(side, orders)
        game.adjudicate()
        broken = broken_invariants(game.rules, game.state)
        if broken:
            raise Finding(f"invariant broken: {shape(broken[0], 60)}", "; ".join(broken[:3])[:600])
        if renderer is not None:
            from engine.present.changes import turn_changes

            view = game.view(None)
            lines += renderer.summary(turn_changes(sc, before, view), view, None)
    if renderer is not None:
        if game.over:
            lines += renderer.results(game.view(None))
        for side in sc.playable_ids[:3]:
            lines += renderer.situation(game.view(side))
        text = "\n".join(lines)
        bad = unsafe_text(text)
        if bad:
            raise Finding(f"terminal rendering: {_kind_of(bad)} in output", _around(text, bad))
    return game


def _around(text: str, what: str) -> str:
    for ch in [*RAW, *BIDI]:
        i = text.find(ch)
        if i >= 0:
            return f"{what}: …{text[max(0, i - 60):i + 40]!r}…"
    return what


def _round_trip(run: _Run, game: Any, path: Path) -> None:
    """Save the game, load it back, replay it, and play on from the loaded game."""
    from engine.persistence.saves import SaveError, read_save, replay_save, save_game

    run.enter("save")
    target = run.root / "saves" / "game.json"
    try:
        saved = save_game(target, game, path, label="semantic fuzz", root=run.root)
    except SaveError as exc:
        raise Finding(f"save_game refused a game the loader accepted: {shape(exc.reason)}", exc.reason) from None
    run.enter("read_save")
    try:
        loaded = read_save(saved, root=run.root)
    except SaveError as exc:
        raise Finding(f"read_save refused a fresh save: {shape(exc.reason)}", exc.reason) from exc.__cause__
    if loaded.game.state.digest() != game.state.digest():
        raise Finding("the loaded game differs from the saved one")
    run.enter("replay_save")
    try:
        _, result = replay_save(saved, root=run.root)
    except SaveError as exc:
        raise Finding(f"replay_save refused a fresh save: {shape(exc.reason)}", exc.reason) from exc.__cause__
    if result.mismatch is not None:
        raise Finding("a fresh save does not replay", str(result.mismatch)[:300])
    run.enter("continue")
    _play_on(loaded.game)


def _play_on(game: Any) -> None:
    """One more turn of a loaded game, as the mutation fuzzer plays a file that loads."""
    from tests.fuzzing import _play_a_little

    _play_a_little(game, 1)


def _report(game: Any, out: Path, audience_all: bool) -> None:
    from engine.present.report import write_report
    from engine.rules.views import FACILITATOR, ROOM

    write_report(game, out, audience=FACILITATOR if audience_all else ROOM)
    _check_report(out)


def same(a: Any, b: Any) -> bool:
    """Equality in which NaN equals NaN (the engines agree if both reach NaN; NaN is found by other checks)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return bool(a == b)


def _engines(sc: Any, seed: int) -> None:
    """The batch engine must play the same games as the reference engine (tests/test_batch.py)."""
    from engine.analysis.simulate import game_seed
    from engine.bots.batch_quick import play_batch
    from engine.bots.controllers import controller
    from engine.rules.batch import BatchRules, Unsupported
    from engine.rules.game import Game
    from engine.rules.outcome import outcome_of
    from engine.rules.turn import Rules

    try:
        br = BatchRules(Rules(sc))
    except Unsupported:
        return
    seeds = [game_seed(seed, k) for k in range(_games(sc))]
    for s, got in zip(seeds, play_batch(br, seeds), strict=True):
        game = Game(sc, seed=s)
        game.play_out(dict.fromkeys(sc.playable_ids, controller("quick")))
        want = outcome_of(game.rules, game.state)
        if not same(got, want):
            fields = [f.name for f in dataclasses.fields(want) if not same(getattr(got, f.name), getattr(want, f.name))]
            raise Finding(f"engines disagree on {', '.join(fields)}",
                          "; ".join(f"{f}: batch {getattr(got, f)!r} != reference {getattr(want, f)!r}"
                                    for f in fields)[:600])


def _games(sc: Any) -> int:
    """Whole games each engine plays in the engines and simulate stages: fewer when the games are long."""
    return 2 if sc.meta.turns <= 24 else 1


def _simulate(sc: Any, path: Path, seed: int) -> None:
    from engine.analysis.simulate import simulate

    runs = _games(sc)
    cols = simulate(path, runs=runs, seed=seed)
    if cols.n != runs:
        raise Finding("simulate returned the wrong number of games", f"{cols.n} games, not {runs}")


def _cli(run: _Run, path: Path, accepted: bool) -> None:
    """`main.py play --headless`: no traceback, nothing a terminal would obey, the right exit code."""
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "MPLBACKEND": "Agg",
           "WARGAME_AUTOSAVE": str(run.root / "saves" / "autosave.json"), "PYTHONIOENCODING": "utf-8"}
    remaining = run.deadline - time.monotonic() - 0.2
    if remaining <= 0:
        raise _Timeout
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "play", "--headless", "--scenario", str(path),
                               "--seed", str(run.case.seed), "--autosave", "off"], cwd=run.root, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=remaining)
    except subprocess.TimeoutExpired:
        raise _Timeout from None
    out = proc.stdout + proc.stderr
    if b"Traceback (most recent call last)" in out:
        last = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or ["?"]
        raise Finding(f"cli: traceback: {shape(last[0], 60)}", proc.stderr.decode("utf-8", errors="replace")[-3000:])
    for name, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        bad = unsafe_bytes(data)
        if bad:
            text = data.decode("utf-8", errors="replace")
            raise Finding(f"cli: {_kind_of(bad)} in {name}", _around(text, bad))
    want = 0 if accepted else 2
    if proc.returncode != want:
        raise Finding(f"cli: exit code {proc.returncode} (expected {want})",
                      proc.stderr.decode("utf-8", errors="replace")[-1000:])


# ------------------------------------------------------------------ saves


def _save_pipeline(run: _Run) -> Result:
    from engine.bots.policy import simple_orders
    from engine.core.errors import ScenarioError
    from engine.persistence.saves import SaveError, read_save, replay_save, save_game
    from engine.rules.game import Game
    from engine.scenario.load import load_scenario

    case = run.case
    spec = case.save or {}
    path = _write_scenario(run)
    run.enter("load")
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:  # the game's scenario was refused: nothing to save (a hostile text, say)
        return _refusal(exc)
    run.enter("play")
    game = Game(sc, seed=case.seed)
    for _ in range(int(spec.get("turns", 1))):
        if game.over:
            break
        for side in game.waiting_for():
            game.submit(side, simple_orders(game.rules, game.state, side))
        game.adjudicate()
    run.enter("save")
    base = run.root / "saves" / "base.json"
    try:
        save_game(base, game, path, label="semantic base", root=run.root)
    except SaveError as exc:
        raise Finding(f"save_game refused a game the loader accepted: {shape(exc.reason)}", exc.reason) from None
    run.enter("attack")
    attacked = run.root / "saves" / "attacked.json"
    attacked.write_bytes(build_save(base.read_text(encoding="utf-8"), spec))
    loaded = None
    for stage, fn in (("read_save", read_save), ("replay_save", replay_save)):
        run.enter(stage)
        try:
            got = fn(attacked, root=run.root)
        except SaveError as exc:
            if exc.__cause__ is not None:  # only the loader's last-resort net caught it: a finding
                cause = exc.__cause__
                raise Finding(f"{stage}'s safety net caught {type(cause).__name__} in {_where(cause)}",
                              f"{type(cause).__name__}: {cause}"[:600]) from cause
            if not exc.reason.strip():
                return Result("unlocated", stage, "SaveError without a reason")
            return Result("refused", stage, "", exc.reason[:300])
        if stage == "read_save":
            loaded = got
    run.enter("continue")
    assert loaded is not None
    _play_on(loaded.game)
    try:
        save_game(run.root / "saves" / "again.json", loaded.game, path, label="again", root=run.root)
    except SaveError as exc:
        raise Finding(f"a loaded save cannot be saved again: {shape(exc.reason)}", exc.reason) from None
    if case.report:
        run.enter("report")
        _report(loaded.game, run.root / "report", audience_all=True)
    return Result("ok", run.stage)


def _nested(depth: int, kind: str = "dict") -> str:
    if kind == "list":
        return "[" * depth + "1" + "]" * depth
    return '{"x":' * depth + "1" + "}" * depth


def build_save(text: str, spec: dict[str, Any]) -> bytes:
    """A fresh save's JSON, damaged as `spec` says (valid JSON unless a number literal is the attack)."""
    from engine.persistence.saves import MAX_SAVE_BYTES

    doc = json.loads(text)
    what, n = spec.get("what", "log_copies"), int(spec.get("n", 1))
    state = doc["state"]
    log = state.setdefault("log", [])
    record = log[-1] if log else {"turn": 1, "date": "2024-02-01", "rung_before": state["rung"],
                                  "rung_after": state["rung"], "escalation_before": 0.0, "escalation_after": 0.0}
    splice: str | None = None

    def fit(item: Any) -> int:  # no more copies than make the file a little larger than a save may be
        return max(1, min(n, int(MAX_SAVE_BYTES * 1.1) // max(1, len(json.dumps(item)))))

    if what == "log_copies":
        state["log"] = log + [record] * fit(record)
    elif what == "turns_copies":
        turn = doc["turns"][-1] if doc["turns"] else {"turn": 1, "orders": {}}
        doc["turns"] = doc["turns"] + [{**turn, "turn": i + 1} for i in range(fit(turn))]
    elif what == "nested_effects":
        rec = copy.deepcopy(record)
        rec["upkeep"] = [*rec.get("upkeep", []), {"kind": "note", "text": "__NESTED__"}]
        state["log"] = [*log[:-1], rec] if log else [rec]
        splice = _nested(n)
    elif what == "nested_extra":
        doc["extra"] = "__NESTED__"
        splice = _nested(n, "list")
    elif what == "nested_planning":
        doc["planning"] = [{"op": "note", "args": {"detail": "__NESTED__"}}]
        splice = _nested(n)
    elif what == "wide_extra":
        doc["extra"] = {f"k{i}": i for i in range(n)}
    elif what == "wide_vars":
        first = next(iter(state["vars"]))
        state["vars"][first] = {**state["vars"][first], **{f"v{i}": 0.0 for i in range(n)}}
    elif what == "long_label":
        doc["label"] = ("L" * 63 + "\x1b") * (n // 64)
    elif what == "many_orders":
        side = next(iter(state["vars"]))
        order = {"actor": side, "card": "calm_down"}
        if doc["turns"]:
            doc["turns"][0]["orders"] = {**doc["turns"][0]["orders"], side: [order] * n}
        else:
            state["pending"] = {side: [order] * n}
    elif what == "notes":
        rec = copy.deepcopy(record)
        rec["notes"] = ["x" * 100] * n
        state["log"] = [*log[:-1], rec] if log else [rec]
    elif what == "number_literal":
        where = spec.get("where", "escalation")
        if where == "escalation":
            state["escalation"] = "__NUMBER__"
        elif where == "var":
            row = next(iter(state["vars"].values()))
            row[next(iter(row))] = "__NUMBER__"
        elif where == "global" and state.get("globals"):
            state["globals"][next(iter(state["globals"]))] = "__NUMBER__"
        elif where == "rng":
            state["rng"] = "__NUMBER__"
        else:
            doc["seed"] = "__NUMBER__"
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if splice is not None:
        data = data.replace('"__NESTED__"', splice, 1)
    if what == "number_literal":
        data = data.replace('"__NUMBER__"', NUMBER_LITERALS[n % len(NUMBER_LITERALS)], 1)
    raw = data.encode("utf-8", errors="surrogatepass")
    if what == "pad_to_limit":  # a label that brings the file to the limit, plus or minus n bytes
        doc["label"] = ""
        short = MAX_SAVE_BYTES + n - len(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                                         .encode("utf-8", errors="surrogatepass"))
        if short > 0:
            doc["label"] = "P" * short
            raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8", errors="surrogatepass")
    return raw


# ------------------------------------------------------------------ workers


def _worker_setup() -> Path:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    for k, v in (("SDL_VIDEODRIVER", "dummy"), ("SDL_AUDIODRIVER", "dummy"), ("MPLBACKEND", "Agg"),
                 ("OPENBLAS_NUM_THREADS", "1"), ("OMP_NUM_THREADS", "1")):
        os.environ.setdefault(k, v)
    # a name in a script the fonts lack draws as boxes and warns once per chart: noise in the campaign's output
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
    work = Path(tempfile.mkdtemp(prefix="semantic-fuzz-"))
    os.environ["WARGAME_AUTOSAVE"] = str(work / "autosave.json")
    os.chdir(work)  # anything written to the current folder lands in the scratch folder

    return work


def worker_main(conn: Any) -> None:
    """A worker process: run each case it is sent, answer with stage reports and the result."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    work = _worker_setup()
    conn.send(("ready", None))
    n = 0
    try:
        while True:
            case = conn.recv()
            if case is None:
                break
            n += 1
            folder = work / f"c{n}"
            res = run_case(case, folder, lambda stage: conn.send(("stage", stage)))
            shutil.rmtree(folder, ignore_errors=True)
            conn.send(("result", res))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)


class Worker:
    """A worker process and the case it is running."""

    def __init__(self) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.peak_kb = 0
        self._start()

    def _start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.job: tuple[int, Case] | None = None
        self.started = 0.0
        self.stage = "start"
        self.done = 0

    def send(self, index: int, case: Case) -> None:
        self.job, self.started, self.stage = (index, case), time.monotonic(), "write"
        self.conn.send(case)

    def overdue(self) -> bool:
        return self.job is not None and time.monotonic() - self.started > WALL_SECONDS

    def restart(self) -> None:
        self.kill()
        self._start()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(None)
        self.proc.join(10)
        self.kill()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError("a semantic fuzz worker did not start")
            msg = self.conn.recv()
            self.ready = msg[0] == "ready"


def run_cases(items: Iterator[tuple[int, Case]], jobs: int = 2) -> Iterator[tuple[int, Case, Result]]:
    """Run cases in `jobs` worker processes; (index, case, result) as each finishes (not in order)."""
    workers = [Worker() for _ in range(max(1, jobs))]
    try:
        yield from drive(workers, items)
    finally:
        for w in workers:
            w.close()


def drive(workers: list[Worker], items: Iterator[tuple[int, Case]]) -> Iterator[tuple[int, Case, Result]]:
    """Hand the cases to the workers as they become free; kill and replace a worker that overruns its case."""
    more = True
    while True:
        for w in workers:
            if more and w.ready and w.job is None:
                nxt = next(items, None)
                if nxt is None:
                    more = False
                else:
                    w.send(*nxt)
        busy = [w for w in workers if w.job is not None or not w.ready]
        if not more and all(w.job is None for w in workers):
            return
        ready = wait_for_connections([w.conn for w in busy], timeout=0.5)
        for w in busy:
            if w.conn not in ready:
                continue
            try:
                kind, payload = w.conn.recv()
            except (EOFError, OSError):
                code = w.proc.exitcode
                if not w.ready:  # it died before its first case: respawning it would only die again
                    raise RuntimeError(f"a semantic fuzz worker died while starting (exit code {code}); run the "
                                       "campaign from a file or module whose main part is under "
                                       "`if __name__ == '__main__':` (workers are spawned)") from None
                if w.job is not None:
                    index, case = w.job
                    yield index, case, Result("crash", w.stage, f"the worker died (exit code {code})",
                                              f"the worker process died (exit code {code}) during {w.stage}",
                                              ms=(time.monotonic() - w.started) * 1000, restart=True)
                w.restart()
                continue
            if kind == "ready":
                w.ready = True
            elif kind == "stage":
                w.stage = payload
            elif kind == "result" and w.job is not None:
                index, case = w.job
                w.job = None
                w.done += 1
                w.peak_kb = max(w.peak_kb, payload.rss_kb)
                yield index, case, payload
                if payload.restart or w.done >= RECYCLE_AFTER:
                    w.restart()
        for w in workers:
            if w.overdue():
                assert w.job is not None
                index, case = w.job
                ms = (time.monotonic() - w.started) * 1000
                stage = w.stage
                w.restart()
                yield index, case, Result("hang", stage, "more than the time allowed",
                                          f"no answer after {ms / 1000:.0f} s of wall-clock time: killed",
                                          ms=ms, restart=True)


def peak_rss_kb() -> int:
    """The largest resident set of this process and of every process it has waited for, in kB."""
    return max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class Runner:
    """One worker, one case at a time, synchronously (the reducer and the corpus replays)."""

    def __init__(self) -> None:
        self.worker: Worker | None = None

    def run(self, case: Case) -> Result:
        if self.worker is None:
            self.worker = Worker()
        results = list(drive([self.worker], iter([(0, case)])))
        return results[-1][2]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


# ------------------------------------------------------------------ reducing a finding


def _paths(doc: Any) -> list[tuple[Any, ...]]:
    """Every path into the document, parents before children."""
    out: list[tuple[Any, ...]] = []
    todo: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while todo:
        path, node = todo.pop(0)
        out.append(path)
        if isinstance(node, dict):
            todo.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            todo.extend(((*path, i), v) for i, v in enumerate(node))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def _edits(doc: Any, skip: set[Any]) -> Iterator[tuple[Any, Any]]:
    """(key, smaller document): lists halved or an element dropped, keys dropped, long texts cut (big steps
    first); edits whose key is in `skip` (tried before, in vain) are left out."""
    for path in _paths(doc):
        node = _get(doc, path)
        if isinstance(node, list) and node:
            n = len(node)
            cuts = [(n // 2, n), (0, n // 2)] if n >= 4 else []
            cuts += [(i, i + 1) for i in reversed(range(n))]
            for a, b in cuts:
                key = (path, "cut", a, b, n)
                if key not in skip:
                    new = copy.deepcopy(doc)
                    del _get(new, path)[a:b]
                    yield key, new
        elif isinstance(node, dict):
            for k in list(node):
                key = (path, "del", k)
                if key not in skip:
                    new = copy.deepcopy(doc)
                    del _get(new, path)[k]
                    yield key, new
        elif isinstance(node, str) and len(node) > 40 and path:
            key = (path, "cut", len(node))
            if key not in skip:
                new = copy.deepcopy(doc)
                _get(new, path[:-1])[path[-1]] = node[:40] if len(node) < 400 else node[: len(node) // 10]
                yield key, new


def reduce_case(case: Case, result: Result, run: Callable[[Case], Result], seconds: float = 90.0,
                attempts: int = 400) -> tuple[Case, int]:
    """A smaller case with the same finding (same signature), by greedy structural reduction; and the tries made.

    Hypothesis's own shrinker needs a failing @given test that stops at its
    first failure, while a campaign counts every outcome; so the first case of
    each finding class is reduced here instead, on the document itself.
    """
    target = result.signature
    stages = SCENARIO_STAGES if case.kind == "scenario" else SAVE_STAGES
    until = result.stage if result.stage in stages else None
    best = dataclasses.replace(case, until=until, report=case.report and result.stage == "report",
                               cli=case.cli and result.stage == "cli",
                               engines=case.engines and result.stage in ("engines", "simulate"))
    if run(best).signature != target:  # the stages after the finding matter (or it does not reproduce)
        best = case
    tries, end = 0, time.monotonic() + seconds
    if case.kind == "save" and case.save:  # smaller sizes first
        while tries < attempts and time.monotonic() < end and int(best.save["n"]) > 1:  # type: ignore[index]
            spec = dict(best.save or {})
            spec["n"] = int(spec["n"]) // 4
            smaller = dataclasses.replace(best, save=spec)
            tries += 1
            if run(smaller).signature != target:
                break
            best = smaller
    try:
        doc = yaml.load(best.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:  # a text PyYAML cannot read back (a lone surrogate's escape, say): keep it whole
        return dataclasses.replace(best, until=None), tries
    failed: set[Any] = set()
    progress = True
    while progress and tries < attempts and time.monotonic() < end:
        progress = False
        for key, new in _edits(doc, failed):
            if tries >= attempts or time.monotonic() >= end:
                break
            tries += 1
            candidate = dataclasses.replace(best, text=_dump(new))
            if run(candidate).signature == target:
                doc, best, progress = new, candidate, True
                break
            failed.add(key)
    return dataclasses.replace(best, until=None), tries


# ------------------------------------------------------------------ files


def case_file_text(case: Case) -> tuple[str, str]:
    """(suffix, text) to keep a case: a scenario as its YAML, a save case as JSON with its scenario and attack."""
    if case.kind == "scenario":
        head = f"# semantic fuzz case: {', '.join(case.attacks) or 'no attack'}; seed {case.seed}\n"
        return ".yaml", head + case.text
    return ".json", json.dumps({"semantic": "save", "scenario": case.text, "attack": case.save, "seed": case.seed,
                                "attacks": list(case.attacks)}, ensure_ascii=False, indent=1)


def load_case_file(path: Path, full: bool = True) -> Case:
    """A kept case (see case_file_text) to run again; `full`: through every stage, the CLI included."""
    text = path.read_text(encoding="utf-8", errors="surrogatepass")
    if path.suffix == ".json":
        doc = json.loads(text)
        return Case(kind="save", text=doc["scenario"], attacks=tuple(doc.get("attacks", ())),
                    seed=int(doc.get("seed", 1)), save=doc["attack"], report=full)
    seed = 1
    m = re.match(r"# semantic fuzz case: .*; seed (-?\d+)", text)
    if m:
        seed = int(m.group(1))
    return Case(kind="scenario", text=text, seed=seed, report=full, engines=True, cli=full)


def slug(text: str, limit: int = 60) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit] or "finding"


def corpus_name(signature: str) -> str:
    """A finding class's name in tests/fuzz_corpus/: readable, and distinct for distinct classes."""
    words = slug(signature.split(" at ", 1)[-1], 44)
    return f"{words}_{hashlib.blake2b(signature.encode(), digest_size=3).hexdigest()}"


@dataclass
class FindingClass:
    signature: str
    first: Result
    cases: list[tuple[int, Case, Result]] = field(default_factory=list)
    count: int = 0
    attacks: dict[str, int] = field(default_factory=dict)


class Findings:
    """Finding classes as a campaign meets them; the first few cases of each written to a folder."""

    def __init__(self, folder: Path | None, keep: int = 3):
        self.folder, self.keep = folder, keep
        self.classes: dict[str, FindingClass] = {}
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def add(self, index: int, case: Case, res: Result) -> None:
        fc = self.classes.get(res.signature)
        if fc is None:
            fc = self.classes[res.signature] = FindingClass(res.signature, res)
        fc.count += 1
        for a in case.attacks:
            key = a.split(":")[0]
            fc.attacks[key] = fc.attacks.get(key, 0) + 1
        if len(fc.cases) < self.keep:
            fc.cases.append((index, case, res))
            if self.folder is not None:
                self._write(self.dir_for(fc), f"case_{index}", case, res)

    def dir_for(self, fc: FindingClass) -> Path:
        assert self.folder is not None
        n = list(self.classes).index(fc.signature) + 1
        return self.folder / f"{n:02d}_{slug(fc.signature)}"

    def _write(self, folder: Path, stem: str, case: Case, res: Result, note: str = "") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        suffix, text = case_file_text(case)
        path = folder / (stem + suffix)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        (folder / (stem + ".txt")).write_text(
            f"{res.signature}\nattacks: {', '.join(case.attacks)}\nseed: {case.seed}\ntime: {res.ms:.0f} ms\n"
            f"{note}\n{res.detail}\n\n{res.trace}", encoding="utf-8", errors="backslashreplace")
        return path

    def write_minimal(self, fc: FindingClass, case: Case, res: Result, tries: int) -> Path | None:
        if self.folder is None:
            return None
        return self._write(self.dir_for(fc), "minimal", case, res, f"reduced in {tries} tries")

    def example(self, fc: FindingClass) -> Path | None:
        if self.folder is None:
            return None
        d = self.dir_for(fc)
        for name in ("minimal.yaml", "minimal.json"):
            if (d / name).exists():
                return d / name
        index, case, _ = fc.cases[0]
        return d / (f"case_{index}" + case_file_text(case)[0])

    def write_summary(self) -> Path | None:
        if self.folder is None:
            return None
        lines = []
        for fc in sorted(self.classes.values(), key=lambda c: -c.count):
            r = fc.first
            lines += [f"== {fc.signature}", f"   cases: {fc.count}; attacks: "
                      + ", ".join(f"{k} {v}" for k, v in sorted(fc.attacks.items(), key=lambda kv: -kv[1])),
                      f"   example: {self.example(fc)}", f"   detail: {r.detail[:400]!r}"]
            if r.trace:
                tail = [x for x in r.trace.strip().splitlines() if x.strip()][-4:]
                lines += ["   trace: " + " | ".join(t.strip() for t in tail)[:600]]
            lines.append("")
        path = self.folder / "SUMMARY.txt"
        path.write_text("\n".join(lines), encoding="utf-8", errors="backslashreplace")
        return path


@dataclass
class Totals:
    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    attacks: dict[str, int] = field(default_factory=dict)
    slowest_ms: float = 0.0
    slowest_case: int = -1
    slowest_cpu_ms: float = 0.0
    peak_kb: int = 0
    #: warnings raised (category: message) -> cases
    warned: dict[str, int] = field(default_factory=dict)

    def add(self, index: int, case: Case, res: Result) -> None:
        self.cases += 1
        self.outcomes[res.kind] = self.outcomes.get(res.kind, 0) + 1
        for a in {a.split(":")[0] for a in case.attacks}:
            self.attacks[a] = self.attacks.get(a, 0) + 1
        if res.ms > self.slowest_ms:
            self.slowest_ms, self.slowest_case = res.ms, index
        self.slowest_cpu_ms = max(self.slowest_cpu_ms, res.cpu_ms)
        for w in res.warnings:
            self.warned[w] = self.warned.get(w, 0) + 1
        self.peak_kb = max(self.peak_kb, res.rss_kb)

    def get(self, kind: str) -> int:
        return self.outcomes.get(kind, 0)

    def line(self, seconds: float) -> str:
        return (f"cases={self.cases} ok={self.get('ok')} refused={self.get('refused')} crashes={self.get('crash')} "
                f"unlocated={self.get('unlocated')} hangs={self.get('hang')} slowest_ms={self.slowest_ms:.0f} "
                f"slowest_cpu_ms={self.slowest_cpu_ms:.0f} "
                f"peak_rss_mb={max(self.peak_kb, peak_rss_kb()) / 1024:.0f} seconds={seconds:.0f}")


def campaign(n: int, seed: int, jobs: int = 2, findings: Findings | None = None,
             on_result: Callable[[int, Case, Result], None] | None = None) -> Totals:
    """Generate and run `n` cases; the totals (and the findings, into `findings`)."""
    totals = Totals()
    for index, case, res in run_cases(generate(seed, n), jobs):
        totals.add(index, case, res)
        if findings is not None and res.finding:
            findings.add(index, case, res)
        if on_result is not None:
            on_result(index, case, res)
    return totals


def reduce_findings(findings: Findings, seconds_each: float = 90.0, budget: float = 900.0,
                    log: Callable[[str], None] = lambda s: None) -> None:
    """Reduce the first case of each finding class (hangs are left as found: each try would cost 10 s)."""
    end = time.monotonic() + budget
    runner = Runner()
    try:
        for fc in findings.classes.values():
            if time.monotonic() >= end:
                break
            if fc.first.kind == "hang":
                continue
            _, case, res = fc.cases[0]
            small, tries = reduce_case(case, res, runner.run, seconds=min(seconds_each, end - time.monotonic()))
            findings.write_minimal(fc, small, res, tries)
            log(f"reduced {fc.signature} in {tries} tries: {len(case.text):,} -> {len(small.text):,} characters")
    finally:
        runner.close()

