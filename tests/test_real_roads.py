"""Real OSM roads of Ambon (from ../shared/geodata, never copied into the project)."""
import os
from pathlib import Path

import geopandas as gpd
import pytest

from geo.coverage import coverage_matrix, points_xy
from geo.demand import sample_lines
from geo.mclp import solve_mclp, spacing_conflicts
from i18n.reasons import site_reasons

GEODATA = Path(os.environ.get("GEODATA_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "geodata"))
ROADS = GEODATA / "ambon_roads_osm.geojson"

pytestmark = pytest.mark.skipif(not ROADS.exists(), reason=f"{ROADS} is absent (shared geodata not laid beside "
                                "the project; set GEODATA_DIR to point elsewhere)")


def test_recommend_on_real_roads():
    roads = gpd.read_file(ROADS)
    demand = sample_lines(roads, spacing_m=50)
    assert demand["length_m"].sum() == pytest.approx(roads.to_crs(demand.crs).length.sum(), rel=1e-6)
    cands = sample_lines(roads[roads["highway"].isin(["primary", "secondary", "tertiary", "trunk"])]
                         if "highway" in roads else roads, spacing_m=200)
    A = coverage_matrix(points_xy(demand), points_xy(cands), 150.0)
    pairs, _ = spacing_conflicts(points_xy(cands), 300.0)
    r = solve_mclp(A, demand["weight"].to_numpy(), 10, conflicts=pairs, time_limit_s=20)
    assert len(r.selected) == 10 and r.bound >= r.covered_weight and r.gap < 0.03
    reasons = site_reasons(demand, A, r.selected)
    assert all(s.startswith("covers ") and " m " in s for s in reasons)
