"""Escalations warn only the RT newly at risk, on a hand-made layout of three hazard bands along a river.

Bands in metres north of the river (EPSG:32752, offsets of tests/flood_world.py): hazard 3 (nearest,
reached at Waspada) y 0..100, hazard 2 (Siaga) y 100..200, hazard 1 (Awas) y 200..300. RT "A" lies in
the first band, "B" in the second, "C" in the third, "D" outside every band; "AB" on the border
strip where the first two bands overlap (y 90..100, listed in both).
"""
from datetime import datetime, timedelta

import pytest
import shapely

from flood import store
from flood.board import record_action
from flood.models import Gauge, Rt
from flood.warn import record_readings
from store.layers import write_features
from store.models import AdminArea, FloodZone, River
from tests.flood_world import X0, Y0, box, desa, frame, point

T0 = datetime(2026, 11, 1, 0, 0)
WASPADA, SIAGA, AWAS = 100.0, 150.0, 200.0


@pytest.fixture
def engine(engine):
    write_features(engine, AdminArea, desa())
    write_features(engine, River, frame([{"id": 1, "name": "Wai Uji", "geometry": shapely.LineString([(X0, Y0), (X0 + 1000, Y0)])}]))
    write_features(engine, FloodZone, frame([
        {"id": 1, "name": "Bantaran", "river_id": 1, "hazard": 3, "geometry": box(0, 0, 1000, 100)},
        {"id": 2, "name": "Tengah", "river_id": 1, "hazard": 2, "geometry": box(0, 90, 1000, 200)},
        {"id": 3, "name": "Luar", "river_id": 1, "hazard": 1, "geometry": box(0, 200, 1000, 300)},
    ]))
    write_features(engine, Gauge, frame([{"id": 1, "code": "G1", "name": "AWLR Uji", "river_id": 1, "normal_cm": 50.0, "waspada_cm": WASPADA,
                                          "siaga_cm": SIAGA, "awas_cm": AWAS, "geometry": point(500, 0)}]))
    rt = {"desa_code": "81.71.99.0001", "phone": "+62 811-0000-0000"}
    write_features(engine, Rt, frame([
        {**rt, "id": 1, "code": "RT-A", "name": "RT A", "contact_name": "A", "geometry": point(100, 50)},
        {**rt, "id": 2, "code": "RT-AB", "name": "RT AB", "contact_name": "AB", "geometry": point(200, 95)},
        {**rt, "id": 3, "code": "RT-B", "name": "RT B", "contact_name": "B", "geometry": point(300, 150)},
        {**rt, "id": 4, "code": "RT-C", "name": "RT C", "contact_name": "C", "geometry": point(400, 250)},
        {**rt, "id": 5, "code": "RT-D", "name": "RT D", "contact_name": "D", "geometry": point(500, 600)},
    ]))
    return engine


def readings(start: datetime, levels: list[float]) -> list[dict]:
    return [{"gauge": "G1", "time": (start + timedelta(minutes=10 * i)).isoformat(), "level_cm": level} for i, level in enumerate(levels)]


def warned(engine) -> dict[int, list[str]]:
    """Alert level -> the contacts its warnings went to, in order of raising."""
    alerts = store.read_alerts(engine).sort_values(["raised_at", "level"])
    return {int(a.level): sorted(store.read_deliveries(engine, alert_id=int(a.id)).contact_name) for a in alerts.itertuples()}


def test_each_escalation_warns_only_the_rt_newly_at_risk(engine):
    record_readings(engine, readings(T0, [60, 120]), source="api", now=T0 + timedelta(hours=1))
    assert warned(engine) == {1: ["A", "AB"]}
    record_readings(engine, readings(T0 + timedelta(minutes=20), [170]), source="api", now=T0 + timedelta(hours=1))
    assert warned(engine) == {1: ["A", "AB"], 2: ["B"]}  # AB lies in both nearer bands: told once, at Waspada
    record_readings(engine, readings(T0 + timedelta(minutes=30), [230]), source="api", now=T0 + timedelta(hours=1))
    assert warned(engine) == {1: ["A", "AB"], 2: ["B"], 3: ["C"]}  # D, outside every band, never


def test_a_jump_straight_to_awas_warns_everyone_at_risk_once(engine):
    record_readings(engine, readings(T0, [60, 230]), source="api", now=T0 + timedelta(hours=1))
    assert warned(engine) == {3: ["A", "AB", "B", "C"]}


def test_the_times_each_rt_was_told_and_answered_stay_with_its_first_warning(engine):
    now = T0 + timedelta(hours=1)
    record_readings(engine, readings(T0, [60, 120]), source="api", now=now)
    first = store.read_deliveries(engine).set_index("contact_name")
    record_action(engine, int(first.loc["A", "id"]), "sent", actor="bpbd", now=now, channel="whatsapp")
    record_action(engine, int(first.loc["A", "id"]), "acknowledged", actor="bpbd", now=now + timedelta(minutes=3))
    record_readings(engine, readings(T0 + timedelta(minutes=20), [170, 230]), source="api", now=now + timedelta(minutes=5))
    a = store.read_deliveries(engine).set_index("contact_name").loc["A"]  # still one warning for A
    assert (a.sent_at, a.acknowledged_at, a.level) == (now, now + timedelta(minutes=3), 1)


def test_a_new_flood_after_the_river_fell_warns_again(engine):
    falls = [60, 120, 60, 60, 60, 60, 60]  # below Waspada - margin for 30 min: cleared
    record_readings(engine, readings(T0, falls), source="api", now=T0 + timedelta(hours=2))
    record_readings(engine, readings(T0 + timedelta(hours=3), [120]), source="api", now=T0 + timedelta(hours=4))
    alerts = store.read_alerts(engine).sort_values("raised_at")
    assert alerts.level.tolist() == [1, 1]
    assert [sorted(store.read_deliveries(engine, alert_id=int(i)).contact_name) for i in alerts.id] == [["A", "AB"], ["A", "AB"]]
