"""The after-action review of a small game: every file written, the sections there, the charts real, the log whole."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
import re
import subprocess
import sys

import pytest

from engine.analysis import review
from engine.bots.policy import simple_orders
from engine.core.state import Order
from engine.present.report import write_report
from engine.rules import views
from engine.rules.game import Game
from tests.conftest import ROOT

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


@pytest.mark.parametrize("audience", [pytest.param("", id="room"), pytest.param(None, id="facilitator")])
def test_csv_rows_match_the_log(audience, game, tmp_path):
    folder = tmp_path / "report"
    write_report(game, folder, audience=audience)
    log = review.seen(game, audience).log  # the room's report follows the room's view of the log, the facilitator's all
    with (folder / "log.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    orders = [r for r in rows if r["kind"] == "order"]
    resolutions = [(rec["turn"], res) for rec in log for res in rec["resolutions"]]
    assert len(orders) == len(resolutions) == sum(len(rec.resolutions) for rec in game.state.log)
    for row, (turn, res) in zip(orders, resolutions, strict=True):
        assert int(row["turn"]) == turn and row["card"] == res["order"]["card"] and row["outcome"] == res["outcome"]
        assert row["roll"] == ("" if res["roll"] is None else str(res["roll"]))
        assert json.loads(row["effects"]) == res["effects"]
    assert sum(1 for r in rows if r["kind"] == "inject") == sum(len(rec["events"]) for rec in log)
    assert {r["version"] for r in rows} == {"room" if audience == "" else "facilitator"}
    data = json.loads((folder / "log.json").read_text(encoding="utf-8"))
    assert len(data["turns"]) == len(game.turns) and len(data["rows"]) == len(rows)
    assert [str(r["roll"]) for r in data["rows"]] == [r["roll"] for r in rows]
    assert [t["turn"] for t in data["log"]] == [rec.turn for rec in game.state.log]
    assert ("seed" in data) == (audience is None)
    if audience is None:
        assert sum(1 for r in rows if r["kind"] == "inject") == sum(len(rec.events) for rec in game.state.log)
        assert data["log"] == [rec.model_dump(mode="json") for rec in game.state.log]


def test_the_decisions_that_moved_the_game_most_are_the_heaviest(game):
    facilitator = review.seen(game, views.FACILITATOR)
    ranked = review.decisions(facilitator, top=10_000)
    assert ranked and [d.weight for d in ranked] == sorted((d.weight for d in ranked), reverse=True)
    heaviest = ranked[0]
    w, _ = review.weigh(game.scenario, heaviest.resolution["effects"])
    assert w == pytest.approx(heaviest.weight)
    # every order that changed something is ranked, and nothing that only paid its cost
    for rec in game.state.log:
        for res in rec.resolutions:
            moved = any(e["kind"] not in ("cost", "note", "event") for e in res.effects)
            assert moved == any(d.resolution == res.model_dump(mode="json") for d in ranked)


def test_series_follow_the_history(game):
    esc = review.escalation(review.seen(game, views.FACILITATOR)).lines["escalation"]
    assert esc == review.escalation(game).lines["escalation"]  # the escalation score is public
    assert esc == [h.escalation for h in game.history]
    assert len(review.dates(game)) == len(esc) == len(game.turns) + 1


# ----------------------------------------------------------------------------- fog of war (issue 13)
# The default scenario's `intel` is private, and "intel_warning" (turn 3) is a private inject to the Baltic
# states, the Nordic states and Poland that raises their `intel`: any game of it that reaches turn 3 has a
# private inject fired and private figures changed.

PRIVATE_INJECT_NAME = "assessment of Russian force regeneration"
PRIVATE_INJECT_TEXT = "rebuilding its forces faster than expected"
PRIVATE_LABEL = "Intelligence picture"  # the label of the private variable `intel`
ROOM_LABEL = "Room's report: no side's private information"
FACILITATOR_LABEL = "Facilitator's report: contains every side's private information — do not hand to teams"


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, stdin=subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8",
                               "WARGAME_AUTOSAVE": os.environ["WARGAME_AUTOSAVE"]})


def _texts(folder) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("report.md", "report.html", "log.csv", "log.json")}


@pytest.fixture(scope="module")
def default_game(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A finished game of the default scenario (seed 3), saved by `play --save`: (the game, the save's path)."""
    save = tmp_path_factory.mktemp("fog_report") / "game.json"
    res = _main("play", "--headless", "--seed", "3", "--autosave", "off", "--save", str(save))
    assert res.returncode == 0, res.stderr
    from engine.persistence.saves import load_game

    game, _ = load_game(save)
    return game, save


def _report(save, *flags: str):  # type: ignore[no-untyped-def]
    """`main.py report SAVE --out DIR [flags]`, as a user runs it: the folder written."""
    folder = save.parent / ("-".join(f.lstrip("-") for f in flags) or "room")
    if not folder.exists():
        res = _main("report", str(save), "--out", str(folder), *flags)
        assert res.returncode == 0, res.stderr
    return folder


def test_the_game_used_has_a_private_inject_and_private_changes(default_game):
    game, _ = default_game
    fired = [ev for rec in game.state.log for ev in rec.events if ev.to is not None]
    assert any(PRIVATE_INJECT_NAME in ev.name for ev in fired)
    changes = [e for rec in game.state.log for x in (*rec.resolutions, *rec.events) for e in x.effects
               if e.get("kind") == "change" and e.get("var") == "intel"]
    assert {e["actor"] for e in changes} - {"ukraine"}, "another side's private figure changed"


def test_the_room_report_holds_no_private_information(default_game):
    game, save = default_game
    texts = _texts(_report(save))  # the default: the room's version
    for name, text in texts.items():
        assert PRIVATE_INJECT_NAME not in text, name
        assert PRIVATE_INJECT_TEXT not in text, name
        assert PRIVATE_LABEL not in text, name  # neither a change of it nor a fizzle reason quoting it
        assert '"intel"' not in text and '""intel""' not in text, name  # no effect record of the private variable
    assert texts["report.md"].splitlines()[2] == f"**{ROOM_LABEL}.**"  # right under the heading
    assert f"<p class='version' id='version'>{html.escape(ROOM_LABEL)}.</p>" in texts["report.html"]
    data = json.loads(texts["log.json"])
    assert data["audience"] == "room" and data["version"] == ROOM_LABEL
    assert "seed" not in data  # the dice must not follow from anything handed to the room
    assert all(r["version"] == "room" for r in csv.DictReader(io.StringIO(texts["log.csv"])))
    # the charts are drawn from the room's views: no private figure has a line
    room = review.seen(game, views.ROOM)
    assert all(v["vars"][a]["intel"] is None for v in room.views for a in game.scenario.playable_ids)
    assert not any(PRIVATE_LABEL in s.label for s in review.actor_variables(room))
    assert any(PRIVATE_LABEL in s.label for s in review.actor_variables(review.seen(game, views.FACILITATOR)))


def test_the_facilitator_report_holds_everything_and_says_so(default_game):
    game, save = default_game
    texts = _texts(_report(save, "--facilitator"))
    assert texts["report.md"].splitlines()[2] == f"**{FACILITATOR_LABEL}.**"
    assert f"<p class='version secret' id='version'>{html.escape(FACILITATOR_LABEL)}.</p>" in texts["report.html"]
    for name in ("report.md", "report.html", "log.json"):
        assert PRIVATE_INJECT_NAME in texts[name], name
        assert PRIVATE_LABEL in texts[name] or '"intel"' in texts[name], name
    data = json.loads(texts["log.json"])
    assert data["audience"] == "facilitator" and data["seed"] == game.state.seed
    assert (_report(save, "--facilitator") / "figures.png").read_bytes() != (_report(save) / "figures.png").read_bytes()


def test_a_sides_report_shows_its_own_secrets_only(default_game):
    game, save = default_game
    texts = _texts(_report(save, "--side", "ukraine"))
    others = [a.name for a in game.scenario.actors if a.id != "ukraine"]
    for name, text in texts.items():
        assert PRIVATE_INJECT_NAME not in text and PRIVATE_INJECT_TEXT not in text, name
        for other in others:
            assert f"{other} {PRIVATE_LABEL}" not in text, (name, other)
    assert texts["report.md"].splitlines()[2].startswith("**Ukraine's report: ")
    assert "seed" not in json.loads(texts["log.json"])


def test_an_unfinished_game_reports_no_ones_objectives_to_the_room(mini, tmp_path):
    g = Game(mini, seed=4)
    g.play_turn(dict.fromkeys(mini.playable_ids, lambda gm, side: simple_orders(gm.rules, gm.state, side)))
    write_report(g, tmp_path / "room")
    md = (tmp_path / "room" / "report.md").read_text(encoding="utf-8")
    assert md.count("open (judged at the end)") == len(mini.objectives) and " | yes |" not in md
    assert "Only Alpha hears this" not in md and "Private briefing" not in md
    write_report(g, tmp_path / "facilitator", audience=views.FACILITATOR)
    md = (tmp_path / "facilitator" / "report.md").read_text(encoding="utf-8")
    assert "open (judged at the end)" not in md and "Private briefing" in md
