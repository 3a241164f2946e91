import math

import pandas as pd
import pytest

from flood.impact import assess, rt_in_zones
from tests.flood_world import businesses, complaints, desa, rts, tps, zones


@pytest.fixture(scope="module")
def impact():
    return assess(zones(), desa=desa(), rt=rts(), tps=tps(), businesses=businesses(), complaints=complaints())


def test_desa_exposure_per_zone_is_area_weighted(impact):
    rows = impact.desa.to_dict("records")
    assert [(r["zone_id"], r["desa_code"]) for r in rows] == [(10, "81.71.99.0001"), (10, "81.71.99.0002"), (11, "81.71.99.0001")]
    assert [r["flooded_m2"] for r in rows] == pytest.approx([100_000, 100_000, 120_000])
    assert [r["share"] for r in rows] == pytest.approx([0.1, 0.1, 0.12])
    assert rows[0]["people_affected"] == pytest.approx(100)
    assert pd.isna(rows[1]["people_affected"])  # population unknown: no guess
    assert rows[2]["people_affected"] == pytest.approx(120)


def test_people_affected_counts_overlapping_zones_once(impact):
    # union in desa A: 100,000 + 120,000 - 10,000 overlap = 210,000 m² of 1 km², of 1000 people
    assert impact.people_affected == pytest.approx(210)
    whole = impact.desa_whole.to_dict("records")
    assert [r["desa_code"] for r in whole] == ["81.71.99.0001", "81.71.99.0002"]
    assert [r["share"] for r in whole] == pytest.approx([0.21, 0.1])
    assert whole[0]["people_affected"] == pytest.approx(210) and pd.isna(whole[1]["people_affected"])
    assert impact.totals() == {"desa": 2, "rt": 2, "tps": 1, "businesses": 1, "open_complaints": 1, "people_affected": 210}


def test_points_at_risk_name_their_zone(impact):
    assert list(zip(impact.rt.zone_id, impact.rt.id)) == [(10, 1), (10, 2), (11, 2)]
    assert impact.rt.contact_name.iloc[0] == "Ketua RT 001 Desa A"
    assert list(zip(impact.tps.zone_id, impact.tps.name)) == [(10, "TPS B 1")]
    assert list(zip(impact.businesses.zone_id, impact.businesses.name)) == [(11, "Kafe Pala")]
    assert list(impact.complaints.ticket) == ["T1"]  # T2 is closed, T3 outside


def test_rt_in_zones_lists_each_rt_once():
    found = rt_in_zones(zones(), rts())
    assert list(found.code) == ["81.71.99.0001.01.001", "81.71.99.0001.01.002"]


def test_no_known_population_gives_nan():
    unknown = desa().assign(population=None)
    result = assess(zones(), desa=unknown, rt=rts(), tps=tps(), businesses=businesses(), complaints=complaints())
    assert math.isnan(result.people_affected)
