"""Uptime arithmetic on time intervals: downtime is time inside an incident and outside maintenance;
the denominator is the time watched, also outside maintenance. Times are datetimes (naive UTC),
durations in seconds, uptime a fraction 0..1.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

Interval = tuple[datetime, datetime]


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals` as sorted, disjoint intervals (empty ones dropped)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clipped(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    """`intervals` cut to `window`, merged."""
    lo, hi = window
    return merged((max(s, lo), min(e, hi)) for s, e in intervals)


def seconds(intervals: Iterable[Interval]) -> float:
    return sum((e - s).total_seconds() for s, e in merged(intervals))


def minus(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """`intervals` with every part inside `holes` removed."""
    holes = merged(holes)
    out: list[Interval] = []
    for start, end in merged(intervals):
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def window_uptime(incidents: Iterable[Interval], maintenance: Iterable[Interval], window: Interval,
                  watched_since: datetime | None = None) -> tuple[float | None, float, float]:
    """(uptime fraction or None when nothing was watched, downtime s, watched s) over `window`.

    Open incidents are passed with the window's end as their end. Time before `watched_since` (the
    service was added) and inside maintenance counts neither as up nor as down."""
    lo, hi = window
    if watched_since is not None:
        lo = max(lo, watched_since)
    if hi <= lo:
        return None, 0.0, 0.0
    window = (lo, hi)
    maintenance = clipped(maintenance, window)
    watched = seconds(minus([window], maintenance))
    down = seconds(minus(clipped(incidents, window), maintenance))
    if watched <= 0:
        return None, down, watched
    return max(0.0, 1.0 - down / watched), down, watched
