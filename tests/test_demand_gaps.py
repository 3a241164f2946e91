import numpy as np
import geopandas as gpd
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely

from geo.crs import AMBON_UTM, WGS84
from geo.demand import combine_demand, sample_lines, sample_polygons, weighted_points
from geo.gaps import demand_covered, gap_by_area, gap_by_layer, hex_grid
from geo.reasons import credited_site
from i18n.reasons import gap_sentences, site_reason, site_reasons

X0, Y0 = 410_000.0, 9_597_000.0


def roads():
    return gpd.GeoDataFrame(
        {"highway": ["primary", "residential_link", None], "name": ["Jl. Sultan Hairun", "Jl. Kecil", None]},
        geometry=[shapely.LineString([(X0, Y0), (X0 + 1000, Y0)]), shapely.LineString([(X0, Y0 + 500), (X0, Y0 + 600)]),
                  shapely.LineString([(X0 + 2000, Y0), (X0 + 2010, Y0)])],
        crs=AMBON_UTM)


def test_sample_lines_lengths_and_weights():
    d = sample_lines(roads(), spacing_m=25)
    assert d.crs == AMBON_UTM
    per = d.groupby("name")["length_m"].sum()
    assert per["Jl. Sultan Hairun"] == pytest.approx(1000) and per["Jl. Kecil"] == pytest.approx(100)
    assert (d["name"] == "Jl. Sultan Hairun").sum() == 40
    w = d.groupby("name")["weight"].sum()
    assert w["Jl. Sultan Hairun"] == pytest.approx(30.0)  # 3 per 100 m
    assert w["Jl. Kecil"] == pytest.approx(1.0)  # residential_link -> residential, 1 per 100 m
    assert d.loc[d["name"] == "", "length_m"].sum() == pytest.approx(10)  # short road still gets a point


def test_weighted_points_and_polygons():
    pts = gpd.GeoDataFrame({"category": ["crime", "waste", "other"]},
                           geometry=gpd.points_from_xy([128.18] * 3, [-3.69] * 3), crs=WGS84)
    d = weighted_points(pts, layer="complaint", category_col="category", weights={"crime": 3, "waste": 1},
                        default_weight=0.5)
    assert d["weight"].tolist() == [3, 1, 0.5] and d.crs == AMBON_UTM and (d["layer"] == "complaint").all()
    poly = gpd.GeoDataFrame({"zone": ["A", "tiny"]}, geometry=[shapely.box(X0, Y0, X0 + 200, Y0 + 100),
                                                               shapely.box(X0 + 500, Y0, X0 + 501, Y0 + 1)],
                            crs=AMBON_UTM)
    p = sample_polygons(poly, layer="flood", spacing_m=50, weight_per_ha=10, name_col="zone")
    assert (p["name"] == "A").sum() == 8 and (p["name"] == "tiny").sum() == 1
    assert p.loc[p["name"] == "A", "weight"].sum() == pytest.approx(20.0)  # 2 ha x 10
    assert p["area_m2"].sum() == pytest.approx(20_001)
    all_ = combine_demand(d, p)
    assert len(all_) == 12 and list(all_.index) == list(range(12))


def test_gap_by_layer_area_and_sentences():
    d = combine_demand(sample_lines(roads(), spacing_m=25),
                       weighted_points(gpd.GeoDataFrame({"c": ["crime"]}, geometry=[shapely.Point(X0 + 10, Y0 + 10)],
                                                        crs=AMBON_UTM), layer="tps"))
    cams = gpd.GeoDataFrame({"range_m": [250.0], "heading_deg": [90.0], "fov_deg": [180.0]},
                            geometry=[shapely.Point(X0, Y0)], crs=AMBON_UTM).to_crs(WGS84)
    cov = demand_covered(d, cams)
    tab = gap_by_layer(d, cov)
    primary = tab[(tab.layer == "road") & (tab.kind == "primary")].iloc[0]
    assert primary.covered_length_m == pytest.approx(250) and primary.pct_length == pytest.approx(25)
    assert tab[tab.layer == "tps"].iloc[0].pct_count == 100
    s = gap_sentences(tab[tab.kind == "primary"])
    assert s == ["25 % of primary road length covered (0.2 of 1.0 km)"]
    assert gap_sentences(tab[tab.kind == "primary"], lang="id")[0].startswith("25 % panjang jalan primary terpantau")
    # per area: two halves of the box
    areas = gpd.GeoDataFrame({"kec": ["West", "East"]}, geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 500, Y0 + 700),
                                                                 shapely.box(X0 + 500, Y0 - 100, X0 + 3000, Y0 + 700)],
                             crs=AMBON_UTM).to_crs(WGS84)
    per = gap_by_area(d, cov, areas, name_col="kec")
    assert per.crs == areas.crs and per["area_name"].tolist() == ["West", "East"]
    assert per.loc[0, "covered_length_m"] == pytest.approx(250) and per.loc[1, "covered_weight"] == 0
    assert per["total_length_m"].sum() == pytest.approx(1110)


def test_hex_grid_tiles_the_box():
    g = hex_grid((X0, Y0, X0 + 1000, Y0 + 1000), 100.0)
    assert g.crs == AMBON_UTM
    assert shapely.box(X0, Y0, X0 + 1000, Y0 + 1000).difference(g.union_all()).area < 1e-3  # float slivers only
    assert np.allclose(g.area, 1.5 * np.sqrt(3) * 100**2)
    assert g.overlay(g, how="intersection", keep_geom_type=True).area.sum() == pytest.approx(g.area.sum(), rel=1e-6)


def demand_frame():
    return pd.DataFrame({
        "layer": ["road", "road", "road", "tps", "tps", "complaint", "complaint", "complaint", "road"],
        "kind": ["primary"] * 3 + ["", "", "theft", "theft", "waste", "primary"],
        "name": ["Jl. Sultan Hairun"] * 2 + ["", "", "", "", "", "", "Jl. Pattimura"],
        "length_m": [200.0, 210.0, 30.0, 0, 0, 0, 0, 0, 500.0],
        "area_m2": 0.0, "weight": 1.0,
    })


def test_site_reason_english_and_indonesian():
    df = demand_frame().iloc[:8]
    assert site_reason(df) == ("covers 410 m of Jl. Sultan Hairun, 30 m of other roads, 2 TPS sites, "
                               "2 complaints about theft and 1 complaint about waste")
    assert site_reason(df, lang="id") == ("mencakup 410 m Jl. Sultan Hairun, 30 m jalan lain, 2 lokasi TPS, "
                                          "2 aduan tentang pencurian dan 1 aduan tentang sampah")
    assert site_reason(df.iloc[:0]) == "covers no demand that is not already watched"


def test_site_reasons_credit_each_row_once():
    # site 0 sees rows 0-4, site 1 sees rows 3-8; existing cameras see row 8
    A = sp.lil_matrix((9, 2), dtype=bool)
    A[0:5, 0] = True
    A[3:9, 1] = True
    already = np.zeros(9, bool)
    already[8] = True
    assert credited_site(A, [0, 1], already).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, -1]
    r = site_reasons(demand_frame(), A, [0, 1], already)
    assert r == ["covers 410 m of Jl. Sultan Hairun, 30 m of other roads and 2 TPS sites",
                 "covers 2 complaints about theft and 1 complaint about waste"]


def test_site_reasons_name_equal_figures_in_order_of_name():
    rows = pd.DataFrame({"layer": ["complaint"] * 4 + ["road"] * 2, "kind": ["waste", "theft", "crime", "theft", "", ""],
                         "name": ["", "", "", "", "Jl. B", "Jl. A"], "length_m": [0, 0, 0, 0, 100.0, 100.0],
                         "area_m2": 0.0, "weight": 1.0})
    assert site_reason(rows) == ("covers 100 m of Jl. A, 100 m of Jl. B, 2 complaints about theft, "
                                 "1 complaint about crime and 1 complaint of other kinds")
    A = sp.csr_matrix(np.eye(6, dtype=bool)[:, [0, 4, 5, 1]])  # four sites, each seeing one row (two rows unseen)
    assert site_reasons(rows, A, [3, 0, 2, 1]) == ["covers 1 complaint about theft", "covers 1 complaint about waste",
                                                   "covers 100 m of Jl. A", "covers 100 m of Jl. B"]
