"""Read a scenario file (and its decks) into a validated `Scenario`, or report every mistake.

Errors come out as `FILE:LINE:COLUMN: message`, for every mistake found: YAML
syntax, wrong types, unknown fields (pydantic, followed back to the YAML node
through the recorded marks) and unknown ids (our cross-reference pass).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from engine.core.errors import Problem, ScenarioError
from engine.scenario import limits, xref
from engine.scenario.model import Scenario
from engine.scenario.safe_yaml import Located, is_file, load_file, load_text, resolve_inside

MAX_DECKS = 50


def _skip_tag(here: Any, loc: tuple[Any, ...], i: int) -> bool:
    """Pydantic puts union tags (discriminators, member type names) in `loc`; they are not in the data."""
    elem = loc[i]
    if not isinstance(here, dict):
        return not (isinstance(here, list) and isinstance(elem, int))
    if elem not in here:
        return True
    nxt = loc[i + 1] if i + 1 < len(loc) else None
    return nxt is not None and nxt in here and nxt != elem and not isinstance(here[elem], (dict, list))


def data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Map a pydantic error `loc` onto a path that exists in the loaded data."""
    path: list[Any] = []
    here = data
    for i, elem in enumerate(loc):
        if _skip_tag(here, loc, i):
            continue
        if isinstance(here, dict) or (isinstance(here, list) and isinstance(elem, int) and 0 <= elem < len(here)):
            here = here[elem]
        else:
            continue
        path.append(elem)
    return tuple(path)


def _message(err: ErrorDetails) -> str:
    kind = err.get("type", "")
    loc = err.get("loc", ())
    field = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "missing":
        return f"missing field {field!r}"
    msg = err.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        value = err.get("input")
        return f"{value!r} is not a valid id or reference (lower-case letters, digits and _)"
    if kind.startswith("literal_error"):
        return f"{msg} (got {err.get('input')!r})"
    return msg


def validation_problems(exc: ValidationError, located: Located) -> list[Problem]:
    """Turn pydantic errors into located problems; one line per place, messages merged."""
    by_place: dict[tuple[str, int, int], list[str]] = {}
    for err in exc.errors(include_url=False):
        path = data_path(located.data, tuple(err["loc"]))
        mark = located.mark_for(path, prefer_key=err["type"] in ("extra_forbidden",))
        msgs = by_place.setdefault((mark.file, mark.line, mark.column), [])
        text = _message(err)
        if text not in msgs:
            msgs.append(text)
    return [Problem(f, line, col, "; or ".join(m)) for (f, line, col), m in by_place.items()]


def validate_model(model: type[BaseModel], located: Located) -> Any:
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, located)) from None


def _merge_decks(main: Located, base_dir: Path, root: Path) -> list[Problem]:
    """Append each deck's cards and events to the scenario's, keeping the decks' own marks."""
    data = main.data
    decks = data.get("decks") or []
    if not isinstance(decks, list):
        return []  # the model reports the type error
    problems: list[Problem] = []
    if len(decks) > MAX_DECKS:
        return [main.problem(("decks",), f"{len(decks)} decks; the limit is {MAX_DECKS}")]
    for i, rel in enumerate(decks):
        if not isinstance(rel, str):
            continue
        path = resolve_inside(base_dir, rel, root)
        if path is None:
            problems.append(main.problem(("decks", i), f"deck path {rel!r} must be relative and stay inside {root.name}/"))
            continue
        if not is_file(path):
            problems.append(main.problem(("decks", i), f"deck file {rel!r} not found"))
            continue
        try:
            deck = load_file(path, display=_display(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(deck.data, dict):
            problems.append(deck.problem((), "a deck file must be a mapping with `cards:` and/or `events:`"))
            continue
        for key in deck.data:
            if key not in ("cards", "events", "description"):
                problems.append(deck.problem((key,), f"unknown field {key!r} in a deck (cards, events, description)", True))
        for section in ("cards", "events"):
            items = deck.data.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                problems.append(deck.problem((section,), f"`{section}` must be a list"))
                continue
            target = data.setdefault(section, [])
            if not isinstance(target, list):
                continue
            offset = len(target)
            target.extend(items)
            for j in range(len(items)):
                main.graft((section, offset + j), _sub(deck, (section, j)))
    return problems


def _sub(located: Located, prefix: tuple[Any, ...]) -> Located:
    n = len(prefix)
    return Located(
        data=None,
        file=located.file,
        values={p[n:]: m for p, m in located.values.items() if p[:n] == prefix},
        keys={p[n:]: m for p, m in located.keys.items() if p[:n] == prefix and len(p) > n},
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario; raise ScenarioError with every problem found."""
    path = Path(path)
    display = _display(path)
    if not is_file(path):
        raise ScenarioError([Problem(display, 1, 1, "no such scenario file")])
    located = load_file(path, display=display)
    if not isinstance(located.data, dict):
        raise ScenarioError([located.problem((), "a scenario file must be a mapping (meta:, actors:, cards: ...)")])
    base_dir = path.resolve().parent
    problems = _merge_decks(located, base_dir, base_dir)
    try:
        scenario = Scenario.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, located))
        raise ScenarioError(problems) from None
    problems.extend(located.problem(loc, msg) for loc, msg in xref.check(scenario))
    if not problems:  # the bounds on work are measured on a scenario whose references hold
        problems.extend(located.problem(loc, msg) for loc, msg in limits.check(scenario))
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario_text(text: str, display: str = "<scenario>") -> Scenario:
    """Validate scenario YAML held in memory (no decks): for tests, the guide's examples and fuzzing."""
    located = load_text(text, display)
    if not isinstance(located.data, dict):
        raise ScenarioError([located.problem((), "a scenario file must be a mapping")])
    if located.data.get("decks"):
        raise ScenarioError([located.problem(("decks",), "decks need a scenario file on disk")])
    scenario = validate_model(Scenario, located)
    problems = [located.problem(loc, msg) for loc, msg in xref.check(scenario)]
    if not problems:
        problems.extend(located.problem(loc, msg) for loc, msg in limits.check(scenario))
    if problems:
        raise ScenarioError(problems)
    return scenario


#: the kinds of file that derive a scenario from another one (an exercise script names a scenario and
#: amends it), each as (recognises the file, loads the scenario it derives); the layer that defines such
#: a file registers it, so layers below it (saves) can open any game's file without depending on it
_DERIVED: list[tuple[Callable[[Path], bool], Callable[[Path], Scenario]]] = []


def register_derived(recognises: Callable[[Path], bool], load: Callable[[Path], Scenario]) -> None:
    """Teach `load_any` a kind of file that derives a scenario."""
    _DERIVED.append((recognises, load))


def load_any(path: str | Path) -> Scenario:
    """The scenario a game runs under: a scenario file's own, or the one a derived file (exercise) gives."""
    path = Path(path)
    for recognises, load in _DERIVED:
        if recognises(path):
            return load(path)
    return load_scenario(path)
