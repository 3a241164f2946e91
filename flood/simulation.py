"""Drills: the demo rain event played forward in its own scenario, its state kept in the database.

A drill is a `SimulationRun`; its readings and alerts carry the run's id as their scenario, so they
never enter the real series, never stand in the way of a real reading at the same gauge and time,
and are marked as exercises (LATIHAN) wherever they appear. Readings are never in the future, so a
run replays the event over the window of the recent past that ends when it starts, at `speed`
simulated seconds per real second. Every step goes through `flood.warn.record_readings` like any
other source. The state lives in `SimulationRun` rows, not in a browser or a process, so every
worker and every open page sees the same run; a compare-and-set on `played_until` makes each step
recorded once even when several players advance it at the same moment. Staff end a drill (nothing
more is played) and clear it (its readings, alerts and warnings are removed). Times naive UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from flood import store
from flood.demo import demo_simulator
from flood.models import SimulationRun
from flood.warn import AlertRules, record_readings

EVENT_DURATION = timedelta(hours=6)
TAIL = timedelta(hours=1)
"""Played after the rain event so that the rivers fall back and the alerts clear."""
SPAN = EVENT_DURATION + TAIL
STEP = timedelta(minutes=10)


def speed_for(minutes_per_step: float, step: timedelta = STEP) -> float:
    """Simulated seconds per real second when each `step` of the event takes `minutes_per_step` real minutes."""
    if minutes_per_step <= 0:
        raise ValueError("minutes per step must be positive")
    return step.total_seconds() / (minutes_per_step * 60)


@dataclass(frozen=True)
class Progress:
    """Where the latest drill stands. `share` 0..1 of its span played; no drill: run_id None, share 0.
    `run_id` is also the drill's scenario. `ended`: stopped by staff; `cleared`: its data removed.
    `played_until` is the drill's simulated clock (a moment of the replayed past); `real_end` the real
    time the whole event will have been played by (naive UTC)."""

    run_id: int | None = None
    share: float = 0.0
    running: bool = False
    played_until: datetime | None = None
    readings: int = 0
    rejected: int = 0
    new_alerts: tuple[int, ...] = ()
    ended: bool = False
    cleared: bool = False
    real_end: datetime | None = None


def _latest_run(engine: Engine):
    with engine.connect() as conn:
        return conn.execute(select(SimulationRun).order_by(SimulationRun.id.desc()).limit(1)).first()


def _is_running(run) -> bool:
    return run is not None and run.ended_at is None and (run.played_until is None or run.played_until < run.event_end)


def _progress(run, new_alerts: tuple[int, ...] = ()) -> Progress:
    if run is None:
        return Progress()
    played = 0.0 if run.played_until is None else (run.played_until - run.event_start) / (run.event_end - run.event_start)
    return Progress(run.id, min(max(played, 0.0), 1.0), _is_running(run), run.played_until, run.readings, run.rejected, new_alerts,
                    run.ended_at is not None, run.cleared_at is not None,
                    run.started_at + (run.event_end - run.event_start) / run.speed)


def start_simulation(engine: Engine, now: datetime, speed: float) -> int | None:
    """Begin a new drill at `now`, played at `speed` simulated seconds per real second (see `speed_for`);
    its id (= its scenario), or None (nothing started) while the latest drill still plays."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    if _is_running(_latest_run(engine)):
        return None
    end = datetime.min + ((now - datetime.min) // STEP) * STEP
    with engine.begin() as conn:
        return conn.execute(
            insert(SimulationRun).returning(SimulationRun.id),
            {"started_at": now, "event_start": end - SPAN, "event_end": end, "speed": float(speed), "readings": 0, "rejected": 0},
        ).scalar_one()


def simulation_progress(engine: Engine) -> Progress:
    return _progress(_latest_run(engine))


def advance_simulation(engine: Engine, now: datetime, rules: AlertRules = AlertRules()) -> Progress:
    """Record the readings the latest drill has reached by `now` (real time) and update its alerts.

    Returns the progress, with the ids of alerts raised by this call. Does nothing when no drill is
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
            update(SimulationRun).where(SimulationRun.id == run.id, SimulationRun.ended_at.is_(None), same_start)
            .values(played_until=simulator.played_until)
        ).rowcount
    if claimed != 1:
        return simulation_progress(engine)
    report, new_alerts = record_readings(engine, rows, source="simulator", now=now, rules=rules, scenario=run.id)
    with engine.begin() as conn:
        conn.execute(
            update(SimulationRun).where(SimulationRun.id == run.id).values(
                readings=SimulationRun.readings + report.new_count, rejected=SimulationRun.rejected + len(report.rejected))
        )
        cleared_meanwhile = conn.scalar(select(SimulationRun.cleared_at).where(SimulationRun.id == run.id)) is not None
    if cleared_meanwhile:
        # the drill was cleared between this step's claim and its writing (clear_simulation marks the run
        # cleared before it deletes): what this step wrote would outlive the clear, so it goes too
        store.delete_scenario(engine, run.id)
        return _progress(_latest_run(engine))
    return _progress(_latest_run(engine), tuple(new_alerts))


def end_simulation(engine: Engine, run_id: int, now: datetime, by: str | None) -> bool:
    """Stop drill `run_id` at `now`: nothing more is played; its alerts stay (marked LATIHAN) until cleared.
    False when there is no such drill or it had ended already."""
    with engine.begin() as conn:
        return conn.execute(update(SimulationRun).where(SimulationRun.id == run_id, SimulationRun.ended_at.is_(None))
                            .values(ended_at=now, ended_by=by)).rowcount == 1


def clear_simulation(engine: Engine, run_id: int, now: datetime, by: str | None) -> bool:
    """End drill `run_id` (if still playing) and remove its readings, alerts and warnings; the run row
    stays as the record that the drill took place. False when there is no such drill or it was cleared."""
    end_simulation(engine, run_id, now, by)
    with engine.begin() as conn:
        cleared = conn.execute(update(SimulationRun).where(SimulationRun.id == run_id, SimulationRun.cleared_at.is_(None))
                               .values(cleared_at=now)).rowcount == 1
    if cleared:
        store.delete_scenario(engine, run_id)
    return cleared
