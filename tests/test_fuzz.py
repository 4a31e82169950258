"""The loaders under hostile and broken input: the regression corpus, and a short seeded fuzz run.

`bench/fuzz.py` runs the long campaign (10,000+ cases); here a few hundred
cases keep the harness itself honest, and every file in tests/fuzz_corpus/
(hand-written attacks and the slowest cases the campaigns found) must be
refused with a located error or load and play, never crash or hang.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from tests.fuzzing import Workspace, cases, run_case

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
KINDS = {"scenario_mini": "scenario:mini", "scenario_default": "scenario:default", "deck_default": "deck:default",
         "scenario_baltic": "scenario:baltic", "exercise_drill": "exercise:drill",
         "exercise_us_withdrawal": "exercise:us_withdrawal", "save": "save"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.create(tmp_path_factory.mktemp("fuzz"))


def test_the_corpus_has_attacks_of_every_kind():
    names = [p.name for p in CORPUS.iterdir()]
    for kind in ("scenario_mini", "exercise_drill", "save"):
        assert sum(n.startswith(kind + "__") for n in names) >= 2


#: semantic_scenario__* and semantic_save__* files are the semantic fuzzer's: tests/test_semantic_fuzz.py runs them
#: through the whole pipeline (play, saves, reports, both engines, the CLI)
SEMANTIC = ("semantic_scenario", "semantic_save")


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.iterdir() if p.name.split("__", 1)[0] not in SEMANTIC),
                         ids=lambda p: p.name)
def test_each_corpus_file_is_refused_or_plays(workspace: Workspace, path: Path):
    kind = KINDS[path.name.split("__", 1)[0]]
    original = (workspace.root / "saves" / "base.json").read_text() if kind == "save" else \
        workspace.sources()[kind].read_text(encoding="utf-8")
    outcome = run_case(workspace, kind, original, path.read_text(encoding="utf-8", errors="surrogatepass"))
    assert outcome.kind in ("ok", "refused"), outcome
    if not path.name.split("__", 1)[1].startswith(("slow_", "found_")):  # campaign finds may also load fine
        assert outcome.kind == "refused", outcome  # the hand-written attacks must all be refused


@pytest.mark.slow
def test_a_short_fuzz_run_finds_nothing(workspace: Workspace):
    counts: collections.Counter[str] = collections.Counter()
    findings = []
    for i, (kind, original, mutated) in enumerate(cases(workspace, seed=20261125, n=250)):
        outcome = run_case(workspace, kind, original, mutated)
        counts[outcome.kind] += 1
        if outcome.kind not in ("ok", "refused"):
            findings.append((i, kind, outcome))
    assert not findings
    assert counts["refused"] > 100 and counts["ok"] > 0  # the mutations reach both outcomes
