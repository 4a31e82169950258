"""The shipped default scenario: complete, cited, and playable to the end."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from engine.bots.policy import simple_orders
from engine.rules.game import Game
from engine.scenario.model import Scenario
from tests.conftest import ROOT

ARTICLE_SIDES = {"us", "uk", "germany", "france", "poland", "italy", "baltics", "nordics", "ukraine", "russia"}


def test_contents(default_scenario: Scenario):
    sc = default_scenario
    assert sc.meta.id == "post_nato_2024"
    assert sc.meta.start_date.year == 2024
    assert ARTICLE_SIDES <= set(sc.playable_ids)
    families = Counter(c.family for c in sc.cards)
    assert len(sc.cards) >= 40 and set(families) == {"budget", "agreement", "escalation"}
    assert all(n >= 8 for n in families.values()), families
    assert len(sc.events) >= 8
    with_objectives = {o.actor for o in sc.objectives}
    assert set(sc.playable_ids) <= with_objectives
    assert {a.id for a in sc.agreements} and any(set(a.parties) == {"uk", "ukraine"} and a.state == "in_force"
                                                 for a in sc.agreements)
    assert any(set(a.parties) == {"uk", "poland", "ukraine"} for a in sc.agreements)
    nato = next(al for al in sc.alliances if "nato" in al.id)
    assert {"us", "uk", "poland", "baltics"} <= set(nato.members) and nato.credibility in sc.globals


def test_real_figures_cite_their_sources(default_scenario: Scenario):
    sc = default_scenario
    source_ids = {s.id for s in sc.meta.sources}
    assert len(source_ids) >= 3
    for a in sc.actors:
        if a.kind == "organisation":
            continue
        for var in ("gdp", "defence_pct"):
            assert a.sources.get(var) in source_ids, f"{a.id}.{var} has no source"
    # NATO's June 2024 estimates for the actors that are single states
    pct = {a.id: a.variables["defence_pct"] for a in sc.actors if "defence_pct" in a.variables}
    assert pct["poland"] == 4.12 and pct["us"] == 3.38 and pct["italy"] == 1.49 and pct["germany"] == 2.12


def test_decks_come_from_other_files(default_scenario: Scenario):
    assert default_scenario.decks, "cards are kept in deck files"
    for deck in default_scenario.decks:
        assert (ROOT / "scenarios" / deck).is_file()


def test_plays_to_the_end_under_many_seeds(default_scenario: Scenario):
    sc = default_scenario
    rungs, met = Counter(), Counter()
    for seed in range(1, 13):
        g = Game(sc, seed=seed)
        g.play_out({a: lambda game, side: simple_orders(game.rules, game.state, side) for a in sc.playable_ids})
        assert g.over and g.state.end_reason
        rungs[g.state.peak_rung] += 1
        for actor, objs in g.state.results.items():
            met[actor] += bool(objs)
    assert len(rungs) >= 2, f"every game peaked at the same rung: {rungs}"
    assert sum(1 for a in sc.playable_ids if met[a]) >= len(sc.playable_ids) - 2, met


def test_the_engine_names_no_actor_and_never_prints_or_imports_pygame(default_scenario: Scenario):
    names = {a.id for a in default_scenario.actors} | {c.id for c in default_scenario.cards}
    front_ends = (ROOT / "engine" / "cli", ROOT / "engine" / "ui")  # the two places that print and draw
    for path in sorted(p for p in (ROOT / "engine").rglob("*.py") if not p.is_relative_to(front_ends[0])
                       and not p.is_relative_to(front_ends[1])):
        text = path.read_text()
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(m.split(".")[0] == "pygame" for m in mods), path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{path.name}:{node.lineno} prints"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in names - {"budget", "sign", "propose"}, (
                    f"{Path(path).name}:{node.lineno} names {node.value!r} from the scenario")
