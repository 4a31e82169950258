"""Where the engine finds what it ships and where it puts what it writes, in a checkout and when installed.

Two ways of running exist and both must work from any working directory:

- **from a checkout** (`python main.py`, or an editable install): the shipped
  scenarios, assets and schema are the checkout's own folders, and saves and
  reports go to the checkout's `saves/` and `reports/`, as they always have;
- **installed** (`pip install .`, `pipx install .`): the shipped files are
  package data inside `engine/_data/` (the wheel maps the checkout's folders
  there, `pyproject.toml`), read through `importlib.resources`; saves and
  reports go to the per-user data directory `platformdirs` gives (never into
  site-packages, which may not even be writable).

A save names its scenario relative to a *project root*. The checkout is the
only root when running from one; installed, the shipped data comes first
(so a save of a shipped scenario names `scenarios/....yaml` in both modes and
moves between them), then the working directory, where a user keeps the
scenarios they write.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import platformdirs

#: the distribution's name, also the per-user data directory's
APP_NAME = "wargame-engine"

Shipped = Literal["scenarios", "assets", "docs"]
Written = Literal["saves", "reports"]

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent.parent


@cache
def checkout() -> Path | None:
    """The source checkout the engine runs from, or None when it runs from an installed copy."""
    root = _PACKAGE_PARENT
    if (root / "pyproject.toml").is_file() and (root / "scenarios").is_dir() and (root / "engine").is_dir():
        return root
    return None


@cache
def data_root() -> Path:
    """The folder holding the shipped `scenarios/`, `assets/` and `docs/`: the checkout, or the package data."""
    root = checkout()
    if root is not None:
        return root
    return Path(str(resources.files("engine") / "_data"))


def shipped(kind: Shipped) -> Path:
    """The folder of one kind of shipped file."""
    return data_root() / kind


def default_scenario() -> Path:
    """The scenario played when none is named."""
    return shipped("scenarios") / "post_nato_2024.yaml"


def asset(name: str) -> Path:
    """A shipped asset (map geometry) by file name."""
    return shipped("assets") / name


def written(kind: Written) -> Path:
    """The folder where saves or reports go (not created here: writing creates it when needed)."""
    root = checkout()
    if root is not None:
        return root / kind
    return platformdirs.user_data_path(APP_NAME) / kind


def project_roots() -> list[Path]:
    """The folders a save may name its scenario inside, in the order a relative name is looked up."""
    root = checkout()
    if root is not None:
        return [root.resolve()]
    return [data_root().resolve(), Path.cwd().resolve()]
