"""Frame time of the map screen with the full default scenario on screen.

Runs under SDL_VIDEODRIVER=dummy (set here if unset). For each resolution it
opens a team's planning screen, warms up, then times a few hundred frames
while the mouse moves across the map (hover tooltips and outlines change,
as they do in play). Prints one line per resolution:
`WIDTHxHEIGHT median_ms=X worst_ms=Y`, then how long one rebuild of the
cached map layer takes (it happens when the view or the window changes).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pygame

from tests.ui_driver import Driver

FRAMES = 300


def measure(size: tuple[int, int]) -> tuple[float, float, float]:
    d = Driver(size=size)
    while "poland" not in d.screen.humans:  # each click moves the side on: quick bot -> strong bot -> team
        d.click(d.screen.side_buttons["poland"].rect.center)
    d.click(d.screen.start_button.rect.center)
    d.key(pygame.K_RETURN)
    screen = d.screen
    assert screen.name == "planning"
    r = screen.map_rect
    path = [(r.x + int(r.w * (i % 60) / 60), r.y + int(r.h * (0.3 + 0.4 * ((i // 60) % 5) / 5))) for i in range(FRAMES)]
    for _ in range(5):
        d.frame()
    times = []
    for pos in path:
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        t0 = time.perf_counter()
        d.app.tick(0.016)
        times.append((time.perf_counter() - t0) * 1000)
    view = screen.view()
    t0 = time.perf_counter()
    screen.mapview._render(view, screen.mode)
    rebuild = (time.perf_counter() - t0) * 1000
    return statistics.median(times), max(times), rebuild


def main() -> None:
    for size in ((1280, 800), (1920, 1080)):
        median, worst, rebuild = measure(size)
        print(f"{size[0]}x{size[1]} median_ms={median:.2f} worst_ms={worst:.2f}")
        print(f"    (map layer rebuild on a change of view or window: {rebuild:.1f} ms)")


if __name__ == "__main__":
    main()
