"""Command line: where the next cameras should go (maximal covering location problem).

    python -m geo.recommend --demand D --candidates C [--existing E] --k K --radius-m R
        [--weight-column W] [--min-spacing-m S] [--time-limit-s T] [--headings H [--fov-deg F]]
        --out OUT.geojson

D, C, E: any file geopandas reads (GeoJSON, GeoPackage, zipped Shapefile) or CSV with lon/lat
columns (WGS 84). D's points carry the weight column (weight 1 when absent); E's cameras may
carry ``heading_deg``, ``fov_deg``, ``range_m`` (unknown range: R). New sites see a circle of
R metres; with ``--headings H`` each candidate is a pole whose camera faces one of H headings
(0, 360/H, ... degrees clockwise from north) with a view of F degrees (default 90), at most one
camera per pole. OUT gets the chosen candidates in rank order with ``rank``, ``candidate_index``
(0-based row in C), ``marginal_weight`` and, with headings, ``heading_deg`` and ``fov_deg``
(.gpkg and .csv also work). Standard output ends with one JSON line: covered_weight,
total_weight, bound, gap, method (exact: proven optimal; lagrangian: the gap is certified by the
Lagrangian relaxation; heuristic: by the greedy bound), selected, seconds.
Bad input exits with status 2 and one line on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import geopandas as gpd

from geo.coverage import coverage_matrix, covered_mask, points_xy
from geo.crs import AMBON_REGION_LONLAT, WGS84
from geo.export import recommendation_frame, write_any
from geo.headings import DEFAULT_FOV_DEG, heading_coverage, pole_headings
from geo.mclp import solve_mclp, spacing_conflicts
from geo.sectors import camera_arrays

LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")


class InputError(Exception):
    """Bad input: reported as one line on stderr, exit status 2.

    ``code`` names the kind of problem for callers that explain it in their own words:
    "missing", "empty", "unreadable", "no_geometry", "no_crs", "outside_region" or "invalid".
    """

    def __init__(self, message: str, code: str = "invalid", **details):
        super().__init__(message)
        self.code = code
        self.details = details
        """The figures behind the message ("outside_region": count, total, lon, lat of the first)."""


READ_MESSAGES = {"missing": "does not exist", "no_geometry": "has no geometry",
                 "no_crs": "has no CRS (coordinate reference system)"}


def read_layer(path: str, what: str) -> gpd.GeoDataFrame:
    """Read a layer from any file the import reader takes (geo.reader: GeoJSON, GeoPackage,
    Shapefile, KML/KMZ, CSV or XLSX with coordinate columns) and check it with :func:`check_layer`.

    Raises :class:`InputError` for a missing or empty file, no geometry, no CRS, or points
    outside the Ambon region (:data:`geo.crs.AMBON_REGION_LONLAT`, e.g. swapped lon/lat).
    Rows keep their file order (index 0..n-1); rows without geometry stay, with empty geometry.
    """
    from geo.reader import ImportRefused, read_path

    try:
        raw = read_path(path)
    except ImportRefused as refused:
        reason = "is empty" + ("" if str(refused) == "file is empty" else f" ({refused})") if refused.code == "empty" else \
            READ_MESSAGES.get(refused.code, f"cannot be read: {refused}")
        raise InputError(f"{what} file {path} {reason}", refused.code, **refused.details) from None
    return check_layer(raw, what, path)


def check_layer(raw, what: str, source: str) -> gpd.GeoDataFrame:
    """The frame of ``raw`` (a geo.reader.RawLayer), table columns typed, after checking it has
    geometry and lies in the Ambon region (see :func:`read_layer`); ``source`` names it in messages."""
    from geo.reader import typed_columns

    gdf = typed_columns(raw.frame) if raw.kind in ("csv", "xlsx") else raw.frame
    gdf = gdf.reset_index(drop=True)
    valid = gdf.geometry.notna() & ~gdf.geometry.is_empty
    if not valid.any():
        raise InputError(f"{what} file {source} has no geometry", "no_geometry")
    ll = gdf.geometry[valid].to_crs(WGS84) if gdf.crs != WGS84 else gdf.geometry[valid]
    b = ll.bounds
    minx, miny, maxx, maxy = AMBON_REGION_LONLAT
    outside = (b.minx < minx) | (b.maxx > maxx) | (b.miny < miny) | (b.maxy > maxy)
    if outside.any():
        first = ll[outside].iloc[0].representative_point()
        raise InputError(
            f"{what} file {source}: {int(outside.sum())} of {len(ll)} features lie outside the Ambon region "
            f"(lon {minx}..{maxx}, lat {miny}..{maxy}), first at lon {first.x:.5f} lat {first.y:.5f}; "
            f"swapped lon/lat or another place?", "outside_region",
            count=int(outside.sum()), total=len(ll), lon=float(first.x), lat=float(first.y))
    return gdf


def demand_weights(demand: gpd.GeoDataFrame, column: str | None) -> np.ndarray:
    """Weights from ``column`` (or a "weight" column when present, else 1); InputError when a
    named column is missing or holds missing, non-numeric or negative values."""
    if column is None:
        if "weight" not in demand.columns:
            return np.ones(len(demand))
        column = "weight"
    if column not in demand.columns:
        raise InputError(f"demand has no column {column!r} (columns: {', '.join(map(str, demand.columns))})")
    w = pd.to_numeric(demand[column], errors="coerce")
    if w.isna().any():
        raise InputError(f"weight column {column!r} has {int(w.isna().sum())} missing or non-numeric values")
    if (w < 0).any() or not np.isfinite(w).all():
        raise InputError(f"weight column {column!r} has negative or infinite values")
    return w.to_numpy(dtype=float)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m geo.recommend", description=__doc__.split("\n\n")[0])
    p.add_argument("--demand", required=True, help="demand points (weight column optional)")
    p.add_argument("--candidates", required=True, help="candidate sites")
    p.add_argument("--existing", help="existing cameras (their coverage counts as covered)")
    p.add_argument("--k", type=int, required=True, help="number of new sites")
    p.add_argument("--radius-m", type=float, required=True, help="camera range in metres")
    p.add_argument("--weight-column", help="demand weight column (default: 'weight' if present, else 1)")
    p.add_argument("--min-spacing-m", type=float, default=0.0, help="minimum metres to existing and new sites")
    p.add_argument("--time-limit-s", type=float, default=60.0, help="time limit in seconds (default 60)")
    p.add_argument("--headings", type=int, default=0,
                   help="each candidate is a pole facing one of this many headings (default: all around)")
    p.add_argument("--fov-deg", type=float, default=DEFAULT_FOV_DEG, help="field of view with --headings (degrees)")
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    p.add_argument("--out", required=True, help="output file (.geojson; .gpkg and .csv also work)")
    return p


def run(args) -> dict:
    t0 = time.perf_counter()
    if args.k < 1:
        raise InputError(f"--k must be at least 1 (got {args.k})")
    if not (args.radius_m > 0 and np.isfinite(args.radius_m)):
        raise InputError(f"--radius-m must be a positive number of metres (got {args.radius_m})")
    if args.min_spacing_m < 0:
        raise InputError("--min-spacing-m must not be negative")
    if not args.time_limit_s > 0:
        raise InputError("--time-limit-s must be positive")
    if args.headings < 0 or args.headings > 72:
        raise InputError(f"--headings must be between 1 and 72 (got {args.headings})")
    if not (0 < args.fov_deg <= 360):
        raise InputError(f"--fov-deg must be between 0 and 360 degrees (got {args.fov_deg})")
    demand = read_layer(args.demand, "demand")
    cands = read_layer(args.candidates, "candidates")
    existing = read_layer(args.existing, "existing cameras") if args.existing else None
    if args.k > len(cands):
        raise InputError(f"--k {args.k} is larger than the {len(cands)} candidate sites")
    w = demand_weights(demand, args.weight_column)
    keep = (demand.geometry.notna() & ~demand.geometry.is_empty).to_numpy()
    demand, w = demand[keep].reset_index(drop=True), w[keep]

    dxy = points_xy(demand)
    cxy = points_xy(cands)  # rows without geometry become NaN and cover nothing
    groups = heading = fov = None
    if args.headings:
        A = heading_coverage(dxy, cxy, args.radius_m, args.headings, args.fov_deg)
        cxy, heading, fov, groups = pole_headings(cxy, args.headings, args.fov_deg)
    else:
        A = coverage_matrix(dxy, cxy, args.radius_m)
    covered0 = np.zeros(len(demand), dtype=bool)
    exy = None
    if existing is not None:
        ex = existing[existing.geometry.notna() & ~existing.geometry.is_empty]
        x, y, h, f, r = camera_arrays(ex, default_radius_m=args.radius_m)
        exy = np.c_[x, y]
        covered0 = covered_mask(dxy, exy, r, heading_deg=h, fov_deg=f)
    pairs, forbidden = spacing_conflicts(cxy, args.min_spacing_m, exy)
    res = solve_mclp(A, w, args.k, already_covered=covered0, conflicts=pairs, forbidden=forbidden,
                     groups=groups, method=args.method, time_limit_s=args.time_limit_s)
    if groups is not None:  # sites are (pole, heading): report poles, with the heading chosen
        site = res.selected
        res.selected = groups[site]
        out = recommendation_frame(cands, res)
        out["heading_deg"] = heading[site]
        out["fov_deg"] = fov[site]
    else:
        out = recommendation_frame(cands, res)
    write_any(out, args.out)
    summary = res.summary()
    summary["seconds"] = round(time.perf_counter() - t0, 4)
    print(f"{len(res.selected)} sites chosen; covered weight {res.covered_weight:g} of {res.total_weight:g} "
          f"(existing {res.existing_weight:g}); bound {res.bound:g}, gap {100 * res.gap:.3f} %, "
          f"{res.method} ({res.status}); written to {args.out}")
    return summary


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        summary = run(args)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - planners' scripts need one line, not a traceback
        print(f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
