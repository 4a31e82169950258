"""The after-action review of a small game: every file written, the sections there, the charts real, the log whole."""

from __future__ import annotations

import base64
import csv
import json
import re

import pytest

from cli.report import write_report
from engine import review
from engine.game import Game
from engine.policy import simple_orders
from engine.state import Order

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def game(mini) -> Game:
    g = Game(mini, seed=4)
    ctl = dict.fromkeys(mini.playable_ids, lambda gm, side: simple_orders(gm.rules, gm.state, side))
    g.play_turn(ctl)
    g.submit("gamma", [Order(actor="gamma", card="threaten", targets=("alpha",))])
    for side in g.waiting_for():
        g.submit(side, [])
    g.adjudicate(overrides={0: "success"})  # a facilitator's override, which the timeline must show
    g.play_out(ctl)
    return g


@pytest.fixture(scope="module")
def out(game, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("report")
    assert write_report(game, folder) == folder / "report.html"
    return folder


def test_every_file_is_written(out):
    for name in ("report.html", "report.md", "log.csv", "log.json", "escalation.png", "agreements.png"):
        assert (out / name).stat().st_size > 0, name
    for png in out.glob("*.png"):
        assert png.read_bytes().startswith(PNG)


def test_the_html_is_self_contained_with_every_section(out, game):
    text = (out / "report.html").read_text(encoding="utf-8")
    for anchor in ("charts", "objectives", "decisions", "timeline"):
        assert f"id='{anchor}'" in text
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(images) == len(list(out.glob("*.png"))) >= 3
    assert all(base64.b64decode(i).startswith(PNG) for i in images)
    assert "src='http" not in text and "<script" not in text  # nothing fetched, nothing run
    for rec in game.state.log:
        assert f"Turn {rec.turn}, " in text
    assert "outcome set by the facilitator" in text and "1 override(s)" in text
    for o in game.scenario.objectives:
        assert o.description in text


def test_the_markdown_says_the_same(out, game):
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# After-action review: ")
    assert "![Escalation](escalation.png)" in md and "## Objectives" in md and "## Timeline" in md
    met = sum(1 for o in review.objectives(game) if o.met)
    assert md.count(" | yes |") == met


def test_csv_rows_match_the_log(out, game):
    with (out / "log.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    orders = [r for r in rows if r["kind"] == "order"]
    resolutions = [(rec.turn, res) for rec in game.state.log for res in rec.resolutions]
    assert len(orders) == len(resolutions)
    for row, (turn, res) in zip(orders, resolutions, strict=True):
        assert int(row["turn"]) == turn and row["card"] == res.order.card and row["outcome"] == res.outcome
        assert row["roll"] == ("" if res.roll is None else str(res.roll))
        assert json.loads(row["effects"]) == res.effects
    assert sum(1 for r in rows if r["kind"] == "inject") == sum(len(rec.events) for rec in game.state.log)
    data = json.loads((out / "log.json").read_text(encoding="utf-8"))
    assert len(data["turns"]) == len(game.turns) and len(data["rows"]) == len(rows)
    assert [str(r["roll"]) for r in data["rows"]] == [r["roll"] for r in rows]
    assert [t["turn"] for t in data["log"]] == [rec.turn for rec in game.state.log]


def test_the_decisions_that_moved_the_game_most_are_the_heaviest(game):
    ranked = review.decisions(game, top=10_000)
    assert ranked and [d.weight for d in ranked] == sorted((d.weight for d in ranked), reverse=True)
    heaviest = ranked[0]
    w, _ = review.weigh(game, heaviest.resolution.effects)
    assert w == pytest.approx(heaviest.weight)
    # every order that changed something is ranked, and nothing that only paid its cost
    for rec in game.state.log:
        for res in rec.resolutions:
            moved = any(e["kind"] not in ("cost", "note", "event") for e in res.effects)
            assert moved == any(d.resolution is res for d in ranked)


def test_series_follow_the_history(game):
    esc = review.escalation(game).lines["escalation"]
    assert esc == [h.escalation for h in game.history]
    assert len(review.dates(game)) == len(esc) == len(game.turns) + 1
