"""A deterministic, believable Ambon for demos and tests.

`build_demo_city(seed)` returns every layer as GeoDataFrames in EPSG:4326; the same seed gives the
same city. The geography is the real one the project ships (geo.ambon): the kecamatan and
desa/kelurahan boundaries, the island's land and the OpenStreetMap roads. What is generated lies on
it: every point inside a real desa and on land, at least `LAND_MARGIN_M` from the coast; road
cameras, businesses and road and traffic complaints on the real roads; rivers (sketched courses of
the real ones, demo.sketch) with their flood zones on land.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from demo.sketch import RIVERS
from geo.ambon import OSM_CREDIT, city_boundary, desa_boundaries, island_outline, kecamatan_boundaries, osm_roads
from geo.boundaries import assign_areas
from geo.crs import AMBON_UTM, WGS84
from geo.roads import normalise_roads
from store.vocabulary import COMPLAINT_CATEGORY_AGENCY, COMPLAINT_CHANNELS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LAND_MARGIN_M = 100.0
DEMO_END = datetime(2026, 11, 1)
"""Complaints cover the 24 months before this date (fixed, so the demo is reproducible)."""
MONTHS = 24


@dataclass
class DemoCity:
    kecamatan: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    watersheds: gpd.GeoDataFrame
    flood_zones: gpd.GeoDataFrame
    cameras: gpd.GeoDataFrame
    tps: gpd.GeoDataFrame
    complaints: gpd.GeoDataFrame
    businesses: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame

    def point_layers(self) -> dict[str, gpd.GeoDataFrame]:
        return {"cameras": self.cameras, "tps": self.tps, "complaints": self.complaints, "businesses": self.businesses}


def city_outline_m() -> shapely.Geometry:
    """The city's land in metres (EPSG:32752): its desa/kelurahan polygons where they are on the island
    and inside the city's boundary."""
    desa = desa_boundaries().to_crs(AMBON_UTM)
    island, city = gpd.GeoSeries([island_outline(), city_boundary()], crs=WGS84).to_crs(AMBON_UTM)
    return shapely.intersection(shapely.intersection(shapely.union_all(desa.geometry.to_numpy()), island), city)


def build_admin_areas() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(kecamatan, desa) with their real polygons (data/, cahyadsn/wilayah_boundaries) in EPSG:32752."""
    desa = desa_boundaries().to_crs(AMBON_UTM).assign(level="desa")
    kecamatan = kecamatan_boundaries().to_crs(AMBON_UTM).assign(level="kecamatan", parent_code="81.71")
    return kecamatan[["code", "geometry", "name", "level", "parent_code"]], desa


def _sample_in(rng: np.random.Generator, region: shapely.Geometry, centres: np.ndarray, spread_m: np.ndarray) -> np.ndarray:
    """One point per centre, normally scattered by `spread_m` around it and rejected until inside `region`.

    centres: (n, 2) metres. Returns (n, 2) metres. Falls back to the nearest point of the region
    for a centre that keeps missing it (a centre on the coast).
    """
    shapely.prepare(region)
    result = np.full_like(centres, np.nan, dtype=float)
    todo = np.arange(len(centres))
    for _ in range(40):
        trial = centres[todo] + rng.normal(size=(len(todo), 2)) * spread_m[todo, None]
        inside = shapely.contains_xy(region, trial[:, 0], trial[:, 1])
        result[todo[inside]] = trial[inside]
        todo = todo[~inside]
        if len(todo) == 0:
            return result
    interior = shapely.get_coordinates(shapely.point_on_surface(region))[0]
    for i in todo:
        # a few stubborn points only: walk from the centre towards an interior point until inside
        for f in np.linspace(0, 1, 50):
            candidate = centres[i] * (1 - f) + interior * f
            if shapely.contains_xy(region, *candidate):
                result[i] = candidate
                break
    return result


def _desa_weights(desa: gpd.GeoDataFrame) -> np.ndarray:
    """Share of people per desa: the dense kelurahan of the city centre weigh most."""
    density = np.where(desa.kind == "kelurahan", 8.0, 1.0) / np.sqrt(desa.area.to_numpy() / 1e6 + 0.2)
    return density / density.sum()


def _points_near_desa(rng, desa, land, n, weights=None, spread_scale=0.35):
    """n points in land, desa chosen by weight, scattered around desa centres by a share of their size."""
    weights = _desa_weights(desa) if weights is None else weights
    chosen = rng.choice(len(desa), size=n, p=weights)
    centres = shapely.get_coordinates(desa.geometry.representative_point().to_numpy())[chosen]
    spread = np.sqrt(desa.area.to_numpy())[chosen] * spread_scale
    return _sample_in(rng, land, centres, spread), chosen


CITY_POPULATION = 355_000
"""About Kota Ambon's population (BPS estimate, mid-2020s): the demo spreads it over the desa."""

def desa_population(desa: gpd.GeoDataFrame) -> np.ndarray:
    """People per desa for the demo: the city's population shared by :func:`_desa_weights`."""
    return np.rint(_desa_weights(desa) * CITY_POPULATION).astype(int)


def build_roads() -> gpd.GeoDataFrame:
    """The island's OpenStreetMap road network (name, highway, source) in EPSG:32752."""
    return normalise_roads(osm_roads(), OSM_CREDIT).to_crs(AMBON_UTM)


MAJOR_ROADS = ("motorway", "trunk", "primary", "secondary", "tertiary")


def on_roads(points_xy: np.ndarray, roads: gpd.GeoDataFrame, land: shapely.Geometry, classes: tuple[str, ...] | None = None) -> np.ndarray:
    """Each point (n, 2 metres) moved to the nearest point of a road (of ``classes``, all when None)
    where the road lies on ``land``."""
    lines = roads.geometry.to_numpy() if classes is None else roads.geometry.to_numpy()[roads.highway.isin(classes).to_numpy()]
    lines = shapely.get_parts(shapely.intersection(lines, land))
    lines = lines[np.isin(shapely.get_type_id(lines), [1]) & (shapely.length(lines) > 0)]
    points = shapely.points(points_xy)
    nearest = shapely.STRtree(lines).nearest(points)
    snapped = shapely.line_interpolate_point(lines[nearest], shapely.line_locate_point(lines[nearest], points))
    return shapely.get_coordinates(snapped)


def build_rivers(land: shapely.Geometry) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(rivers, watersheds, flood_zones) in EPSG:32752.

    Watersheds split the land between the rivers (Voronoi of points along them, within 1.5 km);
    flood zones are bands along the lower half of each river: hazard 3 within 80 m, 2 within
    180 m, 1 within 320 m.
    """
    rivers = gpd.GeoDataFrame(
        {"id": np.arange(1, len(RIVERS) + 1), "name": list(RIVERS)},
        geometry=[shapely.LineString(c) for c in RIVERS.values()],
        crs=WGS84,
    ).to_crs(AMBON_UTM)
    samples = [shapely.line_interpolate_point(line, np.linspace(0, 1, 40), normalized=True) for line in rivers.geometry]
    sample_points = np.concatenate(samples)
    sample_river = np.repeat(rivers.id.to_numpy(), 40)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(list(sample_points)), extend_to=land))
    hits = shapely.STRtree(cells).query(sample_points, predicate="within")
    cell_river = np.empty(len(cells), dtype=int)
    cell_river[hits[1]] = sample_river[hits[0]]
    sheds = gpd.GeoDataFrame({"river_id": cell_river}, geometry=cells, crs=AMBON_UTM).dissolve(by="river_id", as_index=False)
    reach = shapely.buffer(rivers.geometry.to_numpy(), 1500)
    sheds["geometry"] = shapely.intersection(shapely.intersection(sheds.geometry.to_numpy(), reach[sheds.river_id.to_numpy() - 1]), land)
    sheds["name"] = "DAS " + sheds.river_id.map(dict(zip(rivers.id, rivers.name)))

    lower = [shapely.ops.substring(line, 0.5, 1.0, normalized=True) for line in rivers.geometry]
    zones = []
    inner = None
    for hazard, width in ((3, 80), (2, 180), (1, 320)):
        band = shapely.intersection(shapely.buffer(lower, width), land)
        shape = band if inner is None else shapely.difference(band, inner)
        inner = band
        for river_id, river_name, geom in zip(rivers.id, rivers.name, shape):
            zones.append({"river_id": river_id, "hazard": hazard, "name": f"Rawan banjir {river_name} ({hazard})", "geometry": geom})
    flood_zones = gpd.GeoDataFrame(zones, crs=AMBON_UTM)
    return rivers, sheds, flood_zones


ROAD_CAMERAS = [
    ("Jl. Jenderal Sudirman", "81.71.02.2003"),
    ("Jl. A.Y. Patty", "81.71.02.1017"),
    ("Jl. Sultan Hairun", "81.71.02.1018"),
    ("Jl. Pattimura", "81.71.02.1017"),
    ("Jl. Diponegoro", "81.71.02.1011"),
    ("Jl. Said Perintah", "81.71.02.1019"),
    ("Jl. Dr. Kayadoe", "81.71.01.1009"),
    ("Jl. Ir. M. Putuhena", "81.71.04.2002"),
    ("Jl. Laksdya Leo Wattimena", "81.71.03.2001"),
    ("Jl. Dr. Tulukabessy", "81.71.02.1012"),
    ("Jl. Sam Ratulangi", "81.71.02.1010"),
    ("Jl. Rijali", "81.71.02.1011"),
    ("Simpang Galala", "81.71.02.2002"),
    ("Simpang Passo", "81.71.03.2001"),
    ("Terminal Mardika", "81.71.02.1018"),
    ("Jl. Dr. Malaihollo", "81.71.02.1015"),
    ("Bundaran Amahusu", "81.71.01.2004"),
    ("Jl. Wolter Monginsidi", "81.71.03.2003"),
    ("Pelabuhan Yos Sudarso", "81.71.02.1019"),
    ("Jl. Raya Laha", "81.71.04.2007"),
]
"""Road cameras: place name and the desa it stands in (positions within the desa are approximate)."""


def build_cameras(rng, desa, land, rivers, tps, roads) -> gpd.GeoDataFrame:
    """37 cameras: 20 on the main roads (OSM), 9 at river gauges and bridges, 8 watching TPS sites."""
    by_code = desa.set_index("code")
    road_centres = shapely.get_coordinates(by_code.loc[[code for _, code in ROAD_CAMERAS]].geometry.representative_point().to_numpy())
    road_xy = on_roads(_sample_in(rng, land, road_centres, np.full(len(road_centres), 150.0)), roads, land, MAJOR_ROADS)
    river_points, river_names = [], []
    for name, line in zip(rivers.name, rivers.geometry):
        for share in (0.55, 0.9):
            river_points.append(shapely.get_coordinates(line.interpolate(share, normalized=True))[0])
            river_names.append(f"Sungai {name} {'hulu' if share < 0.7 else 'hilir'}")
    river_xy = _sample_in(rng, land, np.array(river_points[:9]), np.full(9, 20.0))
    tps_pick = rng.choice(len(tps), size=8, replace=False)
    tps_xy = shapely.get_coordinates(tps.geometry.to_numpy()[tps_pick]) + rng.normal(size=(8, 2)) * 15
    tps_xy = _sample_in(rng, land, tps_xy, np.full(8, 10.0))

    xy = np.vstack([road_xy, river_xy, tps_xy])
    names = [f"CCTV {name}" for name, _ in ROAD_CAMERAS] + [f"CCTV {n}" for n in river_names[:9]] + [f"CCTV {tps.name.iloc[i]}" for i in tps_pick]
    kinds = ["road"] * len(road_xy) + ["river"] * len(river_xy) + ["tps"] * len(tps_xy)
    n = len(xy)
    ptz = rng.random(n) < 0.15
    cameras = gpd.GeoDataFrame(
        {
            "id": np.arange(1, n + 1),
            "name": names,
            "kind": kinds,
            "heading_deg": np.where(ptz, np.nan, rng.integers(0, 360, n).astype(float)),
            "fov_deg": np.where(ptz, np.nan, rng.choice([60.0, 75.0, 90.0, 100.0], n)),
            "range_m": rng.choice([60.0, 80.0, 100.0, 150.0], n),
            "status": "unknown",
            "group": np.where(np.array(kinds) == "river", "bpbd", np.where(np.array(kinds) == "tps", "dlh", "lalu_lintas")),
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=AMBON_UTM,
    )
    cameras["stream_url"] = "demo://" + cameras.id.astype(str)
    return cameras


def build_tps(rng, desa, land, n=30) -> gpd.GeoDataFrame:
    xy, chosen = _points_near_desa(rng, desa, land, n, spread_scale=0.25)
    names = [f"TPS {desa.name.iloc[c]} {i + 1}" for i, c in enumerate(chosen)]
    return gpd.GeoDataFrame(
        {"id": np.arange(1, n + 1), "name": names, "capacity_m3": rng.choice([6.0, 8.0, 10.0, 14.0], n)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=AMBON_UTM,
    )


CATEGORY_SHARE = {
    "sampah": 0.27, "jalan": 0.16, "drainase": 0.10, "ketertiban": 0.10, "banjir": 0.09,
    "lalu_lintas": 0.11, "pajak": 0.04, "pasar": 0.06, "kriminal": 0.07,
}
DESCRIPTIONS = {
    "sampah": ["Sampah menumpuk di {place} sudah {n} hari belum diangkut.", "Bau busuk dari TPS dekat {place}, mohon segera diangkut."],
    "jalan": ["Jalan berlubang di {place}, berbahaya untuk pengendara motor.", "Aspal rusak sepanjang {n}0 meter di {place}."],
    "drainase": ["Saluran air di {place} tersumbat, air meluap ke jalan.", "Got di {place} rusak dan berbau."],
    "ketertiban": ["Pedagang kaki lima menutup trotoar di {place}.", "Bangunan liar di {place} mengganggu warga."],
    "banjir": ["Air sungai naik dan masuk rumah warga di {place}.", "Banjir setinggi {n}0 cm di {place} setelah hujan deras."],
    "lalu_lintas": ["Kemacetan parah setiap pagi di {place}.", "Lampu lalu lintas di {place} mati sejak {n} hari."],
    "pajak": ["Rumah makan di {place} tidak memberikan struk pajak.", "Pertanyaan tentang pajak restoran di {place}."],
    "pasar": ["Harga bahan pokok di pasar dekat {place} naik tajam.", "Los pasar di {place} rusak dan bocor."],
    "kriminal": ["Pencurian sepeda motor di {place} malam tadi.", "Sering terjadi pencopetan di {place}."],
}
RESPONSE_MEDIAN_H = {"DLH": 10, "PUPR": 120, "SATPOL_PP": 30, "BPBD": 4, "DISHUB": 48, "BPPRD": 90, "DISPERINDAG": 70, "POLRESTA": 12}
"""Median hours to first response per agency: uneven on purpose, as the study of the programme found."""
STUCK_SHARE = {"PUPR": 0.15, "BPPRD": 0.10, "DISPERINDAG": 0.10}
"""Share of an agency's complaints that were answered but never closed (3 % for the others)."""


def build_complaints(rng, desa, land, flood_zones, tps, roads, n=5000) -> gpd.GeoDataFrame:
    """n complaints over the 24 months before DEMO_END, where people live; flood complaints in flood
    zones, road and traffic complaints on the nearest road."""
    categories = rng.choice(list(CATEGORY_SHARE), size=n, p=np.array(list(CATEGORY_SHARE.values())))
    xy, chosen = _points_near_desa(rng, desa, land, n)
    flood = np.flatnonzero(categories == "banjir")
    zone_union = shapely.union_all(flood_zones.geometry.to_numpy())
    zone_centres = shapely.get_coordinates(shapely.line_interpolate_point(flood_zones.geometry.boundary.to_numpy()[rng.integers(0, len(flood_zones), len(flood))], rng.random(len(flood)), normalized=True))
    xy[flood] = _sample_in(rng, shapely.intersection(zone_union, land), zone_centres, np.full(len(flood), 60.0))
    waste = np.flatnonzero(categories == "sampah")
    near_tps = waste[rng.random(len(waste)) < 0.5]
    tps_xy = shapely.get_coordinates(tps.geometry.to_numpy())[rng.integers(0, len(tps), len(near_tps))]
    xy[near_tps] = _sample_in(rng, land, tps_xy, np.full(len(near_tps), 120.0))
    on_street = np.flatnonzero(np.isin(categories, ["jalan", "lalu_lintas"]))
    xy[on_street] = on_roads(xy[on_street], roads, land)

    end = pd.Timestamp(DEMO_END)
    # more complaints lately (the service is getting known) ...
    created = end - pd.to_timedelta(MONTHS * 30.4 * 86400 * rng.power(0.8, n), unit="s")
    # ... and most flood complaints in the wet season (May to August)
    days = pd.date_range(end - pd.DateOffset(months=MONTHS), end - pd.Timedelta(days=1), freq="D")
    wet_days = days[days.month.isin([5, 6, 7, 8])]
    moved = flood[rng.random(len(flood)) < 0.7]
    wet_times = wet_days[rng.integers(0, len(wet_days), len(moved))] + pd.to_timedelta(rng.random(len(moved)) * 86400, unit="s")
    created = pd.Series(created).copy()
    created.iloc[moved] = wet_times
    created = pd.DatetimeIndex(created)
    agencies = np.array([COMPLAINT_CATEGORY_AGENCY[c] for c in categories])
    median_h = np.array([RESPONSE_MEDIAN_H[a] for a in agencies])
    responded = created + pd.to_timedelta(median_h * rng.lognormal(0, 0.9, n), unit="h")
    closed = responded + pd.to_timedelta(median_h * rng.lognormal(0.7, 0.8, n), unit="h")
    now = end
    stuck = rng.random(n) < np.array([STUCK_SHARE.get(a, 0.03) for a in agencies])
    closed = closed.where(~stuck)
    status = np.where(closed < now, "selesai", np.where(responded < now, "diproses", "diteruskan"))
    status = np.where((created > now - pd.Timedelta(days=2)) & (rng.random(n) < 0.5), "baru", status)
    responded = responded.where(responded < now)
    closed = closed.where(status == "selesai")

    place_names = desa.name.to_numpy()[chosen]
    descriptions = [
        DESCRIPTIONS[c][k].format(place=p, n=m)
        for c, k, p, m in zip(categories, rng.integers(0, 2, n), place_names, rng.integers(2, 9, n))
    ]
    tickets = [f"AMB-{t:%y%m}-{i:05d}" for i, t in enumerate(created, start=1)]
    return gpd.GeoDataFrame(
        {
            "id": np.arange(1, n + 1),
            "ticket": tickets,
            "created_at": created.to_pydatetime(),
            "responded_at": responded,
            "closed_at": closed,
            "channel": rng.choice(COMPLAINT_CHANNELS, size=n, p=[0.3, 0.1, 0.35, 0.2, 0.05]),
            "category": categories,
            "description": descriptions,
            "status": status,
            "agency": agencies,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=AMBON_UTM,
    )


BUSINESS_NAMES = {
    "restoran": ["Rumah Makan {w}", "Restoran {w}", "RM Ikan Bakar {w}", "Warung Makan {w}", "Resto Seafood {w}"],
    "kafe": ["Kafe {w}", "Kedai Kopi {w}", "Coffee Shop {w}", "Rumah Kopi {w}"],
    "rumah_makan": ["Rumah Makan {w}", "RM Padang {w}", "Warung Makan {w}", "RM Papeda {w}"],
    "katering": ["Katering {w}", "Jasa Boga {w}", "Dapur {w}"],
}
STREET_NAMES = ["Jl. A.Y. Patty", "Jl. Diponegoro", "Jl. Sultan Hairun", "Jl. Said Perintah", "Jl. Pattimura", "Jl. Sam Ratulangi",
                "Jl. Anthony Rhebok", "Jl. Rijali", "Jl. Dr. Latumeten", "Jl. Kapitan Ulupaha", "Jl. W.R. Supratman", "Jl. Jenderal Sudirman"]
"""Streets of Ambon the demo's addresses are on (the numbers are made up)."""
OPENING_HOURS = {"restoran": (10, 22), "kafe": (9, 23), "rumah_makan": (7, 21), "katering": (8, 17)}
"""Demo opening hours by category, WIT."""
NAME_WORDS = ["Sari Laut", "Tradisi", "Sibu-Sibu", "Manise", "Pattimura", "Siwalima", "Nusa Indah", "Baileo", "Mardika",
              "Pelangi", "Kenari", "Pala", "Cengkeh", "Teluk", "Amboina", "Lawamena", "Tifa", "Sagu", "Salawaku", "Pantai"]


REPORTER_GIVEN = ["Agus", "Maria", "Yohanis", "Siti", "Ronald", "Nona", "Abdul", "Grace", "Fransina", "Hasan", "Melky", "Ratna"]
REPORTER_FAMILY = ["Latuconsina", "Pattinama", "Tuhumury", "Matulessy", "Wattimena", "Sahetapy", "Rumahlatu", "Ohorella"]


def add_reporters(complaints: gpd.GeoDataFrame, seed: int) -> gpd.GeoDataFrame:
    """Invented reporter names and phone numbers: the personal details roles must not all see.
    A generator of its own, so the rest of the demo stays as it was."""
    rng = np.random.default_rng(seed)
    n = len(complaints)
    names = [f"{g} {f}" for g, f in zip(rng.choice(REPORTER_GIVEN, n), rng.choice(REPORTER_FAMILY, n))]
    phones = [f"+62 812-{a:04d}-{b:04d}" for a, b in zip(rng.integers(0, 10_000, n), rng.integers(0, 10_000, n))]
    return complaints.assign(reporter_name=names, reporter_phone=phones)


def build_businesses(rng, desa, land, roads, n=400) -> gpd.GeoDataFrame:
    """n restaurants and cafes along the roads, dense in the city centre, each with a regional tax number (NPWPD)."""
    weights = _desa_weights(desa) ** 1.5
    xy, chosen = _points_near_desa(rng, desa, land, n, weights=weights / weights.sum(), spread_scale=0.3)
    xy = on_roads(xy, roads, land)
    category = rng.choice(["restoran", "kafe", "rumah_makan", "katering"], size=n, p=[0.35, 0.3, 0.28, 0.07])
    names = [
        rng.choice(BUSINESS_NAMES[c]).format(w=rng.choice(NAME_WORDS)) + f" {desa.name.iloc[d]}"
        for c, d in zip(category, chosen)
    ]
    streets = rng.choice(STREET_NAMES, size=n)
    numbers = rng.integers(1, 180, size=n)
    addresses = [f"{s} No. {k}, {desa.name.iloc[d]}" for s, k, d in zip(streets, numbers, chosen)]
    return gpd.GeoDataFrame(
        {"id": np.arange(1, n + 1), "name": names, "category": category, "tax_id": [f"P.2.{i:07d}.81.71" for i in range(1, n + 1)],
         "address": addresses, "opens_hour": [OPENING_HOURS[c][0] for c in category],
         "closes_hour": [OPENING_HOURS[c][1] for c in category]},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=AMBON_UTM,
    )


def in_desa(points: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`points` with the desa_code and kecamatan_code they lie in (see geo.boundaries.assign_areas)."""
    return pd.concat([points, assign_areas(points.geometry, desa)], axis=1)


def build_demo_city(seed: int = 7, n_complaints: int = 5000, n_businesses: int = 400) -> DemoCity:
    """The whole demo city, every layer in EPSG:4326."""
    rng = np.random.default_rng(seed)
    kecamatan, desa = build_admin_areas()
    city = city_outline_m()
    land = city.buffer(-LAND_MARGIN_M)
    roads = build_roads()
    rivers, watersheds, flood_zones = build_rivers(city)
    tps = in_desa(build_tps(rng, desa, land), desa)
    cameras = in_desa(build_cameras(rng, desa, land, rivers, tps, roads), desa)
    complaints = add_reporters(in_desa(build_complaints(rng, desa, land, flood_zones, tps, roads, n_complaints), desa), seed + 1)
    businesses = in_desa(build_businesses(rng, desa, land, roads, n_businesses), desa)
    desa["population"] = desa_population(desa)
    layers = [kecamatan, desa, rivers, watersheds, flood_zones, cameras, tps, complaints, businesses, roads]
    return DemoCity(*(_valid(layer.to_crs(WGS84)) for layer in layers))


def _valid(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``layer`` with its polygons valid again: back in lon/lat, a sliver may cross itself."""
    polygons = layer.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if not polygons.any():
        return layer
    geometry = layer.geometry.to_numpy().copy()
    geometry[polygons] = shapely.make_valid(geometry[polygons], method="structure", keep_collapsed=False)
    return layer.set_geometry(geometry)

