"""Drive any side from your own code: a PettingZoo parallel environment with action masks.

Install the optional extra first: `pip install -e ".[agents]"` (pettingzoo,
gymnasium, numpy). The engine itself never needs them.

    from engine.integrations.agent_env import WargameEnv
    env = WargameEnv(seed=7)                  # the default scenario; or scenario_path=...
    obs, infos = env.reset(seed=7)
    while env.agents:
        actions = {a: my_policy(obs[a]) for a in env.agents}   # an int per side
        obs, rewards, terminations, truncations, infos = env.step(actions)

How a game maps onto steps:
- Each side gives up to `orders_per_turn` orders a turn, one per step: an
  action is an index into that side's legal orders for this step (listed in
  `infos[agent]["legal_orders"]`, the same order as the mask), plus 1; action 0
  means "no more orders this turn". An illegal index counts as 0 (and
  `infos[agent]["refused"]` says why). When every side has stopped or used its
  orders, the turn is adjudicated by the engine.
- `obs[agent]` is `{"observation": float32 vector, "action_mask": int8 vector}`.
  The vector is built from that side's own view only (fog of war holds):
  every actor's variables scaled to 0..1 by their declared ranges (-1 where
  hidden), the globals (-1 where hidden), the escalation score, the current rung (one-hot),
  the side's own agreements by state, and the turn and order slot.
- Rewards come from the objectives: after each adjudication a side receives
  the change in its objective points met (as judged now, from what it may
  see: a figure hidden from it counts at its declared default until the game
  ends), so the rewards of a whole game add up to its final score less the
  points it already met at the start (`env.start_points`).
- `sides`: pass `opponents={"red": "quick"}` to let engine bots play some
  sides (they are then not agents).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from engine.bots.controllers import bot_orders
from engine.core import paths
from engine.core.state import Order
from engine.rules.game import Game
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario

DEFAULT_SCENARIO = paths.default_scenario()
AGREEMENT_STATES = ("proposed", "negotiating", "signed", "in_force", "invoked", "suspended")


class WargameEnv(ParallelEnv):
    metadata: ClassVar[dict[str, Any]] = {"name": "wargame_v0", "render_modes": ["ansi"], "is_parallelizable": True}

    def __init__(self, scenario_path: str | Path | None = None, scenario: Scenario | None = None, seed: int = 0,
                 max_actions: int = 128, opponents: dict[str, str] | None = None, render_mode: str | None = None):
        self.scenario = scenario or load_scenario(scenario_path or DEFAULT_SCENARIO)
        self.opponents = dict(opponents or {})
        self.possible_agents = [a for a in self.scenario.playable_ids if a not in self.opponents]
        self.max_actions = max_actions
        self.render_mode = render_mode
        self._seed = seed
        sc = self.scenario
        self._obs_size = (len(sc.actors) * len(sc.variables) + len(sc.globals) + 1 + len(sc.ladder.rungs)
                          + len(AGREEMENT_STATES) + 2)
        self.game: Game | None = None
        self.agents: list[str] = []

    # ------------------------------------------------------------------ spaces
    @functools.cache  # noqa: B019 - one space object per agent, as PettingZoo expects
    def observation_space(self, agent: str) -> spaces.Dict:
        return spaces.Dict({
            "observation": spaces.Box(-1.0, 1.0, (self._obs_size,), np.float32),
            "action_mask": spaces.Box(0, 1, (self.max_actions,), np.int8),
        })

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Discrete:
        return spaces.Discrete(self.max_actions)

    # ------------------------------------------------------------------ episode
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._seed = seed
        self.game = Game(self.scenario, seed=self._seed)
        self.agents = list(self.possible_agents)
        self._slot = 0
        self._chosen: dict[str, list[Order]] = {a: [] for a in self.agents}
        self._stopped: set[str] = set()
        self._points = self._objective_points()
        self.start_points = dict(self._points)
        self._legal: dict[str, list[Order]] = {}
        return self._observe(), self._infos({})

    def step(self, actions: dict[str, int]):
        assert self.game is not None, "call reset() first"
        refused: dict[str, str] = {}
        for agent in self.agents:
            if agent in self._stopped:
                continue
            a = int(actions.get(agent, 0))
            legal = self._legal.get(agent) or self._legal_now(agent)
            if a <= 0:
                self._stopped.add(agent)
            elif a - 1 < len(legal):
                self._chosen[agent].append(legal[a - 1])
            else:
                refused[agent] = f"action {a} is not one of the {len(legal)} legal orders"
                self._stopped.add(agent)
        self._slot += 1
        rewards = dict.fromkeys(self.agents, 0.0)
        limit = self.scenario.meta.orders_per_turn
        if self._slot >= limit or all(a in self._stopped or not self._legal_now(a) for a in self.agents):
            rewards = self._adjudicate()
        self._legal = {}
        over = self.game.over
        terminations = dict.fromkeys(self.agents, over)
        truncations = dict.fromkeys(self.agents, False)
        obs = self._observe()
        infos = self._infos(refused)
        if over:
            self.agents = []
        return obs, rewards, terminations, truncations, infos

    def _adjudicate(self) -> dict[str, float]:
        g = self.game
        assert g is not None
        for side in g.scenario.playable_ids:
            if side in self.opponents:
                g.submit(side, bot_orders(self.opponents[side], g.rules, g.state, side))
            else:
                g.submit(side, self._chosen.get(side, []))
        g.adjudicate()
        self._slot = 0
        self._chosen = {a: [] for a in self.agents}
        self._stopped = set()
        before, self._points = self._points, self._objective_points()
        return {a: float(self._points[a] - before[a]) for a in self.agents}

    def _objective_points(self) -> dict[str, int]:
        """Each agent's objective points: during play as it may judge them from its own view (what it cannot see
        counts at its public stand-in), at the end as the game judged them, so rewards still add up to the score."""
        g = self.game
        assert g is not None
        points = {o.id: o.points for o in self.scenario.objectives}
        out = {}
        for a in self.possible_agents:
            results = g.state.results if g.over else g.rules.judge(g.rules.fog.believed_state(g.state, a))
            out[a] = sum(points[o] for o in results.get(a, []))
        return out

    # ------------------------------------------------------------------ observations
    def _legal_now(self, agent: str) -> list[Order]:
        """This agent's legal orders for this step: compatible with the orders it already chose this turn."""
        if agent in self._legal:
            return self._legal[agent]
        g = self.game
        assert g is not None
        chosen = self._chosen.get(agent, [])
        legal = []
        if len(chosen) < g.rules.orders_allowed(agent) and not g.over:
            for o in g.rules.legal_orders(g.state, agent):
                if g.rules.check_orders(g.state, agent, [*chosen, o]) is None:
                    legal.append(o)
        self._legal[agent] = legal[: self.max_actions - 1]
        return self._legal[agent]

    def _observe(self) -> dict[str, dict[str, np.ndarray]]:
        return {a: {"observation": self._vector(a), "action_mask": self._mask(a)} for a in self.agents}

    def _mask(self, agent: str) -> np.ndarray:
        mask = np.zeros(self.max_actions, dtype=np.int8)
        mask[0] = 1
        if self.game is not None and not self.game.over and agent not in self._stopped:
            mask[1: 1 + len(self._legal_now(agent))] = 1
        return mask

    def _vector(self, agent: str) -> np.ndarray:
        g = self.game
        assert g is not None
        sc = self.scenario
        view = g.view(agent)
        out: list[float] = []
        for actor in sc.actors:
            row = view["vars"][actor.id]
            for var, d in sc.variables.items():
                v = row.get(var)
                out.append(-1.0 if v is None else (v - d.min) / ((d.max - d.min) or 1.0))
        for var, d in sc.globals.items():
            v = view["globals"][var]
            out.append(-1.0 if v is None else (v - d.min) / ((d.max - d.min) or 1.0))
        lad = sc.ladder
        out.append((view["escalation"] - lad.min_score) / ((lad.max_score - lad.min_score) or 1.0))
        out.extend(1.0 if r.id == view["rung"] else 0.0 for r in lad.rungs)
        mine = [ag["state"] for ag in view["agreements"].values() if agent in ag["parties"]]
        out.extend(min(1.0, mine.count(st) / 10) for st in AGREEMENT_STATES)
        out.append(min(1.0, view["turn"] / sc.meta.turns))
        out.append(self._slot / max(1, sc.meta.orders_per_turn))
        return np.clip(np.asarray(out, dtype=np.float32), -1.0, 1.0)

    def _infos(self, refused: dict[str, str]) -> dict[str, dict[str, Any]]:
        infos: dict[str, dict[str, Any]] = {}
        for a in self.agents:
            usable = self.game is not None and a not in self._stopped
            info: dict[str, Any] = {"legal_orders": [o.label() for o in self._legal_now(a)] if usable else []}
            if a in refused:
                info["refused"] = refused[a]
            infos[a] = info
        return infos

    def render(self) -> str | None:
        if self.game is None:
            return None
        s = self.game.state
        return f"turn {s.turn} rung {s.rung} escalation {s.escalation:g} over={s.ended}"

    def close(self) -> None:
        pass
