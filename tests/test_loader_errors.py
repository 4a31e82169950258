"""Scenario files with mistakes, and hostile ones, are reported as FILE:LINE:COLUMN with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.core.errors import ScenarioError
from engine.scenario.load import load_scenario
from tests.conftest import MINI, ROOT

MINI_TEXT = MINI.read_text()


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[nth]


def test_the_fixture_is_valid(mini):
    assert mini.meta.id == "mini"
    assert {c.id for c in mini.cards} >= {"raise", "propose", "accept", "threaten"}


def test_yaml_syntax_error_points_at_the_line(tmp_path):
    text = MINI_TEXT.replace("  turns: 6\n", "  turns: [6\n")
    p = write(tmp_path, text)
    (msg,) = problems(p)
    assert msg.startswith(f"{p}:")
    _, line, _col, what = msg.split(":", 3)
    assert "YAML syntax error" in what
    assert int(line) >= line_of(text, "turns: [6")


def test_unknown_field_is_reported_at_its_key(tmp_path):
    text = MINI_TEXT.replace("    cost: {budget: 1}\n", "    cost: {budget: 1}\n    costt: 3\n")
    p = write(tmp_path, text)
    msgs = problems(p)
    assert len(msgs) == 1
    _, line, col, what = msgs[0].split(":", 3)
    assert int(line) == line_of(text, "costt: 3")
    assert int(col) == 5
    assert "unknown field 'costt'" in what


def test_wrong_type_and_unknown_id_and_every_mistake_is_listed(tmp_path):
    text = (MINI_TEXT
            .replace("  turns: 6", "  turns: six")
            .replace("{change: self.defence_pct, by: 0.3}", "{change: self.defence_pct, by: 0.3, bogus: 1}"))
    p = write(tmp_path, text)
    msgs = problems(p)
    lines = sorted(int(m.split(":")[1]) for m in msgs)
    assert lines == sorted([line_of(text, "turns: six"), line_of(text, "bogus: 1")])
    assert any("valid integer" in m for m in msgs)


def test_cross_references_are_checked_with_locations(tmp_path):
    text = (MINI_TEXT
            .replace("playable_by: [gamma]", "playable_by: [gama]")
            .replace("{rung_at_most: tense}", "{rung_at_most: tenze}")
            .replace("{commitment: waver, actor: alpha, alliance: pact}", "{commitment: waver, actor: alpha, alliance: pakt}")
            .replace("{change: self.budget, by: 1}", "{change: self.budgett, by: 1}"))
    p = write(tmp_path, text)
    msgs = problems(p)
    joined = "\n".join(msgs)
    assert f":{line_of(text, 'playable_by: [gama]')}:" in joined and "unknown actor 'gama'" in joined
    assert f":{line_of(text, 'tenze')}:" in joined and "unknown rung 'tenze'" in joined
    assert f":{line_of(text, 'pakt')}:" in joined and "unknown alliance 'pakt'" in joined
    assert f":{line_of(text, 'self.budgett')}:" in joined and "unknown actor variable 'budgett'" in joined
    assert len(msgs) == 4


def test_target_without_a_target_card_is_refused(tmp_path):
    text = MINI_TEXT.replace("      - {change: self.defence_pct, by: 0.3}", "      - {change: target.defence_pct, by: 0.3}")
    msgs = problems(write(tmp_path, text))
    assert len(msgs) == 1 and "`target` needs a card with an actor target" in msgs[0]


def test_unknown_condition_kind(tmp_path):
    text = MINI_TEXT.replace("{var: self.defence_pct, at_least: 2}", "{vaar: self.defence_pct, at_least: 2}")
    (msg,) = problems(write(tmp_path, text))
    assert "not a known condition" in msg
    assert f":{line_of(text, 'vaar')}:" in msg


def test_duplicate_keys_are_refused(tmp_path):
    text = MINI_TEXT.replace("  turns: 6\n", "  turns: 6\n  turns: 7\n")
    (msg,) = problems(write(tmp_path, text))
    assert "duplicate key 'turns'" in msg
    assert f":{line_of(text, 'turns: 7')}:" in msg


def test_python_tags_never_construct_objects(tmp_path):
    marker = tmp_path / "pwned"
    text = MINI_TEXT.replace("  turns: 6", f"  turns: !!python/object/apply:os.system ['touch {marker}']")
    (msg,) = problems(write(tmp_path, text))
    assert "not allowed" in msg or "could not determine a constructor" in msg
    assert not marker.exists()


def test_custom_tag_is_refused(tmp_path):
    text = MINI_TEXT.replace("  turns: 6", "  turns: !include other.yaml")
    (msg,) = problems(write(tmp_path, text))
    assert "tag" in msg and f":{line_of(text, '!include')}:" in msg


def test_alias_bomb_is_refused_quickly(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    start = time.process_time()
    (msg,) = problems(write(tmp_path, bomb))
    assert time.process_time() - start < 5  # a generous bound; the real figure is in bench/
    assert "aliases" in msg and ":2:" in msg


def test_deep_nesting_is_refused(tmp_path):
    (msg,) = problems(write(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "nesting" in msg or "YAML" in msg


def test_non_utf8_bytes_are_located(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_bytes(MINI_TEXT.encode().replace(b"Mini test scenario", b"Mini \xff scenario"))
    (msg,) = problems(p)
    assert "not valid UTF-8" in msg
    assert f":{line_of(MINI_TEXT, 'Mini test scenario')}:" in msg


@pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n"])
def test_empty_files(tmp_path, content):
    (msg,) = problems(write(tmp_path, content))
    assert "empty" in msg or "no YAML document" in msg


def test_a_file_of_several_megabytes_is_refused_without_parsing(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_text("x: " + "a" * 5_000_000 + "\n")
    (msg,) = problems(p)
    assert "limit" in msg


def test_a_scalar_or_list_document(tmp_path):
    (msg,) = problems(write(tmp_path, "- just\n- a list\n"))
    assert "must be a mapping" in msg


def test_merge_keys_are_refused(tmp_path):
    (msg,) = problems(write(tmp_path, "a: {x: 1}\nb:\n  <<: {y: 2}\n"))
    assert "merge keys" in msg


# ------------------------------------------------------------------ decks and paths

def _scenario_with_deck(tmp_path: Path, deck_ref: str) -> Path:
    text = MINI_TEXT.replace("variables:\n  gdp:", f"decks: [{deck_ref}]\nvariables:\n  gdp:", 1)
    return write(tmp_path, text)


def test_cards_from_a_deck_are_loaded_and_located(tmp_path):
    (tmp_path / "decks").mkdir()
    deck = tmp_path / "decks" / "extra.yaml"
    deck.write_text("cards:\n  - id: extra\n    name: Extra\n    family: budget\n    effects:\n      - {change: self.gdpp, by: 1}\n")
    msgs = problems(_scenario_with_deck(tmp_path, "decks/extra.yaml"))
    assert len(msgs) == 1 and msgs[0].endswith("extra.yaml:6:18: unknown actor variable 'gdpp'")
    deck.write_text(deck.read_text().replace("gdpp", "gdp"))
    sc = load_scenario(tmp_path / "s.yaml")
    assert "extra" in {c.id for c in sc.cards}


@pytest.mark.parametrize("ref", ["../outside.yaml", "/etc/passwd", "decks/../../outside.yaml"])
def test_deck_paths_cannot_leave_the_scenario_folder(tmp_path, ref):
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text("cards: []\n")
    (msg,) = problems(_scenario_with_deck(inner, ref))
    assert "must be relative and stay inside" in msg


def test_a_symlink_cannot_smuggle_a_deck_out(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text("cards: []\n")
    os.symlink(tmp_path / "outside.yaml", inner / "link.yaml")
    (msg,) = problems(_scenario_with_deck(inner, "link.yaml"))
    assert "stay inside" in msg


# ------------------------------------------------------------------ the command line

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)


def test_validate_command_exit_codes(tmp_path):
    ok = run_cli("validate", str(MINI))
    assert ok.returncode == 0 and "valid" in ok.stdout
    bad = write(tmp_path, MINI_TEXT.replace("  turns: 6", "  turns: -1").replace("Raise defence", "Raise defence\n    oops: 1"))
    res = run_cli("validate", str(bad))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    err_lines = [x for x in res.stderr.splitlines() if x.startswith(str(bad))]
    assert len(err_lines) == 2
    hostile = write(tmp_path, "a: !!python/object/new:os.system [echo hi]\n", "h.yaml")
    res = run_cli("validate", str(hostile))
    assert res.returncode == 2 and "Traceback" not in res.stderr and "h.yaml:1:" in res.stderr
    missing = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such scenario file" in missing.stderr


def test_whether_a_card_may_be_played_cannot_depend_on_a_secret(tmp_path):
    """A legality test on a figure its player cannot see would give the figure away: refused with its line."""
    text = MINI_TEXT.replace("    target: {kind: actor, where: [{member: target, of: pact}]}",
                             "    target: {kind: actor, where: [{member: target, of: pact}, {var: target.secret, below: 5}]}")
    msgs = problems(write(tmp_path, text))
    assert len(msgs) == 1 and f":{line_of(text, 'target.secret')}:" in msgs[0]
    assert "whether threaten may be played depends on the private figure target.secret" in msgs[0]
    # its own secret, or the target's secret in a chance modifier, is fine
    own = MINI_TEXT.replace("    target: {kind: actor, where: [{member: target, of: pact}]}",
                            "    target: {kind: actor, where: [{member: target, of: pact}]}\n"
                            "    conditions: [{var: self.secret, at_least: 1}]")
    load_scenario(write(tmp_path, own, "own.yaml"))
    odds = MINI_TEXT.replace("{when: [{var: global.credibility, below: 50}], add: 0.2}",
                             "{when: [{var: target.secret, at_least: 7}], add: -0.3}")
    load_scenario(write(tmp_path, odds, "odds.yaml"))


def test_seen_by_names_actors_and_needs_a_private_figure(tmp_path):
    text = MINI_TEXT.replace("credibility: {label: Article 5 credibility, min: 0, max: 100, initial: 70}",
                             "credibility: {label: Article 5 credibility, min: 0, max: 100, initial: 70, seen_by: [alfa]}")
    msgs = "\n".join(problems(write(tmp_path, text)))
    assert "unknown actor 'alfa'" in msgs and "seen_by only has a meaning for a private figure" in msgs
