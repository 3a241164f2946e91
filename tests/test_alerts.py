"""The alert centre, acknowledgements, preferences and camera history: plain functions with answers
worked out by hand, and the store on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

import command_center
from alerts import Alert, AlertCentre, unacknowledged
from alerts.sources import camera_down_source, flood_raised_source, service_down_source
from alerts.store import acknowledge, acknowledged, preferences, set_preferences
from auth.policy import Account
from cameras import history
from cameras.health import DEGRADED, OFFLINE, ONLINE
from flood.models import Alert as FloodAlert, Gauge, SimulationRun
from monitor.models import Incident
from monitor.store import save_service
from alerts import camera_history
from store.models import Camera

HOUR = 3600.0
NOW = 1_800_000_000.0


def test_strip_marks_each_slot_with_its_worst_status_and_unknown_before_the_record():
    changes = [(NOW - 10 * HOUR, ONLINE), (NOW - 5 * HOUR, OFFLINE), (NOW - 4.5 * HOUR, ONLINE), (NOW - 1 * HOUR, DEGRADED)]
    slots = history.strip(changes, NOW, window_s=24 * HOUR, slots=24)  # one slot an hour
    assert slots[:14] == [history.UNKNOWN] * 14
    assert slots[14:19] == [ONLINE] * 5
    assert slots[19] == OFFLINE  # half an hour down within the hour is that hour's colour
    assert slots[20:23] == [ONLINE] * 3 and slots[23] == DEGRADED


def test_uptime_counts_recorded_time_only_and_outages_say_when_and_how_long():
    changes = [(NOW - 10 * HOUR, ONLINE), (NOW - 5 * HOUR, OFFLINE), (NOW - 4.5 * HOUR, ONLINE), (NOW - 1 * HOUR, OFFLINE)]
    assert history.uptime(changes, NOW, 24 * HOUR) == pytest.approx(8.5 / 10)
    assert history.uptime([], NOW) is None
    assert history.outages(changes, NOW) == [
        {"start": NOW - HOUR, "end": None, "duration_s": HOUR},  # newest first, still down
        {"start": NOW - 5 * HOUR, "end": NOW - 4.5 * HOUR, "duration_s": 0.5 * HOUR},
    ]


def test_time_by_status_leaves_the_time_before_the_first_change_unknown():
    changes = [(NOW - 10 * HOUR, ONLINE), (NOW - 5 * HOUR, DEGRADED), (NOW - 4 * HOUR, OFFLINE), (NOW - 1 * HOUR, ONLINE)]
    assert history.time_by_status(changes, NOW - 24 * HOUR, NOW) == {ONLINE: 6 * HOUR, DEGRADED: HOUR, OFFLINE: 3 * HOUR}
    assert history.time_by_status(changes, NOW - 4.5 * HOUR, NOW - 3 * HOUR) == {DEGRADED: 0.5 * HOUR, OFFLINE: HOUR}
    assert history.time_by_status(changes, NOW - 24 * HOUR, NOW - 12 * HOUR) == {}
    assert history.uptime(changes, NOW, 24 * HOUR) == pytest.approx(7 / 10)  # degraded is up, as on the health page


def test_new_changes_are_only_the_statuses_that_moved():
    records = [{"camera_id": 1, "status": ONLINE, "status_since": NOW}, {"camera_id": 2, "status": OFFLINE, "status_since": NOW - 5},
               {"camera_id": 3, "status": ONLINE, "published_ts": NOW}]
    assert history.new_changes({1: ONLINE, 2: ONLINE}, records) == [(2, NOW - 5, OFFLINE), (3, NOW, ONLINE)]


def test_status_changes_round_trip_through_the_store(engine):
    changes = [(7, NOW - 3 * HOUR, ONLINE), (7, NOW - 2 * HOUR, OFFLINE), (8, NOW - 30 * HOUR, ONLINE)]
    now = datetime.utcfromtimestamp(NOW)
    assert camera_history.record_changes(engine, changes, now=now) == {7: OFFLINE, 8: ONLINE}
    assert camera_history.record_changes(engine, changes[:1], now=now) == {7: OFFLINE, 8: ONLINE}  # another worker's copy: skipped
    read = camera_history.read_changes(engine, now - timedelta(days=1))
    assert read[7] == [(NOW - 3 * HOUR, ONLINE), (NOW - 2 * HOUR, OFFLINE)]
    assert read[8] == [(NOW - 30 * HOUR, ONLINE)]  # the status the day started with


def test_an_ongoing_outage_starts_at_its_first_offline_record_after_the_last_other_status(engine):
    changes = [(1, NOW - 5 * HOUR, OFFLINE), (1, NOW - 4 * HOUR, ONLINE), (1, NOW - 2 * HOUR, OFFLINE),
               (1, NOW - HOUR, OFFLINE),  # the same outage, recorded again by another worker
               (2, NOW - 3 * HOUR, OFFLINE), (2, NOW - HOUR, DEGRADED),  # back up: no ongoing outage
               (3, NOW - 6 * HOUR, OFFLINE)]  # down since its first record
    camera_history.record_changes(engine, changes, now=datetime.utcfromtimestamp(NOW))
    starts = camera_history.outage_starts(engine, [1, 2, 3, 4])
    assert starts == {1: NOW - 2 * HOUR, 3: NOW - 6 * HOUR}
    assert camera_history.outage_starts(engine, []) == {}
    read = camera_history.read_changes(engine, datetime.utcfromtimestamp(NOW - 24 * HOUR))
    assert [o["start"] for o in history.outages(read[1], NOW)][:1] == [starts[1]]  # what the health page says



def test_pruning_keeps_each_cameras_last_change_before_the_cut_off(engine):
    now = datetime.utcfromtimestamp(NOW)
    day = 24 * HOUR
    steady = [(1, NOW - 9 * day, ONLINE)]  # up for 9 days: its one change is older than KEEP (8 days)
    moving = [(2, NOW - 12 * day, ONLINE), (2, NOW - 10 * day, OFFLINE), (2, NOW - day, ONLINE)]
    assert camera_history.record_changes(engine, steady + moving, now=now) == {1: ONLINE, 2: ONLINE}
    kept = camera_history.read_changes(engine, now - timedelta(days=30))
    assert kept == {1: [(NOW - 9 * day, ONLINE)], 2: [(NOW - 10 * day, OFFLINE), (NOW - day, ONLINE)]}
    week = camera_history.read_changes(engine, now - timedelta(days=7))
    assert history.uptime(week[1], NOW, 7 * day) == 1.0  # still known to be up all week
    assert history.time_by_status(week[2], NOW - 7 * day, NOW) == {OFFLINE: 6 * day, ONLINE: day}

def test_acknowledgements_and_preferences_are_per_user(engine):
    assert acknowledge(engine, "operator", ["camera:1:100", "flood:3"]) == 2
    assert acknowledge(engine, "operator", ["flood:3"]) == 0
    assert acknowledged(engine, "operator", ["camera:1:100", "flood:3", "flood:4"]) == {"camera:1:100", "flood:3"}
    assert acknowledged(engine, "bpbd", ["flood:3"]) == set()
    assert preferences(engine, "operator") == {"theme": "terang", "alert_sound": False}
    set_preferences(engine, "operator", theme="gelap")
    assert set_preferences(engine, "operator", alert_sound=True) == {"theme": "gelap", "alert_sound": True}
    assert preferences(engine, "bpbd")["theme"] == "terang"
    with pytest.raises(ValueError):
        set_preferences(engine, "operator", theme="pink")


class FakeBoard:
    def __init__(self, records):
        self.records = records

    def all_health(self):
        return self.records


def test_sources_report_cameras_down_and_raised_flood_levels_to_who_may_see_them(engine):
    with engine.begin() as conn:
        conn.execute(insert(Camera), [dict(id=1, name="TPS Passo", kind="tps", group="dlh", lon=128.2, lat=-3.6, stream_url="demo://1"),
                                      dict(id=2, name="Jl. Pattimura", kind="road", group="lalu_lintas", lon=128.2, lat=-3.6, stream_url="demo://2")])
        conn.execute(insert(Gauge).values(id=1, code="G1", name="Pos Wai Batu Merah", lon=128.2, lat=-3.6, normal_cm=50, waspada_cm=100,
                                          siaga_cm=150, awas_cm=200))
        conn.execute(insert(FloodAlert).values(id=5, gauge_id=1, level=2, raised_at=datetime(2026, 12, 1, 2), level_cm=163, zone_ids=[]))
    board = FakeBoard([{"camera_id": 1, "name": "TPS Passo", "status": OFFLINE, "status_since": NOW},
                       {"camera_id": 2, "name": "Jl. Pattimura", "status": OFFLINE, "status_since": NOW - 60},
                       {"camera_id": 3, "name": "ok", "status": ONLINE}])
    centre = (AlertCentre().add("cameras", camera_down_source(board, engine), "camera")
              .add("flood", flood_raised_source(engine), ("flood", "room"))
              .add("broken", lambda: 1 / 0, "map"))
    operator = centre.open_alerts(Account("operator", "operator"))
    assert [a.key for a in operator] == ["flood:5", f"camera:1:{int(NOW)}", f"camera:2:{int(NOW - 60)}"]  # critical first, then newest
    assert operator[0].params == {"gauge": "Pos Wai Batu Merah", "level_key": "flood.level.2", "cm": 163} and operator[0].link == "/banjir"
    assert [a.key for a in centre.open_alerts(Account("agency", "agency", "DLH"))] == [f"camera:1:{int(NOW)}"]  # its TPS camera only
    assert [a.key for a in centre.open_alerts(Account("bpbd", "bpbd"))] == ["flood:5"]
    assert centre.open_alerts(Account("viewer", "viewer")) == []
    assert [a.key for a in unacknowledged(operator, {"flood:5"})] == [a.key for a in operator[1:]]
    assert isinstance(operator[0], Alert) and operator[0].as_dict()["raised_at"] == datetime(2026, 12, 1, 2)


def test_drill_alerts_reach_bpbd_only_as_low_latihan_items_at_real_times_and_awas_heads_siaga(engine):
    real_now = datetime(2026, 12, 1, 4, 20)
    with engine.begin() as conn:
        conn.execute(insert(Gauge).values(id=1, code="G1", name="Pos Wai Batu Merah", lon=128.2, lat=-3.6, normal_cm=50, waspada_cm=100,
                                          siaga_cm=150, awas_cm=200))
        # a drill started at 04:00 replaying 21:00-04:00 at 60 simulated seconds per real second
        conn.execute(insert(SimulationRun).values(id=3, started_at=datetime(2026, 12, 1, 4), event_start=datetime(2026, 11, 30, 21),
                                                  event_end=datetime(2026, 12, 1, 4), speed=60.0, readings=0, rejected=0))
        conn.execute(insert(FloodAlert), [
            dict(id=1, gauge_id=1, level=3, raised_at=real_now - timedelta(hours=2), level_cm=230, zone_ids=[], exercise=False, scenario=0),
            dict(id=2, gauge_id=1, level=2, raised_at=real_now - timedelta(hours=1), level_cm=170, zone_ids=[], exercise=False, scenario=0),  # newer, less severe
            dict(id=8, gauge_id=1, level=3, raised_at=datetime(2026, 11, 30, 22), level_cm=252, zone_ids=[], exercise=True, scenario=3),
            dict(id=9, gauge_id=1, level=1, raised_at=datetime(2026, 11, 30, 21, 30), level_cm=153, zone_ids=[], exercise=True, scenario=3),
        ])
    centre = command_center.alert_centre(engine, FakeBoard([]))  # the sources as the app wires them
    assert [a.key for a in centre.open_alerts(Account("operator", "operator"))] == ["flood:1", "flood:2"]  # Awas heads the newer Siaga
    # admins hold every permission, "flood" too, but they are the room, not BPBD: no drills for them
    assert [a.key for a in centre.open_alerts(Account("admin", "admin"))] == ["flood:1", "flood:2"]
    bpbd = centre.open_alerts(Account("bpbd", "bpbd"))
    assert [a.key for a in bpbd] == ["flood:1", "flood:2", "flood:8", "flood:9"]
    drills = bpbd[2:]
    assert {a.severity for a in drills} == {"info"} and {a.title_key for a in drills} == {"alert.flood_exercise"}
    # played 1 h and 30 min of simulated time after the start: 60 s and 30 s of real time
    assert [a.raised_at for a in drills] == [datetime(2026, 12, 1, 4, 1), datetime(2026, 12, 1, 4, 0, 30)]


def test_a_city_service_that_is_down_reaches_the_operators_room_until_it_is_back(engine):
    lpse = save_service(engine, {"name": "LPSE", "kind": "http", "target": "https://lpse.ambonkota.go.id/"})
    with engine.begin() as conn:
        conn.execute(insert(Incident).values(id=7, service_id=lpse, started_at=datetime(2026, 12, 1, 1), reason="timeout"))
    centre = AlertCentre().add("services", service_down_source(engine), ("monitor", "room"))
    [alert] = centre.open_alerts(Account("operator", "operator"))
    assert (alert.kind, alert.key, alert.severity, alert.params) == ("service_down", f"service:{lpse}", "critical", {"service": "LPSE"})
    assert alert.link == "/pemantauan#incident-7" and alert.raised_at == datetime(2026, 12, 1, 1)
    assert centre.open_alerts(Account("planner", "planner")) == []
    with engine.begin() as conn:
        conn.execute(Incident.__table__.update().values(ended_at=datetime(2026, 12, 1, 1, 20)))
    assert centre.open_alerts(Account("operator", "operator")) == []


def test_a_poll_within_the_reuse_time_is_answered_without_asking_the_sources_again():
    now = [100.0]
    asked = []

    def source():
        asked.append(now[0])
        return [Alert(kind="flood", key=f"flood:{len(asked)}", severity="warning", title_key="alert.flood", params={})]

    centre = AlertCentre(clock=lambda: now[0]).add("flood", source, ("flood", "room"))
    assert [a.key for a in centre.open_alerts(Account("operator", "operator"), reuse_s=2.0)] == ["flood:1"]
    now[0] = 101.9
    assert [a.key for a in centre.open_alerts(Account("bpbd", "bpbd"), reuse_s=2.0)] == ["flood:1"]  # another page's poll
    assert [a.key for a in centre.open_alerts(Account("bpbd", "bpbd"))] == ["flood:2"]  # a page drawn now asks now
    now[0] = 104.0
    assert [a.key for a in centre.open_alerts(Account("operator", "operator"), reuse_s=2.0)] == ["flood:3"]  # too old: asked again
    assert asked == [100.0, 101.9, 104.0]
