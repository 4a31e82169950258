"""A turn-based wargame and tabletop-exercise engine: rules from YAML cards, headless.

The engine never imports pygame and never prints: it returns data, and the
command line or the map front end shows it.
"""

from engine.core.errors import IllegalOrder, PhaseError, Problem, ScenarioError
from engine.core.state import GameState, Order

# Registers exercise scripts as files a game may run under, for every layer that opens a game's file.
from engine.exercise import script as _exercise_script  # noqa: F401  (imported for its registration)
from engine.rules.game import Game
from engine.rules.turn import Rules
from engine.scenario.load import load_scenario, load_scenario_text
from engine.scenario.model import Scenario

__all__ = [
    "Game", "GameState", "IllegalOrder", "Order", "PhaseError", "Problem", "Rules", "Scenario", "ScenarioError",
    "load_scenario", "load_scenario_text",
]
