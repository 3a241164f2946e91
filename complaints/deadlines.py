"""Working-day deadlines of SP4N-LAPOR, counted in Ambon's local days (WIT, UTC+9).

A working day is Monday to Friday, minus Indonesia's national holidays and collective leave days
(cuti bersama), taken from the maintained `holidays` library (categories "public" and
"government"), minus the local holidays an admin adds. Stored times are naive UTC.

A deadline of n working days ends at midnight WIT after the n-th working day following the day
of receipt (a report on Saturday: Monday is day 1). Elapsed working days between two moments count
the working days after the first moment's day up to and including the second's.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
import numpy as np

WIT_OFFSET = timedelta(hours=9)


@lru_cache(maxsize=8)
def national_holidays(first_year: int, last_year: int) -> tuple[date, ...]:
    """Indonesia's national holidays and collective leave days (cuti bersama) of the years, sorted."""
    days = holidays.country_holidays("ID", years=range(first_year, last_year + 1), categories=("public", "government"))
    return tuple(sorted(days))


class WorkingCalendar:
    """Working days of Kota Ambon: weekdays minus national holidays, cuti bersama and `local_holidays`."""

    def __init__(self, local_holidays: Iterable[date] = (), years: tuple[int, int] = (2015, 2035)):
        self.local_holidays = tuple(sorted(set(local_holidays)))
        self.holidays = np.array(sorted(set(national_holidays(*years)) | set(self.local_holidays)), dtype="datetime64[D]")
        self._calendar = np.busdaycalendar(weekmask="1111100", holidays=self.holidays)

    def is_working_day(self, day: date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._calendar))

    def deadline(self, received_at, working_days):
        """When the time runs out: naive UTC datetime(s) of midnight WIT after the `working_days`-th
        working day after the day `received_at` (naive UTC) falls on. Takes scalars or arrays."""
        local_day = _local_days(received_at)
        last_day = np.busday_offset(local_day, np.asarray(working_days), roll="backward", busdaycal=self._calendar)
        end_utc = (last_day + np.timedelta64(1, "D")).astype("datetime64[s]") - np.timedelta64(9, "h")
        return _as_python(end_utc)

    def elapsed(self, start, end):
        """Working days from `start` to `end` (naive UTC, scalars or arrays): those after start's local
        day up to and including end's. NaT/None in `end` gives NaN."""
        start_days, end_days = _local_days(start), _local_days(end)
        missing = np.isnat(start_days) | np.isnat(end_days)
        safe_start = np.where(missing, np.datetime64("2000-01-03"), start_days)
        safe_end = np.where(missing, np.datetime64("2000-01-03"), end_days)
        count = np.busday_count(safe_start + 1, safe_end + 1, busdaycal=self._calendar).astype(float)
        count = np.where(missing, np.nan, count)
        return float(count) if np.ndim(count) == 0 else count


def _local_days(moments) -> np.ndarray:
    values = np.asarray(moments, dtype="datetime64[s]") if not isinstance(moments, datetime) else np.datetime64(moments, "s")
    return (values + np.timedelta64(9, "h")).astype("datetime64[D]")


def _as_python(values: np.ndarray):
    if np.ndim(values) == 0:
        return values.astype("datetime64[s]").item()
    return values


def deadline_state(due_at: datetime | None, done_at: datetime | None, now: datetime, *, soon: timedelta = timedelta(days=1)) -> str:
    """"overdue", "due_soon" (within `soon`), "on_time" (still running), "met" or "missed" (done)."""
    if due_at is None:
        return "on_time"
    if done_at is not None:
        return "met" if done_at <= due_at else "missed"
    if now > due_at:
        return "overdue"
    return "due_soon" if due_at - now <= soon else "on_time"
