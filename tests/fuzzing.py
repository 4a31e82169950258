"""Mutation fuzzing of the loaders: scenario files (and their decks), exercise scripts and save files.

Each case starts from a real, valid file and applies a few seeded mutations:
text-level (flipped characters, lost or doubled lines, truncation, hostile
YAML snippets such as object tags, alias bombs, deep nesting and huge
scalars) or, for saves, JSON-level (values replaced with other types, keys
removed, numbers pushed out of range). Every case must end in success or in
the loader's own clear error (ScenarioError with a line, SaveError with a
reason), within a time bound. Anything else is a finding.

Shared by `tests/test_fuzz.py` (a short run plus the regression corpus) and
`bench/fuzz.py` (the long run whose figures the README quotes).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.core.commands import Adjust, Resume
from engine.core.errors import ScenarioError
from engine.exercise.script import load_exercise
from engine.persistence.saves import SaveError, read_save
from engine.rules.game import Game
from engine.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SECONDS_PER_CASE = 10.0

NASTY_YAML = [
    "!!python/object/apply:os.system ['echo pwned']",
    "!!python/name:os.system",
    "!<tag:yaml.org,2002:python/object/new:subprocess.Popen> [['ls']]",
    "&a [*a, *a]",
    "a: &x [1, 2]\nb: *x",
    "<<: {id: merged}",
    "[" * 80 + "]" * 80,
    "{a: " * 60 + "1" + "}" * 60,
    "- " * 60 + "x",
    "1e999",
    "-1e999",
    ".nan",
    ".inf",
    "~",
    "0x7fffffffffffffffffffffff",
    "99999999999999999999999999999999999999",
    "2024-13-45",
    "'\\u0000'",
    "\"\\ud800\"",
    "x" * 5000,
    "? [complex, key]\n: value",
    "%YAML 1.1\n---",
    "--- !!binary aGVsbG8=",
    "*undefined_alias",
    "id: ../../../etc/passwd",
    "decks: [/etc/passwd]",
    "decks: [../../../../etc/hostname]",
    "scenario: /etc/passwd",
    "scenario: ../../../../../etc/passwd",
    "\t\tindented: with tabs",
    "key: [unclosed",
    "\"unterminated",
    "\x00\x01\x02",
]

NASTY_VALUES: list[Any] = [None, True, -1, 0, 10**30, -(10**30), 1.5e308, "", "x" * 300, "../../etc/passwd", [], {},
                           [[[[[]]]]], {"a": {"b": {"c": {}}}}, ["a", 1, None], "\u202e\u0000", 2**63, -(2**63) - 1]


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok | refused | crash | hang | unlocated
    detail: str = ""
    ms: float = 0.0


# ------------------------------------------------------------------ text mutations
def _lines(text: str) -> list[str]:
    return text.split("\n")


def mutate_text(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(_TEXT_MUTATIONS)(text, rng)
    return text


def _flip(text: str, rng: random.Random) -> str:
    if not text:
        return text
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(["", " ", ":", "-", "{", "]", "'", "\"", "#", "&", "*", "!", "\n", "\t", "é", "0",
                                  "\u2028", "\ufeff"]) + text[i + 1:]


def _drop_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    if len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def _double_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "\n".join(lines)


def _swap_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _insert_nasty(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip(" "))]
    snippet = rng.choice(NASTY_YAML).replace("\n", "\n" + indent)
    lines.insert(i, indent + snippet)
    return "\n".join(lines)


def _replace_value(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    if not candidates:
        return text
    i = rng.choice(candidates)
    key = lines[i].split(": ", 1)[0]
    value = rng.choice([*NASTY_YAML[9:20], "[]", "{}", "-5", "0", "nobody_here", "[a, b]", "{x: 1}", "yes", "''"])
    lines[i] = f"{key}: {value}"
    return "\n".join(lines)


_TEXT_MUTATIONS: list[Callable[[str, random.Random], str]] = [
    _flip, _drop_line, _double_line, _swap_lines, _truncate, _insert_nasty, _replace_value, _replace_value,
    _insert_nasty,
]


# ------------------------------------------------------------------ JSON mutations (saves)
def _paths(doc: Any, prefix: tuple[Any, ...] = (), limit: int = 4000) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    stack = [(prefix, doc)]
    while stack and len(out) < limit:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    return out


def mutate_json(data: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return mutate_text(data, rng)
    doc = json.loads(data)
    _mutate_doc(doc, rng)
    return json.dumps(doc)


def mutate_yaml_structure(text: str, rng: random.Random) -> str:
    """Parse, change the data (types, missing keys, values out of range), write back: reaches the deeper checks."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return mutate_text(text, rng)
    if not isinstance(doc, (dict, list)):
        return mutate_text(text, rng)
    _mutate_doc(doc, rng)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _mutate_doc(doc: Any, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = rng.random()
        if action < 0.2 and isinstance(parent, dict):
            del parent[last]
        elif action < 0.3 and isinstance(parent[last], (int, float)) and not isinstance(parent[last], bool):
            parent[last] = parent[last] + rng.choice([1, -1, 1000, -1000, 0.5])
        elif action < 0.4 and isinstance(parent, list) and parent:
            parent.append(copy.deepcopy(parent[rng.randrange(len(parent))]))  # a duplicate (ids, orders, members)
        elif action < 0.5 and isinstance(parent[last], str):
            parent[last] = rng.choice(["nobody", "self", "target", "*", "@nato_alliance", "global.x", parent[last] * 2])
        else:
            parent[last] = copy.deepcopy(rng.choice(NASTY_VALUES))


# ------------------------------------------------------------------ cases
@dataclass
class Workspace:
    """A scratch copy of the scenarios (and a small exercise) that the mutated files are written into."""

    root: Path
    save_text: str = ""

    @classmethod
    def create(cls, root: Path) -> Workspace:
        shutil.copytree(ROOT / "scenarios", root / "scenarios", dirs_exist_ok=True)
        shutil.copy(ROOT / "tests" / "fixtures" / "mini.yaml", root / "scenarios" / "mini.yaml")
        (root / "scenarios" / "exercises" / "drill.yaml").write_text(DRILL, encoding="utf-8")
        (root / "saves").mkdir(exist_ok=True)
        ws = cls(root)
        ws.save_text = ws._make_save()
        return ws

    def _make_save(self) -> str:
        from engine.exercise.script import ExerciseRun
        from engine.persistence.saves import save_game

        ex = load_exercise(self.root / "scenarios" / "exercises" / "drill.yaml")
        run = ExerciseRun(ex, seed=3, bot_level="simple")
        run.play_turn()
        run.game.control(Resume())  # the drill pauses after turn 1
        run.game.control(Adjust(ref="alpha.budget", value=5, reason="fuzz base"))
        run.play_turn()
        path = save_game(self.root / "saves" / "base.json", run.game, ex.path, label="fuzz base", root=self.root)
        return path.read_text(encoding="utf-8")

    def sources(self) -> dict[str, Path]:
        sc = self.root / "scenarios"
        return {
            "scenario:mini": sc / "mini.yaml",
            "scenario:default": sc / "post_nato_2024.yaml",
            "deck:default": sc / "decks" / "escalation.yaml",
            "scenario:baltic": sc / "baltic_2027.yaml",
            "exercise:drill": sc / "exercises" / "drill.yaml",
            "exercise:us_withdrawal": sc / "exercises" / "us_withdrawal.yaml",
        }


#: how often each kind of file is fuzzed (the small scenario is the cheapest to load, and the richest in structure)
WEIGHTS = {"scenario:mini": 25, "scenario:default": 8, "deck:default": 7, "scenario:baltic": 10,
           "exercise:drill": 20, "exercise:us_withdrawal": 5, "save": 25}


def cases(ws: Workspace, seed: int, n: int) -> Iterator[tuple[str, str, str]]:
    """(kind, original text, mutated text) for case numbers 0..n-1 of this seed (reproducible)."""
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    originals = {k: p.read_text(encoding="utf-8") for k, p in ws.sources().items()}
    originals["save"] = ws.save_text
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        kind = rng.choices(kinds, weights)[0]
        text = originals[kind]
        if kind == "save":
            mutated = mutate_json(text, rng)
        elif rng.random() < 0.5:
            mutated = mutate_yaml_structure(text, rng)
        else:
            mutated = mutate_text(text, rng)
        yield kind, text, mutated


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def run_case(ws: Workspace, kind: str, original: str, mutated: str) -> Outcome:
    """Write the mutated file in place of the original, load it, restore the original."""
    target = ws.root / "saves" / "case.json" if kind == "save" else ws.sources()[kind]
    target.write_text(mutated, encoding="utf-8", errors="surrogatepass")
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_CASE)
    start = time.perf_counter()
    try:
        outcome = _load(ws, kind, target)
    except _Timeout:
        outcome = Outcome("hang", f"more than {SECONDS_PER_CASE:.0f} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if kind != "save":
            target.write_text(original, encoding="utf-8")
    return Outcome(outcome.kind, outcome.detail, (time.perf_counter() - start) * 1000)


def _play_a_little(game: Game, turns: int = 2) -> None:
    """A file that loads must also play: a scenario the engine cannot run is a finding too."""
    from engine.bots.policy import simple_orders

    for _ in range(turns):
        if game.over:
            return
        if game.state.phase == "paused":
            game.control(Resume())
        for side in game.waiting_for():
            game.submit(side, simple_orders(game.rules, game.state, side))
        game.adjudicate()


def _load(ws: Workspace, kind: str, target: Path) -> Outcome:
    try:
        if kind == "save":
            _play_a_little(read_save(target, root=ws.root).game, 1)
        elif kind.startswith("exercise"):
            _play_a_little(Game(load_exercise(target).scenario, seed=1))
        elif kind.startswith("deck"):
            load_scenario(ws.root / "scenarios" / "post_nato_2024.yaml")
        else:
            sc = load_scenario(target)
            if kind == "scenario:mini":
                _play_a_little(Game(sc, seed=1))
    except ScenarioError as exc:
        unlocated = [p for p in exc.problems if not p.file or p.line < 1]
        if unlocated or not exc.problems:
            return Outcome("unlocated", str(exc)[:300])
        return Outcome("refused", str(exc.problems[0])[:300])
    except SaveError as exc:
        if exc.__cause__ is not None:  # only the loader's last-resort net caught it: a finding to fix
            return Outcome("crash", f"{type(exc.__cause__).__name__}: {exc.__cause__}"[:300])
        return Outcome("refused", exc.reason[:300])
    except _Timeout:
        raise
    except RecursionError as exc:
        return Outcome("crash", f"RecursionError: {exc}"[:300])
    except Exception as exc:
        return Outcome("crash", f"{type(exc).__name__}: {exc}"[:300])
    return Outcome("ok")


DRILL = """\
# A small exercise on the small scenario, for fuzzing.
format: 1
exercise:
  id: drill
  title: Drill
  summary: Two teams, one scripted side.
  scenario: ../mini.yaml
  adjudication: semi_rigid
  bot_level: simple
  objectives:
    - {id: lo_one, text: Practise.}
teams:
  - id: red
    name: Red
    actors: [alpha]
    briefing: You are Alpha.
  - id: blue
    name: Blue
    actors: [beta]
injects:
  - id: opening
    title: Opening
    text: It begins.
    at_turn: 1
  - id: red_only
    title: For Red
    text: A secret.
    at_date: 2024-03-05
    to: [red]
    effects:
      - {change: alpha.secret, by: 1}
  - id: when_tense
    title: Tension
    text: The ladder climbs.
    when:
      - {rung_at_least: tense}
moves:
  - {turn: 2, actor: gamma, card: threaten, targets: [alpha]}
forced:
  - {turn: 2, actor: gamma, card: threaten, outcome: success, reason: the drill needs it}
pauses:
  - {after_turn: 1, title: Talk, prompts: ["What now?"]}
end:
  after_turn: 4
"""
