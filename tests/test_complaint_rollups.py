"""The per-agency figures read from daily roll-ups equal the figures computed from every complaint, on a
hand-made set, on SQLite and PostgreSQL; a refresh rebuilds only the days that changed."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select, update

from complaints import lifecycle, store
from complaints.deadlines import WorkingCalendar
from complaints.models import ComplaintRollup
from complaints.rollups import refresh_rollups, rollup_performance
from store.models import Complaint

NOW = datetime(2026, 11, 2, 2, 0)
CALENDAR = WorkingCalendar()
OPERATOR = store.Actor("operator", lifecycle.OPERATOR)
AGENCIES = {"DLH": store.Actor("dlh", lifecycle.AGENCY, "DLH"), "PUPR": store.Actor("pupr", lifecycle.AGENCY, "PUPR")}


def _life(engine, day: int, agency: str, accept_after: int | None, resolve_after: int | None) -> int:
    at = NOW + timedelta(days=day)
    made = store.submit_complaint(engine, category="sampah" if agency == "DLH" else "jalan", description=f"Keluhan hari {day}",
                                  lon=128.18, lat=-3.70, channel="web", actor="warga", now=at)
    store.apply_action(engine, made["id"], "verify", OPERATOR, now=at)
    store.apply_action(engine, made["id"], "route", OPERATOR, agency=agency, now=at)
    if accept_after is not None:
        store.apply_action(engine, made["id"], "accept", AGENCIES[agency], now=at + timedelta(days=accept_after))
        if resolve_after is not None:
            store.apply_action(engine, made["id"], "resolve", AGENCIES[agency], note="selesai", now=at + timedelta(days=resolve_after))
    return made["id"]


def _same(engine, later: datetime) -> None:
    direct = store.performance(engine, now=later, calendar=CALENDAR)
    rolled = rollup_performance(engine, now=later, calendar=CALENDAR)
    for name in ("summary", "monthly", "backlog"):
        pd.testing.assert_frame_equal(rolled[name].reset_index(drop=True), direct[name].reset_index(drop=True), check_dtype=False)


def test_figures_from_rollups_equal_figures_from_every_complaint(engine):
    # two agencies over two months: quick and slow answers, resolved in time and late, some still open
    plan = [(0, "DLH", 1, 2), (0, "DLH", 1, 9), (3, "DLH", 2, None), (5, "PUPR", 1, 3), (20, "PUPR", None, None),
            (31, "DLH", 0, 1), (33, "PUPR", 4, 12), (33, "PUPR", 1, 2), (34, "DLH", None, None)]
    ids = [_life(engine, *step) for step in plan]
    later = NOW + timedelta(days=50)
    assert refresh_rollups(engine, now=later) is None  # the first run: every day
    _same(engine, later)
    summary = rollup_performance(engine, now=later, calendar=CALENDAR)["summary"].set_index("agency")
    assert summary.loc["DLH", "received"] == 5 and summary.loc["PUPR", "received"] == 4

    # a change to an old complaint and a new one: their days are rebuilt, and the day of the change the
    # last run saw (read again: a late commit may share its time), not the others
    store.apply_action(engine, ids[2], "resolve", AGENCIES["DLH"], note="akhirnya", now=later)
    _life(engine, 48, "PUPR", 1, None)
    assert refresh_rollups(engine, now=later + timedelta(minutes=1)) == 3
    _same(engine, later + timedelta(days=1))
    assert refresh_rollups(engine, now=later + timedelta(minutes=2)) == 1  # nothing new: the last change's day only
    _same(engine, later + timedelta(days=1))

    # a change made behind the desk's back (no updated_at) reaches the roll-ups at the next daily rebuild
    with engine.begin() as conn:
        conn.execute(update(Complaint).where(Complaint.id == ids[0]).values(agency="PUPR"))
    assert refresh_rollups(engine, now=later + timedelta(days=2), allow_full=False) == 1  # the page: changed days only
    assert refresh_rollups(engine, now=later + timedelta(days=2)) is None
    _same(engine, later + timedelta(days=2))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ComplaintRollup)).scalar_one() > 0
