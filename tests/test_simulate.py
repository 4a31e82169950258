"""Monte Carlo runs and sweeps: the same numbers whatever the workers, summaries that count right, sweeps,
the Dask back end on a local cluster, and the command line as an analyst uses it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.analysis.simulate import Backend, Columns, game_seed, simulate, simulate_points
from engine.analysis.summary import Mean, Share, summarise
from engine.analysis.sweep import SweepError, apply_changes, grid, parse_sweep
from engine.bots.controllers import controller
from engine.rules.game import Game
from engine.rules.outcome import outcome_of
from engine.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FEATURES = str(ROOT / "tests" / "fixtures" / "batch_features.yaml")
DEFAULT = str(ROOT / "scenarios" / "post_nato_2024.yaml")


def same(a: Columns, b: Columns) -> None:
    assert a.seeds == b.seeds
    assert a.end_reason == b.end_reason
    for name in ("end_turn", "peak", "final_rung", "escalation", "met", "at_target", "final"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.signed.keys() == b.signed.keys()
    for k in a.signed:
        assert np.array_equal(a.signed[k], b.signed[k]), k


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "simulate", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, stdin=subprocess.DEVNULL)


def test_the_same_numbers_whatever_the_number_of_workers():
    one = simulate(FEATURES, runs=450, seed=3, backend=Backend(workers=1))
    two = simulate(FEATURES, runs=450, seed=3, backend=Backend(workers=2))
    same(one, two)
    assert one.n == 450 and len(set(one.seeds)) == 450
    assert one.seeds[:3] == [game_seed(3, 0), game_seed(3, 1), game_seed(3, 2)]


def test_the_summary_counts_what_the_reference_engine_plays():
    runs = 40
    cols = simulate(FEATURES, runs=runs, seed=11)
    sc = load_scenario(FEATURES)
    quick = controller("quick")
    outcomes = []
    for s in cols.seeds:
        g = Game(sc, seed=s)
        g.play_out(dict.fromkeys(sc.playable_ids, quick))
        outcomes.append(outcome_of(g.rules, g.state))
    summary = summarise(sc, cols)
    assert summary.runs == runs
    rungs = [r.id for r in sc.ladder.rungs]
    for i, rung in enumerate(rungs):
        assert summary.peak[i].count == sum(o.peak_rung == rung for o in outcomes)
        assert summary.reached[i].count == sum(rungs.index(o.peak_rung) >= i for o in outcomes)
    for (_, oid, _, share) in summary.objectives:
        assert share.count == sum(oid in o.met for o in outcomes)
    signed = [len(o.signed) for o in outcomes]
    assert summary.signed_per_game.mean == pytest.approx(sum(signed) / runs)
    assert summary.at_target.mean == pytest.approx(sum(len(o.at_target) for o in outcomes) / runs)
    assert summary.end_turn.mean == pytest.approx(sum(o.end_turn for o in outcomes) / runs)
    # signed by turn is cumulative and ends at the mean per game
    assert summary.signed_by_turn == sorted(summary.signed_by_turn)
    assert summary.signed_by_turn[-1] == pytest.approx(summary.signed_per_game.mean)


def test_confidence_intervals():
    lo, hi = Share(0, 10).ci
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = Share(5, 10).ci
    assert (lo, hi) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    lo, hi = Share(980, 1000).ci
    assert lo < 0.98 < hi <= 1.0
    m = Mean.of(np.array([1.0, 2.0, 3.0, 4.0]))
    assert m.mean == 2.5 and m.ci == (pytest.approx(2.5 - 1.96 * 1.29099 / 2, abs=1e-3),
                                      pytest.approx(2.5 + 1.96 * 1.29099 / 2, abs=1e-3))


def test_a_sweep_over_two_values_moves_the_outcomes():
    path, values = parse_sweep("doctrines.east.risk=0.05,1.0")
    assert (path, values) == ("doctrines.east.risk", [0.05, 1.0])
    points = grid([(path, values)])
    cautious, bold = simulate_points(FEATURES, runs=300, seed=5, points=points)
    assert cautious.seeds == bold.seeds  # the same games, but for the parameter
    assert not np.array_equal(cautious.final, bold.final)
    # a bolder East plays riskier cards: more games reach the crisis rung
    assert (bold.peak >= 2).sum() > (cautious.peak >= 2).sum()


def test_sweeps_refuse_what_the_scenario_does_not_have():
    sc = load_scenario(FEATURES)
    with pytest.raises(SweepError, match="no item 'nobody'"):
        apply_changes(sc, (("doctrines.nobody.risk", 0.5),))
    with pytest.raises(SweepError, match="less than or equal to 1"):
        apply_changes(sc, (("doctrines.east.risk", 1.5),))
    with pytest.raises(SweepError, match="PATH=V1,V2"):
        parse_sweep("doctrines.east.risk")
    changed = apply_changes(sc, (("events.crash.chance", 0.9), ("meta.turns", 6)))
    assert changed.meta.turns == 6 and next(e for e in changed.events if e.id == "crash").chance == 0.9


def test_other_bot_levels_play_on_the_reference_engine():
    cols = simulate(FEATURES, runs=6, seed=2, level="simple")
    assert cols.engine == "reference"
    sc = load_scenario(FEATURES)
    g = Game(sc, seed=cols.seeds[4])
    g.play_out(dict.fromkeys(sc.playable_ids, controller("simple")))
    assert cols.end_turn[4] == g.state.turn and cols.escalation[4] == g.state.escalation


def test_the_dask_back_end_on_a_local_cluster_gives_the_same_numbers():
    pytest.importorskip("dask.distributed")
    local = simulate(FEATURES, runs=250, seed=7, backend=Backend(workers=1))
    dask = simulate(FEATURES, runs=250, seed=7, backend=Backend(kind="dask", workers=2))
    assert dask.engine == "batch"
    same(local, dask)


@pytest.mark.slow
def test_the_command_prints_the_same_summary_whatever_the_workers(tmp_path):
    one = run_cli("--runs", "150", "--seed", "4", "--workers", "1", "--out", str(tmp_path / "a"))
    two = run_cli("--runs", "150", "--seed", "4", "--workers", "2", "--out", str(tmp_path / "a"))
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert one.stdout == two.stdout
    assert "150 games, seed 4" in one.stdout and "Peak of the escalation ladder" in one.stdout
    assert "Traceback" not in one.stderr + two.stderr
    rows = list(csv.DictReader((tmp_path / "a" / "outcomes.csv").open(encoding="utf-8")))
    assert len(rows) == 150 and rows[0]["seed"] == str(game_seed(4, 0))
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert summary["runs"] == 150
    assert sum(v["count"] for v in summary["peak_rung"].values()) == 150
    for chart in ("peak_rung.png", "objectives.png", "agreements.png", "target.png"):
        assert (tmp_path / "a" / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_command_sweeps_and_refuses_bad_input(tmp_path):
    res = run_cli("--runs", "100", "--seed", "2", "--sweep", "doctrines.russia.risk=0.2,0.9", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "sweep over 2 points" in res.stdout
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open(encoding="utf-8")))
    assert [r["doctrines.russia.risk"] for r in rows] == ["0.2", "0.9"]
    assert (tmp_path / "sweep.png").exists()
    bad = run_cli("--runs", "10", "--sweep", "doctrines.narnia.risk=0.2,0.9", "--no-files")
    assert bad.returncode == 2 and "no item 'narnia'" in bad.stderr and "Traceback" not in bad.stderr
    none = run_cli("--runs", "0", "--no-files")
    assert none.returncode == 2 and "at least 1" in none.stderr


def test_a_scenario_the_batch_engine_cannot_play_is_said_so_not_silently_slower(tmp_path):
    features = Path(FEATURES)
    text = features.read_text(encoding="utf-8").replace(
        "      - {change: global.cred, by: 4}\n",
        "      - {change: global.cred, by: 4}\n      - {leave: club, actor: self}\n", 1)
    assert text != features.read_text(encoding="utf-8")
    leaving = tmp_path / "leaving.yaml"
    leaving.write_text(text, encoding="utf-8")
    res = run_cli("--scenario", str(leaving), "--runs", "12", "--no-files", "--workers", "1")
    assert res.returncode == 0, res.stderr[-2000:]
    assert "warning: the batch engine cannot play this scenario (effect MemberEffect" in res.stderr
    assert "reference engine" in res.stderr
    plain = run_cli("--scenario", str(features), "--runs", "12", "--no-files", "--workers", "1")
    assert plain.returncode == 0 and "warning" not in plain.stderr


def test_check_says_so_too_when_its_quick_games_go_one_at_a_time(tmp_path):
    text = Path(FEATURES).read_text(encoding="utf-8").replace(
        "      - {change: global.cred, by: 4}\n",
        "      - {change: global.cred, by: 4}\n      - {leave: club, actor: self}\n", 1)
    leaving = tmp_path / "leaving.yaml"
    leaving.write_text(text, encoding="utf-8")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy"}
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", str(leaving), "--runs", "3",
                          "--quick-runs", "3", "--jobs", "1"], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=600, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "note: the batch engine cannot play this scenario (effect MemberEffect" in res.stderr
