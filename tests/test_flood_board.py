"""What the BPBD page reads and records, on the small hand-made world of tests/flood_world.py."""
import base64
from datetime import datetime, timedelta

import pandas as pd
import pytest

from uploads import UploadRejected
import shapely

from flood import board, store
from flood.board import (NO_GAUGE, alert_history, alert_impact, alerts_to_follow, board_versions, close_alert, csv_from_upload,
                         gauge_status, record_action, river_cameras, watershed_levels)
from flood.messages import wit_text
from flood.warn import record_readings
from store.layers import write_features
from store.models import Camera, River, Watershed
from tests.flood_world import box, frame, point, write_world
from tests.test_flood_warn import NOW, T0, rows


@pytest.fixture
def engine(engine):
    write_world(engine)
    write_features(engine, River, frame([{"id": 2, "name": "Wai Tanpa Pos", "geometry": shapely.LineString([point(0, 1650), point(2000, 1650)])}]))
    write_features(engine, Watershed, frame([{"id": 1, "name": "DAS Wai Uji", "river_id": 1, "geometry": box(0, 0, 2000, 1000)},
                                             {"id": 2, "name": "DAS Wai Tanpa Pos", "river_id": 2, "geometry": box(0, 1000, 2000, 2500)}]))
    camera = {"heading_deg": 0.0, "fov_deg": 60.0, "range_m": 50.0, "stream_url": "file:x.mp4", "status": "online", "group": "bpbd"}
    write_features(engine, Camera, frame([
        {**camera, "id": 1, "name": "CCTV Sungai Uji", "kind": "river", "geometry": point(1000, 150)},
        {**camera, "id": 2, "name": "CCTV Jalan", "kind": "road", "geometry": point(1000, 120)},
        {**camera, "id": 3, "name": "CCTV Sungai jauh", "kind": "river", "geometry": point(1000, 1500)},
    ]))
    return engine


def test_gauge_status_has_level_reading_and_rate(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    gauge = gauge_status(engine).iloc[0]
    assert gauge.alert_level == 1  # still Waspada: below 90 cm for only 20 min
    assert gauge.level_cm == 60 and gauge.reading_time == T0 + timedelta(minutes=150)
    assert gauge.rate_cm_h == pytest.approx(-6 * 480 / 28)  # 160 .. 60 cm over the last hour: least squares, -480/28 cm per 10 min
    assert pd.isna(gauge.rain_mm_h)


def test_gauge_without_readings_is_normal_with_no_level(engine):
    gauge = gauge_status(engine).iloc[0]
    assert gauge.alert_level == 0 and pd.isna(gauge.level_cm) and pd.isna(gauge.rate_cm_h) and pd.isna(gauge.reading_time)


def test_watersheds_take_their_gauges_level_or_none(engine):
    record_readings(engine, rows()[:7], source="api", now=NOW)  # up to 230 cm: Awas
    sheds = watershed_levels(engine, gauge_status(engine)).set_index("name")
    assert sheds.level.to_dict() == {"DAS Wai Uji": 3, "DAS Wai Tanpa Pos": NO_GAUGE}


def test_river_cameras_are_the_river_kind_near_a_river(engine):
    cameras = river_cameras(engine, max_distance_m=250)
    assert cameras.name.tolist() == ["CCTV Sungai jauh", "CCTV Sungai Uji"]  # by river, then name; no road camera
    assert cameras.river.tolist() == ["Wai Tanpa Pos", "Wai Uji"]
    near = river_cameras(engine, max_distance_m=100)  # the far camera is 150 m from its river
    assert near.river.tolist() == ["Wai Uji", None] and near.name.tolist() == ["CCTV Sungai Uji", "CCTV Sungai jauh"]


def test_board_keeps_every_alert_until_staff_close_it(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    board = alerts_to_follow(engine).rows
    # Waspada still active; Siaga and Awas cleared by the readings but still on the board. RT 1 and 2 were
    # told at Waspada: the escalations have nobody new to warn in this world
    assert board.level.tolist() == [1, 3, 2] and board.pending.tolist() == [2, 0, 0] and board.warned.tolist() == [2, 0, 0]
    assert board.gauge_name.tolist() == ["AWLR Uji"] * 3 and board.zone_names.iloc[1] == ["Zona <dekat> & sungai", "Zona luar"]
    for delivery in store.read_deliveries(engine, alert_id=int(board.id.iloc[0])).id:
        assert record_action(engine, int(delivery), "acknowledged", actor="operator", now=NOW)
    assert alerts_to_follow(engine).rows.level.tolist() == [1, 3, 2]  # acknowledged, not closed: still there
    awas = int(board.id.iloc[1])
    for bad in ("1", True, None, 99_999):
        assert not close_alert(engine, bad, actor="bpbd", now=NOW)
    assert close_alert(engine, awas, actor="bpbd", now=NOW) and not close_alert(engine, awas, actor="bpbd", now=NOW)
    assert alerts_to_follow(engine).rows.level.tolist() == [1, 2]
    record_readings(engine, [{"gauge": "G1", "time": (T0 + timedelta(minutes=151)).isoformat(), "level_cm": 40}], source="api", now=NOW)
    assert alerts_to_follow(engine).rows.level.tolist() == [1, 2]  # whatever the readings do next


def test_lists_come_a_page_at_a_time(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    first, second = alerts_to_follow(engine, 0, page_size=2), alerts_to_follow(engine, 1, page_size=2)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (3, 2, 2, 1)
    assert alerts_to_follow(engine, 7, page_size=2).number == 1 and alerts_to_follow(engine, "x", page_size=2).number == 0  # from a browser


def test_history_has_closed_alerts_with_their_peak(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    assert alert_history(engine).rows.empty
    for alert in alerts_to_follow(engine).rows.itertuples():
        if alert.level > 1:
            close_alert(engine, int(alert.id), actor="bpbd", now=NOW)
    history = alert_history(engine)
    assert history.total == 2 and history.rows.level.tolist() == [3, 2]  # newest raised first: Awas at 50 min, Siaga at 40 min
    assert history.rows.peak_cm.tolist() == [230, 230] and history.rows.closed_by.tolist() == ["bpbd", "bpbd"]


def test_actions_record_who_and_refuse_what_a_browser_should_not_send(engine):
    record_readings(engine, rows(), source="api", now=NOW)
    delivery = int(store.read_deliveries(engine).id.iloc[0])
    before = board_versions(engine)
    for bad in [("1", "sent", "sms"), (True, "sent", "sms"), (delivery, "deleted", None), (delivery, "sent", "pigeon"), (99_999, "acknowledged", None)]:
        assert not record_action(engine, bad[0], bad[1], actor="operator", now=NOW, channel=bad[2])
    assert board_versions(engine) == before
    assert record_action(engine, delivery, "sent", actor="operator", now=NOW, channel="sms")
    row = store.read_deliveries(engine).set_index("id").loc[delivery]
    assert (row.channel, row.sent_by, row.sent_at) == ("sms", "operator", NOW) and pd.isna(row.acknowledged_at)
    after = board_versions(engine)
    assert after[0] != before[0] and after[1] != before[1]
    record_readings(engine, [{"gauge": "G1", "time": (NOW - timedelta(minutes=1)).isoformat(), "level_cm": 95}], source="api", now=NOW)
    assert board_versions(engine)[0] != after[0] and board_versions(engine)[1] == after[1]  # 95 cm: still Waspada, nothing raised or cleared
    assert record_action(engine, delivery, "acknowledged", actor="operator", now=NOW + timedelta(minutes=5))
    row = store.read_deliveries(engine).set_index("id").loc[delivery]
    assert (row.acknowledged_by, row.acknowledged_at, row.sent_at) == ("operator", NOW + timedelta(minutes=5), NOW)
    # pressed again later, by someone else: the times the RT was told and answered are kept
    assert record_action(engine, delivery, "sent", actor="admin", now=NOW + timedelta(minutes=9), channel="whatsapp")
    assert record_action(engine, delivery, "acknowledged", actor="admin", now=NOW + timedelta(minutes=9))
    row = store.read_deliveries(engine).set_index("id").loc[delivery]
    assert (row.channel, row.sent_by, row.sent_at, row.acknowledged_by, row.acknowledged_at) == ("sms", "operator", NOW, "operator", NOW + timedelta(minutes=5))


def test_impact_of_an_alerts_zones(engine):
    totals = alert_impact(engine, [10]).totals()
    assert totals == {"desa": 2, "rt": 2, "tps": 1, "businesses": 0, "open_complaints": 1, "people_affected": 100}


class KeptFor(dict):
    """A cache that remembers how long each entry was to be kept."""

    def set(self, key, value, timeout=None):
        self[key] = (value, timeout)

    def get(self, key):
        return super().get(key, (None, None))[0]


def test_impacts_are_kept_per_set_of_zones_and_only_the_missing_ones_computed(engine, monkeypatch):
    cache = KeptFor()
    first = board.cached_impacts(engine, cache, [[11, 10], [10, 11], [10]])
    assert sorted(first) == [(10,), (10, 11)] and first[(10,)].totals() == alert_impact(engine, [10]).totals()
    asked = []
    compute = board.alert_impacts
    monkeypatch.setattr(board, "alert_impacts", lambda engine, keys: asked.append(list(keys)) or compute(engine, keys))
    again = board.cached_impacts(engine, cache, [[10], [11]])
    assert asked == [[(11,)]] and again[(10,)] is first[(10,)]
    assert {key: timeout for key, (_, timeout) in cache.items()} == {f"flood:impact:{k}": board.IMPACT_SECONDS for k in ("10", "10,11", "11")}


def test_desa_names_are_kept_for_a_while(engine):
    cache = KeptFor()
    assert board.desa_names(engine, cache) == {"81.71.99.0001": "Desa A", "81.71.99.0002": "Desa B"}
    assert cache["flood:desa-names"][1] == board.DESA_NAMES_SECONDS
    cache["flood:desa-names"] = ({"x": "kept"}, 1)
    assert board.desa_names(engine, cache) == {"x": "kept"}


def data_url(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def test_uploads_are_decoded_within_the_size_limit():
    assert csv_from_upload(data_url(b"gauge,time,level_cm\n"), 100) == b"gauge,time,level_cm\n"
    cases = [(data_url(b"x" * 101), "too_large"), ("data:text/csv;base64,@@@@", "not_base64"), ("gauge,time", "not_upload"),
             (None, "not_upload"), (data_url(b"\x89PNG\r\n\x1a\n" + b"\0" * 20), "unknown_type")]
    for bad, code in cases:
        with pytest.raises(UploadRejected) as refused:
            csv_from_upload(bad, 100)
        assert refused.value.code == code and str(refused.value)  # a message for the user too


def test_times_are_shown_in_wit():
    assert wit_text(datetime(2026, 11, 1, 20, 30)) == "02-11-2026 05:30 WIT"
