"""The demo rain event played in accelerated time, its state in the database."""
import threading
from datetime import datetime, timedelta

import pandas as pd
import pytest

from demo.generator import build_demo_city
from demo.seed import write_demo_city
from flood import store
from flood.simulation import SPAN, STEP, advance_simulation, free_window, simulation_progress, start_simulation

NOW = datetime(2026, 11, 1, 12, 3, 20)
SPEED = 600.0  # 10 simulated minutes per real second


@pytest.fixture(scope="module")
def city():
    return build_demo_city(7, n_complaints=300, n_businesses=40)


@pytest.fixture
def engine(engine, city):
    write_demo_city(engine, city)
    return engine


def runs(*windows):
    return pd.DataFrame(windows, columns=["event_start", "event_end"])


def test_the_window_ends_now_on_the_step_grid_or_before_earlier_runs():
    end = datetime(2026, 11, 1, 12, 0)
    assert free_window(runs(), NOW) == (end - SPAN, end)
    earlier = (end - SPAN + timedelta(hours=2), end - timedelta(hours=2))
    assert free_window(runs(earlier), NOW) == (earlier[0] - STEP - SPAN, earlier[0] - STEP)
    assert free_window(runs((end - 3 * SPAN, end - 2 * SPAN)), NOW) == (end - SPAN, end)  # no overlap: no shift


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
    levels = store.read_alerts(engine).groupby("gauge_id")["level"].max().tolist()
    assert sorted(levels) == [1, 2, 3] and store.read_alerts(engine, active_only=True).empty  # the rivers fell back


def test_a_second_run_replays_in_a_free_window_without_conflicts(engine):
    start_simulation(engine, NOW, SPEED)
    advance_simulation(engine, NOW + timedelta(minutes=5))
    alerts_after_first = len(store.read_alerts(engine))
    start_simulation(engine, NOW + timedelta(minutes=6), SPEED)
    second = advance_simulation(engine, NOW + timedelta(minutes=12))
    assert not second.running and second.rejected == 0
    assert len(store.read_alerts(engine)) == 2 * alerts_after_first


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
