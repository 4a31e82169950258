"""The shipped map of Europe: country shapes in EPSG:3035 metres, fitted to a screen rectangle.

The asset is produced once by tools/make_map.py; at run time we only read
JSON. Screen coordinates are recomputed only when the map's rectangle changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.core import paths
from engine.ui.laea import project

ASSET = paths.asset("europe.json")

Ring = list[tuple[float, float]]


@dataclass
class Country:
    iso2: str
    name: str
    rings: list[Ring]  # projected metres, outer rings only


@dataclass
class MapData:
    bounds: tuple[float, float, float, float]
    countries: list[Country]
    source: str

    @classmethod
    def load(cls, path: Path = ASSET) -> MapData:
        data = json.loads(path.read_text(encoding="utf-8"))
        countries = [
            Country(f["iso2"], f["name"], [[(float(x), float(y)) for x, y in ring] for ring in f["polygons"]])
            for f in data["features"]
        ]
        minx, miny, maxx, maxy = data["bounds"]
        return cls((minx, miny, maxx, maxy), countries, data.get("source", ""))


@dataclass
class Fit:
    """A projected-metres → screen-pixels transform that keeps the aspect ratio."""

    rect: tuple[int, int, int, int]
    bounds: tuple[float, float, float, float]
    scale: float = field(init=False)
    ox: float = field(init=False)
    oy: float = field(init=False)

    def __post_init__(self) -> None:
        x, y, w, h = self.rect
        minx, miny, maxx, maxy = self.bounds
        self.scale = min(w / (maxx - minx), h / (maxy - miny))
        self.ox = x + (w - (maxx - minx) * self.scale) / 2 - minx * self.scale
        self.oy = y + (h - (maxy - miny) * self.scale) / 2 + maxy * self.scale

    def to_screen(self, mx: float, my: float) -> tuple[float, float]:
        return self.ox + mx * self.scale, self.oy - my * self.scale

    def lonlat(self, lon: float, lat: float) -> tuple[float, float]:
        return self.to_screen(*project(lon, lat))


def point_in_ring(px: float, py: float, ring: Sequence[tuple[float, float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > py) != (yj > py) and px < (xj - xi) * (py - yi) / (yj - yi + 1e-12) + xi:
            inside = not inside
        j = i
    return inside
