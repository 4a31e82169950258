"""What the screens built on pygame_gui share: the widget library's theme, and the saves a start screen offers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.core import paths


def gui_theme(size: int) -> dict[str, Any]:
    font = {"name": "noto_sans", "size": str(size), "style": "regular"}
    bold = {"name": "noto_sans", "size": str(size), "style": "bold"}
    return {"defaults": {"font": font}, "button": {"font": bold}, "drop_down_menu": {"font": font},
            "text_entry_line": {"font": font}, "label": {"font": font}}


def list_saves() -> list[Path]:
    saves = paths.written("saves")
    return sorted(saves.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if saves.is_dir() else []
