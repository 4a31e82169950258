"""The outside-agent interface passes PettingZoo's own conformance checks and keeps fog of war."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import parallel_api_test, parallel_seed_test

from engine.integrations.agent_env import WargameEnv
from tests.conftest import MINI


def test_pettingzoo_parallel_api_on_the_default_scenario():
    parallel_api_test(WargameEnv(seed=1), num_cycles=40)


def test_pettingzoo_api_and_seed_on_the_small_scenario():
    parallel_api_test(WargameEnv(MINI, seed=1), num_cycles=100)
    parallel_seed_test(lambda: WargameEnv(MINI, seed=1))


def test_masked_play_to_the_end_with_objective_rewards():
    env = WargameEnv(MINI, seed=4)
    obs, infos = env.reset(seed=4)
    rng = np.random.default_rng(0)
    totals = dict.fromkeys(env.possible_agents, 0.0)
    steps = 0
    while env.agents:
        actions = {}
        for a in env.agents:
            legal = np.flatnonzero(obs[a]["action_mask"])
            assert legal[0] == 0 and len(legal) - 1 == len(infos[a]["legal_orders"])
            actions[a] = int(rng.choice(legal))
        obs, rewards, _terms, _truncs, infos = env.step(actions)
        for a, r in rewards.items():
            totals[a] += r
        steps += 1
    game = env.game
    assert game is not None and game.over and steps >= game.scenario.meta.turns
    scores = game.scores()
    assert totals == {a: float(scores[a] - env.start_points[a]) for a in env.possible_agents}
    assert any(totals.values()) or any(scores.values())


def test_illegal_actions_are_refused_not_fatal_and_opponents_are_bots():
    env = WargameEnv(MINI, seed=2, opponents={"gamma": "quick"})
    assert env.possible_agents == ["alpha", "beta"]
    env.reset()
    _, _, _, _, infos = env.step({"alpha": 127, "beta": 0})
    assert "not one of" in infos["alpha"]["refused"]


def test_observations_respect_fog_of_war():
    env = WargameEnv(MINI, seed=2)
    obs, _ = env.reset()
    sc = env.scenario
    nvars = len(sc.variables)
    secret = list(sc.variables).index("secret")
    alpha_row = [a.id for a in sc.actors].index("alpha")
    idx = alpha_row * nvars + secret
    assert obs["alpha"]["observation"][idx] >= 0  # its own secret
    assert obs["beta"]["observation"][idx] == -1.0  # hidden from beta
