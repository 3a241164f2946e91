"""From a file as read to the rows a layer will hold, every row accounted for.

:func:`suggest_mapping` proposes which of the file's columns fills each target column (from the
Indonesian and English names of :mod:`imports.specs`, and what the last import of the layer used).
:func:`prepare` applies a mapping and returns the rows to store (EPSG:4326) with the row report:
each row taken, repaired (how: a polygon made valid, a ring closed, lat/lon swapped back, a decimal
comma read, markup removed) or refused (why), by the row number a person sees in the file.
Vectorised over rows; only rows that need a repair or a refusal are looked at one by one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import AMBON_REGION_LONLAT, WGS84
from i18n.format import WIT_OFFSET
from geo.reader import ImportRefused, RawLayer, normalise_name
from imports.specs import Field, LayerSpec
from store.vocabulary import AGENCIES, COMPLAINT_CATEGORY_AGENCY

LOCAL_UTC_OFFSET = pd.Timedelta(WIT_OFFSET)
"""Times in a file without an offset are Ambon's (WIT, UTC+9); the store keeps naive UTC."""
GEOMETRY_TYPES = {"point": ("Point",), "line": ("LineString", "MultiLineString"), "polygon": ("Polygon", "MultiPolygon")}
MARKUP = re.compile(r"<[^>]*>")
TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")
"""Geometry type names by shapely type id."""


@dataclass
class Prepared:
    """Rows ready to store (``features``: target columns, EPSG:4326, index = position in the file)
    and the report: one row per file row, columns ``row`` (number in the file), ``status`` (taken,
    repaired, refused) and ``reasons`` (list of (code, figures) pairs)."""

    spec: LayerSpec
    features: gpd.GeoDataFrame
    report: pd.DataFrame
    mapping: dict[str, str | None]

    @property
    def counts(self) -> dict[str, int]:
        counts = self.report["status"].value_counts()
        return {status: int(counts.get(status, 0)) for status in ("taken", "repaired", "refused")}

    def problems(self, limit: int | None = None) -> pd.DataFrame:
        """Report rows that were repaired or refused (refused first), at most ``limit``."""
        rows = self.report[self.report["status"] != "taken"]
        rows = rows.iloc[np.lexsort((rows["row"].to_numpy(), (rows["status"] != "refused").to_numpy()))]
        return rows if limit is None else rows.head(limit)


def suggest_mapping(columns: list[str], spec: LayerSpec, remembered: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """Target column -> the file column that fills it (None: none found). What ``remembered`` (the
    last import's mapping) said wins while the file still has that column; then exact names, then
    names that start or end with a known name ("nama_kamera" for "nama")."""
    by_name = {normalise_name(c): c for c in columns}
    used: set[str] = set()
    mapping: dict[str, str | None] = {}
    for field in spec.fields:
        choice = (remembered or {}).get(field.name)
        mapping[field.name] = choice if choice in columns and choice not in used else None
        if mapping[field.name]:
            used.add(mapping[field.name])
    for loose in (False, True):
        for field in spec.fields:
            if mapping[field.name]:
                continue
            for name in map(normalise_name, (field.name, *field.synonyms)):
                found = by_name.get(name) if not loose else next(
                    (c for key, c in by_name.items() if len(name) >= 4 and (key.startswith(name) or key.endswith(name))), None)
                if found and found not in used:
                    mapping[field.name] = found
                    used.add(found)
                    break
    return mapping


class _Rows:
    """Per-row notes: refusals and repairs, by position in the file."""

    def __init__(self, n: int):
        self.refused = np.zeros(n, dtype=bool)
        self.reasons: dict[int, list[tuple[str, dict]]] = {}

    def refuse(self, positions, code: str, **figures) -> None:
        for position in np.atleast_1d(positions).tolist():
            if not self.refused[position]:
                self.refused[position] = True
                self.reasons[position] = [(code, figures)]

    def repair(self, positions, code: str, **figures) -> None:
        note = (code, figures)
        for position in np.atleast_1d(positions).tolist():
            if not self.refused[position]:
                self.reasons.setdefault(position, []).append(note)


def prepare(raw: RawLayer, spec: LayerSpec, mapping: dict[str, str | None] | None = None) -> Prepared:
    """The rows of ``raw`` as rows of ``spec``'s layer (see the module docstring). ``mapping``
    defaults to :func:`suggest_mapping`; a mapping naming a column the file lacks raises
    :class:`ImportRefused` ("bad_mapping")."""
    mapping = suggest_mapping(raw.columns, spec) if mapping is None else {f.name: mapping.get(f.name) or None for f in spec.fields}
    missing = [column for column in mapping.values() if column is not None and column not in raw.columns]
    if missing:
        raise ImportRefused("bad_mapping", f"the file has no column {missing[0]!r}", column=str(missing[0])[:60])
    frame = raw.frame
    rows = _Rows(len(frame))
    for position, code in raw.problems.items():
        rows.refuse(position, code)
    _empty_rows(frame, raw, rows)
    geometry = _geometry(frame, spec, rows)
    by_code: dict[str, list[int]] = {}
    for position, repairs in raw.repairs.items():
        for code in repairs:
            by_code.setdefault(code, []).append(position)
    for code, positions in by_code.items():
        rows.repair(np.array(positions, dtype=int), code)
    columns = {field.name: _column(frame, field, mapping.get(field.name), rows) for field in spec.fields}
    attributes = pd.DataFrame(columns, index=frame.index)
    _derived(spec, attributes, rows)
    _ascending(spec, attributes, rows)
    _unique_key(spec, attributes, rows)
    keep = ~rows.refused
    features = gpd.GeoDataFrame(attributes[keep], geometry=geometry[keep], crs=WGS84)
    status = np.where(rows.refused, "refused", "taken").astype(object)
    repaired = [p for p in rows.reasons if not rows.refused[p]]
    status[repaired] = "repaired"
    reasons = np.empty(len(frame), dtype=object)
    reasons[:] = [()] * len(frame)
    for position, notes in rows.reasons.items():
        reasons[position] = tuple(notes)
    report = pd.DataFrame({"row": raw.row_numbers, "status": status, "reasons": reasons}, index=frame.index)
    return Prepared(spec, features, report, mapping)


def _empty_rows(frame: gpd.GeoDataFrame, raw: RawLayer, rows: _Rows) -> None:
    if raw.kind in ("csv", "xlsx"):
        return  # the reader said which table rows are empty
    attributes = frame.drop(columns=frame.geometry.name).astype(str).apply(lambda c: c.str.strip().isin(["", "None", "nan", "NaT"]))
    empty = attributes.all(axis=1).to_numpy() & shapely.is_missing(frame.geometry.to_numpy())
    rows.refuse(np.flatnonzero(empty), "empty_row")


def _geometry(frame: gpd.GeoDataFrame, spec: LayerSpec, rows: _Rows) -> np.ndarray:
    """Each row's geometry in EPSG:4326, checked and repaired (positions refused hold None)."""
    series = frame.geometry if frame.crs is None or frame.crs.equals(WGS84) else frame.geometry.to_crs(WGS84)
    geometry = series.to_numpy().copy()
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    rows.refuse(np.flatnonzero(missing), "no_geometry")
    present = np.flatnonzero(~missing)
    types = shapely.get_type_id(geometry)
    if spec.geometry == "point":
        single = present[(types[present] == 4) & (shapely.get_num_geometries(geometry[present]) == 1)]
        geometry[single] = shapely.get_geometry(geometry[single], 0)
    wanted = GEOMETRY_TYPES[spec.geometry]
    found = np.array(["", *TYPE_NAMES], dtype=object)[shapely.get_type_id(geometry) + 1]
    wrong = present[~np.isin(found[present], wanted)]
    for position in wrong:
        rows.refuse(position, "wrong_geometry", found=found[position], wanted=spec.geometry)
    ok = present[np.isin(found[present], wanted)]
    if spec.geometry != "point":
        invalid = ok[~shapely.is_valid(geometry[ok])]
        for position in invalid:
            fixed = shapely.make_valid(geometry[position])
            if spec.geometry == "polygon":
                parts = [p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")]
                fixed = shapely.union_all(parts) if parts else None
            if fixed is None or fixed.is_empty or fixed.geom_type not in wanted:
                rows.refuse(position, "invalid_geometry")
            else:
                geometry[position] = fixed
                rows.repair(position, "made_valid")
    ok = ok[~rows.refused[ok]]
    minx, miny, maxx, maxy = AMBON_REGION_LONLAT
    bounds = shapely.bounds(geometry[ok])
    outside = ok[(bounds[:, 0] < minx) | (bounds[:, 2] > maxx) | (bounds[:, 1] < miny) | (bounds[:, 3] > maxy)]
    for position in outside:
        swapped = shapely.transform(geometry[position], lambda xy: xy[:, ::-1])
        bx0, by0, bx1, by1 = swapped.bounds
        if minx <= bx0 and bx1 <= maxx and miny <= by0 and by1 <= maxy:
            geometry[position] = swapped
            rows.repair(position, "swapped_lonlat")
        else:
            point = geometry[position].representative_point()
            rows.refuse(position, "outside_region", lon=round(point.x, 5), lat=round(point.y, 5))
    geometry[rows.refused] = None
    return geometry


def _text(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return text.where(~text.isin(["nan", "None", "NaT"]), "")


def _column(frame: gpd.GeoDataFrame, field: Field, source: str | None, rows: _Rows) -> pd.Series:
    """One target column from the file's ``source`` column, checked; refused rows noted in ``rows``."""
    if source is None:
        if field.required:
            rows.refuse(np.arange(len(frame)), "missing_column", field=field.name)
        return pd.Series(field.default, index=frame.index, dtype=object)
    raw = frame[source]
    if field.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(raw):
        times = raw.dt.tz_convert("UTC").dt.tz_localize(None) if raw.dt.tz is not None else raw - LOCAL_UTC_OFFSET
        if field.required:
            rows.refuse(np.flatnonzero(times.isna().to_numpy()), "missing_value", field=field.name)
        return times.astype(object).where(times.notna(), None)
    if field.kind == "choice" and pd.api.types.is_float_dtype(raw):
        raw = raw.map(lambda v: f"{v:g}" if pd.notna(v) else "")
    text = _text(raw)
    blank = (text == "").to_numpy()
    if field.required:
        rows.refuse(np.flatnonzero(blank), "missing_value", field=field.name)
    if field.kind == "text":
        marked = np.flatnonzero(text.str.contains("<", regex=False).to_numpy())
        if len(marked):
            cleaned = text.iloc[marked].str.replace(MARKUP, "", regex=True).str.strip()
            changed = marked[(cleaned != text.iloc[marked]).to_numpy()]
            text.iloc[marked] = cleaned
            rows.repair(changed, "markup_removed", field=field.name)
        if field.max_length:
            for position in np.flatnonzero((text.str.len() > field.max_length).to_numpy()):
                rows.refuse(position, "too_long", field=field.name, limit=field.max_length)
        return text.where(~blank, field.default).astype(object)
    if field.kind in ("number", "integer"):
        decimal_comma = text.str.fullmatch(r"-?\d+,\d+").to_numpy()
        values = pd.to_numeric(text.where(~decimal_comma, text.str.replace(",", ".")), errors="coerce").to_numpy(dtype=float)
        rows.repair(np.flatnonzero(decimal_comma), "decimal_comma", field=field.name)
        for position in np.flatnonzero(np.isnan(values) & ~blank):
            rows.refuse(position, "bad_number", field=field.name, value=text.iat[position][:40])
        known = ~np.isnan(values)
        low = -np.inf if field.low is None else field.low
        high = np.inf if field.high is None else field.high
        for position in np.flatnonzero(known & ((values < low) | (values > high))):
            rows.refuse(position, "out_of_range", field=field.name, value=values[position], low=field.low, high=field.high, unit=field.unit or "")
        if field.kind == "integer":
            for position in np.flatnonzero(known & (values != np.round(values))):
                rows.refuse(position, "bad_number", field=field.name, value=text.iat[position][:40])
        column = pd.Series(values, index=frame.index, dtype=object).where(known, field.default)
        return column.map(lambda v: int(v) if v is not None and field.kind == "integer" else v)
    if field.kind == "choice":
        aliases = {normalise_name(word): value for word, value in field.aliases}
        accepted = {normalise_name(choice): choice for choice in field.choices}
        words = text.map(normalise_name)
        values = words.map(lambda w: accepted.get(w, aliases.get(w)))
        for position in np.flatnonzero(values.isna().to_numpy() & ~blank):
            rows.refuse(position, "bad_choice", field=field.name, value=text.iat[position][:40], choices=", ".join(map(str, field.choices)))
        return values.where(~blank, field.default).astype(object)
    return _datetime(text, blank, field, rows)


def _datetime(text: pd.Series, blank: np.ndarray, field: Field, rows: _Rows) -> pd.Series:
    """Naive UTC times from text: ISO with an offset honoured, without one taken as WIT; day first."""
    with_offset = text.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True).to_numpy()
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if with_offset.any():
        values[with_offset] = pd.to_datetime(text[with_offset], utc=True, errors="coerce", format="mixed").dt.tz_localize(None)
    local = ~with_offset & ~blank
    if local.any():
        parsed = pd.to_datetime(text[local], errors="coerce", dayfirst=not text[local].str.match(r"\d{4}-").all(), format="mixed")
        values[local] = parsed - LOCAL_UTC_OFFSET
    for position in np.flatnonzero(values.isna().to_numpy() & ~blank):
        rows.refuse(position, "bad_date", field=field.name, value=text.iat[position][:40])
    return values.astype(object).where(values.notna(), None)


def _derived(spec: LayerSpec, attributes: pd.DataFrame, rows: _Rows) -> None:
    """A complaint's agency from its category when the file names none (the routing table)."""
    if "agency" in attributes and "category" in attributes:
        missing = attributes["agency"].isna() | (attributes["agency"] == "")
        attributes.loc[missing, "agency"] = attributes.loc[missing, "category"].map(COMPLAINT_CATEGORY_AGENCY)
        attributes["agency"] = attributes["agency"].map(lambda a: str(a).upper() if isinstance(a, str) else a)
        unknown = ~attributes["agency"].isin(AGENCIES) & ~rows.refused
        for position in np.flatnonzero(unknown.to_numpy()):
            rows.refuse(position, "bad_choice", field="agency", value=str(attributes["agency"].iat[position])[:40], choices=", ".join(AGENCIES))


def _ascending(spec: LayerSpec, attributes: pd.DataFrame, rows: _Rows) -> None:
    for low, high in zip(spec.ascending, spec.ascending[1:]):
        a, b = attributes[low].astype(float).to_numpy(), attributes[high].astype(float).to_numpy()
        for position in np.flatnonzero(a >= b):
            rows.refuse(position, "not_ascending", field=high, below=low)


def _unique_key(spec: LayerSpec, attributes: pd.DataFrame, rows: _Rows) -> None:
    """A key given twice: the first row is taken, the later ones refused."""
    if spec.key is None:
        return
    keys = attributes[spec.key].where(~rows.refused)
    repeated = keys.notna().to_numpy() & keys.duplicated(keep="first").to_numpy()
    for position in np.flatnonzero(repeated):
        rows.refuse(position, "duplicate_key", field=spec.key, value=str(keys.iat[position])[:40])
