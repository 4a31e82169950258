"""Every example in docs/authoring.md is valid: the guide cannot drift from the format.

Convention: each ```yaml block in the guide follows an HTML comment
`<!-- example: KIND -->`. KIND `scenario` is a whole scenario (the first one,
marked `(base)`, is the base for the rest); `deck` is a deck file; `conditions`
and `effects` are lists that go into a card; `ladder` replaces the base's
ladder; any other KIND names the top-level list the fragment's items join.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from engine.scenario import xref
from engine.scenario.load import load_scenario_text
from engine.scenario.model import Deck, Scenario
from engine.scenario.safe_yaml import load_text
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"(?:<!--\s*example:\s*(?P<kind>[a-z_]+)(?P<base>\s*\(base\))?\s*-->\s*\n)?```(?P<lang>[a-z]*)\n(?P<body>.*?)```",
                   re.S)
LISTS = {"actors", "cards", "agreement_types", "agreements", "events", "each_turn", "objectives", "end", "doctrines"}


def examples() -> list[tuple[int, str, bool, str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    out = []
    for m in BLOCK.finditer(text):
        line = text.count("\n", 0, m.start("body")) + 1
        out.append((line, m.group("kind") or "", bool(m.group("base")), m.group("lang"), m.group("body")))
    return out


def _base() -> dict[str, Any]:
    line, _, _, _, body = next(e for e in examples() if e[2])
    return load_text(body, f"{GUIDE.name}:{line}").data


def _validate(data: dict[str, Any], where: str) -> Scenario:
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise AssertionError(f"{where}: {exc}") from None
    problems = xref.check(sc)
    assert not problems, f"{where}: {problems}"
    return sc


YAML = [e for e in examples() if e[3] == "yaml"]


def test_the_guide_has_examples_of_every_part():
    kinds = {e[1] for e in YAML}
    assert {"scenario", "actors", "cards", "conditions", "effects", "ladder", "agreement_types", "agreements",
            "events", "each_turn", "objectives", "end", "doctrines", "deck"} <= kinds
    assert sum(1 for e in YAML if e[2]) == 1
    assert all(kind for _, kind, _, _, _ in YAML), "every yaml block needs an <!-- example: KIND --> comment"


@pytest.mark.parametrize("example", YAML, ids=lambda e: f"line{e[0]}-{e[1]}")
def test_each_yaml_example_is_valid(example):
    line, kind, _, _, body = example
    where = f"{GUIDE.name}:{line}"
    if kind == "scenario":
        load_scenario_text(body, where)
        return
    fragment = load_text(body, where).data
    data = _base()
    if kind == "deck":
        deck = Deck.model_validate(fragment)
        assert deck.cards or deck.events
        data["cards"] = data.get("cards", []) + fragment.get("cards", [])
        data["events"] = data.get("events", []) + fragment.get("events", [])
    elif kind in ("conditions", "effects"):
        assert isinstance(fragment, list) and fragment
        data["cards"].append({"id": "guide_example", "name": "Guide example", "family": "budget", kind: fragment})
    elif kind == "ladder":
        data["ladder"] = fragment
    else:
        assert kind in LISTS, f"{where}: unknown example kind {kind!r}"
        assert isinstance(fragment, list) and fragment
        data[kind] = data.get(kind, []) + fragment
    sc = _validate(data, where)
    if kind == "cards":
        assert {c["id"] for c in fragment} <= {c.id for c in sc.cards}


def test_a_broken_example_would_be_caught():
    data = _base()
    data["cards"].append({"id": "broken", "name": "Broken", "family": "budget",
                          "effects": [{"change": "self.no_such_variable", "by": 1}]})
    with pytest.raises(AssertionError):
        _validate(data, "probe")


def test_the_python_example_runs(monkeypatch):
    blocks = [e for e in examples() if e[3] == "python"]
    assert blocks
    code = blocks[0][4].replace("scenarios/my_crisis.yaml", str(Path("scenarios") / "baltic_2027.yaml"))
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_")]
    assert tests
    for t in tests:
        t()
