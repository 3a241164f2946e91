"""Which restaurant-tax payers to follow up, and why: four flags, each with the numbers that explain it.

Every function is vectorised over all businesses (pandas/numpy) and takes plain frames:

* ``sales``: recorded monthly sales, columns business_id, month (first day), amount_idr (rupiah)
  (:func:`monthly_from_daily` makes them from daily totals);
* ``daily_mean``: recorded sales per day over the last 28 days, rupiah, indexed by business id;
* ``returns``: monthly returns, columns business_id, month (first day), turnover_idr, tax_paid_idr,
  paid_on (date or NaT: not paid);
* ``businesses``: columns id, category, kecamatan_code, opens_hour, closes_hour (WIT hours);
* ``devices``: tapping boxes, columns code, business_id, installed_at, last_seen_at (naive UTC).

A flag is a row of :data:`FLAG_COLUMNS`: the business, its ``kind`` (:data:`FLAG_KINDS`), the
``period`` it is about (the key of its follow-up case), the ``month`` it counts in, the revenue
``at_stake_idr`` (rupiah), a ranking ``score`` (rupiah weighted by kind) and ``facts``, the numbers
its explanation is written from (in the reader's language, by the page: no words here).
"""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from i18n.format import WIT_OFFSET

FLAG_KINDS = ("underpaid", "silent", "dip", "late")
"""Worst first: the map colours a business by the first of these among its open cases."""
KIND_WEIGHT = {"underpaid": 1.0, "silent": 1.2, "dip": 0.8, "late": 0.6}
"""How the score weighs a rupiah at stake by kind: a silent box hides sales of every day it stays silent."""
UNDERPAID_TOLERANCE = 0.10
"""Paid under (1 − this) × rate × recorded sales is flagged: 10 % absorbs refunds and rounding."""
MIN_TAX_IDR = 100_000
"""Months whose expected tax is below this (rupiah) are not flagged as underpaid or missing."""
SILENT_OPEN_HOURS = 4.0
"""A tapping box without a sale for this many opening hours is silent."""
DIP_RATIO = 0.7
"""Sales under 70 % of their own baseline, relative to what the peers kept, are a dip."""
MIN_PEERS = 4
"""Fewer businesses of the same category in the kecamatan: peers are that category city-wide."""
LATE_INTEREST_PER_MONTH = 0.01
"""Administrative interest on late tax, per month or part of a month (UU 1/2022, HKPD)."""
FLAG_COLUMNS = ["business_id", "kind", "period", "month", "at_stake_idr", "score", "facts"]


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after `month` (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def due_date(month: date, due_day: int) -> date:
    """When a month's tax is due: `due_day` of the following month."""
    return add_months(month, 1).replace(day=due_day)


def monthly_from_daily(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily totals (business_id, day, amount_idr) summed by month (business_id, month, amount_idr)."""
    months = pd.to_datetime(daily["day"]).dt.to_period("M").dt.start_time.dt.date
    return daily.assign(month=months).groupby(["business_id", "month"], as_index=False)["amount_idr"].sum()


def daily_mean_from_daily(daily: pd.DataFrame, now: datetime, days: int = 28) -> pd.Series:
    """Mean recorded sales per day (rupiah) of the `days` WIT days before `now`'s, by business id."""
    start = (pd.Timestamp(now) + WIT_OFFSET).normalize() - pd.Timedelta(days=days)
    return daily[pd.to_datetime(daily["day"]) >= start].groupby("business_id")["amount_idr"].sum() / days


def monthly_sales(sales: pd.DataFrame) -> pd.DataFrame:
    """Recorded sales per business and month: a wide frame, index business_id, columns month (date), rupiah."""
    return sales.pivot_table(index="business_id", columns="month", values="amount_idr", aggfunc="sum", fill_value=0)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FLAG_COLUMNS})


def _flags(frame: pd.DataFrame, kind: str, period, month: date, at_stake: pd.Series, facts: list[dict]) -> pd.DataFrame:
    at_stake = at_stake.clip(lower=0).round().astype("int64")
    return pd.DataFrame({"business_id": frame.index.to_numpy() if "business_id" not in frame else frame["business_id"].to_numpy(),
                         "kind": kind, "period": period, "month": month, "at_stake_idr": at_stake.to_numpy(),
                         "score": (at_stake * KIND_WEIGHT[kind]).round().astype("int64").to_numpy(), "facts": facts})


def covered_businesses(devices: pd.DataFrame, month: date) -> pd.Index:
    """Businesses whose tapping box recorded the whole month (installed before it began)."""
    installed = pd.to_datetime(devices["installed_at"]) + WIT_OFFSET
    return pd.Index(devices.loc[installed.dt.date <= month, "business_id"].unique())


def underpaid_flags(sales: pd.DataFrame, returns: pd.DataFrame, devices: pd.DataFrame, month: date, rate: float) -> pd.DataFrame:
    """Paid less than `rate` × the month's recorded sales, beyond UNDERPAID_TOLERANCE.

    Only businesses with a payment for `month` and a box that recorded all of it; a month without
    payment is `late_flags`' concern. At stake: the expected tax minus what was paid (rupiah).
    """
    wide = monthly_sales(sales)
    if month not in wide.columns:
        return _empty()
    recorded = wide[month].reindex(covered_businesses(devices, month)).dropna()
    paid = returns[(returns["month"] == month) & returns["paid_on"].notna()].set_index("business_id")["tax_paid_idr"]
    frame = pd.DataFrame({"sales": recorded, "paid": paid}).dropna()
    frame["expected"] = rate * frame["sales"]
    frame = frame[(frame["expected"] >= MIN_TAX_IDR) & (frame["paid"] < (1 - UNDERPAID_TOLERANCE) * frame["expected"])]
    facts = [{"month": month.isoformat(), "paid_idr": int(p), "share": float(p / e), "rate": rate, "sales_idr": int(s)}
             for p, e, s in zip(frame["paid"], frame["expected"], frame["sales"])]
    return _flags(frame, "underpaid", month.strftime("%Y-%m"), month, frame["expected"] - frame["paid"], facts)


def late_flags(sales: pd.DataFrame, returns: pd.DataFrame, devices: pd.DataFrame, businesses: pd.DataFrame, month: date,
               today: date, rate: float, due_day: int) -> pd.DataFrame:
    """Tax for `month` unpaid after its due date ("missing"), or paid after it ("late").

    Judged only once the due date has passed on `today` (WIT). At stake: for a missing payment
    the tax expected from recorded sales (or, without a box, from the turnover declared for the month
    or last declared before it); for
    a late one the interest of LATE_INTEREST_PER_MONTH per month started.
    """
    due = due_date(month, due_day)
    if today <= due:
        return _empty()
    of_month = returns[returns["month"] == month].set_index("business_id")
    frame = pd.DataFrame(index=pd.Index(businesses["id"], name="business_id"))
    frame["paid_on"] = pd.to_datetime(of_month["paid_on"]).reindex(frame.index)
    frame["paid"] = of_month["tax_paid_idr"].reindex(frame.index)
    wide = monthly_sales(sales)
    recorded = wide[month].reindex(covered_businesses(devices, month)) if month in wide.columns else pd.Series(dtype=float)
    # without a box: the turnover declared for the month (a return filed, the tax not paid), else the last one declared
    declared = returns[(returns["month"] <= month) & (returns["turnover_idr"] > 0)].sort_values("month").groupby("business_id")["turnover_idr"].last()
    frame["expected"] = (rate * recorded.reindex(frame.index)).fillna(rate * declared.reindex(frame.index))
    missing = frame["paid_on"].isna() & (frame["expected"] >= MIN_TAX_IDR)
    due_ts = pd.Timestamp(due)
    late = frame["paid_on"].notna() & (frame["paid_on"] > due_ts)
    days_late = (frame["paid_on"] - due_ts).dt.days
    # (today − due) for missing payments; each month or part of one costs interest
    months_started = np.ceil(days_late.fillna(0) / 30).clip(lower=1)
    at_stake = pd.Series(0.0, index=frame.index)
    at_stake[missing] = frame.loc[missing, "expected"]
    at_stake[late] = LATE_INTEREST_PER_MONTH * months_started[late] * frame.loc[late, "paid"]
    chosen = frame[missing | late]
    facts = [{"month": month.isoformat(), "due_on": due.isoformat(), "missing": bool(is_missing),
              "paid_on": None if pd.isna(paid_on) else paid_on.date().isoformat(),
              "days_late": int((today - due).days if is_missing else d), "expected_idr": int(0 if pd.isna(e) else e),
              "paid_idr": int(0 if pd.isna(p) else p)}
             for is_missing, paid_on, d, e, p in zip(missing[missing | late], chosen["paid_on"], days_late[missing | late].fillna(0),
                                                      chosen["expected"], chosen["paid"])]
    return _flags(chosen, "late", month.strftime("%Y-%m"), month, at_stake[missing | late], facts)


def dip_flags(sales: pd.DataFrame, businesses: pd.DataFrame, month: date, rate: float) -> pd.DataFrame:
    """Recorded sales that fell against the business's own history while its peers' did not.

    Own change: the month's sales over the mean of the 12 months before it, and over the same month
    a year before. Peers: the same category in the same kecamatan (city-wide when fewer than
    MIN_PEERS), their median change. A business is flagged when both its changes, divided by its
    peers', are under DIP_RATIO: a month everyone had (Ramadan, a holiday) flags nobody. At stake:
    the tax on the sales it would have had at its peers' change.
    """
    wide = monthly_sales(sales)
    history = [add_months(month, -k) for k in range(1, 13)]
    if month not in wide.columns or not set(history) <= set(wide.columns):
        return _empty()
    info = businesses.set_index("id").reindex(wide.index)
    frame = pd.DataFrame({"sales": wide[month], "baseline": wide[history].mean(axis=1), "year_before": wide[history[-1]],
                          "category": info["category"], "kecamatan": info["kecamatan_code"]})
    frame = frame[(frame["baseline"] > 0) & (frame["year_before"] > 0)]
    frame["own_12"] = frame["sales"] / frame["baseline"]
    frame["own_yoy"] = frame["sales"] / frame["year_before"]
    local = frame.groupby(["category", "kecamatan"])
    city = frame.groupby("category")
    enough = local["own_12"].transform("size") >= MIN_PEERS
    for change in ("own_12", "own_yoy"):
        frame["peer" + change[3:]] = local[change].transform("median").where(enough, city[change].transform("median"))
    frame["rel_12"] = frame["own_12"] / frame["peer_12"]
    frame["rel_yoy"] = frame["own_yoy"] / frame["peer_yoy"]
    chosen = frame[(frame["rel_12"] < DIP_RATIO) & (frame["rel_yoy"] < DIP_RATIO)
                   & (rate * frame["baseline"] >= MIN_TAX_IDR)]
    at_stake = rate * (chosen["peer_12"] * chosen["baseline"] - chosen["sales"])
    facts = [{"month": month.isoformat(), "sales_idr": int(s), "baseline_idr": int(b), "own_change": float(o - 1),
              "yoy_change": float(y - 1), "peer_change": float(p - 1), "peers_local": bool(local_)}
             for s, b, o, y, p, local_ in zip(chosen["sales"], chosen["baseline"], chosen["own_12"], chosen["own_yoy"],
                                             chosen["peer_12"], enough[chosen.index])]
    return _flags(chosen, "dip", month.strftime("%Y-%m"), month, at_stake, facts)


def open_hours_between(start: pd.Series, end: datetime, opens: pd.Series, closes: pd.Series) -> pd.Series:
    """Opening hours (float, hours) between each `start` and `end` (naive UTC), for businesses open
    every day from `opens` to `closes` (WIT whole hours)."""
    start_wit = pd.to_datetime(start) + WIT_OFFSET
    end_wit = pd.Timestamp(end) + WIT_OFFSET
    daily = (closes - opens).clip(lower=0)

    def open_so_far(hour) -> pd.Series:
        return np.clip(hour, opens, closes) - opens

    days = (end_wit.normalize() - start_wit.dt.normalize()).dt.days
    end_hour = (end_wit - end_wit.normalize()) / pd.Timedelta(hours=1)
    start_hour = (start_wit - start_wit.dt.normalize()) / pd.Timedelta(hours=1)
    return (days * daily + open_so_far(end_hour) - open_so_far(start_hour)).clip(lower=0)


def silent_flags(devices: pd.DataFrame, businesses: pd.DataFrame, daily_mean: pd.Series, now: datetime, rate: float) -> pd.DataFrame:
    """Tapping boxes without a sale for SILENT_OPEN_HOURS or more of their business's opening hours.

    Silence is counted from the last recorded sale (or the installation) to `now` (naive UTC).
    At stake: the tax on the sales of those hours at the business's mean per opening hour over
    the last 28 days. The period is the box and the start of its silence: a box that speaks and
    falls silent again is a new case.
    """
    hours = businesses.set_index("id")[["opens_hour", "closes_hour"]].reindex(devices["business_id"]).fillna({"opens_hour": 0, "closes_hour": 24})
    since = pd.to_datetime(devices["last_seen_at"]).fillna(pd.to_datetime(devices["installed_at"]))
    frame = devices.assign(since=since.to_numpy(), opens=hours["opens_hour"].to_numpy(), closes=hours["closes_hour"].to_numpy())
    frame["silent_hours"] = open_hours_between(frame["since"], now, frame["opens"], frame["closes"])
    frame = frame[frame["silent_hours"] >= SILENT_OPEN_HOURS]
    per_hour = daily_mean.reindex(frame["business_id"]).fillna(0).to_numpy() / (frame["closes"] - frame["opens"]).clip(lower=1).to_numpy()
    at_stake = pd.Series(rate * per_hour * frame["silent_hours"].to_numpy(), index=frame.index)
    month = month_start((pd.Timestamp(now) + WIT_OFFSET).date())
    facts = [{"device": code, "since": s.isoformat(), "open_hours": float(h)}
             for code, s, h in zip(frame["code"], frame["since"], frame["silent_hours"])]
    periods = [f"{code}@{s:%Y-%m-%dT%H:%M}" for code, s in zip(frame["code"], frame["since"])]
    return _flags(frame, "silent", periods, month, at_stake, facts)


def month_flags(sales: pd.DataFrame, daily_mean: pd.Series, returns: pd.DataFrame, businesses: pd.DataFrame, devices: pd.DataFrame,
                month: date, now: datetime, rate: float, due_day: int) -> pd.DataFrame:
    """Every flag of `month` (underpaid, dip, late) and the boxes silent at `now`, best score first."""
    today = (pd.Timestamp(now) + WIT_OFFSET).date()
    parts = [underpaid_flags(sales, returns, devices, month, rate),
             silent_flags(devices, businesses, daily_mean, now, rate),
             dip_flags(sales, businesses, month, rate),
             late_flags(sales, returns, devices, businesses, month, today, rate, due_day)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty()
    return pd.concat(parts, ignore_index=True).sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
