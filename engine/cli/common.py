"""What every subcommand shares: refusing a broken file with its problems, and the check of every count.

Kept apart from `main.py` so that the subcommands in other modules (`simulate.py`)
use the same refusals without importing the module that imports them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from engine.core.errors import ScenarioError
from engine.present.render import clean
from engine.scenario.load import load_scenario
from engine.scenario.model import Scenario

EXIT_BAD_INPUT = 2


def command() -> str:
    """How the user runs these commands: `wargame` when installed, `python main.py` from a checkout."""
    return "wargame" if Path(sys.argv[0]).name == "wargame" else "python main.py"


def refuse(exc: ScenarioError, what: str) -> NoReturn:
    """Print every problem as FILE:LINE:COLUMN and exit 2: a broken file never ends in a traceback."""
    for p in exc.problems:  # a problem quotes the file's name and its text: never raw to the terminal
        print(clean(p), file=sys.stderr)
    n = len(exc.problems)
    print(f"{n} problem{'s' if n != 1 else ''} found; the {what} was not loaded.", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT) from None


def load_or_refuse(path: str | Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        refuse(exc, "scenario")


def whole_number(minimum: int = 1, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `minimum` (to `maximum`), else one sentence and exit 2.

    The one check of every count on the command line (runs, games, workers, jobs), so -5 games is refused
    rather than read as none.
    """
    def parse(text: str) -> int:
        try:
            value: int | None = int(text.strip())
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            span = f"at least {minimum}" + (f" and at most {maximum:,}" if maximum is not None else "")
            raise argparse.ArgumentTypeError(f"must be a whole number of {span}, not {text!r}")
        return value

    return parse


#: most worker processes one command starts (a typo of 100000 must not start a hundred thousand processes)
MAX_WORKERS = 1024
#: a count of games or runs: 1 or more
positive = whole_number(1)
#: a number of worker processes (--workers, --jobs)
workers = whole_number(1, MAX_WORKERS)
