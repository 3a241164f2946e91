"""Daily roll-ups of the leaders' board: each day's figures summed once into `leader_daily`, so the
board reads a few hundred small rows instead of scanning history.

A day is a local day in Ambon (WIT, UTC+9): it runs from 15:00 UTC the day before to 15:00 UTC.
Service figures are the exception: they come from the monitor's own UTC-day roll-ups
(`monitor_daily`). Days younger than SETTLE_DAYS are summed again on every run, because what
they count can still change (a complaint answered late, a tax case followed up within its 30 days).

Metrics (num / den / gap per day and scope; durations in hours, money in rupiah):

- `cx_deadline`: complaints finished (resolved or closed) that day: num within their deadline,
  den with a deadline, gap finished without a recorded deadline.
- `cx_response` (scope: working days, "0".."30"): complaints received that day answered after that
  many working days (num); scope "" counts den = received, gap = no first response recorded.
- `agency_accept` (scope: agency): routed that day: num accepted within 3 working days, den those
  judged (accepted, or 3 working days have passed), gap still waiting inside the 3 days.
- `cam_hours`: camera-hours from the cameras' status history (as the health page reads it): num up
  (online or degraded), den with a known status; gap camera-hours of the day before a camera's first
  recorded change. Summed again only while the history holds the whole day (alerts.camera_history.KEEP).
- `cam_down` (scope: camera name): hours offline.
- `svc_hours`: service time watched outside maintenance, in hours: num up, den watched.
- `svc_down` (scope: service name): hours down outside maintenance.
- `flood_ack`: RT warnings sent that day (exercises excluded): num acknowledged within 30 minutes,
  den sent, gap sent and never acknowledged (in den: a warning nobody confirmed counts as missed).
- `tax_follow`: tax cases opened that day: num followed up within 30 days, den judged, gap still new
  and inside their 30 days. `tax_recovered`: num rupiah at stake in cases marked paid that day.
- `feeds` (scope: cameras, gauges, boxes, sp4n): num feeding that day, den known (a camera feeds when it was up at all).
- `portal_visits`, `ticket_lookups`: num requests. `reports_portal`: num complaints through the
  public form, den all complaints received.
- `backlog`: num complaints open at the end of the day. `backlog_area` (scope: kecamatan code): complaints
  whose work is still to do when the roll-up ran, under the last day it summed.
- `shift_load` (scope: shift "00-08", "08-16", "16-24" WIT): num operator actions, den operator-shifts.
- `restore_svc`, `restore_cam`: num hours from failure to restore of failures restored that day, den failures
  (a camera's: from an offline change to the next other status).
- `coverage_gap`: num priority demand uncovered, den priority demand (written by `record_coverage`).
- `in_use` (scope: feeder): num 1 when the part of the app had any data by the end of the day.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from alerts import camera_history
from alerts.camera_history import naive_utc, unix_seconds
from alerts.models import CameraStatusChange
from cameras import history
from cameras.health import OFFLINE
from complaints.deadlines import WorkingCalendar
from complaints.lifecycle import REJECTED, UNRESOLVED
from complaints.models import ComplaintEvent
from flood.models import Alert, Gauge, Reading, WarningDelivery
from leaders.models import LeaderDaily, LeaderRollupDay, PublicCount
from monitor.models import DailyRollup, Incident, MonitoredService
from store.models import Camera, Complaint
from tax.models import TaxCase, TaxDailySales, TaxDevice

WIT = timedelta(hours=9)
SETTLE_DAYS = 35
"""Days summed again on every run: a tax case has 30 days to be followed up."""
SPAN_DAYS = 7 * 13
"""How far back a first run (an empty roll-up) reaches: the board's 12 weeks and the one before."""
ACK_MINUTES = 30
ACCEPT_WORKING_DAYS = 3
FOLLOW_UP_DAYS = 30
SHIFTS = ("00-08", "08-16", "16-24")
OPERATOR_ROLES = ("operator", "admin")
FEEDERS = ("complaints", "cameras", "services", "flood", "tax", "portal", "coverage", "imports", "feeds")
BULK_ACTIONS = ("import", "migrate", "merged")
"""Events written by the hundred at once (an import, a migration, a merge's followers): not operator work to count."""
MAX_RESPONSE_BUCKET = 30
CAMERA_METRICS = ("cam_hours", "cam_down", "restore_cam")


def utc_window(day: date) -> tuple[datetime, datetime]:
    """The WIT day `day` as naive UTC [start, end)."""
    start = datetime.combine(day, datetime.min.time()) - WIT
    return start, start + timedelta(days=1)


def wit_day(moment: datetime) -> date:
    return (moment + WIT).date()


def _wit_days(series: pd.Series) -> pd.Series:
    return (pd.to_datetime(series) + WIT).dt.date


def _read(conn, statement) -> pd.DataFrame:
    result = conn.execute(statement)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


class _Rows:
    """The roll-up rows being built, keyed by (day, metric, scope)."""

    def __init__(self) -> None:
        self.values: dict[tuple[date, str, str], list[float]] = {}

    def add(self, day: date, metric: str, scope: str = "", num: float = 0.0, den: float = 0.0, gap: float = 0.0) -> None:
        cell = self.values.setdefault((day, metric, scope or ""), [0.0, 0.0, 0.0])
        cell[0] += float(num)
        cell[1] += float(den)
        cell[2] += float(gap)

    def add_frame(self, frame: pd.DataFrame, metric: str, scope_column: str | None = None) -> None:
        """`frame` with columns day, num, den, gap (and the scope column) grouped already."""
        for record in frame.itertuples(index=False):
            self.add(record.day, metric, str(getattr(record, scope_column)) if scope_column else "",
                     getattr(record, "num", 0.0), getattr(record, "den", 0.0), getattr(record, "gap", 0.0))

    def records(self, days: set[date]) -> list[dict]:
        return [{"day": day, "metric": metric, "scope": scope[:120], "num": v[0], "den": v[1], "gap": v[2]}
                for (day, metric, scope), v in self.values.items() if day in days]


def _complaints(conn, rows: _Rows, days: list[date], lo: datetime, hi: datetime, now: datetime, calendar: WorkingCalendar) -> None:
    c = Complaint.__table__.c
    finished = func.coalesce(c.resolved_at, c.closed_at)
    done = _read(conn, select(finished.label("finished"), c.due_at).where(
        finished >= lo, finished < hi, c.status != REJECTED, c.merged_into_id.is_(None)))
    if len(done):
        done["day"] = _wit_days(done.finished)
        has_due = done.due_at.notna()
        done["den"] = has_due.astype(float)
        done["num"] = (has_due & (done.finished <= done.due_at)).astype(float)
        done["gap"] = (~has_due).astype(float)
        rows.add_frame(done.groupby("day", as_index=False)[["num", "den", "gap"]].sum(), "cx_deadline")

    received = _read(conn, select(c.created_at, c.response_days, c.responded_at).where(
        c.created_at >= lo, c.created_at < hi, c.merged_into_id.is_(None)))
    if len(received):
        received["day"] = _wit_days(received.created_at)
        answered = received.response_days.notna()
        received["den"], received["gap"] = 1.0, (~answered).astype(float)
        rows.add_frame(received.groupby("day", as_index=False)[["den", "gap"]].sum(), "cx_response")
        buckets = received[answered].assign(bucket=lambda f: f.response_days.clip(upper=MAX_RESPONSE_BUCKET).astype(int), num=1.0)
        rows.add_frame(buckets.groupby(["day", "bucket"], as_index=False)[["num"]].sum(), "cx_response", "bucket")

    routed = _read(conn, select(c.agency, c.routed_at, c.accepted_at).where(
        c.routed_at >= lo, c.routed_at < hi, c.merged_into_id.is_(None)))
    if len(routed):
        routed["day"] = _wit_days(routed.routed_at)
        accepted_days = calendar.elapsed(routed.routed_at.to_numpy("datetime64[s]"),
                                         pd.to_datetime(routed.accepted_at).to_numpy("datetime64[s]"))
        waited_days = calendar.elapsed(routed.routed_at.to_numpy("datetime64[s]"), np.full(len(routed), np.datetime64(now, "s")))
        in_time = accepted_days <= ACCEPT_WORKING_DAYS
        judged = in_time | (waited_days > ACCEPT_WORKING_DAYS)
        routed["num"], routed["den"], routed["gap"] = in_time.astype(float), judged.astype(float), (~judged).astype(float)
        rows.add_frame(routed.groupby(["day", "agency"], as_index=False)[["num", "den", "gap"]].sum(), "agency_accept", "agency")

    portal = _read(conn, select(ComplaintEvent.at).where(ComplaintEvent.action == "submit", ComplaintEvent.actor == "warga",
                                                          ComplaintEvent.at >= lo, ComplaintEvent.at < hi))
    for day in days:
        start, end = utc_window(day)
        rows.add(day, "reports_portal", num=int(((portal["at"] >= start) & (portal["at"] < end)).sum()) if len(portal) else 0)
    if len(received):
        counts = received.groupby("day").size()
        for day, count in counts.items():
            rows.add(day, "reports_portal", den=count)

    # backlog at each day's end: received so far minus finished so far (merged duplicates follow their main complaint)
    ends = [utc_window(day)[1] for day in days]
    base = c.merged_into_id.is_(None)
    received_before = conn.execute(select(func.count()).where(base, c.created_at < lo)).scalar_one()
    finished_before = conn.execute(select(func.count()).where(base, finished < lo)).scalar_one()
    in_range_created = np.sort(_read(conn, select(c.created_at).where(base, c.created_at >= lo, c.created_at < hi)).get(
        "created_at", pd.Series(dtype="datetime64[ns]")).to_numpy("datetime64[s]"))
    in_range_finished = np.sort(_read(conn, select(finished.label("finished")).where(base, finished >= lo, finished < hi)).get(
        "finished", pd.Series(dtype="datetime64[ns]")).to_numpy("datetime64[s]"))
    for day, end in zip(days, ends):
        stamp = np.datetime64(end, "s")
        created = received_before + np.searchsorted(in_range_created, stamp, side="left")
        closed = finished_before + np.searchsorted(in_range_finished, stamp, side="left")
        rows.add(day, "backlog", num=max(0, int(created - closed)))

    # open complaints now, per kecamatan: the map's colours (kept under the last day summed)
    areas = _read(conn, select(c.kecamatan_code, func.count().label("num")).where(
        base, c.status.in_(UNRESOLVED), c.kecamatan_code.isnot(None)).group_by(c.kecamatan_code))
    rows.add_frame(areas.assign(day=days[-1]), "backlog_area", "kecamatan_code")

    operators = [name for (name,) in conn.execute(select(_users().c.username).where(_users().c.role.in_(OPERATOR_ROLES)))]
    if operators:
        events = _read(conn, select(ComplaintEvent.at, ComplaintEvent.actor).where(
            ComplaintEvent.at >= lo, ComplaintEvent.at < hi, ComplaintEvent.actor.in_(operators),
            ComplaintEvent.action.notin_(BULK_ACTIONS)))
        if len(events):
            local = pd.to_datetime(events["at"]) + WIT
            events["day"], events["shift"] = local.dt.date, [SHIFTS[h // 8] for h in local.dt.hour]
            load = events.groupby(["day", "shift"]).agg(num=("actor", "size"), den=("actor", "nunique")).reset_index()
            rows.add_frame(load, "shift_load", "shift")


def _users():
    from auth.models import User
    return User.__table__


def _services(conn, rows: _Rows, days: list[date], lo: datetime, hi: datetime) -> None:
    daily = _read(conn, select(DailyRollup.day, DailyRollup.downtime_s, DailyRollup.monitored_s, MonitoredService.name)
                  .join(MonitoredService, MonitoredService.id == DailyRollup.service_id)
                  .where(DailyRollup.day >= days[0], DailyRollup.day <= days[-1]))
    if len(daily):
        daily["num"] = (daily.monitored_s - daily.downtime_s).clip(lower=0) / 3600
        daily["den"] = daily.monitored_s / 3600
        rows.add_frame(daily.groupby("day", as_index=False)[["num", "den"]].sum(), "svc_hours")
        down = daily[daily.downtime_s > 0].assign(num=lambda f: f.downtime_s / 3600)
        rows.add_frame(down[["day", "name", "num"]], "svc_down", "name")
    restored = _read(conn, select(Incident.started_at, Incident.ended_at).where(Incident.ended_at >= lo, Incident.ended_at < hi))
    if len(restored):
        restored["day"] = _wit_days(restored.ended_at)
        restored["num"] = (restored.ended_at - restored.started_at).dt.total_seconds() / 3600
        restored["den"] = 1.0
        rows.add_frame(restored.groupby("day", as_index=False)[["num", "den"]].sum(), "restore_svc")


def _cameras(conn, rows: _Rows, days: list[date], now: datetime) -> None:
    """Camera figures of `days` from the recorded status changes, measured as the health page
    measures them (cameras.history): degraded counts as up, time before a camera's first change is
    unknown (a gap, never online), an outage runs from an offline change to the next other status
    and counts on the day it ended."""
    if not days:
        return
    first_change = conn.execute(select(func.min(CameraStatusChange.at))).scalar_one()
    if first_change is None:
        return
    lo, hi = unix_seconds(utc_window(days[0])[0]), unix_seconds(utc_window(days[-1])[1])
    changes = camera_history.read_changes(conn.engine, naive_utc(lo))
    names = dict(conn.execute(select(Camera.id, Camera.name).where(Camera.id.in_(list(changes)))).all()) if changes else {}
    windows = [(day, unix_seconds(utc_window(day)[0]), min(unix_seconds(utc_window(day)[1]), unix_seconds(now))) for day in days]
    for camera_id, camera_changes in changes.items():
        times = [at for at, _ in camera_changes]
        for day, start, end in windows:
            first = max(0, bisect_right(times, start) - 1)  # the change the day starts with, then those within it
            seconds = history.time_by_status(camera_changes[first:bisect_left(times, end)], start, end)
            known = sum(seconds.values())
            if known <= 0:
                continue
            down = seconds.get(OFFLINE, 0.0)
            rows.add(day, "cam_hours", num=(known - down) / 3600, den=known / 3600, gap=(end - start - known) / 3600)
            rows.add(day, "feeds", "cameras", num=float(known > down), den=1)
            if down:
                rows.add(day, "cam_down", names.get(camera_id, str(camera_id)), num=down / 3600)
        for outage in history.outages(camera_changes, hi, hi - lo):
            ended = wit_day(naive_utc(outage["end"])) if outage["end"] is not None else None
            if ended in days:
                rows.add(ended, "restore_cam", num=outage["duration_s"] / 3600, den=1)
    for day in days:
        if day >= wit_day(first_change):
            rows.add(day, "in_use", "cameras", num=1)


def _summed_cameras(conn, days: list[date], now: datetime) -> pd.DataFrame:
    """The camera rows already summed for those of `days` the status history no longer holds whole
    (changes older than alerts.camera_history.KEEP are pruned): kept as they are, not summed again."""
    pruned = [day for day in days if utc_window(day)[0] < now - camera_history.KEEP]
    c = LeaderDaily.__table__.c
    return _read(conn, select(c.day, c.metric, c.scope, c.num, c.den, c.gap).where(
        c.day.in_(pruned), c.metric.in_(CAMERA_METRICS) | (c.metric.in_(("feeds", "in_use")) & (c.scope == "cameras"))))


def _flood(conn, rows: _Rows, days: list[date], lo: datetime, hi: datetime) -> None:
    sent = _read(conn, select(WarningDelivery.sent_at, WarningDelivery.acknowledged_at).join(Alert, Alert.id == WarningDelivery.alert_id)
                 .where(WarningDelivery.sent_at >= lo, WarningDelivery.sent_at < hi, Alert.exercise.is_(False)))
    if len(sent):
        sent["day"] = _wit_days(sent.sent_at)
        acked = sent.acknowledged_at.notna()
        quick = acked & ((pd.to_datetime(sent.acknowledged_at) - sent.sent_at) <= pd.Timedelta(minutes=ACK_MINUTES))
        sent["num"], sent["den"], sent["gap"] = quick.astype(float), 1.0, (~acked).astype(float)
        rows.add_frame(sent.groupby("day", as_index=False)[["num", "den", "gap"]].sum(), "flood_ack")
    gauges = conn.execute(select(func.count()).select_from(Gauge)).scalar_one()
    if gauges:
        readings = _read(conn, select(Reading.gauge_id, Reading.time).where(Reading.time >= lo, Reading.time < hi, Reading.source != "simulator"))
        fed = readings.assign(day=_wit_days(readings.time)).groupby("day").gauge_id.nunique() if len(readings) else pd.Series(dtype=float)
        for day in days:
            rows.add(day, "feeds", "gauges", num=float(fed.get(day, 0)), den=gauges)


def _tax(conn, rows: _Rows, days: list[date], lo: datetime, hi: datetime, now: datetime) -> None:
    cases = _read(conn, select(TaxCase.opened_at, TaxCase.updated_at, TaxCase.status).where(TaxCase.opened_at >= lo, TaxCase.opened_at < hi))
    if len(cases):
        cases["day"] = _wit_days(cases.opened_at)
        deadline = cases.opened_at + pd.Timedelta(days=FOLLOW_UP_DAYS)
        followed = (cases.status != "new") & (cases.updated_at <= deadline)
        judged = followed | (deadline <= now)
        cases["num"], cases["den"], cases["gap"] = followed.astype(float), judged.astype(float), (~judged).astype(float)
        rows.add_frame(cases.groupby("day", as_index=False)[["num", "den", "gap"]].sum(), "tax_follow")
    paid = _read(conn, select(TaxCase.updated_at, TaxCase.at_stake_idr).where(TaxCase.status == "paid", TaxCase.updated_at >= lo, TaxCase.updated_at < hi))
    if len(paid):
        paid["day"], paid["den"] = _wit_days(paid.updated_at), 1.0
        rows.add_frame(paid.rename(columns={"at_stake_idr": "num"}).groupby("day", as_index=False)[["num", "den"]].sum(), "tax_recovered")
    boxes = conn.execute(select(func.count()).select_from(TaxDevice)).scalar_one()
    if boxes:
        selling = _read(conn, select(TaxDailySales.day, func.count().label("num")).where(
            TaxDailySales.day >= days[0], TaxDailySales.day <= days[-1], TaxDailySales.receipts > 0).group_by(TaxDailySales.day))
        fed = dict(zip(selling.day, selling.num)) if len(selling) else {}
        for day in days:
            rows.add(day, "feeds", "boxes", num=min(boxes, float(fed.get(day, 0))), den=boxes)


def _public(conn, rows: _Rows, lo: datetime, hi: datetime) -> None:
    counts = _read(conn, select(PublicCount.at, PublicCount.name, PublicCount.count).where(PublicCount.at >= lo, PublicCount.at < hi))
    if len(counts):
        counts["day"] = _wit_days(counts["at"])
        for name, metric in (("portal_visit", "portal_visits"), ("ticket_lookup", "ticket_lookups")):
            part = counts[counts.name == name]
            rows.add_frame(part.groupby("day", as_index=False)["count"].sum().rename(columns={"count": "num"}), metric)


def _imports_and_use(conn, rows: _Rows, days: list[date]) -> None:
    """SP4N-LAPOR imports as a feed (fresh: an import within the last 7 days), and which parts are in use."""
    first_seen = {
        "complaints": select(func.min(Complaint.created_at)),
        "services": select(func.min(DailyRollup.day)),
        "flood": select(func.min(WarningDelivery.sent_at)).join(Alert, Alert.id == WarningDelivery.alert_id).where(Alert.exercise.is_(False)),
        "tax": select(func.min(TaxCase.opened_at)),
        "portal": select(func.min(PublicCount.at)),
        "coverage": select(func.min(LeaderDaily.day)).where(LeaderDaily.metric == "coverage_gap"),
        "imports": select(func.min(ComplaintEvent.at)).where(ComplaintEvent.action == "import"),
    }
    imports = sorted(at for (at,) in conn.execute(select(ComplaintEvent.at).where(
        ComplaintEvent.action == "import", ComplaintEvent.at >= utc_window(days[0])[0] - timedelta(days=7),
        ComplaintEvent.at < utc_window(days[-1])[1]).distinct()))
    for feeder, statement in first_seen.items():
        first = conn.execute(statement).scalar_one()
        if first is None:
            continue
        first_day = first if isinstance(first, date) and not isinstance(first, datetime) else wit_day(first)
        for day in days:
            if day >= first_day:
                rows.add(day, "in_use", feeder, num=1)
                if feeder == "imports":
                    start, end = utc_window(day)
                    rows.add(day, "feeds", "sp4n", num=float(any(start - timedelta(days=6) <= at < end for at in imports)), den=1)


def rollup(engine: Engine, days: Iterable[date], *, now: datetime, calendar: WorkingCalendar) -> int:
    """Sum the figures of `days` (WIT days) into `leader_daily`, replacing what was there; returns the rows written."""
    days = sorted(set(days))
    if not days:
        return 0
    lo, hi = utc_window(days[0])[0], utc_window(days[-1])[1]
    rows = _Rows()
    with engine.connect() as conn:
        coverage = _read(conn, select(LeaderDaily.day, LeaderDaily.num, LeaderDaily.den).where(
            LeaderDaily.metric == "coverage_gap", LeaderDaily.day >= days[0], LeaderDaily.day <= days[-1]))
        _complaints(conn, rows, days, lo, hi, now, calendar)
        _services(conn, rows, days, lo, hi)
        summed_cameras = _summed_cameras(conn, days, now)
        kept_days = set(summed_cameras.day)
        _cameras(conn, rows, [day for day in days if day not in kept_days], now)
        _flood(conn, rows, days, lo, hi)
        _tax(conn, rows, days, lo, hi, now)
        _public(conn, rows, lo, hi)
        _imports_and_use(conn, rows, days)
    for record in coverage.itertuples(index=False):
        rows.add(record.day, "coverage_gap", num=record.num, den=record.den)
    for record in summed_cameras.itertuples(index=False):
        rows.add(record.day, record.metric, record.scope, record.num, record.den, record.gap)
    for day in {day for (day, metric, _) in list(rows.values) if metric == "feeds"}:
        rows.add(day, "in_use", "feeds", num=1)
    records = rows.records(set(days))
    with engine.begin() as conn:
        conn.execute(delete(LeaderDaily).where(LeaderDaily.day.in_(days)))
        if records:
            conn.execute(insert(LeaderDaily), records)
        conn.execute(delete(LeaderRollupDay).where(LeaderRollupDay.day.in_(days)))
        conn.execute(insert(LeaderRollupDay), [{"day": d, "rolled_at": now} for d in days])
    return len(records)


def days_due(engine: Engine, now: datetime) -> list[date]:
    """WIT days the roll-up should sum now: every day of the span not summed yet, and the last SETTLE_DAYS."""
    today = wit_day(now)
    first = today - timedelta(days=SPAN_DAYS - 1)
    with engine.connect() as conn:
        done = {d for (d,) in conn.execute(select(LeaderRollupDay.day).where(LeaderRollupDay.day >= first))}
    settled_until = today - timedelta(days=SETTLE_DAYS)
    return [first + timedelta(days=i) for i in range(SPAN_DAYS)
            if (first + timedelta(days=i)) not in done or first + timedelta(days=i) > settled_until]


def catch_up(engine: Engine, *, now: datetime, calendar: WorkingCalendar) -> int:
    """Roll up every day due (see `days_due`) in one pass; the roll-up job runs this at start and daily."""
    due = days_due(engine, now)
    if not due:
        return 0
    # contiguous range: one read per source however many days are due
    return rollup(engine, [due[0] + timedelta(days=i) for i in range((due[-1] - due[0]).days + 1)], now=now, calendar=calendar)


def record_public_counts(engine: Engine, counts: dict[str, int], now: datetime) -> None:
    """Append counted public requests ({"portal_visit": n, "ticket_lookup": m})."""
    rows = [{"at": now, "name": name, "count": int(n)} for name, n in counts.items() if n]
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(PublicCount), rows)


def record_coverage(engine: Engine, day: date, uncovered: float, priority_total: float) -> None:
    """Keep the planner's latest answer: priority demand (in the analysis's weight units) still
    uncovered by cameras, out of all priority demand, on `day`."""
    with engine.begin() as conn:
        conn.execute(delete(LeaderDaily).where(LeaderDaily.day == day, LeaderDaily.metric == "coverage_gap"))
        conn.execute(insert(LeaderDaily), [{"day": day, "metric": "coverage_gap", "scope": "", "num": uncovered, "den": priority_total, "gap": 0.0}])
