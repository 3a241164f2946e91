import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
from flask import Flask

from flood import store
from flood.cap import validate_cap
from flood.warn import record_readings
from tests.flood_world import write_world
from routes.flood import MAX_BODY_BYTES, init_flood_routes, upload_readings_csv

T0 = datetime(2026, 11, 1, 0, 0)
NOW = T0 + timedelta(hours=6)
#        0    1    2    3    4    5    6    7    8    9   10   11   12   13   14   15
LEVELS = [60, 90, 105, 130, 160, 210, 230, 190, 170, 160, 140, 120, 90, 80, 70, 60]
EXPECTED_ALERTS = [
    (1, T0 + timedelta(minutes=20), None),  # below 90 cm for only 20 min by the end: still Waspada
    (2, T0 + timedelta(minutes=40), T0 + timedelta(minutes=140)),
    (3, T0 + timedelta(minutes=50), T0 + timedelta(minutes=110)),
]


@pytest.fixture
def engine(engine):
    write_world(engine)
    return engine


def rows(levels=LEVELS):
    return [{"gauge": "G1", "time": (T0 + timedelta(minutes=10 * i)).isoformat(), "level_cm": level} for i, level in enumerate(levels)]


def alert_keys(engine):
    frame = store.read_alerts(engine).sort_values(["raised_at", "level"])
    return [(r.level, r.raised_at.to_pydatetime(), None if pd.isna(r.cleared_at) else r.cleared_at.to_pydatetime()) for r in frame.itertuples()]


def test_a_rising_river_raises_each_level_once_with_its_zones_rt_and_cap(engine):
    _, new = record_readings(engine, rows(), source="api", now=NOW)
    alerts = store.read_alerts(engine).sort_values("level")
    assert len(new) == 3 and list(alerts.level) == [1, 2, 3]
    assert list(alerts.raised_at) == [T0 + timedelta(minutes=20), T0 + timedelta(minutes=40), T0 + timedelta(minutes=50)]
    assert alert_keys(engine) == EXPECTED_ALERTS
    assert [sorted(z) for z in alerts.zone_ids] == [[10], [10], [10, 11]]  # Awas reaches the outer band too
    for alert_id in alerts.id:
        assert validate_cap(store.read_cap(engine, int(alert_id))) == []
    waspada, awas = int(alerts.id.iloc[0]), int(alerts.id.iloc[-1])
    deliveries = store.read_deliveries(engine, alert_id=waspada)
    assert list(deliveries.contact_name) == ["Ketua RT 001 Desa A", "Ketua RT 002 Desa A"]  # RT 3 is outside the zones
    assert "WASPADA" in deliveries.message.iloc[0] and "Desa A" in deliveries.message.iloc[0]
    assert store.read_deliveries(engine, alert_id=awas).empty  # both were told at Waspada: the escalation does not repeat them
    assert "<msgType>Update</msgType>" in store.read_cap(engine, awas)  # escalation of the open Waspada/Siaga alerts


def test_resending_raises_nothing_new(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    report, new = record_readings(engine, rows(), source="api", now=NOW)
    assert report.new_count == 0 and new == [] and len(store.read_alerts(engine)) == 3


def test_out_of_order_batches_give_the_same_alerts(engine):
    shuffled = rows()
    random.Random(3).shuffle(shuffled)
    for start in range(0, len(shuffled), 4):
        record_readings(engine, shuffled[start : start + 4], source="api", now=NOW)
    assert alert_keys(engine) == EXPECTED_ALERTS


def test_unacknowledged_warnings_come_first(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    first = store.read_deliveries(engine)
    acked, sent = int(first.id.iloc[0]), int(first.id.iloc[1])
    store.mark_sent(engine, sent, "whatsapp", NOW)
    store.mark_acknowledged(engine, acked, NOW)
    after = store.read_deliveries(engine)
    assert int(after.id.iloc[-1]) == acked and after.sent_at.iloc[-1] is not None
    assert after.acknowledged_at.iloc[:-1].isna().all()
    assert after[after.id == sent].channel.item() == "whatsapp"


def test_csv_upload(engine):
    content = "gauge,time,level_cm\n" + "".join(f"G1,{r['time']},{r['level_cm']}\n" for r in rows())
    report, new = upload_readings_csv(engine, content.encode(), now=NOW)
    assert report.new_count == len(LEVELS) and len(new) == 3


@pytest.fixture
def client(engine):
    server = Flask(__name__)
    init_flood_routes(server, engine, api_key="rahasia")
    return server.test_client()


def test_endpoint_needs_the_key(client):
    assert client.post("/api/flood/readings", json=rows()).status_code == 401
    assert client.post("/api/flood/readings", json=rows(), headers={"X-API-Key": "salah"}).status_code == 401


def test_endpoint_without_a_configured_key_refuses_everyone(engine, monkeypatch):
    monkeypatch.setenv("FLOOD_API_KEY", "from-the-environment")  # read once, in Settings, never here
    server = Flask(__name__)
    init_flood_routes(server, engine)
    assert server.test_client().post("/api/flood/readings", json=rows(), headers={"X-API-Key": ""}).status_code == 401


def test_endpoint_accepts_good_rows(client):
    recent = [{**r, "time": (datetime.utcnow() - timedelta(minutes=5 * i)).replace(microsecond=0).isoformat()} for i, r in enumerate(rows()[:3])]
    answer = client.post("/api/flood/readings", json=recent, headers={"X-API-Key": "rahasia"})
    assert answer.status_code == 200
    assert answer.json["accepted"] == 3 and answer.json["rejected"] == 0


def test_endpoint_reports_bad_rows_with_400(client):
    now = datetime.utcnow().replace(microsecond=0)
    body = [
        {"gauge": "G1", "time": now.isoformat(), "level_cm": 80},
        {"gauge": "XX", "time": now.isoformat(), "level_cm": 80},
        {"gauge": "G1", "time": (now + timedelta(hours=1)).isoformat(), "level_cm": 80},
        {"gauge": "G1", "time": now.isoformat(), "level_cm": "banyak"},
    ]
    answer = client.post("/api/flood/readings", json=body, headers={"X-API-Key": "rahasia"})
    assert answer.status_code == 400
    assert answer.json["accepted"] == 1 and answer.json["rejected"] == 3
    assert [r["row"] for r in answer.json["rows"]["rejected"]] == [1, 2, 3]


@pytest.mark.parametrize("body", [b"{not json", b'{"gauge": "G1"}'])
def test_endpoint_rejects_a_body_that_is_not_a_list(client, body):
    answer = client.post("/api/flood/readings", data=body, content_type="application/json", headers={"X-API-Key": "rahasia"})
    assert answer.status_code == 400


def test_endpoint_refuses_oversized_bodies(client):
    answer = client.post("/api/flood/readings", data=b"[" + b" " * MAX_BODY_BYTES + b"]", content_type="application/json", headers={"X-API-Key": "rahasia"})
    assert answer.status_code == 413


def test_cap_route_serves_the_alerts_valid_cap_message(client, engine):
    record_readings(engine, rows(), source="api", now=NOW)
    awas = int(store.read_alerts(engine).query("level == 3").id.item())
    answer = client.get(f"/api/flood/alerts/{awas}/cap.xml")
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert validate_cap(answer.data) == []
    assert client.get("/api/flood/alerts/999/cap.xml").status_code == 404
