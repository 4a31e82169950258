"""Exception types the engine raises.

Callers (the CLI, the UI, tests) need to tell a bad scenario file from an
illegal order from a broken save, so each has its own type, and each carries
structured data rather than only a message.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake found in an input file, with where it is."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ScenarioError(Exception):
    """A scenario (or deck) file is invalid; holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class IllegalOrder(Exception):
    """An order was refused. `reason` is meant to be shown to the player as is."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class PhaseError(IllegalOrder):
    """Something was asked of the game in a phase where it cannot happen."""
