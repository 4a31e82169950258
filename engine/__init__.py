"""A turn-based wargame and tabletop-exercise engine: rules from YAML cards, headless.

The engine never imports pygame and never prints: it returns data, and the
command line or the map front end shows it.
"""

from engine.errors import IllegalOrder, PhaseError, Problem, ScenarioError
from engine.game import Game
from engine.loader import load_scenario, load_scenario_text
from engine.rules import Rules
from engine.scenario import Scenario
from engine.state import GameState, Order

__all__ = [
    "Game", "GameState", "IllegalOrder", "Order", "PhaseError", "Problem", "Rules", "Scenario", "ScenarioError",
    "load_scenario", "load_scenario_text",
]
