"""Tables of the leaders' board, on the store's `Base` (registered in `store.db.MODEL_MODULES`).

Days are local days in Ambon (WIT, UTC+9) except for the service figures, which follow the monitor's
own UTC-day roll-ups. Times are naive UTC.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class LeaderDaily(Base):
    """One figure of one day: `num` out of `den`, and `gap` records the data could not judge.

    `scope` narrows the figure (an agency, a service, a feed kind, a histogram bucket); "" for the
    whole city. What num/den/gap mean per `metric` is written in `leaders.rollup.METRICS`."""

    __tablename__ = "leader_daily"
    __table_args__ = (UniqueConstraint("day", "metric", "scope", name="uq_leader_daily"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(120), default="")
    num: Mapped[float] = mapped_column(Float, default=0.0)
    den: Mapped[float] = mapped_column(Float, default=0.0)
    gap: Mapped[float] = mapped_column(Float, default=0.0)


Index("ix_leader_daily_metric_day", LeaderDaily.metric, LeaderDaily.day)


class LeaderRollupDay(Base):
    """A day the roll-up has summed, and when: days younger than `leaders.rollup.SETTLE_DAYS` are summed again."""

    __tablename__ = "leader_rollup_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_at: Mapped[datetime] = mapped_column(DateTime)


class LeaderTarget(Base):
    """The target an admin set for an indicator, in the indicator's unit."""

    __tablename__ = "leader_targets"
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    target: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(DateTime)


class PublicCount(Base):
    """Public portal requests counted in one process and written in a batch (append-only; the roll-up
    sums them per day). `name`: "portal_visit" or "ticket_lookup"."""

    __tablename__ = "leader_public_counts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    name: Mapped[str] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(Integer)
