from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini.yaml"
DEFAULT = ROOT / "scenarios" / "post_nato_2024.yaml"

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(autouse=True, scope="session")
def _autosave_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Games played by tests (also in subprocesses, which inherit the environment) autosave into a temp folder."""
    os.environ["WARGAME_AUTOSAVE"] = str(tmp_path_factory.mktemp("autosave") / "autosave.json")


@pytest.fixture(scope="session")
def mini() -> Scenario:
    return load_scenario(MINI)


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario(DEFAULT)
