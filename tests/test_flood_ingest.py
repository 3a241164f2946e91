from datetime import datetime, timedelta

import pytest

from flood import store
from flood.ingest import ingest, rows_from_csv
from i18n import reason
from tests.flood_world import write_world

NOW = datetime(2026, 11, 1, 12, 0)


@pytest.fixture
def engine(engine):
    write_world(engine)
    return engine


def row(minutes_ago, level, gauge="G1", **extra):
    return {"gauge": gauge, "time": (NOW - timedelta(minutes=minutes_ago)).isoformat() + "Z", "level_cm": level, **extra}


def reasons(report):
    return {o.row: reason("flood", o.code, o.args, "en") for o in report.rejected}


def test_bad_rows_are_rejected_each_with_its_reason(engine):
    rows = [
        row(10, 120),
        row(10, 130, gauge="NOPE"),
        {**row(0, 1), "time": (NOW + timedelta(minutes=11)).isoformat()},
        row(60 * 24 * 31, 100),
        row(20, "tinggi"),
        row(30, -5),
        row(40, 5000),
        {"gauge": "G1", "time": "kemarin", "level_cm": 1},
        {"gauge": "G1", "time": NOW.isoformat()},
        "not an object",
        row(50, float("nan")),
        row(60, True),
    ]
    report = ingest(engine, rows, source="api", now=NOW)
    assert report.new_count == 1
    got = reasons(report)
    assert got[1].startswith("unknown gauge")
    assert got[2] == "time in the future"
    assert got[3] == "time older than 30 days"
    assert "not a number" in got[4]
    assert "negative" in got[5]
    assert "absurd" in got[6]
    assert got[7].startswith("bad time")
    assert got[8] == "no level_cm or rain_mm_h"
    assert got[9] == "row is not an object"
    assert "finite" in got[10] and "not a number" in got[11]
    assert len(report.accepted) + len(report.merged) + len(report.rejected) == len(rows)  # nothing silently lost


def test_resending_a_batch_stores_nothing_twice(engine):
    rows = [row(30, 100), row(20, 110), row(10, 120)]
    first = ingest(engine, rows, source="api", now=NOW)
    again = ingest(engine, rows, source="api", now=NOW)
    assert (first.new_count, len(first.merged)) == (3, 0)
    assert (again.new_count, len(again.merged), len(again.rejected)) == (0, 3, 0)
    assert len(store.read_series(engine, 1)) == 3


def test_duplicates_in_a_batch_merge_and_conflicts_are_rejected(engine):
    ingest(engine, [row(30, 100)], source="api", now=NOW)
    rows = [row(20, 110), row(20, 110), row(10, 120), row(10, 121), row(30, 105)]
    report = ingest(engine, rows, source="api", now=NOW)
    assert [o.row for o in report.accepted] == [0]
    assert [(o.row, reason("flood", o.code, o.args, "en")) for o in report.merged] == [(1, "duplicate of row 0")]
    got = reasons(report)
    assert got[2] == got[3] == "conflicting values for the same gauge and time in rows 2, 3"
    assert got[4] == "conflicts with stored value 100.0"
    assert list(store.read_series(engine, 1).level_cm) == [100, 110]


def test_late_readings_are_stored_in_their_place(engine):
    ingest(engine, [row(10, 120)], source="api", now=NOW)
    report = ingest(engine, [row(30, 100), row(0, 125)], source="api", now=NOW)
    assert [(o.row, o.late) for o in report.accepted] == [(0, True), (1, False)]
    assert list(store.read_series(engine, 1).level_cm) == [100, 120, 125]


def test_rain_is_a_measurement_of_its_own(engine):
    report = ingest(engine, [row(10, 120, rain_mm_h=12.5), {**row(20, 110), "rain_mm_h": "hujan"}], source="api", now=NOW)
    assert [(o.row, o.kind) for o in report.accepted] == [(0, "level"), (0, "rain"), (1, "level")]
    assert [(o.row, o.kind) for o in report.rejected] == [(1, "rain")]
    assert list(store.read_series(engine, 1, kind="rain").rain_mm_h) == [12.5]


def test_times_with_offsets_become_naive_utc(engine):
    ingest(engine, [{"gauge": "G1", "time": "2026-11-01T20:00:00+09:00", "level_cm": "101.5"}], source="csv", now=NOW)
    assert store.read_series(engine, 1).time.iloc[0].to_pydatetime() == datetime(2026, 11, 1, 11, 0)


def test_csv_rows():
    content = "\ufeffgauge,time,level_cm\nG1,2026-11-01T10:00:00Z,101\n".encode()
    assert rows_from_csv(content) == [{"gauge": "G1", "time": "2026-11-01T10:00:00Z", "level_cm": "101"}]
    with pytest.raises(ValueError):
        rows_from_csv("a,b\n1,2\n")
