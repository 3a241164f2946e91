from datetime import datetime, timedelta

import pytest

from flood.alerts import Episode, Thresholds, evaluate, rate_of_rise_cm_h

T0 = datetime(2026, 11, 1, 0, 0)
THRESHOLDS = Thresholds(100.0, 150.0, 200.0)


def run(levels, **options):
    times = [T0 + timedelta(minutes=10 * i) for i in range(len(levels))]
    return evaluate(times, levels, THRESHOLDS, margin_cm=10, hold=timedelta(minutes=30), **options)


def at(step):
    return T0 + timedelta(minutes=10 * step)


def test_raises_once_and_clears_only_after_the_hold():
    #          0   1   2    3   4    5   6   7   8   9   10
    levels = [50, 90, 101, 95, 102, 99, 89, 85, 88, 80, 120]
    result = run(levels)
    # 95 and 99 are not below 100 - 10: no clearing starts; from step 6 on it is, 30 min later (step 9) it clears
    assert result.episodes == [Episode(1, at(2), 101.0, at(9)), Episode(1, at(10), 120.0)]
    assert list(result.levels) == [0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1]


def test_no_flapping_around_a_threshold():
    result = run([99, 101, 99, 101, 98, 100.5, 99, 101])
    assert result.episodes == [Episode(1, at(1), 101.0)]


def test_a_reading_above_the_margin_restarts_the_hold():
    result = run([120, 80, 80, 95, 80, 80, 80, 80])
    assert result.episodes == [Episode(1, at(0), 120.0, at(7))]  # restarted at step 4, cleared 30 min later


def test_a_jump_raises_one_alert_at_the_level_reached_and_descends_step_by_step():
    result = run([50, 210, 195, 180, 180, 180, 180, 205])
    assert result.episodes == [Episode(3, at(1), 210.0, at(6)), Episode(3, at(7), 205.0)]
    assert list(result.levels) == [0, 3, 3, 3, 3, 3, 2, 3]


def test_escalation_raises_one_alert_per_level():
    result = run([120, 160, 210, 20, 20, 20, 20])
    assert [(e.level, e.raised_at, e.cleared_at) for e in result.episodes] == [(1, at(0), at(6)), (2, at(1), at(6)), (3, at(2), at(6))]
    assert result.level == 0


def test_out_of_order_series_gives_the_same_result():
    levels = [50, 90, 101, 95, 102, 99, 89, 85, 88, 80, 120]
    times = [at(i) for i in range(len(levels))]
    order = [5, 0, 9, 2, 10, 1, 7, 3, 8, 4, 6]
    shuffled = evaluate([times[i] for i in order], [levels[i] for i in order], THRESHOLDS, margin_cm=10, hold=timedelta(minutes=30))
    assert shuffled.episodes == run(levels).episodes


def test_thresholds_must_increase():
    with pytest.raises(ValueError):
        Thresholds(150, 100, 200)


def test_rate_of_rise_in_cm_per_hour():
    times = [at(i) for i in range(7)]
    assert rate_of_rise_cm_h(times, [100 + 5 * i for i in range(7)]) == pytest.approx(30)
    assert rate_of_rise_cm_h(times[:1], [100]) is None
