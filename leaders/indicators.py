"""The board's indicators, computed from the daily roll-ups (`leaders.rollup`) only.

Each indicator has a value over a period with what it rests on (num out of den, and gap: records
the data could not judge), a state ("ok"; "no_events": its part of the app is in use but nothing
happened in the period; "not_in_use": the part that feeds it has no data at all, so no figure is
shown rather than a zero), the admin's target, and one value per week of the last 12 (ISO weeks,
Monday to Sunday in WIT).

Units: "percent" values are fractions 0..1; "days" working days; "hours" hours; "rupiah" whole rupiah;
"count" a count; "per_shift" actions per operator-shift.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from leaders.models import LeaderDaily, LeaderTarget

GROUPS = ("goal", "integration", "adaptation")
WEEKS = 12


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    metric: str
    how: str
    """"ratio" sum num / sum den; "median" of the working-day histogram; "sum" of num; "mean" sum num / sum den
    (a duration or load); "last" num of the period's last day; "last_ratio" num / den of the last day."""
    unit: str
    higher_is_better: bool
    feeder: str
    """The part of the app whose data feeds it (`leaders.rollup.FEEDERS`)."""
    source: str
    """The page where staff see the underlying records."""
    scoped: bool = False
    """Rows carry a scope (agency, feed kind) that the detail lists."""


INDICATORS = (
    Indicator("cx_deadline", "goal", "cx_deadline", "ratio", "percent", True, "complaints", "/pengaduan/kinerja"),
    Indicator("cx_response", "goal", "cx_response", "median", "days", False, "complaints", "/pengaduan/kinerja"),
    Indicator("cam_hours", "goal", "cam_hours", "ratio", "percent", True, "cameras", "/kamera/kesehatan"),
    Indicator("svc_hours", "goal", "svc_hours", "ratio", "percent", True, "services", "/publik/status"),
    Indicator("flood_ack", "goal", "flood_ack", "ratio", "percent", True, "flood", "/banjir"),
    Indicator("tax_follow", "goal", "tax_follow", "ratio", "percent", True, "tax", "/pajak"),
    Indicator("tax_recovered", "goal", "tax_recovered", "sum", "rupiah", True, "tax", "/pajak"),
    Indicator("agency_accept", "integration", "agency_accept", "ratio", "percent", True, "complaints", "/pengaduan/kinerja", scoped=True),
    Indicator("feeds", "integration", "feeds", "last_ratio", "percent", True, "feeds", "/kamera/kesehatan", scoped=True),
    Indicator("portal_visits", "integration", "portal_visits", "sum", "count", True, "portal", "/publik"),
    Indicator("ticket_lookups", "integration", "ticket_lookups", "sum", "count", True, "portal", "/publik/tiket"),
    Indicator("reports_portal", "integration", "reports_portal", "ratio", "percent", True, "complaints", "/publik/lapor"),
    Indicator("backlog", "adaptation", "backlog", "last", "count", False, "complaints", "/pengaduan"),
    Indicator("shift_load", "adaptation", "shift_load", "mean", "per_shift", False, "complaints", "/pengaduan", scoped=True),
    Indicator("restore_svc", "adaptation", "restore_svc", "mean", "hours", False, "services", "/publik/status"),
    Indicator("restore_cam", "adaptation", "restore_cam", "mean", "hours", False, "cameras", "/kamera/kesehatan"),
    Indicator("coverage_gap", "adaptation", "coverage_gap", "last_ratio", "percent", False, "coverage", "/cakupan"),
)
BY_KEY = {i.key: i for i in INDICATORS}


@dataclass
class Figure:
    """An indicator over one period."""

    indicator: Indicator
    state: str
    value: float | None = None
    num: float = 0.0
    den: float = 0.0
    gap: float = 0.0
    target: float | None = None
    met: bool | None = None
    weeks: list[tuple[date, float | None]] = field(default_factory=list)
    """(Monday of the week, value or None) for the last 12 weeks, oldest first."""
    detail: list[dict] = field(default_factory=list)
    """Per scope (agency, feed kind, shift): scope, value, num, den, gap."""

    @property
    def key(self) -> str:
        return self.indicator.key

    @property
    def trend(self) -> float | None:
        """The last complete week's value minus the one before (None when either has none)."""
        values = [v for _, v in self.weeks[-3:-1]]
        if len(values) < 2 or values[0] is None or values[1] is None:
            return None
        return values[1] - values[0]


def _median_days(buckets: pd.DataFrame) -> float | None:
    counts = buckets.groupby("scope").num.sum()
    counts = counts[counts > 0]
    if counts.empty:
        return None
    days = np.array([int(s) for s in counts.index])
    order = np.argsort(days)
    days, weights = days[order], counts.to_numpy()[order]
    cumulative = np.cumsum(weights)
    total = int(cumulative[-1])

    def nth(i: int) -> float:  # the i-th (0-based) value in sorted order
        return float(days[np.searchsorted(cumulative, i, side="right")])
    return (nth((total - 1) // 2) + nth(total // 2)) / 2


def _measure(indicator: Indicator, rows: pd.DataFrame) -> tuple[float | None, float, float, float]:
    """(value, num, den, gap) of `rows` (one metric's daily rows over a period)."""
    if rows.empty:
        return None, 0.0, 0.0, 0.0
    if indicator.how in ("last", "last_ratio"):
        rows = rows[rows.day == rows.day.max()]
    if indicator.how == "median":
        city, buckets = rows[rows.scope == ""], rows[rows.scope != ""]
        answered = float(buckets.num.sum())
        return _median_days(buckets), answered, float(city.den.sum()), float(city.gap.sum())
    num, den, gap = float(rows.num.sum()), float(rows.den.sum()), float(rows.gap.sum())
    if indicator.how == "sum":
        return num, num, den, gap
    if indicator.how == "last":
        return num, num, den, gap
    return (num / den if den > 0 else None), num, den, gap


def read_rows(engine: Engine, first: date, last: date) -> pd.DataFrame:
    """Every roll-up row of the board's metrics between two WIT days (inclusive)."""
    metrics = {i.metric for i in INDICATORS} | {"in_use"}
    with engine.connect() as conn:
        result = conn.execute(select(LeaderDaily.day, LeaderDaily.metric, LeaderDaily.scope, LeaderDaily.num, LeaderDaily.den, LeaderDaily.gap)
                              .where(LeaderDaily.day >= first, LeaderDaily.day <= last, LeaderDaily.metric.in_(metrics)))
        return pd.DataFrame(result.fetchall(), columns=["day", "metric", "scope", "num", "den", "gap"])


def read_targets(engine: Engine) -> dict[str, float]:
    with engine.connect() as conn:
        return {k: v for k, v in conn.execute(select(LeaderTarget.indicator, LeaderTarget.target))}


def set_target(engine: Engine, key: str, target: float | None, by: str, now: datetime) -> None:
    """Set (or with None remove) an indicator's target, in its unit (percent as a fraction 0..1).
    Raises KeyError for an unknown indicator, ValueError for a target outside its unit's range."""
    indicator = BY_KEY[key]
    if target is not None and (not np.isfinite(target) or target < 0 or (indicator.unit == "percent" and target > 1)):
        raise ValueError(key)
    with engine.begin() as conn:
        conn.execute(LeaderTarget.__table__.delete().where(LeaderTarget.indicator == key))
        if target is not None:
            conn.execute(LeaderTarget.__table__.insert().values(indicator=key, target=float(target), set_by=by, set_at=now))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def figures(engine: Engine, today: date, *, period: tuple[date, date] | None = None, weeks: int = WEEKS) -> list[Figure]:
    """Every indicator over `period` (WIT days inclusive; default the 7 days ending `today`), with
    its 12 weekly values ending with the week of the period's last day."""
    first, last = period or (today - timedelta(days=6), today)
    series_start = week_start(last) - timedelta(weeks=weeks - 1)
    rows = read_rows(engine, min(first, series_start), last)
    targets = read_targets(engine)
    in_use = set(rows[(rows.metric == "in_use") & (rows.day <= last)].scope)
    by_metric = {metric: part for metric, part in rows.groupby("metric")}
    empty = rows.iloc[0:0]
    week_of = {day: week_start(day) for day in rows.day.unique()} if len(rows) else {}
    mondays = [series_start + timedelta(weeks=w) for w in range(weeks)]
    out = []
    for indicator in INDICATORS:
        metric_rows = by_metric.get(indicator.metric, empty)
        target = targets.get(indicator.key)
        if indicator.feeder not in in_use:
            out.append(Figure(indicator, "not_in_use", target=target, weeks=[(m, None) for m in mondays]))
            continue
        in_period = metric_rows[(metric_rows.day >= first) & (metric_rows.day <= last)]
        value, num, den, gap = _measure(indicator, in_period)
        weekly = metric_rows.assign(week=metric_rows.day.map(week_of)) if len(metric_rows) else metric_rows.assign(week=[])
        groups = dict(tuple(weekly.groupby("week"))) if len(weekly) else {}
        series = [(m, _measure(indicator, groups[m])[0] if m in groups else None) for m in mondays]
        state = "ok" if value is not None else "no_events"
        met = None
        if value is not None and target is not None:
            met = value >= target if indicator.higher_is_better else value <= target
        detail = []
        if indicator.scoped and len(in_period):
            for scope, part in in_period[in_period.scope != ""].groupby("scope"):
                v, n, d, g = _measure(indicator, part)
                detail.append({"scope": scope, "value": v, "num": n, "den": d, "gap": g})
        out.append(Figure(indicator, state, value, num, den, gap, target, met, series, detail))
    return out


def top_downtime(engine: Engine, first: date, last: date, metric: str, limit: int = 5) -> list[tuple[str, float]]:
    """The `limit` services (metric "svc_down") or cameras ("cam_down") with the most hours down between two WIT days."""
    with engine.connect() as conn:
        result = conn.execute(select(LeaderDaily.scope, LeaderDaily.num).where(
            LeaderDaily.metric == metric, LeaderDaily.day >= first, LeaderDaily.day <= last))
        frame = pd.DataFrame(result.fetchall(), columns=["scope", "num"])
    if frame.empty:
        return []
    totals = frame.groupby("scope").num.sum().sort_values(ascending=False).head(limit)
    return [(str(k), float(v)) for k, v in totals.items() if v > 0]
