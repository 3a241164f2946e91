"""The coverage-gap analysis behind the planners' page: from the city's layers to today's gaps and
the recommended new camera sites.

Demand is built from the store's own layers with weights the planner sets (see
:data:`WEIGHT_KEYS` for the unit of each weight: per complaint, per site, per 100 m of river bank,
per 100 m of road by road group, per business).

Candidate sites, unless the planner uploads some (poles, say), are points along the stored road
network every half camera radius (25-200 m), where cameras are mounted on poles by the road. A
store without roads falls back to the points of a square grid over the city's land that would see
at least some demand, so that no candidate is wasted on empty hillside; its step is the same, so a
chosen site is never more than about a third of the radius from the best possible spot.

Everything works in UTM 52S (metres); results come back in WGS 84 for the map and the exports.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree
from sqlalchemy import Engine

from geo.boundaries import assign_areas
from geo.coverage import coverage_matrix, points_xy
from geo.crs import AMBON_UTM, WGS84
from geo.demand import combine_demand, sample_line_points, sample_lines, sample_polygons, weighted_points
from geo.export import recommendation_frame, recommendation_sectors
from geo.gaps import area_assignment, demand_covered, gap_by_area, gap_by_layer, hex_grid
from geo.headings import DEFAULT_FOV_DEG, best_headings
from geo.mclp import Cancelled, solve_mclp, spacing_conflicts
from geo.roads import ROAD_GROUPS, road_group
from geo.sectors import camera_arrays
from i18n import LANGUAGES, t
from i18n.reasons import gap_sentences, site_reasons
from imports.models import Obstacle
from planning.geometry_cache import GeometryCache, fingerprint
from store import layers
from store.models import Business, Camera, FloodZone, River, TpsSite
from store.roads import read_roads
from store.vocabulary import COMPLAINT_CATEGORIES

__all__ = ["WEIGHT_KEYS", "DEFAULT_WEIGHTS", "AnalysisParams", "CityLayers", "CoverageAnalysis", "Cancelled", "NoDemand",
           "read_city_layers", "build_demand", "demand_points", "weigh", "weighted_keys", "grid_candidates", "road_candidates", "analyse", "parse_params"]

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

WEIGHT_KEYS = (tuple(f"complaint.{c}" for c in COMPLAINT_CATEGORIES) + tuple(f"road.{g}" for g in ROAD_GROUPS)
               + ("tps", "flood", "business", "upload"))
"""Weights the planner sets: per complaint of a category, per 100 m of road of a group, per TPS site,
per 100 m of river bank in a flood zone, per business, and a factor on an uploaded layer's own weights."""

DEFAULT_WEIGHTS = {
    "complaint.kriminal": 3.0, "complaint.ketertiban": 2.0, "complaint.lalu_lintas": 2.0, "complaint.banjir": 2.0,
    "complaint.sampah": 1.0, "complaint.pasar": 1.0, "complaint.jalan": 0.5, "complaint.drainase": 0.5,
    "complaint.pajak": 0.0, "road.primary": 3.0, "road.secondary": 2.0, "road.tertiary": 1.5, "road.local": 1.0,
    "road.minor": 0.2, "tps": 4.0, "flood": 2.0, "business": 1.0, "upload": 1.0,
}

LIMITS = {
    "k": (1, 200), "budget": (1.0, 1e13), "cost_per_site": (1.0, 1e12), "radius_m": (10.0, 500.0),
    "min_spacing_m": (0.0, 2000.0), "time_limit_s": (1.0, 600.0), "weight": (0.0, 100.0),
    "per_kecamatan": (0, 200),
}
"""Accepted ranges of every parameter (validated on the server, whatever the browser sent)."""
MAX_SITES = LIMITS["k"][1]
HEX_SIZE_M = 250.0
"""Circumradius of the gap hexagons, metres (a hexagon covers about 16 ha)."""
FLOOD_BANK_SPACING_M = 25.0
ROAD_SPACING_M = 25.0
WATERFRONT_M = 50.0
"""Roads this close outside the city's land still count as the city's (boundaries drawn a little inland)."""


@dataclass(frozen=True)
class AnalysisParams:
    """What the planner asked for. Either ``k`` new sites, or as many as ``budget`` allows at
    ``cost_per_site`` (same currency). Distances in metres, time in seconds."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    k: int | None = 10
    budget: float | None = None
    cost_per_site: float | None = None
    radius_m: float = 100.0
    min_spacing_m: float = 200.0
    time_limit_s: float = 20.0
    per_kecamatan: int | None = None
    """At most this many new sites per kecamatan (None: no quota)."""

    def sites_allowed(self) -> int:
        """The most sites this request can choose (k, or what the budget buys)."""
        if self.budget is not None:
            return int(self.budget // self.cost_per_site)
        return int(self.k)


def _number(raw, name: str, problems: list[str], *, integer: bool = False, optional: bool = False):
    if raw is None or raw == "":
        if not optional:
            problems.append(name)
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append(name)
        return None
    low, high = LIMITS["weight" if name.startswith("weight.") else name]
    if not np.isfinite(value) or not low <= value <= high or (integer and value != int(value)):
        problems.append(name)
        return None
    return int(value) if integer else value


def parse_params(raw: dict) -> tuple[AnalysisParams | None, list[str]]:
    """Validate what a form sent (any JSON-ish values) into :class:`AnalysisParams`.

    Returns ``(params, problems)``: ``problems`` names every rejected field ("k", "radius_m",
    "weight.tps", "budget", ...; "weight" when the weights are no mapping); params is None when there is any. Unknown weight keys are
    rejected too; missing weights take their default.
    """
    problems: list[str] = []
    raw_weights = raw.get("weights") or {}
    if not isinstance(raw_weights, dict):
        raw_weights, problems = {}, ["weight"]
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in raw_weights.items():
        if key not in WEIGHT_KEYS:
            problems.append(f"weight.{key}"[:60])
            continue
        number = _number(value, f"weight.{key}", problems)
        if number is not None:
            weights[key] = number
    by_budget = raw.get("mode") == "budget"
    k = None if by_budget else _number(raw.get("k"), "k", problems, integer=True)
    budget = _number(raw.get("budget"), "budget", problems) if by_budget else None
    cost = _number(raw.get("cost_per_site"), "cost_per_site", problems) if by_budget else None
    if budget is not None and cost is not None and not 1 <= budget // cost <= MAX_SITES:
        problems.append("budget")
    radius = _number(raw.get("radius_m"), "radius_m", problems)
    spacing = _number(raw.get("min_spacing_m"), "min_spacing_m", problems)
    limit = _number(raw.get("time_limit_s"), "time_limit_s", problems)
    quota = _number(raw.get("per_kecamatan"), "per_kecamatan", problems, integer=True, optional=True)
    if problems:
        return None, problems
    return AnalysisParams(weights, k, budget, cost, radius, spacing, limit, quota or None), []


class NoDemand(ValueError):
    """Raised by :func:`analyse` when there is nothing to watch (every weight 0 or empty layers)."""


@dataclass
class CityLayers:
    """The layers the analysis reads, as GeoDataFrames in any CRS (the store gives WGS 84).

    ``complaints`` need a ``category`` column; ``cameras`` may carry ``heading_deg``, ``fov_deg``,
    ``range_m``; ``kecamatan`` needs ``code`` and ``name``, ``desa`` ``code``, ``name`` and
    ``parent_code``; ``roads`` need ``highway`` and ``name`` (OSM classes, see :mod:`geo.roads`).
    ``land`` is the city's land polygon(s)."""

    cameras: gpd.GeoDataFrame
    complaints: gpd.GeoDataFrame
    tps: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    flood_zones: gpd.GeoDataFrame
    businesses: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame
    land: gpd.GeoSeries
    obstacles: gpd.GeoDataFrame | None = None
    """Stored view obstacles (imported on /admin), used when the planner uploads none."""


def read_city_layers(engine: Engine) -> CityLayers:
    """Everything the analysis needs, read from the store."""
    kecamatan = layers.read_admin_areas(engine, "kecamatan")
    return CityLayers(
        cameras=layers.read_features(engine, Camera, columns=["id", "name", "heading_deg", "fov_deg", "range_m"]),
        complaints=layers.read_complaints(engine, layers.ComplaintFilter(), columns=["id", "category"]),
        tps=layers.read_features(engine, TpsSite, columns=["id", "name"]),
        rivers=layers.read_features(engine, River, columns=["id", "name"]),
        flood_zones=layers.read_features(engine, FloodZone, columns=["id", "name", "hazard"]),
        businesses=layers.read_features(engine, Business, columns=["id", "name"]),
        roads=read_roads(engine),
        kecamatan=kecamatan[["code", "name", "geometry"]],
        desa=layers.read_admin_areas(engine, "desa")[["code", "name", "parent_code", "geometry"]],
        land=gpd.GeoSeries([kecamatan.union_all()], crs=kecamatan.crs),
        obstacles=layers.read_features(engine, Obstacle, columns=["id", "name"]),
    )


def flood_banks(rivers: gpd.GeoDataFrame, flood_zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The stretches of river inside flood-prone zones (lines in UTM 52S, with the river's name)."""
    if len(rivers) == 0 or len(flood_zones) == 0:
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs=AMBON_UTM)
    zones = flood_zones.to_crs(AMBON_UTM).union_all()
    lines = rivers.to_crs(AMBON_UTM)
    return gpd.GeoDataFrame({"name": lines["name"].to_numpy()}, geometry=lines.intersection(zones).values, crs=AMBON_UTM)


def build_demand(city: CityLayers, weights: dict[str, float], extra: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Weighted demand points (UTM 52S, columns of :mod:`geo.demand` and ``weight_key``) from the city's layers.

    Complaints keep their category code as ``kind``. ``extra`` is an uploaded layer: points
    (weight per point, times its ``weight`` column when present), lines (per 100 m; layer "road"
    when it has an OSM ``highway`` column) or polygons (per hectare); its weights are multiplied
    by ``weights["upload"]``. Layers whose weight is 0 are left out.
    """
    return weigh(demand_points(city, weighted_keys(weights), extra), weights)


def weighted_keys(weights: dict[str, float]) -> frozenset[str]:
    """The weight keys that are not 0: which demand points exist."""
    return frozenset(key for key, value in weights.items() if value)


def demand_points(city: CityLayers, weighted: frozenset[str], extra: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The demand points of :func:`build_demand` for the weight keys in ``weighted``, each with its
    ``weight_key`` and the weight it has when that key's weight is 1 (:func:`weigh` applies the
    planner's): everything but the weights' values."""
    def keyed(part: gpd.GeoDataFrame, key) -> gpd.GeoDataFrame:
        return part.assign(weight_key=key)

    parts = []
    categories = {c: 1.0 for c in COMPLAINT_CATEGORIES if f"complaint.{c}" in weighted}
    if categories:
        part = weighted_points(city.complaints, layer="complaint", category_col="category", weights=categories, default_weight=0.0)
        parts.append(keyed(part, "complaint." + part["kind"]))
    groups = {g: 1.0 for g in ROAD_GROUPS if f"road.{g}" in weighted}
    if groups and len(city.roads):
        roads = city.roads.assign(group=road_group(city.roads["highway"]).to_numpy())
        part = sample_lines(roads, spacing_m=ROAD_SPACING_M, class_col="group", weights=groups, default_weight=0.0)
        parts.append(keyed(part, "road." + part["kind"]))
    if "tps" in weighted:
        parts.append(keyed(weighted_points(city.tps, layer="tps", default_weight=1.0, name_col="name"), "tps"))
    if "flood" in weighted:
        parts.append(keyed(sample_lines(flood_banks(city.rivers, city.flood_zones), spacing_m=FLOOD_BANK_SPACING_M,
                                        class_col=None, default_weight=1.0, layer="flood"), "flood"))
    if "business" in weighted:
        parts.append(keyed(weighted_points(city.businesses, layer="business", default_weight=1.0, name_col="name"), "business"))
    if extra is not None and len(extra) and "upload" in weighted:
        parts.append(keyed(upload_demand(extra, 1.0), "upload"))
    demand = combine_demand(*parts)
    if "weight_key" not in demand.columns:  # no layer at all
        demand["weight_key"] = np.empty(0, dtype=object)
    return demand[demand["weight"] > 0].reset_index(drop=True)


def weigh(demand: gpd.GeoDataFrame, weights: dict[str, float]) -> gpd.GeoDataFrame:
    """:func:`demand_points` with the planner's ``weights``: each point's weight times its key's."""
    factor = demand["weight_key"].map(weights).to_numpy(dtype=float, na_value=0.0)
    return demand.assign(weight=demand["weight"].to_numpy() * factor)


def upload_demand(extra: gpd.GeoDataFrame, factor: float) -> gpd.GeoDataFrame:
    """Demand from an uploaded layer, by geometry type (see :func:`build_demand`)."""
    kinds = extra.geometry.geom_type.fillna("")
    own = "weight" if "weight" in extra.columns else None
    name_col = "name" if "name" in extra.columns else None
    points = extra[kinds.str.endswith("Point")]
    lines = extra[kinds.str.endswith("LineString")]
    polygons = extra[kinds.str.endswith("Polygon")]
    parts = [weighted_points(points, layer="upload", default_weight=factor, weight_col=own, name_col=name_col)]
    if len(lines):
        is_road = "highway" in lines.columns
        demand = sample_lines(lines, class_col="highway" if is_road else None, name_col=name_col,
                              layer="road" if is_road else "upload", default_weight=1.0)
        parts.append(demand.assign(weight=demand["weight"] * factor))
    if len(polygons):
        parts.append(sample_polygons(polygons, layer="upload", weight_per_ha=factor, name_col=name_col))
    return combine_demand(*parts)


def _candidate_step_m(radius_m: float) -> float:
    return float(np.clip(radius_m / 2, 25.0, 200.0))


def _seeing_demand(xy: np.ndarray, demand_xy: np.ndarray, radius_m: float) -> np.ndarray:
    """The rows of ``xy`` with some demand within ``radius_m`` metres."""
    if not len(demand_xy) or not len(xy):
        return xy[:0]
    distance, _ = cKDTree(demand_xy).query(xy, distance_upper_bound=radius_m)
    return xy[np.isfinite(distance)]


def road_candidates(roads: gpd.GeoDataFrame, land: gpd.GeoSeries, demand_xy: np.ndarray, radius_m: float) -> gpd.GeoDataFrame:
    """Candidate sites: points every half radius (25-200 m) along the roads on ``land`` (the city,
    not the roads of the neighbouring regency; a waterfront road just beyond the boundary line
    counts) that see some demand within ``radius_m`` metres. Points in UTM 52S."""
    points, _, _ = sample_line_points(roads.geometry.to_crs(AMBON_UTM).to_numpy(), _candidate_step_m(radius_m))
    xy = _seeing_demand(shapely.get_coordinates(points), demand_xy, radius_m)
    return _on_land(xy, land, margin_m=WATERFRONT_M)


def grid_candidates(land: gpd.GeoSeries, demand_xy: np.ndarray, radius_m: float) -> gpd.GeoDataFrame:
    """Candidate sites: grid points on ``land`` (step half the radius, 25-200 m) that see some
    demand within ``radius_m`` metres. Points in UTM 52S."""
    step = _candidate_step_m(radius_m)
    minx, miny, maxx, maxy = land.to_crs(AMBON_UTM).total_bounds
    gx, gy = np.meshgrid(np.arange(minx + step / 2, maxx, step), np.arange(miny + step / 2, maxy, step))
    xy = _seeing_demand(np.c_[gx.ravel(), gy.ravel()], demand_xy, radius_m)
    return _on_land(xy, land)


def _on_land(xy: np.ndarray, land: gpd.GeoSeries, margin_m: float = 0.0) -> gpd.GeoDataFrame:
    """The points of ``xy`` (UTM 52S) on ``land``, or within ``margin_m`` metres of it."""
    land_m = land.to_crs(AMBON_UTM).union_all().buffer(margin_m)
    shapely.prepare(land_m)
    points = shapely.points(xy)
    points = points[shapely.contains(land_m, points)] if len(points) else points
    return gpd.GeoDataFrame(geometry=points, crs=AMBON_UTM)


@dataclass
class CoverageAnalysis:
    """Today's gaps and the recommended sites. Weights are in "weight points" (the planner's units).

    ``by_layer``: :func:`geo.gaps.gap_by_layer` table (layer and kind). ``by_kecamatan``: name,
    total, covered and uncovered weight, percent covered. ``hexes``: WGS 84 hexagons with
    ``uncovered_weight`` > 0. ``sentences``: per language, one line per layer/kind ("62 % of ...
    covered"). ``sites``: WGS 84 points in rank order (rank, candidate_index, marginal_weight,
    reason_id, reason_en, the names of the desa and kecamatan they are in, None outside every
    desa, and ``heading_deg``: which way the camera should face, degrees clockwise from north).
    ``sectors``: their proposed views (sectors of :data:`geo.headings.DEFAULT_FOV_DEG` degrees). ``solution``: covered, existing, total
    weight, bound, gap (0-1), method, status, seconds, candidate counts.
    """

    by_layer: pd.DataFrame
    by_kecamatan: pd.DataFrame
    hexes: gpd.GeoDataFrame
    sentences: dict[str, list[str]]
    sites: gpd.GeoDataFrame
    sectors: gpd.GeoDataFrame
    solution: dict


def _kinds(demand: pd.DataFrame, lang: str) -> np.ndarray:
    """The ``kind`` column with complaint categories and road groups named in ``lang`` (for sentences and reasons)."""
    labels = {("complaint", c): t(f"category.{c}", lang).lower() for c in COMPLAINT_CATEGORIES}
    labels |= {("road", g): t(f"road.kind.{g}", lang) for g in ROAD_GROUPS}
    named = pd.Series([labels.get(key) for key in zip(demand["layer"], demand["kind"])], index=demand.index, dtype=object)
    return named.fillna(demand["kind"]).to_numpy()


@dataclass
class _Geometry:
    """What a run builds from geometry alone (the same for runs that differ only in the weights'
    values; kept between them by :mod:`planning.geometry_cache`): the demand points at weight 1
    (:func:`demand_points`), then what today's cameras see and where each point lies
    (:meth:`see_today`), then the candidate sites, the coverage matrix and the spacing conflicts
    (:meth:`place_sites`). Raise :data:`planning.geometry_cache.FORMAT` when what it holds changes."""

    demand: gpd.GeoDataFrame
    walls: np.ndarray | None
    """The view obstacles in UTM 52S (None: none)."""
    covered: np.ndarray | None = None
    kinds: dict[str, np.ndarray] | None = None
    hexes: gpd.GeoDataFrame | None = None
    in_hex: tuple[np.ndarray, np.ndarray] | None = None
    in_kecamatan: tuple[np.ndarray, np.ndarray] | None = None
    candidates: gpd.GeoDataFrame | None = None
    source: str = ""
    A: sp.csr_matrix | None = None
    conflicts: np.ndarray | None = None
    forbidden: np.ndarray | None = None

    def __getstate__(self) -> dict:
        """Kept compactly: the demand points' text columns as codes into their distinct values, their
        geometry as coordinates (unpickling 40,000 rows of strings and points took 0.16 s)."""
        columns = {}
        for name in self.demand.columns.drop(self.demand.geometry.name):
            values = self.demand[name].to_numpy()
            columns[name] = pd.factorize(values, use_na_sentinel=False) if values.dtype == object else values
        return {**self.__dict__, "demand": (columns, points_xy(self.demand))}

    def __setstate__(self, state: dict) -> None:
        columns, xy = state["demand"]
        columns = {name: (v[1][v[0]] if isinstance(v, tuple) else v) for name, v in columns.items()}
        self.__dict__.update(state, demand=gpd.GeoDataFrame(columns, geometry=shapely.points(xy), crs=AMBON_UTM))

    def see_today(self, city: CityLayers, radius_m: float, obstacles: gpd.GeoDataFrame | None) -> None:
        demand = self.demand
        self.covered = demand_covered(demand, city.cameras, default_radius_m=radius_m, obstacles=obstacles)
        self.kinds = {lang: _kinds(demand, lang) for lang in LANGUAGES}
        self.hexes = hex_grid(demand.total_bounds, HEX_SIZE_M)
        self.in_hex = area_assignment(demand, self.hexes)
        self.in_kecamatan = area_assignment(demand, city.kecamatan)

    def place_sites(self, city: CityLayers, params: AnalysisParams, uploaded: gpd.GeoDataFrame | None) -> None:
        demand_xy = points_xy(self.demand)
        if uploaded is not None:
            self.source, candidates = "upload", uploaded
        elif len(city.roads):
            self.source, candidates = "roads", road_candidates(city.roads, city.land, demand_xy, params.radius_m)
        else:
            self.source, candidates = "grid", grid_candidates(city.land, demand_xy, params.radius_m)
        self.candidates = candidates.reset_index(drop=True)
        candidate_xy = points_xy(self.candidates)
        self.A = coverage_matrix(demand_xy, candidate_xy, params.radius_m, obstacles=self.walls)
        camera_x, camera_y, *_ = camera_arrays(city.cameras, default_radius_m=params.radius_m)
        self.conflicts, self.forbidden = spacing_conflicts(candidate_xy, params.min_spacing_m, np.c_[camera_x, camera_y])


def _gap_hexes(demand: gpd.GeoDataFrame, covered: np.ndarray, grid: gpd.GeoDataFrame, in_hex) -> gpd.GeoDataFrame:
    cells = gap_by_area(demand, covered, grid, assignment=in_hex)
    cells["uncovered_weight"] = (cells["total_weight"] - cells["covered_weight"]).round(2)
    cells = cells[cells["uncovered_weight"] > 0]
    cells = cells.assign(total_weight=cells["total_weight"].round(2), pct_covered=cells["pct_weight"].round(0))
    return cells[["hex_id", "total_weight", "uncovered_weight", "pct_covered", "geometry"]].to_crs(WGS84).reset_index(drop=True)


def _by_kecamatan(demand: gpd.GeoDataFrame, covered: np.ndarray, kecamatan: gpd.GeoDataFrame, in_kecamatan) -> pd.DataFrame:
    table = gap_by_area(demand, covered, kecamatan, name_col="name", assignment=in_kecamatan)
    table = pd.DataFrame(table[["area_name", "total_weight", "covered_weight", "pct_weight"]])
    table["uncovered_weight"] = table["total_weight"] - table["covered_weight"]
    return table.rename(columns={"area_name": "name"}).sort_values("uncovered_weight", ascending=False, ignore_index=True)


def _staged(progress: ProgressFn | None, cancel: CancelFn | None, min_interval_s: float = 0.25, min_step: float = 0.05):
    """`report(fraction, stage)` that honours the cancel hook and forwards progress on a new stage,
    a step of `min_step` or after `min_interval_s` seconds (a job writes each report to its queue's
    store, and the solver may report many times a second)."""
    last = {"stage": None, "fraction": 0.0, "at": 0.0}

    def report(fraction: float, stage: str) -> None:
        if cancel is not None and cancel():
            raise Cancelled("cancelled")
        now = time.monotonic()
        if progress is not None and (stage != last["stage"] or fraction - last["fraction"] >= min_step
                                     or now - last["at"] >= min_interval_s):
            last.update(stage=stage, fraction=fraction, at=now)
            progress(fraction, stage)

    return report


def analyse(city: CityLayers, params: AnalysisParams, *, extra_demand: gpd.GeoDataFrame | None = None,
            candidates: gpd.GeoDataFrame | None = None, obstacles: gpd.GeoDataFrame | None = None,
            progress: ProgressFn | None = None, cancel: CancelFn | None = None,
            cache: GeometryCache | None = None) -> CoverageAnalysis:
    """Today's coverage of the weighted demand and the best new sites for it.

    ``candidates``: uploaded candidate points (any CRS), else :func:`road_candidates` or
    :func:`grid_candidates`. ``obstacles``: polygons (building footprints, a hill mask; any CRS)
    that stop a camera's view, today's cameras' and the new sites' alike (default: the city's stored ones).
    ``progress(fraction 0-1, stage)`` is called with stages "demand", "gaps", "candidates",
    "solve", "reasons", "done"; ``cancel()`` returning True stops the run with
    :class:`geo.mclp.Cancelled` (checked between stages and inside the solver). Raises
    :class:`NoDemand` when there is nothing to watch. ``cache``: where the geometry of earlier runs is
    kept (:mod:`planning.geometry_cache`): a run that differs from one of them only in the weights'
    values takes its demand points, candidates, coverage matrix and spacing conflicts from there.
    """
    t0 = time.perf_counter()
    report = _staged(progress, cancel)
    report(0.0, "demand")
    obstacles = obstacles if obstacles is not None else city.obstacles
    obstacles = obstacles if obstacles is not None and len(obstacles) else None
    weighted = weighted_keys(params.weights)
    key = None if cache is None else fingerprint(
        city.complaints, city.roads, city.tps, city.rivers, city.flood_zones, city.businesses, city.cameras,
        city.kecamatan, city.land, extra_demand, candidates, obstacles, float(params.radius_m), float(params.min_spacing_m),
        weighted)
    geometry = None if cache is None else cache.get(key)
    fresh = geometry is None
    if fresh:
        geometry = _Geometry(demand_points(city, weighted, extra_demand),
                             None if obstacles is None else obstacles.to_crs(AMBON_UTM).geometry.to_numpy())
    demand = weigh(geometry.demand, params.weights)
    if len(demand) == 0:
        raise NoDemand("no demand: every weight is zero or the layers are empty")
    report(0.05, "gaps")
    if fresh:
        geometry.see_today(city, params.radius_m, obstacles)
    covered = geometry.covered
    by_layer = gap_by_layer(demand, covered)
    labelled = {lang: demand.assign(kind=geometry.kinds[lang]) for lang in LANGUAGES}  # for the sentences now, the reasons later
    sentences = {lang: gap_sentences(gap_by_layer(labelled[lang], covered), lang) for lang in LANGUAGES}
    hexes = _gap_hexes(demand, covered, geometry.hexes, geometry.in_hex)
    by_kecamatan = _by_kecamatan(demand, covered, city.kecamatan, geometry.in_kecamatan)

    report(0.15, "candidates")
    if fresh:
        geometry.place_sites(city, params, candidates)
        if cache is not None:
            cache.put(key, geometry)
    candidates, A, walls = geometry.candidates, geometry.A, geometry.walls
    demand_xy, candidate_xy = points_xy(demand), points_xy(candidates)
    conflicts, forbidden = geometry.conflicts, geometry.forbidden
    k = min(params.sites_allowed(), len(candidates))
    costs = None if params.budget is None else np.full(len(candidates), float(params.cost_per_site))

    area = None
    if params.per_kecamatan:  # each candidate's kecamatan (outside every one: no quota)
        codes = assign_areas(candidates.geometry, city.desa)["kecamatan_code"]
        area = pd.Series(pd.factorize(codes)[0], index=codes.index).where(codes.notna(), -1).to_numpy(np.int64)

    report(0.25, "solve")
    weight = demand["weight"].to_numpy()
    existing = float(weight[covered].sum())
    solving = {"fraction": 0.0, "gap": ""}

    def solver_progress(fraction: float, _message: str) -> None:
        solving["fraction"] = fraction
        report(0.25 + 0.65 * fraction, "solve" + solving["gap"])

    def solver_bound(bound: float, best: float) -> None:  # the certified gap as it closes: "solve:2.4"
        gap = (bound - best) / (bound - existing) if bound > existing else 0.0
        solving["gap"] = f":{100 * max(gap, 0.0):.1f}"
        report(0.25 + 0.65 * solving["fraction"], "solve" + solving["gap"])

    result = solve_mclp(A, weight, k, budget=params.budget, costs=costs, already_covered=covered,
                        conflicts=conflicts, forbidden=forbidden, time_limit_s=params.time_limit_s,
                        area=area, per_area=params.per_kecamatan if area is not None else None,
                        progress=solver_progress, on_bound=solver_bound, cancel=cancel)

    report(0.9, "reasons")
    sites = recommendation_frame(candidates, result)
    for lang in LANGUAGES:
        sites[f"reason_{lang}"] = site_reasons(labelled[lang], A, result.selected, covered, lang=lang)
    sites["marginal_weight"] = sites["marginal_weight"].round(2)
    place = assign_areas(sites.geometry, city.desa)  # where each site is, by name, for people and spreadsheets
    sites["desa"] = place["desa_code"].map(dict(zip(city.desa["code"], city.desa["name"])))
    sites["kecamatan"] = place["kecamatan_code"].map(dict(zip(city.kecamatan["code"], city.kecamatan["name"])))
    # which way each site's camera should face: the sector that sees most of what is not yet watched
    heading, _ = best_headings(demand_xy, weight, candidate_xy[result.selected], params.radius_m,
                               already_covered=covered)
    sites["heading_deg"] = heading
    sectors = recommendation_sectors(sites[["rank", "heading_deg", "geometry"]], params.radius_m,
                                     heading_deg=heading, fov_deg=np.full(len(sites), DEFAULT_FOV_DEG))
    solution = {**result.summary(), "existing_weight": float(result.existing_weight), "status": result.status,
                "candidates": len(candidates), "candidate_source": geometry.source, "demand_points": len(demand),
                "obstacles": 0 if walls is None else len(walls),
                "seconds": round(time.perf_counter() - t0, 2), "solver_seconds": round(result.seconds, 2)}
    report(1.0, "done")
    return CoverageAnalysis(by_layer, by_kecamatan, hexes, sentences, sites, sectors, solution)


def class_breaks(values, classes: int = 5) -> list[float]:
    """Up to ``classes - 1`` increasing thresholds that split ``values`` into classes of about equal
    size (quantiles), rounded to two significant digits so a legend reads well."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return []
    quantiles = np.quantile(values, np.linspace(0, 1, classes + 1)[1:-1])
    rounded = [float(f"{q:.2g}") for q in quantiles if q > 0]
    return sorted(set(rounded))
