"""EPSG:3035 (ETRS89-extended / LAEA Europe) forward projection in pure Python.

The map asset ``assets/europe.json`` is stored in EPSG:3035 metres.  The game needs to
place other lon/lat points (units, cities, events) on that map at run time without
pyproj, so this module implements the ellipsoidal Lambert azimuthal equal-area
forward formulas (IOGP Guidance Note 7-2, method EPSG:9820) with the EPSG:3035
parameters:

* ellipsoid GRS80: a = 6378137 m, 1/f = 298.257222101
* latitude of natural origin 52°N, longitude of natural origin 10°E
* false easting 4 321 000 m, false northing 3 210 000 m

Input is longitude/latitude in degrees (ETRS89; WGS84 coordinates can be used as they
are, the two differ by well under a metre for this purpose).  Output is (x, y) =
(easting, northing) in metres.  ``tools/make_map.py`` checks this function against
pyproj (to within 1 m) every time it regenerates the asset.

Only the standard library is used (tools/make_map.py checks it against pyproj each time it builds the map).
"""

from __future__ import annotations

import math

# GRS80 ellipsoid
_A = 6378137.0
_F = 1.0 / 298.257222101
_E2 = _F * (2.0 - _F)
_E = math.sqrt(_E2)

# EPSG:3035 projection parameters
_LAT0 = math.radians(52.0)
_LON0 = math.radians(10.0)
FALSE_EASTING = 4321000.0
FALSE_NORTHING = 3210000.0


def _q(sin_phi: float) -> float:
    """Authalic 'q' function of the ellipsoid for a given sin(latitude)."""
    es = _E * sin_phi
    return (1.0 - _E2) * (
        sin_phi / (1.0 - _E2 * sin_phi * sin_phi) - (1.0 / (2.0 * _E)) * math.log((1.0 - es) / (1.0 + es))
    )


_QP = _q(1.0)
_RQ = _A * math.sqrt(_QP / 2.0)
_BETA0 = math.asin(_q(math.sin(_LAT0)) / _QP)
_SIN_B0 = math.sin(_BETA0)
_COS_B0 = math.cos(_BETA0)
_D = _A * (math.cos(_LAT0) / math.sqrt(1.0 - _E2 * math.sin(_LAT0) ** 2)) / (_RQ * _COS_B0)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Project a WGS84/ETRS89 longitude, latitude (degrees) to EPSG:3035 (x, y) in metres."""
    sin_phi = math.sin(math.radians(lat))
    q = _q(sin_phi)
    # clamp against rounding just beyond +-1 at the poles
    beta = math.asin(max(-1.0, min(1.0, q / _QP)))
    sin_b = math.sin(beta)
    cos_b = math.cos(beta)
    dlon = math.radians(lon) - _LON0
    cos_dlon = math.cos(dlon)
    denom = 1.0 + _SIN_B0 * sin_b + _COS_B0 * cos_b * cos_dlon
    if denom <= 0.0:
        raise ValueError(f"point ({lon}, {lat}) is the antipode of the projection centre")
    b = _RQ * math.sqrt(2.0 / denom)
    x = FALSE_EASTING + b * _D * cos_b * math.sin(dlon)
    y = FALSE_NORTHING + (b / _D) * (_COS_B0 * sin_b - _SIN_B0 * cos_b * cos_dlon)
    return x, y


if __name__ == "__main__":
    # Berlin, for a quick manual check: about (4552 km, 3272 km)
    print(project(13.405, 52.52))
