"""Fog of war holds (issue 13): nothing hidden from a side reaches it, by any path.

A differential non-interference test. From a real game in planning, `perturb` builds a second state in
which only data hidden from observer X is different (the list follows the fog-of-war rules, written out
here on purpose rather than taken from the engine's own view code), and hypothesis chooses which hidden
things change and to what. Everything X can observe must then be byte-identical:

- X's view (`side_view`) as JSON;
- the strings drawn on X's team planning screen (and the room's results screen for the room);
- what `play --headless --as X` prints for the turn, up to the point where it waits for X's orders;
- X's PettingZoo observation and infos;
- X's bot orders at every level (rationales included);
- the room's report (`write_report`): report.md, report.html, log.csv, log.json.

Also: the dice cannot be predicted from any view (different seed and dice state, same public history:
same views; no view holds the seed or the dice state), and two whole games whose only difference is
another side's private starting figure, with the same orders fizzling on it in both, look the same to
every other side, in the views, the terminal and the room's report.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from engine.bots.controllers import LEVELS, bot_orders
from engine.core.state import Order
from engine.persistence.saves import LoadedSave
from engine.rules.game import Game, planning_start
from engine.rules.views import side_view
from engine.scenario import model as S
from engine.scenario.load import load_scenario
from tests.fogcheck import BEYOND, CATEGORIES, fork, perturb, perturb_game

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "post_nato": ROOT / "scenarios" / "post_nato_2024.yaml",
    "baltic": ROOT / "scenarios" / "baltic_2027.yaml",
    "fog": ROOT / "tests" / "fixtures" / "fog.yaml",
}
#: the turns (planning, before the observer commits) at which states are taken from a game of quick bots
TURNS = {"post_nato": (1, 3, 6), "baltic": (1, 3, 5), "fog": (1, 3, 5)}
#: the seeds of those games (the fixture's: one in which a spy ring fizzles on a sabotaged private figure)
SEEDS = {"post_nato": 11, "baltic": 11, "fog": 2}
SEED = 11
ROOM = ""  # the room's view: public data only

SETTINGS = settings(max_examples=15, deadline=None, derandomize=False, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --------------------------------------------------------------------------------------------- games


@cache
def scenario(name: str) -> S.Scenario:
    return load_scenario(SCENARIOS[name])


@cache
def snapshots(name: str) -> tuple[Game, ...]:
    """Games of quick bots stopped in planning at the turns of TURNS[name] (nobody has committed yet)."""
    from engine.bots.controllers import controller

    sc = scenario(name)
    game = Game(sc, seed=SEEDS[name])
    quick = {a: controller("quick") for a in sc.playable_ids}
    out = []
    for turn in range(1, max(TURNS[name]) + 1):
        if game.over:
            break
        if turn in TURNS[name]:
            out.append(fork(game))
        game.play_turn(quick)
    assert len(out) >= 2, f"the {name} game ended too early to be a test"
    return tuple(out)


@cache
def quick_orders_of(name: str, i: int, side: str) -> tuple[Order, ...]:
    g = snapshots(name)[i]
    return tuple(bot_orders("quick", g.rules, g.state, side))


def committed_game(name: str, i: int, observer: str) -> Game:
    """The snapshot with every side but the observer committed to its quick bot's orders."""
    g = fork(snapshots(name)[i])
    for side in g.scenario.playable_ids:
        if side != observer:
            g.submit(side, list(quick_orders_of(name, i, side)))
    return g


# --------------------------------------------------------------------------------------------- what a side observes


def obs_view(game: Game, observer: str) -> str:
    return json.dumps(side_view(game.scenario, game.state, observer), ensure_ascii=False)


_DRIVER: Any = None


def _driver(path: Path) -> Any:
    global _DRIVER
    if _DRIVER is None:
        from tests.ui_driver import Driver

        _DRIVER = Driver(scenario_path=path)
    return _DRIVER


def obs_ui(game: Game, observer: str, path: Path) -> list[str]:
    """Every string drawn on the observer's planning screen (each card selected in turn; the pointer on each
    side's map anchor), or on the room's results screen for the last turn, every item in turn."""
    from engine.ui.game_screen import PlanningScreen, ResultsScreen
    from engine.ui.session import Session

    d = _driver(path)
    g = fork(game)
    d.app.error = None
    seen: list[str] = []
    if observer == ROOM:
        if not g.state.log:
            return []
        d.app.session = Session(g, path, [])
        before = side_view(g.scenario, g.history[-2] if len(g.history) > 1 else g.state, ROOM)
        screen = ResultsScreen(d.app, before)
        screen.auto = False
        d.app.show(screen)
        for _ in range(len(screen.items) + 1):
            seen += ["--- item", *d.texts_on_screen()]
            screen.index += 1
    else:
        d.app.session = Session(g, path, [observer])
        screen = PlanningScreen(d.app, observer)
        d.app.show(screen)
        seen += d.texts_on_screen()
        view = screen.view()
        for i in range(len(screen.statuses)):
            screen.select_card(i)
            screen.cards.ensure_visible(i)
            # only the left panel changes with the card chosen: draw just that (the map is the slow part)
            seen += [f"--- card {i}", *_drawn(lambda: screen.draw_left(d.app.window, view))]
        for actor in g.scenario.playable_ids:
            if actor in screen.mapview.anchor:
                d.move(screen.mapview.anchor[actor])
                seen += [f"--- hover {actor}", *d.texts_on_screen()]
        d.move((-1, -1))
    assert d.app.error is None, d.app.error
    return seen


def _drawn(draw: Any) -> list[str]:
    """Every string `draw()` renders (as tests/ui_driver.py's `texts_on_screen` does for a whole frame)."""
    from tests.ui_driver import drawn_texts

    return drawn_texts(draw)


class _StopAtPrompt(io.StringIO):
    """Standard input that gives `answers` one line at a time, then stops the program (Ctrl+C)."""

    def __init__(self, answers: list[Any] | None = None, out: io.StringIO | None = None):
        super().__init__()
        self.answers = list(answers or [])
        self.out = out

    def readline(self, *args: Any) -> str:  # type: ignore[override]
        if not self.answers:
            raise KeyboardInterrupt
        a = self.answers.pop(0)
        return a(self.out.getvalue()) if callable(a) else a


def obs_terminal(game: Game, observer: str, path: Path, answers: list[Any] | None = None) -> str:
    """What `main.py play --headless --as OBSERVER` prints for this game (loaded as a save would be) until
    it asks for the observer's orders and is stopped there."""
    import engine.cli.main as cli

    g = fork(game)
    out = io.StringIO()
    stdin = _StopAtPrompt(answers, out)
    loaded = LoadedSave(game=g, scenario_path=path, label="", format=3)
    with (mock.patch.object(cli, "_read_save", lambda _p: loaded), mock.patch("sys.stdin", stdin),
          contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO())):
        rc = cli.main(["play", "--headless", "--as", observer, "--load", "fog-test-save.json",
                       "--autosave", "off", "--bot-level", "quick"])
    assert rc == 130, out.getvalue()[-2000:]
    return out.getvalue()


def obs_pettingzoo(game: Game, observer: str) -> str:
    pytest.importorskip("pettingzoo")
    from engine.integrations.agent_env import WargameEnv

    env = WargameEnv(scenario=game.scenario, seed=0)
    env.reset(seed=0)
    env.game = fork(game)
    env._legal = {}
    obs = env._observe()[observer]
    infos = env._infos({})[observer]
    return json.dumps({"observation": obs["observation"].tolist(), "mask": obs["action_mask"].tolist(),
                       "infos": infos}, ensure_ascii=False)


def obs_bots(game: Game, observer: str) -> str:
    g = fork(game)
    out = {}
    for level in LEVELS:
        out[level] = [o.model_dump(mode="json") for o in bot_orders(level, g.rules, g.state, observer)]
    return json.dumps(out, ensure_ascii=False)


def obs_report(game: Game, tmp: Path, charts: bool = False) -> dict[str, bytes]:
    """The room's report (what `write_report` writes by default), every file of it."""
    import engine.present.report as report

    out = tmp / f"report-{random.getrandbits(64):x}"
    patch = contextlib.nullcontext() if charts else mock.patch.object(report, "make_charts", lambda *a, **k: [])
    with patch:
        report.write_report(fork(game), out)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


CHANNELS = ("view", "ui", "terminal", "pettingzoo", "bots", "report")
ROOM_CHANNELS = {"view", "ui", "report"}
#: hypothesis examples per channel: drawing the screens is the slow part
EXAMPLES = {"ui": 5}


def observe(channel: str, game: Game, observer: str, name: str, tmp: Path) -> Any:
    path = SCENARIOS[name]
    if channel == "view":
        return obs_view(game, observer)
    if channel == "ui":
        return obs_ui(game, observer, path)
    if channel == "terminal":
        return obs_terminal(game, observer, path)
    if channel == "pettingzoo":
        return obs_pettingzoo(game, observer)
    if channel == "bots":
        return obs_bots(game, observer)
    if channel == "report":
        return obs_report(game, tmp)
    raise AssertionError(channel)


_ORIGINAL: dict[tuple[str, str, int, str], Any] = {}


def first_difference(a: Any, b: Any) -> str:
    """Where two observations first differ, for the failure message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return f"{k}: " + first_difference(a.get(k), b.get(k))
        return "(equal)"
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return f"item {i}: {x!r} != {y!r}"
        return f"lengths {len(a)} != {len(b)}; extra: {(a[len(b):] or b[len(a):])[:3]!r}"
    if isinstance(a, bytes):
        a, b = a.decode("utf-8", "replace"), (b or b"").decode("utf-8", "replace")
    a, b = str(a), str(b)
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"at {i}: …{a[max(0, i - 120):i + 120]!r}\n  vs …{b[max(0, i - 120):i + 120]!r}"


# --------------------------------------------------------------------------------------------- the tests


def _observers(name: str, channel: str) -> list[str]:
    sides = list(scenario(name).playable_ids)
    return [*sides, ROOM] if channel in ROOM_CHANNELS else sides


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("channel", CHANNELS)
def test_nothing_hidden_reaches_a_side(channel: str, name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Perturb only what the observer may not know: everything it can observe stays byte-identical."""
    _non_interference(channel, name, CATEGORIES, EXAMPLES.get(channel, SETTINGS.max_examples),
                      tmp_path_factory.mktemp("fog"))


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("channel", ["view", "ui", "report"])
def test_nothing_hidden_reaches_a_side_through_relation_rows_or_reasoning(channel: str, name: str,
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    """The same for hidden data the rule set does not list (BEYOND): whether a private relation value exists
    for a pair without the observer, and other sides' bots' reasoning for their resolved orders."""
    _non_interference(channel, name, BEYOND, 3 if channel == "ui" else 6, tmp_path_factory.mktemp("fog"))


def _non_interference(channel: str, name: str, pool: tuple[str, ...], examples: int, tmp: Path) -> None:
    n_snap = len(snapshots(name))

    @settings(SETTINGS, max_examples=examples)
    @given(i=st.integers(0, n_snap - 1), observer=st.sampled_from(_observers(name, channel)),
           cats=st.frozensets(st.sampled_from(pool), min_size=1), salt=st.integers(0, 2**32))
    def check(i: int, observer: str, cats: frozenset[str], salt: int) -> None:
        game = committed_game(name, i, observer)
        other = perturb_game(game, observer, cats, salt)
        changed = other.state.model_dump() != game.state.model_dump() or any(
            a.model_dump() != b.model_dump() for a, b in zip(other.history, game.history, strict=True))
        assume(changed)
        note(f"{name} turn {game.state.turn}, observer {observer or 'the room'}, changed: {sorted(cats)}")
        key = (channel, name, i, observer)
        if key not in _ORIGINAL:
            _ORIGINAL[key] = observe(channel, game, observer, name, tmp)
        before = _ORIGINAL[key]
        after = observe(channel, other, observer, name, tmp)
        assert after == before, (
            f"{channel} of {observer or 'the room'} changed when only {sorted(cats)} hidden from it changed "
            f"({name}, turn {game.state.turn}): {first_difference(before, after)}")

    check()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_next_dice_cannot_be_read_from_any_view(name: str, tmp_path: Path) -> None:
    """Two states with different seeds and dice but the same public history: every side's view and the
    room's are identical, and none holds the seed, the dice state, or another side's key."""
    from engine.core import dice

    game = committed_game(name, len(snapshots(name)) - 1, ROOM)
    seed_a, seed_b = 8_675_309_123_457, 5_551_212_987_643
    a = fork(game, game.state.model_copy(update={"seed": seed_a, "rng": dice.seed_state(seed_a)}))
    rng_b = dice.seed_state(seed_b)
    while dice.d100(rng_b)[1] == dice.d100(a.state.rng)[1]:
        rng_b = dice.next_u64(rng_b)[0]
    b = fork(game, game.state.model_copy(update={"seed": seed_b, "rng": rng_b}))
    assert dice.d100(a.state.rng)[1] != dice.d100(b.state.rng)[1]  # the next roll differs...
    secrets = {str(seed_a), str(a.state.rng), f"{a.state.rng:x}", f"{a.state.rng:X}"}
    keys = dict(getattr(a.state, "keys", {}) or {})
    for observer in [*a.scenario.playable_ids, ROOM]:
        va, vb = obs_view(a, observer), obs_view(b, observer)
        assert va == vb, f"{observer or 'the room'}'s view depends on the seed or dice: {first_difference(va, vb)}"
        found = sorted(s for s in secrets if s in va)
        assert not found, f"{observer or 'the room'}'s view holds the seed or the dice state ({found})"
        others = sorted(str(k) for side, k in keys.items() if side != observer and str(k) in va)
        assert not others, f"{observer or 'the room'}'s view holds another side's bot key"
    # ...and neither the terminal of a side nor the room's report gives the seed away
    side = a.scenario.playable_ids[0]
    ga = fork(a)
    ga.rules.withdraw_orders(ga.state, side)
    printed = obs_terminal(ga, side, SCENARIOS[name])
    assert str(seed_a) not in printed, "`play --as SIDE` prints the seed"
    for fname, data in obs_report(a, tmp_path).items():
        assert str(seed_a).encode() not in data, f"the room's report ({fname}) holds the seed"


def _fizzle_game(intel: int) -> Game:
    """The fixture with Delta's private intelligence starting at `intel` (nothing else differs)."""
    g = Game(scenario("fog"), seed=SEED)
    g.state.vars["delta"]["intel"] = float(intel)
    g.history = [planning_start(g.state)]
    return g


def _fizzle_game_from_file(intel: int, tmp: Path) -> Game:
    """The fixture as a scenario file in which Delta's private intelligence starts at `intel`."""
    text = SCENARIOS["fog"].read_text(encoding="utf-8")
    assert text.count("variables: {intel: 2}") == 1
    path = tmp / f"fog-delta-{intel}.yaml"
    path.write_text(text.replace("variables: {intel: 2}", f"variables: {{intel: {intel}}}"), encoding="utf-8")
    return Game(load_scenario(path), seed=SEED)


def _pick(label: str):  # type: ignore[no-untyped-def]
    """An answer for the terminal: the number of the option whose line contains `label`."""
    def answer(printed: str) -> str:
        numbers = re.findall(rf"^\s+(\d+)\. {re.escape(label)} \[", printed.split("your orders for turn")[-1], re.M)
        assert numbers, f"no option {label!r} offered:\n{printed[-3000:]}"
        return numbers[-1] + "\n"
    return answer


def _same_to_everyone_else(games: dict[int, Game], tmp: Path) -> None:
    """Play the same orders in both games (Alpha at its terminal in turn 1) and compare what Alpha, Beta,
    Gamma and the room observe: Delta's spy ring fizzles in turn 1 in both, quoting different amounts."""
    path = SCENARIOS["fog"]
    orders = {
        1: {"beta": [], "gamma": [Order(actor="gamma", card="calm_down")],
            "delta": [Order(actor="delta", card="spy", targets=("beta",))]},
        2: {"alpha": [Order(actor="alpha", card="gather")],
            "beta": [Order(actor="beta", card="reassure", targets=("alpha",))],
            "gamma": [Order(actor="gamma", card="tip_off")], "delta": []},
        3: {"alpha": [], "beta": [], "gamma": [Order(actor="gamma", card="calm_down")],
            "delta": [Order(actor="delta", card="calm_down")]},
    }
    printed = {}
    for intel, g in games.items():
        for side, os in orders[1].items():
            g.submit(side, os)
        # turn 1 at Alpha's terminal: Alpha sabotages Delta; the turn is shown; Alpha is asked for turn 2
        printed[intel] = obs_terminal(g, "alpha", path, [_pick("Sabotage their services → Delta")])
        # the terminal played a fork of the game: play the same turn on the game itself
        g.submit("alpha", [Order(actor="alpha", card="sabotage", targets=("delta",))])
        g.adjudicate()
    facts = {intel: g.state.log[-1].resolutions for intel, g in games.items()}
    spies = {intel: next(r for r in res if r.order.card == "spy") for intel, res in facts.items()}
    assert spies[4].outcome == spies[3].outcome == "fizzled"
    assert "you have 2" in spies[4].reason and "you have 1" in spies[3].reason  # the test means something
    assert printed[4] == printed[3], f"Alpha's terminal differs: {first_difference(printed[4], printed[3])}"
    observers = ["alpha", "beta", "gamma", ROOM]
    for turn in (2, 3):
        for g in games.values():
            for side, os in orders[turn].items():
                g.submit(side, os)
        for observer in observers:
            va, vb = obs_view(games[4], observer), obs_view(games[3], observer)
            assert va == vb, (f"{observer or 'the room'}'s view in planning of turn {turn} tells Delta's "
                              f"intelligence apart: {first_difference(va, vb)}")
        for g in games.values():
            g.adjudicate()
    assert games[4].state.vars["delta"] != games[3].state.vars["delta"]  # still different, still hidden
    for observer in observers:
        va, vb = obs_view(games[4], observer), obs_view(games[3], observer)
        assert va == vb, f"{observer or 'the room'}'s view tells Delta's intelligence apart: {first_difference(va, vb)}"
    ra, rb = obs_report(games[4], tmp, charts=True), obs_report(games[3], tmp, charts=True)
    assert ra.keys() == rb.keys()
    for fname in ra:
        assert ra[fname] == rb[fname], f"the room's report ({fname}) tells them apart: " \
                                       f"{first_difference(ra[fname], rb[fname])}"


def test_a_fizzle_on_a_private_figure_looks_the_same_to_everyone_else(tmp_path: Path) -> None:
    """Delta's intelligence starts at 4 in one game and 3 in the other. Alpha sabotages it (−2) before
    Delta's spy ring (costs 3) resolves, so Delta's order fizzles in both games, quoting 2 in one and 1 in
    the other. Alpha, Beta, Gamma and the room must see exactly the same games."""
    _same_to_everyone_else({4: _fizzle_game(4), 3: _fizzle_game(3)}, tmp_path)


def test_a_private_starting_figure_in_the_scenario_file_stays_hidden(tmp_path: Path) -> None:
    """The same two games, made the way a facilitator would: two scenario files that differ only in Delta's
    private starting figure. Nothing any other side sees may tell the files apart (a digest of the whole
    scenario in the view would: the private starting figures can be found by hashing candidates)."""
    _same_to_everyone_else({4: _fizzle_game_from_file(4, tmp_path), 3: _fizzle_game_from_file(3, tmp_path)},
                           tmp_path)


def test_the_perturbation_changes_only_hidden_things_the_facilitator_can_see() -> None:
    """A check of the test itself: the facilitator's view sees the perturbations, and the observer's own
    private figures, own orders and own key are never touched."""
    game = committed_game("fog", 1, "alpha")
    game.submit("alpha", list(quick_orders_of("fog", 1, "alpha")))
    other = perturb(game.scenario, game.rules, game.state, "alpha", frozenset(CATEGORIES), 7)
    assert side_view(game.scenario, other, None) != side_view(game.scenario, game.state, None)
    assert other.vars["alpha"] == game.state.vars["alpha"]
    assert other.pending["alpha"] == game.state.pending["alpha"]
    assert other.committed == game.state.committed
    assert other.globals["credibility"] == game.state.globals["credibility"]
    assert other.globals["shadow_index"] == game.state.globals["shadow_index"]  # Alpha is in its seen_by
    if getattr(game.state, "keys", None):
        assert other.keys["alpha"] == game.state.keys["alpha"]
    for a, b in zip(other.log, game.state.log, strict=True):
        assert [r.order for r in a.resolutions] == [r.order for r in b.resolutions]  # resolved orders are public
        assert [r.roll for r in a.resolutions] == [r.roll for r in b.resolutions]
        assert [r.outcome for r in a.resolutions] == [r.outcome for r in b.resolutions]


@pytest.mark.parametrize("side", [None, "poland", "russia"])
def test_a_view_of_the_recent_log_is_the_whole_view_cut_to_its_last_turns(side):
    """`recent=` only shortens the log (so a long game's terminal stays linear): everything else, and each
    record it keeps, is exactly what the whole view holds, fog included."""
    game = Game(load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "post_nato_2024.yaml"), seed=4)
    for _ in range(3):
        for s in game.waiting_for():
            game.submit(s, bot_orders("simple", game.rules, game.state, s))
        game.adjudicate()
    whole = game.view(side)
    for recent in (0, 1, 2, 10):
        cut = game.view(side, recent=recent)
        assert cut["log"] == (whole["log"][-recent:] if recent else [])
        assert {k: v for k, v in cut.items() if k != "log"} == {k: v for k, v in whole.items() if k != "log"}
