"""Drive the real pygame UI with real events under the dummy video driver, as a person would."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from engine.ui import fonts
from engine.ui.app import App


class Driver:
    def __init__(self, size: tuple[int, int] = (1280, 800), scale: float | None = None,
                 shots: Path | None = None, scenario_path: Path | None = None):
        self.app = App(size=size, scale=scale, scenario_path=scenario_path)
        self.shots = shots
        self.seen: list[str] = []
        self._real_text = fonts.text

    @property
    def screen(self):  # type: ignore[no-untyped-def]
        return self.app.screen

    def frame(self, dt: float = 0.016) -> None:
        self.app.tick(dt)

    def move(self, pos: tuple[int, int]) -> None:
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        self.frame()

    def click(self, pos: tuple[int, int]) -> None:
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=pos))
        self.frame()
        self.frame()  # widget-library events arrive on the next frame

    def key(self, key: int, mod: int = 0) -> None:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode="", scancode=0))
        self.frame()

    def wheel(self, pos: tuple[int, int], dy: int) -> None:
        self.move(pos)
        pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=dy, flipped=False))
        self.frame()

    def texts_on_screen(self) -> list[str]:
        """Every string drawn in one frame: what a person at the screen can read."""
        return drawn_texts(self.frame)

    def shot(self, name: str) -> Path | None:
        self.frame()
        if self.shots is None:
            return None
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        pygame.image.save(self.app.window, str(path))
        return path


def drawn_texts(draw: Callable[[], object]) -> list[str]:
    """Every string rendered while `draw()` runs (all text goes through `engine.ui.fonts.text`)."""
    seen: list[str] = []
    real = fonts.text

    def spy(s, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(s)
        return real(s, *args, **kwargs)
    fonts.text = spy  # type: ignore[assignment]
    try:
        draw()
    finally:
        fonts.text = real  # type: ignore[assignment]
    return seen
