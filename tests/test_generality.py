"""The engine names nothing of any scenario: every actor, variable, card, rung... comes from the YAML.

Every id declared by a shipped scenario is looked for in engine/*.py: as an
identifier (a name, attribute, function, argument or keyword), as a whole
string literal, and, for ids with an underscore (which no ordinary word has),
anywhere in the text, comments and docstrings included. Words that are the
format's own vocabulary (field names and allowed values in the JSON Schema,
such as the card family `budget`) are not scenario names even when a scenario
reuses them as an id, so they are only looked for in the identifiers.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize

import pytest

from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario
from tests.conftest import ROOT

ENGINE = sorted((ROOT / "engine").rglob("*.py"))
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def scenario_names(sc: Scenario) -> set[str]:
    names = {a.id for a in sc.actors} | set(sc.variables) | set(sc.globals) | set(sc.relation_variables)
    names |= {c.id for c in sc.cards} | {r.id for r in sc.ladder.rungs} | {t.id for t in sc.agreement_types}
    names |= {o.id for o in sc.objectives} | {al.id for al in sc.alliances} | {e.id for e in sc.events}
    # The scenario's own id is left out: it names a file, which front ends may open by default.
    names |= {a.id for a in sc.agreements} | {e.id for e in sc.end}
    return names


def format_vocabulary() -> set[str]:
    """Every field name and every allowed value that the scenario format itself defines."""
    words: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            words.update(k for k in node.get("properties", {}) if isinstance(k, str))
            for key in ("enum", "const"):
                vals = node.get(key)
                words.update(v for v in (vals if isinstance(vals, list) else [vals]) if isinstance(v, str))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8")))
    return words


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def mentions(source: str, names: set[str], vocabulary: set[str]) -> list[tuple[int, str, str]]:
    """(line, how, name) for each place the source names one of `names`."""
    found: list[tuple[int, str, str]] = []
    tree = ast.parse(source)
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        ident = None
        if isinstance(node, ast.Name):
            ident = node.id
        elif isinstance(node, ast.Attribute):
            ident = node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            ident = node.name
        elif isinstance(node, ast.arg):
            ident = node.arg
        elif isinstance(node, ast.keyword):
            ident = node.arg
        if ident in names:
            found.append((getattr(node, "lineno", 0), "identifier", ident))
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                and node.value in names and node.value not in vocabulary):
            found.append((node.lineno, "string", node.value))
    underscored = sorted(n for n in names if "_" in n and n not in vocabulary)
    if underscored:
        pattern = re.compile(r"(?<![a-z0-9_])(" + "|".join(map(re.escape, underscored)) + r")(?![a-z0-9_])")
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in (tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", -1)):
                for m in pattern.finditer(tok.string):
                    found.append((tok.start[0], "text", m.group(1)))
    return found


@pytest.fixture(scope="module")
def names() -> set[str]:
    out: set[str] = set()
    for path in SHIPPED:
        out |= scenario_names(load_scenario(path))
    return out


def test_the_check_sees_names_when_they_are_there(names):
    vocab = format_vocabulary()
    assert {"us", "russia", "estonia", "defence_pct", "corridor_open", "nuclear_brink", "seize_border_village",
            "host_nation_deal", "ee_no_incursion", "north_atlantic", "public_resolve"} <= names
    planted = (
        'def f(state, russia):\n'
        '    """Docstrings are checked by the next test."""\n'
        '    x = state.vars["estonia"]["defence_pct"]  # seize_border_village\n'
        '    return state.globals.corridor_open, "budget"\n'
    )
    hits = {(how, name) for _, how, name in mentions(planted, names, vocab)}
    assert hits == {("identifier", "russia"), ("string", "estonia"), ("string", "defence_pct"),
                    ("text", "defence_pct"), ("text", "seize_border_village"), ("identifier", "corridor_open")}
    assert "budget" in vocab  # a card family: the format's word, which a scenario may also use as a variable


def test_the_engine_names_no_actor_variable_card_or_rung_of_any_shipped_scenario(names):
    vocab = format_vocabulary()
    problems = []
    for path in ENGINE:
        for line, how, name in mentions(path.read_text(encoding="utf-8"), names, vocab):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {how} {name!r}")
    assert not problems, "the engine names scenario content:\n" + "\n".join(problems)


def actor_words(sc: Scenario) -> tuple[set[str], set[str]]:
    """An actor's display name and long id (as words), and its short ids (two letters, also English words)."""
    words = {a.name for a in sc.actors} | {a.id for a in sc.actors if len(a.id) > 2}
    return words, {a.id for a in sc.actors if len(a.id) <= 2}


def actor_mentions(source: str, words: set[str], short: set[str]) -> list[tuple[int, str]]:
    """(line, text) for each docstring, comment or message that names an actor of a shipped scenario."""
    long_pat = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")(?![\w])")
    # a two-letter id is an ordinary word ("us"): counted when written as an id is, quoted or before = . or :
    short_pat = re.compile(r"(?<![\w])([\"'`](?:" + "|".join(map(re.escape, short)) + r")[\"'`]|(?:"
                           + "|".join(map(re.escape, short)) + r")(?=[=.:][a-z]))")
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", -1)):
            for pat in (long_pat, short_pat):
                for m in pat.finditer(tok.string):
                    found.append((tok.start[0], m.group(1)))
    return found


def test_the_check_for_actor_names_sees_them() -> None:
    words, short = {"Russia", "United States", "poland"}, {"us"}
    planted = ('"""Only the United States."""\n'
               '# per side: poland=quick\n'
               'HELP = "let us see: --bot-level us=strong"\n'
               'x = {"us": 1}  # Russian is another word\n')
    assert [name for _, name in actor_mentions(planted, words, short)] == [
        "United States", "poland", "us", '"us"']


def test_docstrings_comments_and_messages_under_engine_name_no_actor_of_a_shipped_scenario() -> None:
    words: set[str] = set()
    short: set[str] = set()
    for path in SHIPPED:
        w, s = actor_words(load_scenario(path))
        words |= w
        short |= s
    problems = [f"{path.relative_to(ROOT)}:{line}: {name!r}"
                for path in ENGINE for line, name in actor_mentions(path.read_text(encoding="utf-8"), words, short)]
    assert not problems, "engine text names an actor of a shipped scenario:\n" + "\n".join(problems)
