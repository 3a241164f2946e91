"""Drills: the demo rain event played in accelerated time in a scenario of its own, its state in the database."""
import threading
from datetime import datetime, timedelta

import pytest

from config import Settings
from demo.generator import build_demo_city
from demo.seed import write_demo_city
from flood import store
from flood.cap import validate_cap
from flood.models import REAL
from flood.player import DrillPlayer
from flood.simulation import (SPAN, STEP, advance_simulation, clear_simulation, end_simulation, simulation_progress, speed_for,
                              start_simulation)
from flood.warn import record_readings
from routes.flood import upload_readings_csv
from tests.conftest import wait_until

NOW = datetime(2026, 11, 1, 12, 3, 20)
SPEED = 600.0  # 10 simulated minutes per real second


@pytest.fixture(scope="module")
def city():
    return build_demo_city(7, n_complaints=300, n_businesses=40)


@pytest.fixture
def engine(engine, city):
    write_demo_city(engine, city)
    return engine


def test_the_pace_is_given_in_real_minutes_per_step():
    assert speed_for(1.0) == 10.0 and speed_for(1 / 60) == 600.0  # a 10-minute step per real minute / per second
    with pytest.raises(ValueError):
        speed_for(0)
    assert Settings.from_env({}).flood_drill_minutes_per_step == 0.5  # 30 s a step: time to press the buttons
    assert Settings.from_env({"FLOOD_DRILL_MINUTES_PER_STEP": "2"}).flood_drill_minutes_per_step == 2.0
    for bad in ("0", "-1", "cepat", "nan"):
        with pytest.raises(ValueError, match="FLOOD_DRILL_MINUTES_PER_STEP"):
            Settings.from_env({"FLOOD_DRILL_MINUTES_PER_STEP": bad})


def test_a_run_plays_in_accelerated_time_and_only_once(engine):
    assert simulation_progress(engine).run_id is None
    run = start_simulation(engine, NOW, SPEED)
    assert start_simulation(engine, NOW + timedelta(seconds=1), SPEED) is None  # one run at a time
    first = advance_simulation(engine, NOW + timedelta(seconds=3))  # 30 simulated minutes: 4 steps of 4 gauges
    assert first.run_id == run and first.running and first.readings == 4 * 4 * 2  # level and rain
    assert advance_simulation(engine, NOW + timedelta(seconds=3)).readings == first.readings  # nothing new is due
    assert 0 < first.share < 0.1
    last = advance_simulation(engine, NOW + timedelta(minutes=5))
    assert not last.running and last.share == 1.0 and last.rejected == 0
    assert last.readings == (SPAN // STEP + 1) * 4 * 2
    levels = store.read_alerts(engine, scenario=None).groupby("gauge_id")["level"].max().tolist()
    assert sorted(levels) == [1, 2, 3] and store.read_alerts(engine, active_only=True, scenario=None).empty  # the rivers fell back


def test_a_second_drill_replays_in_its_own_scenario_without_conflicts(engine):
    first = start_simulation(engine, NOW, SPEED)
    advance_simulation(engine, NOW + timedelta(minutes=5))
    alerts_after_first = len(store.read_alerts(engine, scenario=first))
    second = start_simulation(engine, NOW + timedelta(minutes=6), SPEED)
    played = advance_simulation(engine, NOW + timedelta(minutes=12))
    assert not played.running and played.rejected == 0 and first != second
    assert len(store.read_alerts(engine, scenario=second)) == alerts_after_first == len(store.read_alerts(engine, scenario=first))


def test_a_drill_beside_real_readings_never_touches_the_real_series(engine):
    gauge = store.read_gauges(engine).iloc[0]
    drill = start_simulation(engine, NOW, SPEED)
    advance_simulation(engine, NOW + timedelta(minutes=5))
    assert store.read_series(engine, int(gauge.id)).empty and store.read_alerts(engine, scenario=REAL).empty
    drill_series = store.read_series(engine, int(gauge.id), scenario=drill)
    awas = store.read_alerts(engine, scenario=drill).sort_values("level").iloc[-1]
    assert awas.exercise and awas.level == 3
    assert "<status>Exercise</status>" in store.read_cap(engine, int(awas.id)) and validate_cap(store.read_cap(engine, int(awas.id))) == []
    messages = store.read_deliveries(engine, alert_ids=store.read_alerts(engine, scenario=drill).id.tolist()).message
    assert len(messages) and messages.str.startswith("[LATIHAN] ").all()

    # real readings at the very times the drill holds: all accepted, at their own values
    peak = drill_series.loc[drill_series.level_cm.idxmax()]
    times = [peak.time - STEP, peak.time, peak.time + STEP]
    csv = "gauge,time,level_cm\n" + "".join(f"{gauge.code},{t.isoformat()},{61.5 + i}\n" for i, t in enumerate(times))
    report, new_alerts = upload_readings_csv(engine, csv, now=NOW + timedelta(minutes=6))
    assert len(report.accepted) == 3 and not report.rejected and not report.merged and new_alerts == []
    assert store.read_series(engine, int(gauge.id)).level_cm.tolist() == [61.5, 62.5, 63.5]
    assert store.read_series(engine, int(gauge.id), scenario=drill).equals(drill_series)  # the drill's own series is untouched too
    assert store.read_alerts(engine, scenario=REAL).empty  # Normal levels: the drill's Awas is not the real river's

    # ended and cleared: its readings, alerts and warnings leave; the real ones stay
    assert end_simulation(engine, drill, NOW + timedelta(minutes=7), "bpbd") and simulation_progress(engine).ended
    assert clear_simulation(engine, drill, NOW + timedelta(minutes=8), "bpbd") and simulation_progress(engine).cleared
    assert store.read_series(engine, int(gauge.id), scenario=drill).empty and store.read_alerts(engine, scenario=drill).empty
    assert store.read_deliveries(engine).empty and store.read_series(engine, int(gauge.id)).level_cm.tolist() == [61.5, 62.5, 63.5]
    assert not clear_simulation(engine, drill, NOW + timedelta(minutes=9), "bpbd")


def test_a_drill_cleared_while_a_step_is_being_written_leaves_nothing_behind(engine, monkeypatch):
    """The player claims a step, then the drill is cleared before the step's readings are written:
    the step must not leave readings or alerts of a cleared drill (seen in the browser test as a drill
    alert that stayed after "Hapus data latihan")."""
    import flood.simulation as simulation

    drill = start_simulation(engine, NOW, SPEED)

    def cleared_before_writing(*args, **kwargs):
        assert clear_simulation(engine, drill, NOW + timedelta(minutes=5), "bpbd")
        return record_readings(*args, **kwargs)

    monkeypatch.setattr(simulation, "record_readings", cleared_before_writing)
    progress = advance_simulation(engine, NOW + timedelta(minutes=5))
    assert progress.cleared and progress.new_alerts == ()
    gauge = store.read_gauges(engine).iloc[0]
    assert store.read_series(engine, int(gauge.id), scenario=drill).empty and store.read_alerts(engine, scenario=drill).empty
    assert store.read_deliveries(engine).empty


def test_an_ended_drill_plays_no_more(engine):
    drill = start_simulation(engine, NOW, SPEED)
    played = advance_simulation(engine, NOW + timedelta(seconds=3)).readings
    end_simulation(engine, drill, NOW + timedelta(seconds=4), "bpbd")
    later = advance_simulation(engine, NOW + timedelta(minutes=5))
    assert later.readings == played and not later.running and later.ended
    assert start_simulation(engine, NOW + timedelta(minutes=6), SPEED) == drill + 1  # a new drill may start at once


def test_real_readings_still_raise_real_alerts_during_a_drill(engine):
    gauge = store.read_gauges(engine).iloc[0]
    start_simulation(engine, NOW, SPEED)
    advance_simulation(engine, NOW + timedelta(minutes=5))
    real = [{"gauge": gauge.code, "time": (NOW - timedelta(minutes=30 - 10 * i)).isoformat(), "level_cm": gauge.waspada_cm + 5} for i in range(3)]
    _, new_alerts = record_readings(engine, real, source="api", now=NOW + timedelta(minutes=6))
    alerts = store.read_alerts(engine, scenario=REAL)
    assert alerts.id.tolist() == new_alerts and alerts.level.tolist() == [1] and not alerts.exercise.any()
    assert not store.read_deliveries(engine, alert_ids=new_alerts).message.str.contains("LATIHAN").any()


def test_pages_ticking_at_once_record_each_step_once(engine):
    start_simulation(engine, NOW, SPEED)
    later = NOW + timedelta(seconds=10)
    threads = [threading.Thread(target=advance_simulation, args=(engine, later)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress = simulation_progress(engine)
    assert progress.readings == 11 * 4 * 2 and progress.rejected == 0


def test_the_player_plays_a_drill_with_no_page_open(engine):
    """Drills advance on a thread of their own (flood.player), not on page ticks; its clock is the test's."""
    start_simulation(engine, NOW, SPEED)
    clock = [NOW + timedelta(seconds=2)]
    player = DrillPlayer(engine, period_s=0.02, clock=lambda: clock[0]).start()
    try:
        wait_until(lambda: simulation_progress(engine).readings == 3 * 4 * 2, timeout=30, message="the first steps")
        clock[0] = NOW + timedelta(minutes=5)
        wait_until(lambda: not simulation_progress(engine).running, timeout=60, message="the drill to finish")
    finally:
        player.stop(timeout=10)
    assert simulation_progress(engine).readings == (SPAN // STEP + 1) * 4 * 2
