"""The leaders' board on a hand-made week whose answers are worked out below (WIT days Monday
16 to Sunday 22 November 2026; Wednesday 18 a local holiday; a service's maintenance hour), the
"not in use yet" and partial-data cases, on SQLite and PostgreSQL. Camera figures come from the
cameras' status history, summed while it is held and kept once it is pruned."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from alerts import camera_history
from auth.models import User
from cameras import history
from cameras.health import DEGRADED, OFFLINE, ONLINE
from complaints.deadlines import WorkingCalendar
from complaints.models import ComplaintEvent
from flood.models import Alert, Gauge, Reading, Rt, WarningDelivery
from leaders import indicators, rollup
from leaders.models import LeaderDaily, PublicCount
from monitor import store as monitor_store
from monitor.models import Incident, Maintenance, MonitoredService
from store.models import Business, Camera, Complaint
from tax.models import TaxCase

MONDAY = date(2026, 11, 16)
SUNDAY = MONDAY + timedelta(days=6)
HOLIDAY = MONDAY + timedelta(days=2)
CALENDAR = WorkingCalendar(local_holidays=[HOLIDAY])
LATER = datetime(2026, 12, 30, 3, 0)
"""When the roll-up runs: long after the week, so every 3-day and 30-day window has closed."""
DAY_AFTER = datetime(2026, 11, 23, 3, 0)
"""Monday noon WIT after the week: the hourly roll-up while the cameras' status history still holds the week."""
WEEK = (MONDAY, SUNDAY)


def wit(day: int, hour: float = 0.0) -> datetime:
    """Naive UTC of `hour` o'clock WIT on day `day` of the week (0 = Monday)."""
    return datetime.combine(MONDAY, datetime.min.time()) + timedelta(days=day, hours=hour - 9)


def unix(moment: datetime) -> float:
    return camera_history.unix_seconds(moment)


CAMERA_CHANGES = [(1, wit(1), ONLINE), (1, wit(1, 10), DEGRADED), (1, wit(1, 11), ONLINE), (1, wit(3, 14), OFFLINE), (1, wit(3, 14.5), ONLINE),
                  (2, wit(1), OFFLINE), (2, wit(1, 6), ONLINE), (3, wit(1, 12), ONLINE)]


def complaint(ticket, created, **fields):
    base = dict(ticket=ticket, created_at=created, channel="sms", category="sampah", description="-", status="baru",
                agency="DLH", lon=128.18, lat=-3.69, **dict.fromkeys(("response_days", "responded_at", "due_at", "resolved_at", "routed_at", "accepted_at", "next_due_at")))
    return {**base, **fields}


def build_week(engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Complaint), [
            # finished in the week: C1 within its deadline, C2 after it, C3 without a deadline recorded
            complaint("C1", wit(0, 8), response_days=1, responded_at=wit(1, 9), due_at=wit(2), resolved_at=wit(1, 10), status="diselesaikan"),
            complaint("C2", wit(0, 9), response_days=2, responded_at=wit(2, 9), due_at=wit(1), resolved_at=wit(3, 10), status="diselesaikan"),
            complaint("C3", wit(1, 9), resolved_at=wit(2, 10), status="diselesaikan"),
            # routed Monday: C4 accepted Friday (3 working days, thanks to Wednesday's holiday), C5 a week later
            complaint("C4", wit(2, 9), response_days=0, responded_at=wit(2, 11), routed_at=wit(0, 10), accepted_at=wit(4, 11), status="diproses"),
            complaint("C5", wit(2, 9), response_days=4, responded_at=wit(7, 10), routed_at=wit(0, 10), accepted_at=wit(7, 10), status="diproses"),
            # routed Thursday to PUPR and never accepted
            complaint("C6", wit(3, 9), routed_at=wit(3, 10), agency="PUPR", status="diteruskan", next_due_at=wit(5)),
        ])
        c1 = conn.execute(select(Complaint.id).where(Complaint.ticket == "C1")).scalar_one()
        conn.execute(insert(User), [dict(username=u, password_hash="x", role="operator", session_token=u) for u in ("op1", "op2")])
        event = dict(complaint_id=c1, from_state="baru", to_state="terverifikasi", action="verify")
        conn.execute(insert(ComplaintEvent), [
            dict(event, at=wit(0, 8), actor="warga", action="submit", from_state=None, to_state="baru"),
            dict(event, at=wit(0, 9), actor="op1"), dict(event, at=wit(0, 9.5), actor="op1"), dict(event, at=wit(0, 10), actor="op2"),
            dict(event, at=wit(0, 20), actor="op1"),
        ])
        # a service down Tuesday 10:00-12:00 WIT, its second hour inside a maintenance window (counted neither way)
        service = conn.execute(insert(MonitoredService).values(name="SIMPEG", kind="http", target="demo:sehat", created_at=wit(-30))
                               .returning(MonitoredService.id)).scalar_one()
        conn.execute(insert(Incident).values(service_id=service, started_at=wit(1, 10), ended_at=wit(1, 12), reason="timeout"))
        conn.execute(insert(Maintenance).values(service_id=service, starts_at=wit(1, 11), ends_at=wit(1, 12)))
        # cameras recorded from Tuesday 00:00 WIT: A degraded for an hour on Tuesday (up, as on the health page) and
        # offline for half an hour on Thursday (an outage hourly samples could miss); B offline for its first 6 hours;
        # C first recorded at Tuesday noon (its morning is unknown)
        conn.execute(insert(Camera), [dict(id=cid, name=name, kind="road", lon=128.18, lat=-3.69, stream_url=f"demo://{cid}")
                                      for cid, name in ((1, "Cam A"), (2, "Cam B"), (3, "Cam C"))])
    camera_history.record_changes(engine, [(cid, unix(at), status) for cid, at, status in CAMERA_CHANGES], now=DAY_AFTER)
    with engine.begin() as conn:
        # flood: three warnings of a real alert (one confirmed in 20 min, one in 45, one never), one of an exercise
        gauge = conn.execute(insert(Gauge).values(code="G1", name="Batu Merah", normal_cm=0, waspada_cm=1, siaga_cm=2, awas_cm=3,
                                                  lon=128.18, lat=-3.69).returning(Gauge.id)).scalar_one()
        rt1, rt2, rt3 = (conn.execute(insert(Rt).values(code=f"RT{i}", name=f"RT {i}", desa_code="81.71.02.2003", contact_name="-", phone="-",
                                                         lon=128.18, lat=-3.69).returning(Rt.id)).scalar_one() for i in (1, 2, 3))
        real = conn.execute(insert(Alert).values(gauge_id=gauge, level=1, raised_at=wit(2, 9), level_cm=1.5, exercise=False).returning(Alert.id)).scalar_one()
        drill = conn.execute(insert(Alert).values(gauge_id=gauge, level=1, raised_at=wit(2, 9), level_cm=1.5, exercise=True).returning(Alert.id)).scalar_one()
        sent = wit(2, 10)
        conn.execute(insert(WarningDelivery), [
            dict(alert_id=real, rt_id=rt1, message="-", sent_at=sent, acknowledged_at=sent + timedelta(minutes=20)),
            dict(alert_id=real, rt_id=rt2, message="-", sent_at=sent, acknowledged_at=sent + timedelta(minutes=45)),
            dict(alert_id=real, rt_id=rt3, message="-", sent_at=sent, acknowledged_at=None),
            dict(alert_id=drill, rt_id=rt1, message="-", sent_at=sent, acknowledged_at=sent + timedelta(minutes=1)),
        ])
        conn.execute(insert(Reading).values(gauge_id=gauge, time=wit(6, 8), level_cm=0.5, source="csv", received_at=wit(6, 8)))
        # tax: K1 visited after 10 days, K2 never touched, K3 paid on Thursday (Rp 1.500.000 at stake)
        business = conn.execute(insert(Business).values(name="Rumah Makan", category="restoran", tax_id="NPWPD-1",
                                                        lon=128.18, lat=-3.69).returning(Business.id)).scalar_one()
        case = dict(business_id=business, kind="underpaid", month=date(2026, 10, 1), at_stake_idr=0, score=0, facts={})
        conn.execute(insert(TaxCase), [
            dict(case, period="2026-08", status="visited", opened_at=wit(0, 9), updated_at=wit(10, 9)),
            dict(case, period="2026-09", status="new", opened_at=wit(1, 9), updated_at=wit(1, 9)),
            dict(case, period="2026-10", status="paid", opened_at=wit(2, 9), updated_at=wit(3, 9), at_stake_idr=1_500_000),
        ])
        conn.execute(insert(PublicCount), [dict(at=wit(2, 12), name="portal_visit", count=10), dict(at=wit(4, 12), name="portal_visit", count=5),
                                           dict(at=wit(2, 12), name="ticket_lookup", count=3)])
    for day in range(7):  # the monitor's own daily roll-ups (UTC days) of the week
        monitor_store.rollup_day(engine, MONDAY + timedelta(days=day))


ROLLED_DAYS = [MONDAY + timedelta(days=i) for i in range(-7, 8)]


def camera_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(select(LeaderDaily.day, LeaderDaily.metric, LeaderDaily.scope, LeaderDaily.num, LeaderDaily.den, LeaderDaily.gap)
                            .where(LeaderDaily.metric.in_(rollup.CAMERA_METRICS) | (LeaderDaily.scope == "cameras"))
                            .order_by(LeaderDaily.day, LeaderDaily.metric, LeaderDaily.scope)).all()


@pytest.fixture
def week(engine):
    """Summed the day after the week, then (the camera history pruned in the meantime) again long after."""
    build_week(engine)
    rollup.rollup(engine, ROLLED_DAYS, now=DAY_AFTER, calendar=CALENDAR)
    camera_history.record_changes(engine, [], now=LATER)
    rollup.rollup(engine, ROLLED_DAYS, now=LATER, calendar=CALENDAR)
    return {f.key: f for f in indicators.figures(engine, SUNDAY, period=WEEK)}


def test_complaints_closed_within_deadline_rest_on_those_with_one(week):
    figure = week["cx_deadline"]
    assert (figure.value, figure.num, figure.den, figure.gap) == (0.5, 1, 2, 1)


def test_median_working_days_to_first_response(week):
    figure = week["cx_response"]  # answered after 1, 2, 0 and 4 working days; two never answered
    assert (figure.value, figure.num, figure.den, figure.gap) == (1.5, 4, 6, 2)


def test_agency_acceptance_counts_working_days_around_the_holiday(week):
    figure = week["agency_accept"]
    assert (figure.num, figure.den) == (1, 3)
    assert {d["scope"]: (d["num"], d["den"]) for d in figure.detail} == {"DLH": (1, 2), "PUPR": (0, 1)}


def test_cameras_up_share_of_camera_hours_from_the_status_history(week):
    figure = week["cam_hours"]  # Tuesday 54 of 60 known (C's morning unknown), Thursday 71.5 of 72, the other four days 72 of 72
    assert (figure.num, figure.den, figure.gap) == (413.5, 420, 12)
    restore = week["restore_cam"]  # B after 6 hours, A after half an hour
    assert (restore.num, restore.den, restore.value) == (6.5, 2, 3.25)


def test_camera_hours_of_a_day_are_the_health_pages_uptime_over_it(engine):
    build_week(engine)
    rollup.rollup(engine, [MONDAY + timedelta(days=3)], now=DAY_AFTER, calendar=CALENDAR)
    thursday_end = unix(wit(4))
    changes = camera_history.read_changes(engine, wit(3))
    up = sum(history.uptime(c, thursday_end) * history.observed(c, thursday_end) for c in changes.values())
    with engine.connect() as conn:
        num, den = conn.execute(select(LeaderDaily.num, LeaderDaily.den).where(LeaderDaily.metric == "cam_hours")).one()
    assert (num * 3600, den * 3600) == (pytest.approx(up), 3 * 24 * 3600)
    assert indicators.top_downtime(engine, MONDAY, SUNDAY, "cam_down") == [("Cam A", 0.5)]


def test_camera_figures_summed_while_the_history_was_held_stay_once_it_is_pruned(engine):
    build_week(engine)
    rollup.rollup(engine, ROLLED_DAYS, now=DAY_AFTER, calendar=CALENDAR)
    summed = camera_rows(engine)
    assert ("Cam B", 6.0) in indicators.top_downtime(engine, MONDAY, SUNDAY, "cam_down")
    camera_history.record_changes(engine, [], now=LATER)  # keeps only each camera's last change
    rollup.rollup(engine, ROLLED_DAYS, now=LATER, calendar=CALENDAR)
    assert camera_rows(engine) == summed


def test_services_up_outside_the_maintenance_window(week):
    figure = week["svc_hours"]  # seven days watched, less the maintenance hour; one hour down
    assert (figure.num, figure.den) == (7 * 24 - 2, 7 * 24 - 1)
    assert figure.value == pytest.approx(166 / 167)
    assert week["restore_svc"].value == 2.0  # the incident lasted two hours, whatever the maintenance


def test_flood_warnings_acknowledged_within_30_minutes_leave_exercises_out(week):
    figure = week["flood_ack"]
    assert (figure.num, figure.den, figure.gap) == (1, 3, 1)


def test_tax_follow_up_and_rupiah_recovered(week):
    assert (week["tax_follow"].num, week["tax_follow"].den) == (2, 3)
    assert week["tax_recovered"].value == 1_500_000


def test_public_reach_backlog_and_operator_load(week):
    assert week["portal_visits"].value == 15
    assert week["ticket_lookups"].value == 3
    assert (week["reports_portal"].num, week["reports_portal"].den) == (1, 6)
    assert week["backlog"].value == 3  # six received, three finished
    load = week["shift_load"]  # op1 twice and op2 once in the day shift, op1 once in the evening
    assert (load.num, load.den) == (4, 3)
    assert {d["scope"]: d["value"] for d in load.detail} == {"08-16": 1.5, "16-24": 1.0}
    assert (week["feeds"].num, week["feeds"].den) == (4, 4)  # on Sunday the three cameras were up and the one gauge sent a reading


def test_parts_not_in_use_show_no_figure(week):
    assert week["coverage_gap"].state == "not_in_use" and week["coverage_gap"].value is None


def test_weekly_series_has_twelve_weeks_ending_with_this_one(week):
    series = week["cx_deadline"].weeks
    assert len(series) == 12 and series[-1] == (MONDAY, 0.5) and series[0][1] is None


def test_an_empty_store_is_not_in_use_everywhere(engine):
    rollup.catch_up(engine, now=LATER, calendar=CALENDAR)
    assert {f.state for f in indicators.figures(engine, SUNDAY)} == {"not_in_use"}


def test_a_part_in_use_without_events_in_the_period_says_so(engine):
    build_week(engine)
    rollup.catch_up(engine, now=LATER, calendar=CALENDAR)
    later_week = {f.key: f for f in indicators.figures(engine, date(2026, 12, 27))}
    assert later_week["flood_ack"].state == "no_events" and later_week["flood_ack"].value is None
    assert later_week["backlog"].value == 3


def test_catch_up_sums_missing_days_and_the_settling_ones_only(engine):
    rollup.catch_up(engine, now=LATER, calendar=CALENDAR)
    assert len(rollup.days_due(engine, LATER)) == rollup.SETTLE_DAYS
    assert len(rollup.days_due(engine, LATER + timedelta(days=40))) == 40  # 5 never summed, and the 35 settling


def test_targets_judge_the_value_in_its_direction(engine):
    build_week(engine)
    rollup.rollup(engine, [MONDAY + timedelta(days=i) for i in range(7)], now=LATER, calendar=CALENDAR)
    indicators.set_target(engine, "cx_deadline", 0.8, "admin", LATER)
    indicators.set_target(engine, "cx_response", 2, "admin", LATER)
    with pytest.raises(ValueError):
        indicators.set_target(engine, "cx_deadline", 80, "admin", LATER)
    got = {f.key: f for f in indicators.figures(engine, SUNDAY, period=WEEK)}
    assert (got["cx_deadline"].met, got["cx_response"].met) == (False, True)


def test_coverage_answer_feeds_the_uncovered_share(engine):
    rollup.record_coverage(engine, SUNDAY, 250.0, 1000.0)
    rollup.rollup(engine, [SUNDAY], now=LATER, calendar=CALENDAR)
    with engine.connect() as conn:
        assert conn.execute(select(LeaderDaily.num).where(LeaderDaily.metric == "coverage_gap")).scalar_one() == 250.0
    figure = {f.key: f for f in indicators.figures(engine, SUNDAY, period=WEEK)}["coverage_gap"]
    assert figure.value == 0.25


def test_a_case_still_inside_its_30_days_is_a_gap_not_a_failure(engine):
    build_week(engine)
    ten_days_on = wit(10, 12)
    rollup.rollup(engine, [MONDAY + timedelta(days=i) for i in range(11)], now=ten_days_on, calendar=CALENDAR)
    figure = {f.key: f for f in indicators.figures(engine, SUNDAY, period=WEEK)}["tax_follow"]
    assert (figure.num, figure.den, figure.gap, figure.value) == (2, 2, 1, 1.0)  # K2 is new but has 20 days left
