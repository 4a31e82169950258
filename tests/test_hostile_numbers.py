"""Scenarios valid to the schema but extreme: a clean game, or a clear refusal at `validate`.

Not-a-number and infinity anywhere a scenario or an exercise script gives a
number, figures beyond the format's limit (engine.scenario.model.LIMIT, MAX_COUNT),
a calendar that runs past the year 9999, sweep values of the same kinds, and
events that fire each other in a loop are each refused at load with the
FILE:LINE:COLUMN of the value (exit 2, no traceback, on the command line).
What the format accepts, however extreme, plays the same game in the batch
engine as in the reference engine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.analysis.sweep import SweepError, apply_changes, parse_sweep
from engine.bots.controllers import controller
from engine.core.errors import ScenarioError
from engine.exercise.script import load_exercise
from engine.rules.batch import BatchRules
from engine.rules.game import Game
from engine.rules.turn import Rules
from engine.scenario import model as S
from engine.scenario.load import load_scenario, load_scenario_text
from engine.scenario.safe_yaml import load_text
from tests.conftest import FIXTURES, MINI, ROOT
from tests.test_batch import assert_same

MINI_TEXT = MINI.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def sub(old: str, new: str, text: str = MINI_TEXT) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def where(text: str, token: str, nth: int = 0) -> tuple[int, int]:
    """(line, column), both from 1, of the nth occurrence of `token` in `text`."""
    starts = [m.start() for m in re.finditer(re.escape(token), text)]
    pos = starts[nth]
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def assert_refused_at(tmp_path: Path, text: str, token: str, *words: str, nth: int = 0) -> str:
    """The scenario is refused with exactly one problem, at `token`'s line and column, saying `words`."""
    path = write(tmp_path, text)
    msgs = problems(path)
    line, col = where(text, token, nth)
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith(f"{path}:{line}:{col}:"), (msgs[0], line, col)
    for w in words:
        assert w in msgs[0], msgs[0]
    return msgs[0]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, stdin=subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8",
                               "WARGAME_AUTOSAVE": os.environ["WARGAME_AUTOSAVE"]})


DOCTRINE = """doctrines:
  - actor: alpha
    values:
      - {name: security, weight: 1.0, escalation: true}
"""

# (what to replace in the mini scenario, what with; the bad value is the first `.nan`/`.inf` in the new text)
NON_FINITE = {
    "effect": ("{change: self.defence_pct, by: 0.3}", "{change: self.defence_pct, by: .nan}"),
    "cost": ("cost: {budget: 1}", "cost: {budget: .nan}"),
    "upkeep": ("{change: self.budget, by: 1}", "{change: self.budget, by: .inf}"),
    "scaled times": ("{change: self.defence_pct, by: 0.3}", "{change: self.defence_pct, by: {var: self.gdp, times: .nan}}"),
    "scaled plus": ("{change: self.defence_pct, by: 0.3}", "{change: self.defence_pct, by: {var: self.gdp, plus: -.inf}}"),
    "agreement upkeep": ("{change: parties.defence_pct, by: 0.05}", "{change: parties.defence_pct, by: .nan}"),
    "escalate": ("{escalate: 12}", "{escalate: .inf}"),
    "relation effect": ("between: [self, target], by: -10}", "between: [self, target], by: .nan}"),
    "variable max": ("gdp: {label: GDP, min: 0, max: 100000}", "gdp: {label: GDP, min: 0, max: .inf}"),
    "variable min": ("gdp: {label: GDP, min: 0, max: 100000}", "gdp: {label: GDP, min: -.inf, max: 100000}"),
    "variable default": ("budget: {label: Budget points, min: 0, max: 20, default: 3}",
                         "budget: {label: Budget points, min: 0, max: 20, default: .nan}"),
    "relation variable": ("trust: {label: Trust, min: -100, max: 100}", "trust: {label: Trust, min: -100, max: .inf}"),
    "global initial": ("max: 100, initial: 70}", "max: 100, initial: .nan}"),
    "actor variable": ("variables: {gdp: 500, defence_pct: 2.5}", "variables: {gdp: .nan, defence_pct: 2.5}"),
    "relation seed": ("values: {trust: -40}", "values: {trust: .nan}"),
    "capital": ("    variables: {gdp: 500, defence_pct: 2.5}",
                "    variables: {gdp: 500, defence_pct: 2.5}\n    capital: [.nan, 50]"),
    "spending target": ("at_least: 2, label: The 2% line", "at_least: .nan, label: The 2% line"),
    "rung threshold": ("{id: tense, name: Tense, threshold: 10}", "{id: tense, name: Tense, threshold: .nan}"),
    "decay": ("  decay: 2\n", "  decay: .inf\n"),
    "initial score": ("  decay: 2\n", "  decay: 2\n  initial_score: .nan\n"),
    "max score": ("  decay: 2\n", "  decay: 2\n  max_score: .inf\n"),
    "min score": ("  decay: 2\n", "  decay: 2\n  min_score: -.inf\n"),
    "card chance": ("    cost: {budget: 1}\n", "    cost: {budget: 1}\n    chance: .nan\n"),
    "chance base": ("chance: {base: 0.6,", "chance: {base: .nan,"),
    "chance modifier": ("below: 50}], add: 0.2}", "below: 50}], add: .nan}"),
    "condition bound": ("{var: global.credibility, below: 50}", "{var: global.credibility, below: .nan}"),
    "event chance": ("    at_turn: 2\n", "    at_turn: 2\n    chance: .nan\n"),
    "doctrine weight": ("each_turn:\n  - for:", DOCTRINE.replace("1.0", ".nan") + "each_turn:\n  - for:"),
    "doctrine risk": ("each_turn:\n  - for:", DOCTRINE.replace("    values:", "    risk: .nan\n    values:")
                      + "each_turn:\n  - for:"),
}


def test_the_doctrine_added_by_these_tests_is_valid():
    load_scenario_text(sub("each_turn:\n  - for:", DOCTRINE + "each_turn:\n  - for:"))


@pytest.mark.parametrize("case", sorted(NON_FINITE))
def test_not_a_number_and_infinity_are_refused_where_they_stand(tmp_path, case):
    old, new = NON_FINITE[case]
    text = sub(old, new)
    token = re.search(r"-?\.(nan|inf)", new).group()  # type: ignore[union-attr]
    assert_refused_at(tmp_path, text, token, "finite number")


# ------------------------------------------------------------------ beyond the limit

def test_the_limit_is_one_documented_definition():
    assert S.LIMIT == 1e15 and S.MAX_COUNT == 1_000_000
    assert "GDP" in (S.__doc__ or "") or "GDP" in Path(S.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, token", [
    ("  decay: 2\n", "  decay: 2\n  max_score: 1.7e308\n", "1.7e308"),
    ("gdp: {label: GDP, min: 0, max: 100000}", "gdp: {label: GDP, min: 0, max: 1e16}", "1e16"),
    ("{change: self.defence_pct, by: 0.3}", "{change: self.defence_pct, by: {var: self.gdp, times: 1e300}}", "1e300"),
    ("cost: {budget: 1}", "cost: {budget: -2e15}", "-2e15"),
    ("values: {trust: -40}", "values: {trust: 1e200}", "1e200"),
])
def test_huge_but_finite_numbers_are_refused_with_the_reason(tmp_path, old, new, token):
    msg = assert_refused_at(tmp_path, sub(old, new), token, "beyond the limit of ±1e+15")
    assert "overflow" in msg


@pytest.mark.parametrize("old, new, token", [
    ("description: Alpha reaches 2%,", "description: Alpha reaches 2%, points: 100000000000000000000,",
     "100000000000000000000"),
    ("    cost: {budget: 1}\n", "    cost: {budget: 1}\n    cooldown: 100000000000000000000\n", "100000000000000000000"),
    ("    cost: {budget: 1}\n", "    cost: {budget: 1}\n    max_plays: 10000001\n", "10000001"),
    ("{rung_at_most: tense}", "{turn_at_least: -100000000000}", "-100000000000"),
    ("{var: self.defence_pct, at_least: 2}", "{played: raise, within: 100000000000000000000}", "100000000000000000000"),
    ("{var: self.defence_pct, at_least: 2}", "{var: '*.defence_pct', at_least: 2, count_at_least: 99999999}", "99999999"),
    ("    lapse_after: 2\n", "    lapse_after: 2000000000000\n", "2000000000000"),
])
def test_huge_whole_numbers_are_refused(tmp_path, old, new, token):
    assert_refused_at(tmp_path, sub(old, new), token, "beyond the limit of ±1,000,000")


@pytest.mark.parametrize("capital, token", [("[200, 50]", "200"), ("[10, -91]", "-91")])
def test_a_capital_off_the_globe_is_refused(tmp_path, capital, token):
    text = sub("    variables: {gdp: 500, defence_pct: 2.5}",
               f"    variables: {{gdp: 500, defence_pct: 2.5}}\n    capital: {capital}")
    assert_refused_at(tmp_path, text, token, "than or equal to")


def test_numbers_up_to_the_limit_are_accepted():
    text = (MINI_TEXT
            .replace("gdp: {label: GDP, min: 0, max: 100000}", "gdp: {label: GDP, min: -1e15, max: 1e15}")
            .replace("  decay: 2\n", "  decay: 2\n  max_score: 1e15\n")
            .replace("description: Alpha reaches 2%,", "description: Alpha reaches 2%, points: 1000000,"))
    sc = load_scenario_text(text)
    assert sc.variables["gdp"].max == 1e15 and sc.ladder.max_score == 1e15 and sc.objectives[0].points == 10**6


def test_the_json_schema_shows_the_limit():
    schema = S.Scenario.model_json_schema(by_alias=True)
    vardef = schema["$defs"]["VarDef"]["properties"]
    assert vardef["max"]["maximum"] == S.LIMIT and vardef["max"]["minimum"] == -S.LIMIT
    chance = schema["$defs"]["Chance"]["properties"]["base"]
    assert (chance["minimum"], chance["maximum"]) == (0, 1)  # a field's own, tighter bounds win
    points = schema["$defs"]["Objective"]["properties"]["points"]
    assert (points["minimum"], points["maximum"]) == (1, S.MAX_COUNT)
    for name in ("scenario", "deck", "exercise"):
        shipped = (ROOT / "docs" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert '"maximum": 1000000000000000.0' in shipped, name


# ------------------------------------------------------------------ the calendar

@pytest.mark.parametrize("start, turns, months", [("9999-08-01", 6, 1), ("9999-07-01", 6, 1), ("9990-01-01", 200, 1),
                                                  ("9700-01-01", 200, 24)])
def test_a_calendar_past_the_year_9999_is_refused_at_the_start_date(tmp_path, start, turns, months):
    text = sub("  start_date: 2024-02-01\n  turns: 6\n",
               f"  start_date: {start}\n  turns: {turns}\n  turn_months: {months}\n")
    assert_refused_at(tmp_path, text, start, "9999")


def test_a_calendar_that_ends_in_december_9999_plays_to_the_end(tmp_path):
    text = sub("  start_date: 2024-02-01\n", "  start_date: 9999-06-01\n")
    path = write(tmp_path, text)
    res = run_cli("play", "--headless", "--seed", "1", "--autosave", "off", "--scenario", str(path))
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr and "End of game" in res.stdout


def test_the_cli_refuses_a_hostile_number_with_exit_2_and_its_location(tmp_path):
    text = sub("{change: self.defence_pct, by: 0.3}", "{change: self.defence_pct, by: .nan}")
    path = write(tmp_path, text)
    line, col = where(text, ".nan")
    for args in (("validate", str(path)), ("play", "--headless", "--seed", "1", "--autosave", "off",
                                           "--scenario", str(path))):
        res = run_cli(*args)
        assert res.returncode == 2, (args, res.stdout[-500:], res.stderr[-500:])
        assert "Traceback" not in res.stderr
        assert f"{path}:{line}:{col}:" in res.stderr and "finite number" in res.stderr
    late = write(tmp_path, sub("  start_date: 2024-02-01\n", "  start_date: 9999-10-01\n"), "late.yaml")
    res = run_cli("validate", str(late))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{late}:{where(late.read_text(), '9999-10-01')[0]}:" in res.stderr


# ------------------------------------------------------------------ exercise scripts

def exercise(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copy(MINI, tmp_path / "mini.yaml")
    text = (FIXTURES / "exercise_mini.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "drill.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, token, words", [
    ("    at_turn: 3\n", "    at_turn: 3\n    chance: .nan\n", ".nan", "finite number"),
    ("    at_turn: 3\n", "    at_turn: 3\n    effects: [{change: global.credibility, by: .inf}]\n", ".inf",
     "finite number"),
    ("    at_turn: 3\n", "    at_turn: 3\n    effects: [{change: global.credibility, by: 1e100}]\n", "1e100",
     "beyond the limit"),
    ("  - after_turn: 1\n", "  - after_turn: 100000000000000000000\n", "100000000000000000000", "beyond the limit"),
    ("{turn: 1, actor: gamma", "{turn: 100000000000000000000, actor: gamma", "100000000000000000000",
     "beyond the limit"),
])
def test_exercise_scripts_refuse_hostile_numbers_where_they_stand(tmp_path, old, new, token, words):
    path = exercise(tmp_path, old, new)
    with pytest.raises(ScenarioError) as info:
        load_exercise(path)
    text = path.read_text(encoding="utf-8")
    line, col = where(text, token)
    msgs = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"{path}:{line}:{col}:") and words in m for m in msgs), (msgs, line, col)


def test_an_inject_in_a_loop_of_events_is_refused_at_its_fire_in_the_script(tmp_path):
    path = exercise(tmp_path, "    at_turn: 3\n", "    at_turn: 3\n    effects: [{fire: spare_inject}]\n")
    with pytest.raises(ScenarioError) as info:
        load_exercise(path)
    line, col = where(path.read_text(encoding="utf-8"), "spare_inject}")
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.startswith(f"{path}:{line}:{col}:") and "spare_inject fires spare_inject" in msg


# ------------------------------------------------------------------ sweeps

@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity", "1e400", "1e300", "-2e15",
                                   "1" + "0" * 30])
def test_a_sweep_refuses_values_that_are_not_finite_or_beyond_the_limit(value):
    spec = f"meta.spending_target.at_least=1,{value}"
    with pytest.raises(SweepError) as info:
        parse_sweep(spec)
    msg = str(info.value)
    assert "meta.spending_target.at_least" in msg and value in msg
    assert "finite" in msg or "limit" in msg


def test_a_sweep_inside_the_limit_still_applies(mini):
    path, values = parse_sweep("meta.spending_target.at_least=1.5,1e15")
    assert values == [1.5, 1e15]
    changed = apply_changes(mini, ((path, 1e15),))
    assert changed.meta.spending_target is not None and changed.meta.spending_target.at_least == 1e15
    with pytest.raises(SweepError, match="limit"):
        apply_changes(mini, (("objectives.alpha_2pct.points", 10**20),))


def test_simulate_refuses_a_nan_sweep_with_exit_2(tmp_path):
    res = run_cli("simulate", "--scenario", str(MINI), "--runs", "2", "--no-files",
                  "--sweep", "meta.spending_target.at_least=nan")
    assert res.returncode == 2, (res.stdout[-500:], res.stderr[-500:])
    assert "Traceback" not in res.stderr
    assert "meta.spending_target.at_least" in res.stderr and "nan" in res.stderr


# ------------------------------------------------------------------ events that fire events

EVENTS = "events:\n"


def with_events(extra: str, text: str = MINI_TEXT) -> str:
    return sub(EVENTS, EVENTS + extra, text)


def test_a_repeatable_event_that_fires_itself_is_refused_at_its_fire(tmp_path):
    text = with_events("""\
  - id: echo
    name: Echo
    when: [{turn_at_least: 1}]
    repeatable: true
    effects: [{fire: echo}]
""")
    assert_refused_at(tmp_path, text, "echo}", "event echo fires echo")


def test_two_events_that_fire_each_other_are_refused(tmp_path):
    text = with_events("""\
  - id: ping
    name: Ping
    at_turn: 1
    repeatable: true
    effects: [{note: ping}, {fire: pong}]
  - id: pong
    name: Pong
    when: [{turn_at_least: 9}]
    repeatable: true
    effects: [{fire: ping}]
""")
    msg = assert_refused_at(tmp_path, text, "ping}]", "event ping fires pong, pong fires ping")
    assert "loop" in msg


def test_a_longer_loop_through_a_chain_is_refused_and_named(tmp_path):
    text = with_events("""\
  - id: one
    name: One
    at_turn: 3
    effects: [{fire: two}]
  - id: two
    name: Two
    at_turn: 4
    effects: [{fire: three}]
  - id: three
    name: Three
    at_turn: 5
    effects: [{change: global.credibility, by: 1}, {fire: one}]
""")
    assert_refused_at(tmp_path, text, "one}]", "event one fires two, two fires three, three fires one")


def test_a_loop_is_refused_at_its_events_not_at_the_card_that_sets_it_off(tmp_path):
    text = sub("      - {escalate: -5}\n", "      - {escalate: -5}\n      - {fire: tick}\n")
    text = with_events("""\
  - id: tick
    name: Tick
    at_turn: 6
    repeatable: true
    effects: [{fire: tock}]
  - id: tock
    name: Tock
    at_turn: 6
    repeatable: true
    effects: [{fire: tick}]
""", text)
    assert_refused_at(tmp_path, text, "tick}]", "tick fires tock, tock fires tick")


def test_the_cli_refuses_a_loop_with_exit_2(tmp_path):
    text = with_events("""\
  - id: echo
    name: Echo
    at_turn: 1
    repeatable: true
    effects: [{fire: echo}]
""")
    path = write(tmp_path, text)
    res = run_cli("validate", str(path))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    line, col = where(text, "echo}")
    assert f"{path}:{line}:{col}:" in res.stderr and "fires echo" in res.stderr


def chain(n: int, fanout: int = 1) -> str:
    out = ""
    for i in range(n):
        fires = ", ".join(f"{{fire: link{i + 1}}}" for _ in range(fanout)) if i + 1 < n else "{note: end}"
        out += (f"  - id: link{i}\n    name: Link {i}\n    at_turn: 1\n    repeatable: true\n"
                f"    effects: [{{change: global.credibility, by: -0.001}}, {fires}]\n")
    return out


def test_a_chain_of_events_deeper_than_the_engine_allows_is_refused(tmp_path):
    load_scenario_text(with_events(chain(S.MAX_FIRE_DEPTH)))  # as deep as allowed
    text = with_events(chain(S.MAX_FIRE_DEPTH + 1))
    assert_refused_at(tmp_path, text, "link0", "deep", str(S.MAX_FIRE_DEPTH))


def test_events_that_would_set_off_too_many_events_at_once_are_refused(tmp_path):
    # no loop, only 12 events, but each fires the next twice: one firing of the first sets off 4,095
    text = with_events(chain(12, fanout=2))
    assert_refused_at(tmp_path, text, "link0", "4,095", f"{S.MAX_FIRED_AT_ONCE:,}")


def test_events_that_share_a_follow_up_are_not_a_loop():
    text = with_events("""\
  - id: split
    name: Split
    at_turn: 2
    effects: [{fire: left}, {fire: right}]
  - id: left
    name: Left
    at_turn: 3
    repeatable: true
    effects: [{fire: join}, {change: global.credibility, by: 1}]
  - id: right
    name: Right
    at_turn: 3
    repeatable: true
    effects: [{fire: join}]
  - id: join
    name: Join
    at_turn: 3
    repeatable: true
    effects: [{escalate: 3}]
""")
    sc = load_scenario_text(text)
    br = BatchRules(Rules(sc))
    got = assert_same(br, list(range(1, 9)))
    assert all(o.escalation > 0 for o in got)


def _unchecked(text: str) -> S.Scenario:
    """A scenario built without the loader's checks, as a program might build one."""
    return S.Scenario.model_validate(load_text(text, "unchecked.yaml").data)


LOOP = """\
  - id: echo
    name: Echo
    at_turn: 2
    repeatable: true
    effects: [{change: global.credibility, by: -1}, {fire: echo}]
"""


def test_a_loop_that_slips_past_the_loader_stops_at_the_depth_cap_in_both_engines():
    sc = _unchecked(with_events(LOOP))
    game = Game(sc, seed=3)
    for side in sc.playable_ids:
        game.submit(side, [])
    game.adjudicate()  # turn 1
    for side in sc.playable_ids:
        game.submit(side, [])
    record = game.adjudicate()  # turn 2: echo fires, then fires itself until the chain is MAX_FIRE_DEPTH long
    (echo,) = [e for e in record.events if e.event == "echo"]
    nested = sum(1 for e in echo.effects if e.get("kind") == "event")
    assert nested == S.MAX_FIRE_DEPTH - 1
    assert any("no effect" in str(e.get("text", "")) and "deep" in str(e.get("text", "")) for e in echo.effects)
    assert game.state.globals["credibility"] == 70 - S.MAX_FIRE_DEPTH - 15  # (wobble takes 15 on turn 2)
    assert_same(BatchRules(Rules(sc)), [1, 2, 3])


def test_a_two_event_loop_past_the_loader_also_stops_in_both_engines():
    sc = _unchecked(with_events("""\
  - id: ping
    name: Ping
    at_turn: 1
    repeatable: true
    effects: [{escalate: 1}, {fire: pong}]
  - id: pong
    name: Pong
    at_turn: 4
    repeatable: true
    effects: [{change: global.credibility, by: -0.5}, {fire: ping}]
"""))
    assert_same(BatchRules(Rules(sc)), [1, 2, 3, 4])


# ------------------------------------------------------------------ both engines on extreme values

EXTREME = """\
meta:
  id: extreme
  title: Extreme but valid
  summary: Figures near the format's limit, huge ranges, tiny and near-certain chances.
  start_date: 2024-01-01
  turns: 8
  orders_per_turn: 2
variables:
  gdp: {label: GDP in dollars, min: -1e15, max: 1e15, default: 2.9e13}
  tiny: {label: Tiny, min: 0, max: 1e-300}
  budget: {label: Budget, min: 0, max: 1e15, default: 9.99e14}
globals:
  world: {label: World, min: -1e15, max: 1e15, initial: 1.1e14}
relation_variables:
  trust: {label: Trust, min: -1e15, max: 1e15}
actors:
  - {id: big, name: Big, kind: state, capital: [-180, 90], variables: {gdp: 1e15, tiny: 1e-300}}
  - {id: small, name: Small, kind: state, capital: [180, -90], variables: {gdp: -1e15, budget: 1e-9}}
  - {id: middle, name: Middle, kind: bloc}
ladder:
  rungs:
    - {id: low, name: Low, threshold: -1e15}
    - {id: mid, name: Mid, threshold: 1e-9}
    - {id: high, name: High, threshold: 9.99e14}
  min_score: -1e15
  initial_score: 0
  max_score: 1e15
  decay: 1e14
cards:
  - id: boom
    name: Boom
    family: budget
    cost: {budget: 1e14}
    chance: 0.999999
    effects:
      - {change: self.gdp, by: {var: self.gdp, times: 1e15, plus: 1e15}}
      - {change: global.world, by: {var: '*.gdp', times: -1e15}}
      - {escalate: {var: global.world, times: 1e15}}
  - id: whisper
    name: Whisper
    family: escalation
    target: {kind: actor}
    chance: {base: 1e-300, modifiers: [{when: [{var: global.world, above: 0}], add: 0.005}]}
    effects:
      - {relation: trust, between: [self, target], by: 1e15}
      - {change: target.tiny, by: 5e-301}
    on_failure:
      - {escalate: -1e15}
      - {change: self.gdp, by: -1e-15}
  - id: coin
    name: Coin
    family: escalation
    chance: 0.5000001
    conditions: [{var: self.budget, at_most: 1e15}]
    effects:
      - {escalate: 9.99e14}
      - {set: self.budget, to: {var: self.gdp, times: 1e-15, plus: 1e15}}
    on_failure:
      - {escalate: -9.99e14}
events:
  - id: shock
    name: Shock
    when: [{var: global.world, below: 0}]
    chance: 1e-12
    repeatable: true
    effects: [{change: '*.gdp', by: -1e15}]
  - id: sure
    name: Nearly sure
    at_turn: 3
    chance: 0.995
    effects: [{set: global.world, to: 1e15}, {fire: shock}]
each_turn:
  - for: ['*']
    effects: [{change: self.budget, by: 1e15}]
objectives:
  - {id: rich, actor: big, description: Rich, points: 1000000, conditions: [{var: self.gdp, at_least: 1e15}]}
  - {id: poor, actor: small, description: Poor, judged: ever, conditions: [{var: self.gdp, equals: -1e15}]}
doctrines:
  - actor: big
    risk: 1
    values:
      - {name: wealth, weight: 1e15, var: self.gdp}
      - {name: calm, weight: -1e-15, escalation: true}
  - actor: small
    risk: 0
    values:
      - {name: trust, weight: 1e12, relation: trust, with: big}
      - {name: objectives, weight: 1e15, objectives: true}
"""


def test_extreme_but_valid_values_play_the_same_games_in_both_engines():
    sc = load_scenario_text(EXTREME, "extreme.yaml")
    got = assert_same(BatchRules(Rules(sc)), list(range(1, 25)))
    finals = [v for o in got for _, v in o.final] + [o.escalation for o in got]
    assert all(abs(v) <= S.LIMIT for v in finals)
    assert len({o.rng for o in got}) > 1


def test_extreme_values_play_to_the_end_on_the_command_line_and_chart_in_the_report(tmp_path):
    path = write(tmp_path, EXTREME, "extreme.yaml")
    res = run_cli("play", "--headless", "--seed", "5", "--autosave", "off", "--scenario", str(path))
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr and "End of game" in res.stdout
    from engine.present.report import write_report

    game = Game(load_scenario(path), seed=5)
    game.play_out(dict.fromkeys(game.scenario.playable_ids, controller("quick")))
    write_report(game, tmp_path / "report")
    assert (tmp_path / "report" / "report.html").exists()


def test_the_shipped_scenarios_and_exercises_stay_valid():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        load_scenario(path)
    for path in sorted((ROOT / "scenarios" / "exercises").glob("*.yaml")):
        load_exercise(path)


def test_a_range_finer_than_a_millionth_is_never_left_in_either_engine():
    """Figures are rounded to a millionth, then kept within their range: with bounds of 1e-300 (found by the
    semantic fuzzer) rounding used to land on 0.0, outside the range, and every invariant check then failed."""
    text = sub("  trust: {label: Trust, min: -100, max: 100}",
               "  trust: {label: Trust, min: 1.0e-300, max: 1.0e-300, default: 1.0e-300}")
    text = text.replace("relations:\n  - {between: [alpha, gamma], values: {trust: -40}}\n", "")
    text = text.replace("  credibility: {label: Article 5 credibility, min: 0, max: 100, initial: 70}",
                        "  credibility: {label: Article 5 credibility, min: 1.0e-300, max: 1.0e-299, "
                        "initial: 1.0e-300, default: 1.0e-300}")
    sc = load_scenario_text(text)
    game = Game(sc, seed=2)
    from engine.bots.policy import simple_orders
    from engine.rules.invariants import broken_invariants

    while not game.over:
        for side in game.waiting_for():
            game.submit(side, simple_orders(game.rules, game.state, side))
        game.adjudicate()
        assert broken_invariants(game.rules, game.state) == []
    assert_same(BatchRules(Rules(sc)), list(range(1, 9)))
