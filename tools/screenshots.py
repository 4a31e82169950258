"""Take the README's screenshots again, from real games driven with real events (off screen, seeded).

    python tools/screenshots.py            # writes docs/screenshots/*.png

The same steps a person would take: the start screen, a team's planning
screen, a turn's results and what changed, the end of the game, and an
exercise's inject and control panel; one at 1280×800 with `--ui-scale 1.5`
(a common projector).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pygame  # noqa: E402

from tests.test_ui import start  # noqa: E402  (the tests' way through the start screen)
from tests.test_ui_exercise import MINI_EXERCISE  # noqa: E402
from tests.test_ui_exercise import start as start_exercise  # noqa: E402
from tests.ui_driver import Driver  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def save(d: Driver, name: str) -> None:
    d.frame()
    pygame.image.save(d.app.window, str(OUT / f"{name}.png"))
    print(OUT / f"{name}.png")


def game_shots(d: Driver, prefix: str = "") -> None:
    save(d, f"{prefix}start") if not prefix else None
    start(d, ["poland"])
    d.key(pygame.K_RETURN)
    for _ in range(3):
        d.key(pygame.K_DOWN)
    d.key(pygame.K_a)
    if not prefix:
        save(d, "planning")
    d.key(pygame.K_c)
    d.key(pygame.K_RETURN)
    d.key(pygame.K_ESCAPE)
    save(d, f"{prefix}results")
    while d.screen.name != "end":
        d.key(pygame.K_RETURN)
        if d.screen.name == "planning":
            d.key(pygame.K_c)
            d.key(pygame.K_RETURN)
        if d.screen.name == "results":
            d.key(pygame.K_ESCAPE)
    if not prefix:
        save(d, "end")


def exercise_shots() -> None:
    d = Driver()
    start_exercise(d, MINI_EXERCISE, bots=("south",))
    d.key(pygame.K_RETURN)
    d.key(pygame.K_RETURN)
    save(d, "inject")
    d.key(pygame.K_RETURN)
    d.key(pygame.K_F10)
    from tests.test_ui_exercise import unlock

    unlock(d)
    save(d, "facilitator")


def main() -> int:
    import engine.ui.start_screen

    engine.ui.start_screen.list_saves = lambda: []  # this machine's own saves are nobody's business in the README
    OUT.mkdir(parents=True, exist_ok=True)
    game_shots(Driver())
    game_shots(Driver(size=(1280, 800), scale=1.5), prefix="projector-")
    exercise_shots()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
