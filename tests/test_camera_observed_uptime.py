"""Camera health uptime over the time actually observed: a 24-hour strip that is mostly grey
(nothing recorded) must not read as '100,0 %', and the reader's 7-day figure says how long it watched."""
from __future__ import annotations

import pytest

from cameras import history
from cameras.health import DAY, OFFLINE, ONLINE, WEEK
from layouts.camera_views import health_table, reader_uptime

HOUR = 3600.0
NOW = 1_800_000_000.0


def _cells(component) -> list[str]:
    """Every text of a Dash component tree, depth first."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif node is not None:
            walk(getattr(node, "children", None))
    walk(component)
    return found


def test_history_observed_is_the_recorded_part_of_the_window_only():
    changes = [(NOW - 2 * HOUR, ONLINE), (NOW - HOUR, OFFLINE), (NOW - 0.5 * HOUR, ONLINE)]
    assert history.observed(changes, NOW, DAY) == pytest.approx(2 * HOUR)
    assert history.uptime(changes, NOW, DAY) == pytest.approx(0.75)
    assert history.observed([], NOW, DAY) == 0


def test_health_table_states_the_observed_time_and_never_a_bare_full_day_figure():
    changes = [(NOW - 0.75 * HOUR, ONLINE)]  # recorded for 45 minutes of the day: the strip is mostly grey
    histories = {1: {"slots": history.strip(changes, NOW, DAY), "uptime": history.uptime(changes, NOW, DAY),
                     "observed_s": history.observed(changes, NOW, DAY), "outages": [], "recorded_since": changes[0][0]}}
    record = {"camera_id": 1, "name": "TPS Batu Merah", "kind": "tps", "status": ONLINE, "fps": 5.0,
              "uptime_24h": 1.0, "uptime_7d": 0.995, "watched_since_ts": NOW - 3 * HOUR, "published_ts": NOW}
    texts = _cells(health_table([record], "id", histories))
    assert "100,0 % (dipantau 45 menit)" in texts
    assert "99,5 % (dipantau 3 jam 0 menit)" in texts
    assert "100,0 %" not in texts and "99,5 %" not in texts


def test_reader_uptime_without_a_watch_start_or_with_a_full_week_of_it():
    assert reader_uptime({"uptime_7d": 0.99}, WEEK, "en") == "no data yet"
    assert reader_uptime({"uptime_7d": 0.99, "watched_since_ts": NOW - 8 * DAY, "published_ts": NOW}, WEEK, "en") == "99.0 %"
