"""What is at risk in a set of flood zones, computed from the map's own layers (like InaSAFE, in the browser).

Plain GeoDataFrames in (any CRS; reprojected to EPSG:32752 for areas), DataFrames out. Each list
carries the `zone_id` of the zone a thing lies in; a thing in two overlapping zones is listed once
per zone, but totals (`Impact.totals`) count it once. People affected: for each desa/kelurahan
with a known population, population x (flooded share of its area), the zones' union being used so
that overlapping zones are not counted twice. Areas in m².
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import AMBON_UTM


@dataclass(frozen=True)
class Impact:
    desa: pd.DataFrame
    """zone_id, desa_code, desa_name, flooded_m2, share (of the desa's area, 0..1), population, people_affected."""
    rt: pd.DataFrame
    """zone_id, id, code, name, desa_code, contact_name, phone (RT whose point lies in the zone)."""
    tps: pd.DataFrame
    businesses: pd.DataFrame
    complaints: pd.DataFrame
    """Open complaints only (status other than "selesai")."""
    people_affected: float
    """Whole zones' union; NaN when no flooded desa has a known population."""
    desa_whole: pd.DataFrame
    """Like `desa` for the zones' union (overlaps counted once), one row per desa, without zone_id."""

    def totals(self) -> dict[str, float]:
        """Distinct counts over all zones, plus people affected (rounded to whole people)."""
        people = self.people_affected
        return {
            "desa": self.desa.desa_code.nunique(),
            "rt": self.rt.id.nunique(),
            "tps": self.tps.id.nunique(),
            "businesses": self.businesses.id.nunique(),
            "open_complaints": self.complaints.id.nunique(),
            "people_affected": people if pd.isna(people) else round(people),
        }


def _points_in_zones(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, columns: list[str]) -> pd.DataFrame:
    joined = gpd.sjoin(points.to_crs(zones.crs), zones[["zone_id", "geometry"]], how="inner", predicate="intersects")
    return pd.DataFrame(joined[["zone_id", *columns]]).sort_values(["zone_id", columns[0]]).reset_index(drop=True)


def _desa_exposure(zones: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> pd.DataFrame:
    desa = desa.assign(desa_m2=desa.area)
    pieces = gpd.overlay(zones[["zone_id", "geometry"]], desa[["code", "name", "population", "desa_m2", "geometry"]], how="intersection", keep_geom_type=True)
    pieces["flooded_m2"] = pieces.area
    pieces = pieces[pieces.flooded_m2 > 0]
    frame = pd.DataFrame(
        {
            "zone_id": pieces.zone_id,
            "desa_code": pieces.code,
            "desa_name": pieces.name,
            "flooded_m2": pieces.flooded_m2,
            "share": pieces.flooded_m2 / pieces.desa_m2,
            "population": pieces.population.astype("Float64"),
        }
    )
    frame["people_affected"] = frame.population * frame.share
    return frame.sort_values(["zone_id", "desa_code"]).reset_index(drop=True)


def assess(
    zones: gpd.GeoDataFrame,
    *,
    desa: gpd.GeoDataFrame,
    rt: gpd.GeoDataFrame,
    tps: gpd.GeoDataFrame,
    businesses: gpd.GeoDataFrame,
    complaints: gpd.GeoDataFrame,
) -> Impact:
    """The impact of flooding `zones` (needs an `id` column, the flood zone id).

    desa: polygons with code, name, population (nullable); rt: points with id, code, name,
    desa_code, contact_name, phone; tps and businesses: points with id, name; complaints: points
    with id, ticket, category, status.
    """
    zones = zones.rename(columns={"id": "zone_id"}).to_crs(AMBON_UTM)
    desa = desa.to_crs(AMBON_UTM)
    exposure = _desa_exposure(zones, desa)
    union = gpd.GeoDataFrame({"zone_id": [0]}, geometry=[shapely.union_all(zones.geometry.to_numpy())], crs=AMBON_UTM)
    whole = _desa_exposure(union, desa)
    people = whole.people_affected.dropna()
    open_complaints = complaints[complaints.status != "selesai"]
    return Impact(
        desa=exposure,
        rt=_points_in_zones(rt, zones, ["id", "code", "name", "desa_code", "contact_name", "phone"]),
        tps=_points_in_zones(tps, zones, ["id", "name"]),
        businesses=_points_in_zones(businesses, zones, ["id", "name"]),
        complaints=_points_in_zones(open_complaints, zones, ["id", "ticket", "category", "status"]),
        people_affected=float(people.sum()) if len(people) else float("nan"),
        desa_whole=whole.drop(columns="zone_id"),
    )


def rt_in_zones(zones: gpd.GeoDataFrame, rt: gpd.GeoDataFrame) -> pd.DataFrame:
    """RT whose point lies in any of `zones` (each once), with their contacts, by RT code."""
    hits = _points_in_zones(rt, zones.rename(columns={"id": "zone_id"}).to_crs(AMBON_UTM), ["id", "code", "name", "desa_code", "contact_name", "phone"])
    return hits.drop(columns="zone_id").drop_duplicates("id").sort_values("code").reset_index(drop=True)
