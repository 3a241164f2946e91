"""The month's flags for every business, from the store, turned into follow-up cases."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from i18n.format import WIT_OFFSET
from tax import cases, flags, store



def wit_today(now: datetime) -> date:
    """The Ambon calendar day at `now` (naive UTC)."""
    return (now + WIT_OFFSET).date()


def latest_due_month(today: date, due_day: int) -> date:
    """The latest month whose tax was due before `today`: the newest month a payment can be judged on."""
    month = flags.add_months(flags.month_start(today), -1)
    while flags.due_date(month, due_day) >= today:
        month = flags.add_months(month, -1)
    return month


def compute_flags(engine: Engine, month: date, now: datetime, rate: float, due_day: int) -> pd.DataFrame:
    """Every flag of `month` and the boxes silent at `now` (tax.flags.month_flags) from the store."""
    businesses = store.read_taxpayers(engine)
    # the month and the twelve before it are all the flags look at
    sales = store.read_monthly_sales(engine, since=flags.add_months(month, -12))
    return flags.month_flags(sales, store.read_daily_mean(engine, wit_today(now)), store.read_returns(engine),
                             businesses, store.read_devices(engine), month, now, rate, due_day)


def refresh_cases(engine: Engine, month: date, now: datetime, rate: float, due_day: int) -> int:
    """Compute the month's flags and open a case for each new one; returns how many were opened."""
    return cases.sync_cases(engine, compute_flags(engine, month, now, rate, due_day), now)
