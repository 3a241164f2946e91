"""The demo's complaints end when the app first starts and carry a whole, consistent life cycle:
resolution times (so agencies' performance is not 0 %), timelines, some overdue, some due soon."""
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from complaints.deadlines import deadline_state
from complaints.store import fill_missing_deadlines
from config.complaints import DeadlineRules
from demo.complaint_history import anchor, with_lifecycle
from demo.generator import DEMO_END
from demo.seed import write_demo_city
from store.db import upgrade_schema

FIRST_START = datetime(2027, 4, 13, 2, 30)
"""A Tuesday morning in Ambon (11:30 WIT) with no holiday near: some first answers are due tonight."""


@pytest.fixture(scope="module")
def history(demo_city):
    return with_lifecycle(anchor(demo_city.complaints, DEMO_END, FIRST_START), FIRST_START)


def test_history_runs_up_to_the_first_start(history):
    complaints, _ = history
    newest = complaints.created_at.max()
    assert FIRST_START - timedelta(days=1) < newest <= FIRST_START
    assert len(complaints) == 5000


def test_lifecycle_times_are_in_order_and_match_the_state(history):
    c, _ = history
    closed = c[c.status == "selesai"]
    assert len(closed) > 4000 and closed.resolved_at.notna().all() and closed.closed_at.notna().all()
    chain = ["created_at", "verified_at", "routed_at", "accepted_at", "resolved_at", "closed_at"]
    for earlier, later in zip(chain, chain[1:]):
        both = c[earlier].notna() & c[later].notna()
        assert (c.loc[both, earlier] <= c.loc[both, later]).all(), (earlier, later)
    assert (c[chain].max(axis=1) <= FIRST_START).all()
    received = c[c.status == "baru"]
    assert received[["verified_at", "routed_at", "accepted_at", "resolved_at"]].isna().all().all()
    assert c.loc[c.status == "diproses", "resolved_at"].isna().all() and c.loc[c.status == "diproses", "accepted_at"].notna().all()


def test_every_complaint_has_a_timeline_ending_in_its_state(history):
    c, events = history
    assert set(events.complaint_id) == set(c.id)
    last = events.groupby("complaint_id").to_state.last()
    assert (last.reindex(c.id).to_numpy() == c.status.to_numpy()).all()


def test_the_seeded_store_shows_deadlines_met_overdue_and_due_soon(tmp_path, demo_city):
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade_schema(engine)
    write_demo_city(engine, demo_city, FIRST_START)
    fill_missing_deadlines(engine, DeadlineRules())
    with engine.connect() as conn:
        rows = pd.read_sql(text("SELECT agency, status, due_at, resolved_at, next_due_at FROM complaints"), conn,
                           parse_dates=["due_at", "resolved_at", "next_due_at"])
        timeline = conn.execute(text("SELECT count(DISTINCT complaint_id) FROM complaint_events")).scalar_one()
    assert timeline == 5000
    done = rows[rows.resolved_at.notna()]
    within = (done.resolved_at <= done.due_at).groupby(done.agency).mean()
    assert (within > 0).all() and (done.resolved_at <= done.due_at).mean() > 0.5  # most on time, none at 0 %
    states = pd.Series([deadline_state(d.to_pydatetime(), None, FIRST_START) for d in rows.next_due_at.dropna()]).value_counts()
    assert states.get("overdue", 0) > 0 and states.get("due_soon", 0) > 0 and states.get("on_time", 0) > 0

