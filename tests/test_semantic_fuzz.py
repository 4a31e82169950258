"""Valid but extreme scenarios and saves through the whole pipeline: a short seeded run, the corpus, the checks.

`bench/fuzz.py --semantic` runs the long campaign (10,000+ cases, see
tests/semantic.py for the attacks and the pipeline); here a few dozen cases
keep the harness honest and must end in ok or a located refusal, never a
crash, a hang or an unlocated refusal. Every `semantic_*` file in
tests/fuzz_corpus/ (the minimal input of a finding class, kept by
`bench/fuzz.py --semantic --corpus`) runs again through every stage.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import semantic

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
SEMANTIC_CORPUS = sorted(p for p in CORPUS.iterdir() if p.name.startswith("semantic_"))


@pytest.fixture(scope="module")
def runner():
    """One worker for the corpus. Its CPU budget is 40 s, not the campaign's 10: the corpus keeps the slowest
    legal games found (200 turns through every stage takes 8-11 s of CPU here, more on a busy CI machine); a
    real hang still runs into it."""
    old = os.environ.get("SEMANTIC_CPU_SECONDS")
    os.environ["SEMANTIC_CPU_SECONDS"] = "40"  # read by the worker process when it starts
    r = semantic.Runner()
    try:
        yield r
    finally:
        r.close()
        if old is None:
            os.environ.pop("SEMANTIC_CPU_SECONDS", None)
        else:
            os.environ["SEMANTIC_CPU_SECONDS"] = old


@st.composite
def plain_cases(draw) -> semantic.Case:
    """The base scenarios alone, before any attack."""
    doc = semantic.base_scenario(draw, draw(st.integers(2, 5)))
    return semantic.Case(kind="scenario", text=semantic._dump(doc), report=draw(st.booleans()), engines=True)


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(plain_cases())
def test_the_base_scenarios_pass_every_stage(tmp_path_factory, case):
    # what the attacks start from is valid and playable, so a refusal or a crash comes from the attack
    result = semantic.run_case(case, tmp_path_factory.mktemp("plain"))
    assert result.kind == "ok", (result.signature, result.detail, result.trace[-2000:])


@pytest.mark.slow
def test_a_short_semantic_run_finds_no_crash_or_hang():
    findings = semantic.Findings(None)
    totals = semantic.campaign(40, seed=20261125, jobs=2, findings=findings)
    assert totals.cases == 40
    found = {fc.signature: fc.count for fc in findings.classes.values()}
    assert totals.get("crash") == 0 and totals.get("hang") == 0 and totals.get("unlocated") == 0, found
    assert len(totals.attacks) >= 5, totals.attacks  # the run reaches (nearly) every attack class


@pytest.mark.parametrize("path", SEMANTIC_CORPUS, ids=lambda p: p.name)
def test_each_semantic_corpus_file_is_refused_or_passes(runner, path: Path):
    result = runner.run(semantic.load_case_file(path))
    assert result.kind in ("ok", "refused"), (result.signature, result.detail)


def test_the_output_checks_see_what_a_terminal_would_obey():
    assert semantic.unsafe_text("plain text, é, 日本, $x^2$") is None
    assert semantic.unsafe_text("\x1b[2J") == "raw ESC"
    assert semantic.unsafe_text("a\x07b") == "raw BEL"
    assert semantic.unsafe_text("nul\x00") == "raw NUL"
    assert semantic.unsafe_text("\u202eevil") == "raw bidi control"
    assert semantic.unsafe_bytes("\x9b31m".encode()) == "raw CSI"
    assert semantic.unsafe_bytes(b"\xed\xa0\x80") == "lone surrogate"  # not UTF-8: a surrogate's bytes
    assert semantic._FORMULA.match('=HYPERLINK("x")') and semantic._FORMULA.match("@SUM(1)")
    assert not semantic._FORMULA.match("-2.5") and not semantic._FORMULA.match("+3")


def test_engines_that_both_reach_nan_agree():
    assert semantic.same((1.0, math.nan, ("a", [math.nan])), (1.0, math.nan, ("a", [math.nan])))
    assert not semantic.same((1.0, math.nan), (1.0, 2.0))


def test_a_case_over_its_time_is_a_hang(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic, "SECONDS_PER_CASE", 0.001)
    case = semantic.Case(kind="scenario", text=(Path(__file__).parent / "fixtures" / "mini.yaml").read_text())
    assert semantic.run_case(case, tmp_path).kind == "hang"


def test_kept_cases_read_back_as_they_were(tmp_path):
    for case in (semantic.Case(kind="scenario", text="meta: {id: x}\n", seed=-(2**70)),
                 semantic.Case(kind="save", text="meta: {id: x}\n", seed=7, save={"what": "notes", "n": 10})):
        suffix, text = semantic.case_file_text(case)
        path = tmp_path / f"case{suffix}"
        path.write_text(text, encoding="utf-8")
        again = semantic.load_case_file(path)
        assert (again.kind, again.seed, again.save) == (case.kind, case.seed, case.save)
        assert again.text.endswith(case.text)


def test_a_damaged_save_is_built_to_its_size():
    from engine.persistence.saves import MAX_SAVE_BYTES

    base = json.dumps({"format": 3, "kind": "wargame-save", "seed": 1, "turns": [], "label": "",
                       "state": {"rung": "calm", "vars": {"a0": {"power": 1.0}}, "log": []}})
    for n in (-1, 0, 1):
        assert len(semantic.build_save(base, {"what": "pad_to_limit", "n": n})) == MAX_SAVE_BYTES + n
    deep = semantic.build_save(base, {"what": "nested_planning", "n": 5000}).decode()
    assert deep.count('{"x":') == 5000
    assert b"1e999" in semantic.build_save(base, {"what": "number_literal", "n": 0, "where": "escalation"})
