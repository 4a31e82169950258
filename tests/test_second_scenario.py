"""The second shipped scenario (Baltic crisis 2027) and what every shipped scenario must do: play to the end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pygame
import pytest

from engine.bots.controllers import LEVELS, bot_orders
from engine.rules.game import Game
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario
from tests.conftest import DEFAULT, ROOT
from tests.test_bots import checked
from tests.test_cli import run
from tests.ui_driver import Driver

BALTIC = ROOT / "scenarios" / "baltic_2027.yaml"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def baltic() -> Scenario:
    return load_scenario(BALTIC)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_plays_to_the_end_under_every_bot_level(path: Path, level: str):
    sc = load_scenario(path)
    g = Game(sc, seed=2)
    if level == "simple":  # the simple policy knows no doctrines, so only legality applies to it
        def legal(game: Game, side: str):  # type: ignore[no-untyped-def]
            orders = bot_orders(level, game.rules, game.state, side)
            assert game.rules.check_orders(game.state, side, orders) is None, (side, orders)
            return orders
        controllers = dict.fromkeys(sc.playable_ids, legal)
    else:
        controllers = dict.fromkeys(sc.playable_ids, checked(level))
    g.play_out(controllers)
    assert g.over and g.state.end_reason and set(g.state.results) >= set(sc.playable_ids)
    assert sum(len(rec.resolutions) for rec in g.state.log) >= len(sc.playable_ids) * len(g.state.log)


def test_the_second_scenario_differs_from_the_default(baltic: Scenario, default_scenario: Scenario):
    assert 5 <= len(baltic.playable_ids) <= 7 and 25 <= len(baltic.cards) <= 40 and 8 <= baltic.meta.turns <= 12
    assert len(baltic.playable_ids) < len(default_scenario.playable_ids)
    assert set(baltic.playable_ids) != set(default_scenario.playable_ids)
    assert not set(baltic.variables) & set(default_scenario.variables)
    assert not set(baltic.globals) & set(default_scenario.globals)
    assert not {c.id for c in baltic.cards} & {c.id for c in default_scenario.cards}
    assert not {r.id for r in baltic.ladder.rungs} & {r.id for r in default_scenario.ladder.rungs}
    assert not {t.id for t in baltic.agreement_types} & {t.id for t in default_scenario.agreement_types}
    assert not {o.id for o in baltic.objectives} & {o.id for o in default_scenario.objectives}


def test_the_second_scenario_is_complete_and_cited(baltic: Scenario):
    assert {d.actor for d in baltic.doctrines} == set(baltic.playable_ids)
    assert all(any(o.actor == a for o in baltic.objectives) for a in baltic.playable_ids)
    assert len(baltic.events) >= 6 and any(e.to for e in baltic.events)
    sources = {s.id for s in baltic.meta.sources}
    for a in baltic.actors:
        for var in ("gdp_bn", "defence_share"):
            if var in a.variables:
                assert a.sources.get(var) in sources - {"design"}, (a.id, var)


def test_every_side_of_the_second_scenario_is_on_the_map(baltic: Scenario):
    on_map = {f["iso2"] for f in json.loads((ROOT / "assets" / "europe.json").read_text())["features"]}
    for a in baltic.actors:
        assert a.territory and set(a.territory) <= on_map and a.capital is not None, a.id


def test_the_second_scenario_plays_headless_from_the_command_line():
    a = run("play", "--headless", "--bots", "all", "--scenario", "scenarios/baltic_2027.yaml", "--seed", "5")
    b = run("play", "--headless", "--bots", "all", "--scenario", "scenarios/baltic_2027.yaml", "--seed", "5")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    out = a.stdout
    assert "Baltic crisis 2027" in out and "End of game" in out and "Objectives:" in out
    assert "Suwałki corridor open" in out or "Deterrence" in out


def test_the_second_scenario_is_chosen_on_the_start_screen_and_played_to_the_end(tmp_path):
    import os

    shots = Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else tmp_path
    d = Driver(shots=shots, scenario_path=DEFAULT)
    start = d.screen
    assert start.name == "start" and start.scenario.meta.id != "baltic_crisis_2027"
    # open the drop-down and click the Baltic scenario, as a person would
    d.click(start.scenario_menu.rect.center)
    d.frame()
    options = start.scenario_menu.current_state.options_selection_list.item_list_container.elements
    option = next(o for o in options if o.text == BALTIC.name)
    d.click(option.rect.center)
    d.frame()
    d.frame()  # the drop-down reports the choice a frame later
    assert start.scenario is not None and start.scenario.meta.id == "baltic_crisis_2027"
    assert set(start.side_buttons) == {"estonia", "latvia", "lithuania", "poland", "germany", "russia"}
    d.shot("baltic-01-start")
    # Lithuania is played by a team; the rest are bots
    d.click(start.side_buttons["lithuania"].rect.center)
    d.click(start.side_buttons["lithuania"].rect.center)
    assert start.humans == {"lithuania"}
    d.click(start.start_button.rect.center)
    assert d.screen.name == "handover" and d.screen.side == "lithuania"
    d.key(pygame.K_RETURN)
    assert d.screen.name == "planning"
    seen = " ".join(d.texts_on_screen())
    assert "Lithuania" in seen
    d.shot("baltic-02-planning")
    d.key(pygame.K_c)  # commit with no orders
    d.key(pygame.K_RETURN)  # and hand the screen on
    assert d.screen.name == "results"
    d.shot("baltic-03-results")
    for _ in range(200):
        name = d.screen.name
        if name == "end":
            break
        if name == "handover":
            d.key(pygame.K_RETURN)
        elif name == "planning":
            d.key(pygame.K_c)
        elif name == "committed":
            d.key(pygame.K_RETURN)
        elif name == "results":
            d.key(pygame.K_ESCAPE)  # skip the step-by-step results, then go on
            d.key(pygame.K_RETURN)
        else:
            d.frame(1.0)
    game = d.app.session.game
    assert d.screen.name == "end" and game.over and game.scenario.meta.id == "baltic_crisis_2027"
    assert len(game.state.log) >= 6
    seen = d.texts_on_screen()
    scores = [t for t in seen if re.fullmatch(r".+: \d+ of \d+ points", t)]
    assert sorted(t.split(":")[0] for t in scores) == sorted(game.scenario.actor(a).name for a in game.scenario.playable_ids)
    d.shot("baltic-04-end")
    assert d.app.error is None
