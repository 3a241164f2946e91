"""Leaders' board speed on PostgreSQL: the roll-up (first catch-up and a daily run) and the board's
figures, with a million complaints, three years of service roll-ups and incidents, and the cameras'
status history as the recorder keeps it (alerts.camera_history.KEEP, 8 days) with a change every
half hour per camera on average (outages and degraded spells, many shorter than an hour).

    .venv/bin/python bench/leaders.py [--rows 1000000] [--cameras 100] [--changes-per-day 48] [--years 3] [--keep]

Creates its own database on TEST_POSTGRES_URL's server, loads the data with COPY, then prints each
figure (board: median of 5 runs; roll-ups: wall and this process's CPU seconds). Goal from issue 19: the board renders in under 1 s, which the
roll-ups make independent of how much history there is.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.camera_history import KEEP  # noqa: E402
from bench.complaints import NOW, copy_in, synthetic_complaints, timed  # noqa: E402
from cameras.health import DEGRADED, OFFLINE, ONLINE  # noqa: E402
from complaints.deadlines import WorkingCalendar  # noqa: E402
from config.complaints import DeadlineRules  # noqa: E402
from leaders import indicators, rollup  # noqa: E402
from leaders.models import LeaderDaily  # noqa: E402
from leaders.report import most_overdue  # noqa: E402
from monitor.models import MonitoredService  # noqa: E402
from routes.leaders_pages import city_map  # noqa: E402
from store.db import make_engine, upgrade_schema  # noqa: E402
from store.scratch import scratch_database  # noqa: E402


def copy_frame(engine, table: str, frame: pd.DataFrame) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S", na_rep="")
            with cursor.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def load_services(engine, years: int, rng) -> int:
    with engine.begin() as conn:
        ids = [conn.execute(insert(MonitoredService).values(name=f"Layanan {i:02d}", kind="http", target=f"https://l{i}.example")
                            .returning(MonitoredService.id)).scalar_one() for i in range(12)]
    days = pd.date_range(end=NOW.date(), periods=365 * years, freq="D")
    frame = pd.DataFrame([(sid, day.date()) for sid in ids for day in days], columns=["service_id", "day"])
    frame["checks"], frame["failed"] = 1440, rng.integers(0, 10, len(frame))
    frame["monitored_s"] = 86400.0 - np.where(rng.random(len(frame)) < 0.03, 3600.0, 0.0)  # a maintenance hour now and then
    frame["downtime_s"] = np.where(rng.random(len(frame)) < 0.1, rng.integers(60, 7200, len(frame)), 0).astype(float)
    copy_frame(engine, "monitor_daily", frame)
    incidents = frame[frame.downtime_s > 0]
    starts = pd.to_datetime(incidents.day) + pd.to_timedelta(rng.integers(0, 80000, len(incidents)), unit="s")
    copy_frame(engine, "monitor_incidents", pd.DataFrame({"service_id": incidents.service_id.to_numpy(), "started_at": starts,
                                                          "ended_at": starts + pd.to_timedelta(incidents.downtime_s.to_numpy(), unit="s"),
                                                          "reason": "timeout"}))
    return len(frame)


def load_camera_changes(engine, cameras: int, per_day: float, rng) -> int:
    """Each camera online since before the kept history, then random changes over the KEEP days:
    a spell offline or degraded (minutes to hours), back online."""
    frames = []
    span_s = KEEP.total_seconds()
    for camera in range(1, cameras + 1):
        spells = rng.poisson(per_day / 2 * KEEP.days)
        starts = np.sort(rng.uniform(0, span_s, spells))
        ends = np.minimum(starts + rng.exponential(1800, spells), np.append(starts[1:], span_s) - 1)
        bad = np.where(rng.random(spells) < 0.5, OFFLINE, DEGRADED)
        seconds = np.concatenate([[-3600.0], starts, ends])
        statuses = np.concatenate([[ONLINE], bad, np.full(spells, ONLINE)])
        order = np.argsort(seconds, kind="stable")
        frames.append(pd.DataFrame({"camera_id": camera, "status": statuses[order],
                                    "at": NOW - KEEP + pd.to_timedelta(np.round(seconds[order]), unit="s")}))
    changes = pd.concat(frames).drop_duplicates(["camera_id", "at", "status"])  # the store keeps whole seconds
    copy_frame(engine, "camera_status_changes", changes)
    return len(changes)


def clocked(fn):
    """(wall seconds, this process's CPU seconds, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--changes-per-day", type=float, default=48.0, help="status changes per camera and day")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    rng = np.random.default_rng(19)
    with scratch_database("ambon_bench", keep=args.keep) as url:
        engine = make_engine(url)
        try:
            upgrade_schema(engine)
            calendar = WorkingCalendar()
            start = time.perf_counter()
            copy_in(engine, synthetic_complaints(args.rows, calendar, DeadlineRules()))
            service_days = load_services(engine, args.years, rng)
            changes = load_camera_changes(engine, args.cameras, args.changes_per_day, rng)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            print(f"loaded {args.rows:,} complaints, {service_days:,} service-days, {changes:,} camera status changes "
                  f"in {time.perf_counter() - start:.1f} s")

            seconds, cpu, written = clocked(lambda: rollup.catch_up(engine, now=NOW, calendar=calendar))
            print(f"first catch-up ({rollup.SPAN_DAYS} days): {seconds:.2f} s (CPU {cpu:.2f} s), {written:,} roll-up rows")
            seconds, cpu, _ = clocked(lambda: rollup.catch_up(engine, now=NOW + timedelta(days=1), calendar=calendar))
            print(f"daily run (the {rollup.SETTLE_DAYS} settling days and the new one): {seconds:.2f} s (CPU {cpu:.2f} s)")
            seconds, cpu, _ = clocked(lambda: rollup.rollup(engine, [rollup.wit_day(NOW)], now=NOW, calendar=calendar))
            print(f"hourly run (today only): {seconds:.2f} s (CPU {cpu:.2f} s)")
            with engine.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(LeaderDaily)).scalar_one()
            print(f"roll-up table: {stored:,} rows")

            today = rollup.wit_day(NOW)
            seconds, figures = timed(lambda: indicators.figures(engine, today))
            print(f"board figures (17 indicators, 7 days and 12 weeks): {seconds * 1000:.0f} ms (goal < 1000 ms)")
            for figure in figures:
                print(f"  {figure.key:15s} {figure.state:10s} value={figure.value if figure.value is None else round(figure.value, 3)} "
                      f"num={figure.num:,.0f} den={figure.den:,.0f} gap={figure.gap:,.0f}")
            seconds, _ = timed(lambda: city_map(engine, "id"))
            print(f"board map (kecamatan coloured by open complaints): {seconds * 1000:.0f} ms")
            seconds, _ = timed(lambda: most_overdue(engine, datetime(2026, 11, 30), calendar), repeat=3)
            print(f"report: five most overdue per agency: {seconds * 1000:.0f} ms")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
