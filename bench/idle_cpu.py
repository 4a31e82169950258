"""Idle CPU of the map UI: the real `App.run()` loop left alone on a screen where nothing happens.

A seminar laptop on battery shows the planning screen for minutes while the
room talks; the window must then cost next to nothing. For each screen this
starts a fresh process (so every measurement begins from a clean pygame),
opens the real App, gets to the screen as a person would (real events through
tests/ui_driver.py), then runs the real `run()` loop for SECONDS of wall time,
with a pygame timer posting QUIT at the end, and reads the process's CPU time
(all threads) around it.

Runs under SDL_VIDEODRIVER=dummy; with a DISPLAY it also measures under x11.
Usage: python bench/idle_cpu.py [--seconds 10]
Prints one line per driver and screen, and as the last line
`start_screen_cpu_pct=X planning_cpu_pct=Y` (percent of one core, dummy driver).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREENS = ("start", "planning")


def measure_one(screen: str, seconds: float) -> dict[str, float]:
    """In this process: open the App on `screen`, run the real loop for `seconds`, return CPU % and frames."""
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from tests.ui_driver import Driver

    d = Driver()
    if screen == "planning":
        start = d.screen
        start.seed_entry.set_text("3")
        while "poland" not in start.humans:  # each click moves the side on: quick bot -> strong bot -> team
            d.click(start.side_buttons["poland"].rect.center)
        d.click(start.start_button.rect.center)
        d.key(pygame.K_RETURN)  # past the hand-over screen
        assert d.screen.name == "planning", d.screen.name
    for _ in range(3):
        d.frame()
    app = d.app
    pygame.event.clear()
    frames0 = getattr(app, "frames", 0)
    pygame.time.set_timer(pygame.QUIT, int(seconds * 1000), 1)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    app.run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu_pct": 100.0 * cpu / wall, "wall_s": wall, "frames": getattr(app, "frames", 0) - frames0}


def run_child(screen: str, seconds: float, driver: str) -> dict[str, float]:
    env = {**os.environ, "SDL_VIDEODRIVER": driver}
    out = subprocess.run([sys.executable, __file__, "--one", screen, "--seconds", str(seconds)], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--one", choices=SCREENS, help=argparse.SUPPRESS)  # the child process's part
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.seconds)))
        return
    drivers = ["dummy"] + (["x11"] if os.environ.get("DISPLAY") else [])
    results: dict[str, dict[str, dict[str, float]]] = {}
    for driver in drivers:
        for screen in SCREENS:
            r = results.setdefault(driver, {})[screen] = run_child(screen, args.seconds, driver)
            print(f"{driver:5} {screen:8} cpu_pct={r['cpu_pct']:.1f} frames={r['frames']} "
                  f"over {r['wall_s']:.1f} s", flush=True)
    dummy = results["dummy"]
    print(f"start_screen_cpu_pct={dummy['start']['cpu_pct']:.1f} planning_cpu_pct={dummy['planning']['cpu_pct']:.1f}")


if __name__ == "__main__":
    main()
