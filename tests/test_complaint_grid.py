"""The map's complaint grid (store.complaint_grid) on hand-made complaints, on SQLite and PostgreSQL."""
from datetime import datetime, timedelta

from sqlalchemy import insert

from store.complaint_grid import cell_degrees, complaint_cells, snap_bbox
from store.layers import ComplaintFilter
from store.models import Complaint

NOW = datetime(2026, 12, 1, 8, 0)


def _add(engine, rows):
    base = {"created_at": NOW - timedelta(days=3), "channel": "web", "category": "sampah", "description": "x", "agency": "dlh"}
    with engine.begin() as conn:
        conn.execute(insert(Complaint), [{**base, "ticket": f"T-{i}", **row} for i, row in enumerate(rows)])


def test_cells_count_every_complaint_and_keep_the_most_urgent_deadline(engine):
    size = cell_degrees(14)
    west, south = 128.17 - 128.17 % size + size / 4, -3.70 - (-3.70 % size) + size / 4  # well inside one cell
    group = [{"lon": west + i * size / 10, "lat": south, "status": "baru", "next_due_at": NOW + timedelta(days=5)} for i in range(3)]
    group.append({"lon": west, "lat": south + size / 10, "status": "selesai", "next_due_at": NOW - timedelta(hours=1)})  # overdue
    alone = {"lon": west + 5 * size, "lat": south + 5 * size, "status": "diproses", "next_due_at": None}
    elsewhere = {"lon": west, "lat": south, "status": "baru", "agency": "pupr", "next_due_at": None}
    _add(engine, [*group, alone, elsewhere])

    cells = complaint_cells(engine, ComplaintFilter().within_agency("dlh"), 14, None, NOW).sort_values("n")
    assert cells.n.tolist() == [1, 4]  # the other agency's complaint is not counted
    single, many = cells.iloc[0], cells.iloc[1]
    assert single.id > 0 and single.s == 2 and single.d == 3  # diproses, no running deadline
    assert many.id == -1 and many.s == 0 and many.d == 0  # mostly "baru"; one overdue: the group is overdue
    assert abs(many.lon - sum(row["lon"] for row in group) / 4) < 1e-9  # drawn where its complaints are on average

    # a bbox around the lone complaint only
    box = (alone["lon"] - size / 8, alone["lat"] - size / 8, alone["lon"] + size / 8, alone["lat"] + size / 8)
    assert complaint_cells(engine, ComplaintFilter(), 14, box, NOW).n.tolist() == [1]
    # one cell per zoom level above: everything in one group
    assert complaint_cells(engine, ComplaintFilter(), 5, None, NOW).n.sum() == 6


def test_views_inside_one_block_share_one_snapped_bbox():
    a = snap_bbox((128.15, -3.72, 128.20, -3.66), 13)
    b = snap_bbox((128.151, -3.719, 128.199, -3.661), 13)
    assert a == b and a[0] <= 128.15 and a[2] >= 128.20 and a[1] <= -3.72 and a[3] >= -3.66
