"""Administrative boundaries (kecamatan, desa/kelurahan) from any polygon layer, and which desa a
point lies in, with the traps of real boundary files handled.

Codes are Kemendagri's, dotted ("81.71.01" for a kecamatan, "81.71.01.1006" for a desa); files
that write them without dots ("8171011006") are read too. A file of another city (or country: a
file named "Ambon" may be Ambon in France) is refused by its codes and by where it lies.

Real boundaries overlap a little where neighbours meet, and waterfront places (a market, a bridge
end) lie a few metres outside every polygon: :func:`assign_areas` gives a point in two desa the
smaller one (the more specific) and a point just outside all of them the nearest desa within
:data:`WATERFRONT_M` metres.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import AMBON_UTM, WGS84

LEVELS = ("kecamatan", "desa")
CITY_CODE = "81.71"
"""Kota Ambon."""
CODE_DIGITS = {"kecamatan": (2, 2, 2), "desa": (2, 2, 2, 4)}
CODE_COLUMNS = {"kecamatan": ("kode", "code", "kode_kec", "kode_kecamatan", "kdkec"),
                "desa": ("kode", "code", "kode_desa", "kode_kel", "kdepum", "kode_bps_style")}
NAME_COLUMNS = {"kecamatan": ("nama", "name", "nama_kec", "kecamatan", "wadmkc"),
                "desa": ("nama", "name", "nama_desa", "desa", "namobj", "wadmkd")}
KIND_COLUMNS = ("jenis", "kind", "type", "tipe")
PARENT_COLUMNS = ("kode_kec", "kecamatan_code", "parent_code", "kdkec")
POPULATION_COLUMNS = ("penduduk", "population", "jumlah_penduduk", "jml_penduduk")
WATERFRONT_M = 200.0


REFUSAL_TEXT = {
    "no_polygons": "the layer has no polygons",
    "no_code": "no column holds the areas' Kemendagri codes (kode)",
    "bad_codes": "these are not {level} codes like {example}",
    "other_level": "these are codes of the other level, not {level} codes like {example}",
    "other_city": "these areas are not in Kota Ambon (81.71)",
    "duplicate_codes": "these codes appear more than once",
    "no_name": "some areas have no name (nama)",
}
"""Why a layer was refused, in English (the command line, logs); pages word the code themselves."""
CODE_EXAMPLE = {"kecamatan": "81.71.01", "desa": "81.71.01.1006"}


class BadBoundaries(ValueError):
    """A boundary layer that cannot be used. ``code``: a key of :data:`REFUSAL_TEXT`;
    ``examples``: a few offending values."""

    def __init__(self, code: str, level: str, examples: tuple[str, ...] = ()):
        text = REFUSAL_TEXT[code].format(level=level, example=CODE_EXAMPLE[level])
        super().__init__(f"{text}: {', '.join(examples)}" if examples else text)
        self.code = code
        self.examples = examples


def _column(layer: gpd.GeoDataFrame, names: tuple[str, ...]) -> pd.Series | None:
    by_lower = {str(c).lower(): c for c in layer.columns if c != layer.geometry.name}
    found = next((by_lower[n] for n in names if n in by_lower), None)
    return layer[found] if found is not None else None


def dotted_code(values: pd.Series, level: str) -> pd.Series:
    """Codes as Kemendagri writes them; "8171011006" becomes "81.71.01.1006". Anything else stays
    as it was (and fails :func:`normalise_admin_areas`'s check)."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    widths = CODE_DIGITS[level]
    plain = text.str.fullmatch(r"\d{%d}" % sum(widths))
    starts = np.cumsum((0,) + widths[:-1])
    spelled = pd.Series([".".join(t[s:s + w] for s, w in zip(starts, widths)) for t in text[plain]], index=text[plain].index, dtype=object)
    return text.where(~plain, spelled)


def _code_pattern(level: str) -> str:
    return r"\.".join(r"\d{%d}" % w for w in CODE_DIGITS[level])


def normalise_admin_areas(layer: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """The polygons of ``layer`` (any CRS) as the store's admin areas of ``level``: ``code``,
    ``name``, ``kind``, ``parent_code``, ``population`` (NaN when the file has none), ``level``
    and valid geometry in WGS 84. Raises :class:`BadBoundaries`."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    kinds = layer.geometry.geom_type.fillna("")
    areas = layer[kinds.isin(["Polygon", "MultiPolygon"]) & ~layer.geometry.is_empty]
    if len(areas) == 0:
        raise BadBoundaries("no_polygons", level)
    raw_codes = _column(areas, CODE_COLUMNS[level])
    if raw_codes is None:
        raise BadBoundaries("no_code", level)
    codes = dotted_code(raw_codes, level)
    malformed = ~codes.str.fullmatch(_code_pattern(level))
    if malformed.any():
        other = next(other for other in LEVELS if other != level)
        wrong_file = codes.str.fullmatch(_code_pattern(other)).all()  # a kecamatan file offered as desa, or the reverse
        raise BadBoundaries("other_level" if wrong_file else "bad_codes", level, tuple(codes[malformed].astype(str).head(3)))
    foreign = ~codes.str.startswith(CITY_CODE + ".")
    if foreign.any():
        raise BadBoundaries("other_city", level, tuple(codes[foreign].head(3)))
    repeated = codes[codes.duplicated()]
    if len(repeated):
        raise BadBoundaries("duplicate_codes", level, tuple(repeated.unique()[:3]))
    names = _column(areas, NAME_COLUMNS[level])
    if names is None or names.isna().any() or (names.astype(str).str.strip() == "").any():
        raise BadBoundaries("no_name", level)
    kind = _column(areas, KIND_COLUMNS) if level == "desa" else None
    parents = _column(areas, PARENT_COLUMNS) if level == "desa" else None
    parent_codes = dotted_code(parents, "kecamatan") if parents is not None else codes.str.slice(0, 8)
    population = _column(areas, POPULATION_COLUMNS)
    return gpd.GeoDataFrame({
        "code": codes.to_numpy(),
        "name": names.astype(str).str.strip().str.slice(0, 120).to_numpy(),
        "kind": (kind.astype(object).where(kind.notna(), None).map(lambda v: None if v is None else str(v).strip().lower()[:20]).to_numpy()
                 if kind is not None else np.full(len(areas), None, dtype=object)),
        "parent_code": parent_codes.to_numpy() if level == "desa" else np.full(len(areas), CITY_CODE, dtype=object),
        "population": pd.to_numeric(population, errors="coerce").to_numpy() if population is not None else np.full(len(areas), np.nan),
        "level": level,
    }, geometry=shapely.make_valid(areas.geometry.to_crs(WGS84).to_numpy()), crs=WGS84).reset_index(drop=True)


def smallest_containing(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For shapely points and polygons in one metric CRS: (point positions, polygon positions) of
    every point inside a polygon, the smallest polygon where several contain it (overlapping
    neighbours: the more specific). Points inside none are left out; point positions ascend."""
    # the points in the tree, each polygon queried (and prepared) once: 2-3 times faster than each point
    # tested against the polygon tree (40,000 demand points in desa, kecamatan or hexagons)
    polygon_pos, point_pos = shapely.STRtree(points).query(polygons, predicate="contains")
    order = np.lexsort((polygon_pos, shapely.area(polygons)[polygon_pos], point_pos))
    point_pos, polygon_pos = point_pos[order], polygon_pos[order]
    first = np.unique(point_pos, return_index=True)[1]
    return point_pos[first], polygon_pos[first]


def assign_areas(points: gpd.GeoSeries, desa: gpd.GeoDataFrame, waterfront_m: float = WATERFRONT_M) -> pd.DataFrame:
    """``desa_code`` and ``kecamatan_code`` (its ``parent_code``) of each point (any CRS; rows in
    the points' order and index): the smallest desa containing it, else the nearest within
    ``waterfront_m`` metres, else None. The one rule for which desa a point is in."""
    out = pd.DataFrame({"desa_code": None, "kecamatan_code": None}, index=points.index, dtype=object)
    if len(points) == 0 or len(desa) == 0:
        return out
    pts = np.asarray(points.to_crs(AMBON_UTM).to_numpy(), dtype=object)
    polys = np.asarray(desa.geometry.to_crs(AMBON_UTM).to_numpy(), dtype=object)
    inside, inside_area = smallest_containing(pts, polys)
    rest = np.setdiff1d(np.arange(len(pts)), inside)
    near_rest, near_area = (shapely.STRtree(polys).query_nearest(pts[rest], max_distance=waterfront_m, all_matches=False)
                            if len(rest) else (np.array([], dtype=int), np.array([], dtype=int)))
    positions = np.concatenate([inside, rest[near_rest]])
    found = np.concatenate([inside_area, near_area])
    out.iloc[positions, 0] = desa["code"].to_numpy()[found]
    out.iloc[positions, 1] = desa["parent_code"].to_numpy()[found]
    return out
