"""The demo rain event played forward in accelerated time, its state kept in the database.

Readings are never in the future, so a run replays the event over a window of the recent past: it
ends at the moment the run starts (or just before an earlier run's window, so two runs never write
the same gauge and time) and is played from `started_at` at `speed` simulated seconds per real
second. Every step goes through `flood.warn.record_readings` like any other source. The state lives
in `SimulationRun` rows, not in a browser or a process, so every worker and every open page sees
and drives the same run; a compare-and-set on `played_until` makes each step recorded once even
when several pages tick at the same moment. Times naive UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from flood.demo import demo_simulator
from flood.models import SimulationRun
from flood.warn import AlertRules, record_readings

EVENT_DURATION = timedelta(hours=6)
TAIL = timedelta(hours=1)
"""Played after the rain event so that the rivers fall back and the alerts clear."""
SPAN = EVENT_DURATION + TAIL
STEP = timedelta(minutes=10)


@dataclass(frozen=True)
class Progress:
    """Where the latest run stands. `share` 0..1 of its span played; no run: run_id None, share 0."""

    run_id: int | None = None
    share: float = 0.0
    running: bool = False
    played_until: datetime | None = None
    readings: int = 0
    rejected: int = 0
    new_alerts: tuple[int, ...] = ()


def free_window(runs: pd.DataFrame, now: datetime, span: timedelta = SPAN, step: timedelta = STEP) -> tuple[datetime, datetime]:
    """The latest (start, end) window of length `span`, on the `step` grid, ending at or before `now`
    and overlapping no earlier run's [event_start, event_end] (columns of `runs`)."""
    end = datetime.min + ((now - datetime.min) // step) * step
    for run in runs.sort_values("event_start", ascending=False).itertuples():
        if run.event_start <= end and run.event_end >= end - span:
            end = run.event_start - step
    return end - span, end


def _latest_run(engine: Engine):
    with engine.connect() as conn:
        return conn.execute(select(SimulationRun).order_by(SimulationRun.id.desc()).limit(1)).first()


def _is_running(run) -> bool:
    return run is not None and (run.played_until is None or run.played_until < run.event_end)


def _progress(run, new_alerts: tuple[int, ...] = ()) -> Progress:
    if run is None:
        return Progress()
    played = 0.0 if run.played_until is None else (run.played_until - run.event_start) / (run.event_end - run.event_start)
    return Progress(run.id, min(max(played, 0.0), 1.0), _is_running(run), run.played_until, run.readings, run.rejected, new_alerts)


def start_simulation(engine: Engine, now: datetime, speed: float) -> int | None:
    """Begin a new run at `now`, played at `speed` simulated seconds per real second (600: a 10-minute
    step each second, the whole span in 42 s); None (nothing started) while the latest run still plays."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    if _is_running(_latest_run(engine)):
        return None
    with engine.connect() as conn:
        runs = pd.read_sql(select(SimulationRun.event_start, SimulationRun.event_end), conn)
    start, end = free_window(runs, now)
    with engine.begin() as conn:
        return conn.execute(
            insert(SimulationRun).returning(SimulationRun.id),
            {"started_at": now, "event_start": start, "event_end": end, "speed": float(speed), "readings": 0, "rejected": 0},
        ).scalar_one()


def simulation_progress(engine: Engine) -> Progress:
    return _progress(_latest_run(engine))


def advance_simulation(engine: Engine, now: datetime, rules: AlertRules = AlertRules()) -> Progress:
    """Record the readings the latest run has reached by `now` (real time) and update alerts.

    Returns the progress, with the ids of alerts raised by this call. Does nothing when no run is
    playing, when no new step is due, or when another caller claimed the same steps first.
    """
    run = _latest_run(engine)
    if not _is_running(run):
        return _progress(run)
    clock = min(run.event_start + (now - run.started_at) * run.speed, run.event_end)
    simulator = demo_simulator(run.event_start, duration=EVENT_DURATION, step=STEP)
    simulator.played_until = run.played_until
    rows = simulator.next_readings(clock)
    if not rows:
        return _progress(run)
    same_start = SimulationRun.played_until.is_(None) if run.played_until is None else SimulationRun.played_until == run.played_until
    with engine.begin() as conn:
        claimed = conn.execute(
            update(SimulationRun).where(SimulationRun.id == run.id, same_start).values(played_until=simulator.played_until)
        ).rowcount
    if claimed != 1:
        return simulation_progress(engine)
    report, new_alerts = record_readings(engine, rows, source="simulator", now=now, rules=rules)
    with engine.begin() as conn:
        conn.execute(
            update(SimulationRun).where(SimulationRun.id == run.id).values(
                readings=SimulationRun.readings + report.new_count, rejected=SimulationRun.rejected + len(report.rejected))
        )
    return _progress(_latest_run(engine), tuple(new_alerts))
