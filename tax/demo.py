"""The demo's restaurant tax: a tapping box per business, two years of daily sales up to the day
the demo is seeded, yesterday's sales receipt by receipt, and monthly returns with their payments.

Planted for the revenue office to find: businesses that pay less than their recorded sales call
for, boxes fallen silent, sales that dipped where their peers' did not, late and missing payments;
and a city-wide dip in the Ramadan month that must flag nobody. Devices' keys are
``demo-<device code>`` (demo only). The same seed and day give the same data. While the demo app
runs, `start_demo_feed` keeps the boxes selling (all but the planted silent ones), so they do not
all fall silent a few hours after the first start.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from sqlalchemy import insert

from i18n.format import WIT_OFFSET
from periodic import every
from tax.flags import add_months, due_date, month_start
from tax.ingest import MonthlyReturn, key_hash
from tax.models import TaxTransaction
from tax.monitor import latest_due_month
from tax.store import store_returns, write_daily_sales, write_devices

MONTHS = 24
RAMADAN_MONTHS = {date(2025, 3, 1), date(2026, 2, 1), date(2027, 2, 1)}
"""Months mostly in Ramadan, when the city's restaurants sell about a quarter less by day."""
TICKET_IDR = 150_000
"""Mean receipt of the demo's sales, rupiah."""


@dataclass
class TaxDemo:
    devices: pd.DataFrame
    sales: pd.DataFrame
    transactions: pd.DataFrame
    returns: pd.DataFrame
    planted: dict[str, list[int]] = field(default_factory=dict)
    """Kind of planted anomaly -> business ids."""


def demo_key(code: str) -> str:
    return f"demo-{code}"


def _last_open_moment(now_wit: pd.Timestamp, opens: np.ndarray, closes: np.ndarray) -> pd.DatetimeIndex:
    """For each business, `now_wit` if it is open now, else its latest closing time (WIT)."""
    hour = (now_wit - now_wit.normalize()) / pd.Timedelta(hours=1)
    today_close = now_wit.normalize() + pd.to_timedelta(closes, unit="h")
    yesterday_close = today_close - pd.Timedelta(days=1)
    return pd.DatetimeIndex(np.where(hour >= closes, today_close, np.where(hour >= opens, now_wit.to_datetime64(), yesterday_close)))


def planted_rows(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    """Which of `n` businesses (row positions) carry each planted anomaly: the same for a seed and n,
    whatever the day, so the live demo feed knows which boxes must stay silent."""
    order = np.random.default_rng(seed).permutation(n)
    return {"underpaid": order[:15], "silent": order[15:21], "dip": order[21:31], "late": order[31:43], "missing": order[43:48],
            "new_box": order[48:60]}


def build_tax_demo(businesses: pd.DataFrame, now: datetime, seed: int = 11, rate: float = 0.10, due_day: int = 15) -> TaxDemo:
    """Everything above for `businesses` (columns id, category, opens_hour, closes_hour), as at `now` (naive UTC)."""
    rng = np.random.default_rng(seed)
    now_wit = pd.Timestamp(now) + WIT_OFFSET
    today = now_wit.date()
    this_month = month_start(today)
    first_month = add_months(this_month, -MONTHS)
    days = pd.date_range(first_month, today - timedelta(days=1), freq="D")
    n = len(businesses)
    ids = businesses["id"].to_numpy()
    opens, closes = businesses["opens_hour"].to_numpy(), businesses["closes_hour"].to_numpy()

    planted = planted_rows(n, seed)
    base = rng.lognormal(np.log(3_000_000), 0.6, n)  # a business's usual day, rupiah
    month_of_day = days.to_period("M").start_time.date
    season = (1 + 0.25 * np.isin(days.month, [12]) + 0.1 * np.isin(days.month, [1, 7])
              - 0.25 * np.isin(month_of_day, list(RAMADAN_MONTHS)))
    weekday = np.where(days.dayofweek >= 5, 1.2, 0.95)
    amounts = base[:, None] * (season * weekday)[None, :] * rng.normal(1, 0.12, (n, len(days))).clip(0.3)

    # a box installed in the last year: no sales recorded before
    installed = pd.DatetimeIndex(np.full(n, pd.Timestamp(first_month) - pd.Timedelta(days=20)))
    installed_late = pd.to_datetime([pd.Timestamp(add_months(this_month, -int(k))) for k in rng.integers(3, 12, len(planted["new_box"]))])
    installed = installed.to_numpy().copy()
    installed[planted["new_box"]] = installed_late.to_numpy()
    before_box = days.to_numpy()[None, :] < installed[:, None]
    amounts[before_box] = 0
    # dips: the box bypassed for the last three months, sales recorded fall to 40 %
    dip_from = days >= pd.Timestamp(add_months(this_month, -3))
    amounts[np.ix_(planted["dip"], np.flatnonzero(dip_from))] *= 0.4
    # silent boxes stop two to three days ago in the middle of a working day
    last_open = _last_open_moment(now_wit, opens, closes)
    last_seen = (last_open - pd.to_timedelta(rng.uniform(1, 20, n), unit="min")).to_numpy().copy()
    for row in planted["silent"]:
        stopped = (now_wit.normalize() - pd.Timedelta(days=int(rng.integers(2, 4)))
                   + pd.Timedelta(hours=float(opens[row] + rng.uniform(1, 4))))
        last_seen[row] = stopped.to_datetime64()
        amounts[row, days >= stopped.normalize()] *= np.where(days[days >= stopped.normalize()] == stopped.normalize(), 0.3, 0.0)
    amounts = np.round(amounts, -3)

    # yesterday receipt by receipt; its daily total is the sum of its receipts
    yesterday = len(days) - 1
    counts = rng.poisson(amounts[:, yesterday] / TICKET_IDR)
    tx_business = np.repeat(np.arange(n), counts)
    tx_amount = np.round(rng.lognormal(np.log(TICKET_IDR) - 0.18, 0.6, counts.sum()), -3).clip(5_000)
    tx_hour = opens[tx_business] + rng.uniform(0, 1, counts.sum()) * (closes - opens)[tx_business]
    tx_time_wit = pd.Timestamp(days[yesterday]) + pd.to_timedelta(tx_hour, unit="h")
    transactions = pd.DataFrame({"device_index": tx_business, "receipt": [f"{days[yesterday]:%y%m%d}-{i:06d}" for i in range(counts.sum())],
                                 "time": (tx_time_wit - WIT_OFFSET).floor("s"), "amount_idr": tx_amount.astype("int64")})
    amounts[:, yesterday] = np.bincount(tx_business, weights=tx_amount, minlength=n)

    codes = [f"TB-{i:04d}" for i in ids]
    devices = pd.DataFrame({"code": codes, "business_id": ids, "installed_at": pd.to_datetime(installed) - WIT_OFFSET,
                            "key_hash": [key_hash(demo_key(c)) for c in codes], "last_seen_at": pd.to_datetime(last_seen) - WIT_OFFSET})
    rows, cols = np.nonzero(amounts > 0)
    receipts = np.maximum(1, np.round(amounts[rows, cols] / TICKET_IDR)).astype(int)
    receipts[cols == yesterday] = counts[rows[cols == yesterday]]
    sales = pd.DataFrame({"business_id": ids[rows], "day": days[cols].date, "amount_idr": amounts[rows, cols].astype("int64"),
                          "receipts": receipts})

    returns = _returns(rng, amounts, days, ids, planted, today, rate, due_day)
    return TaxDemo(devices, sales, transactions, returns, {k: [int(ids[i]) for i in v] for k, v in planted.items()})


def _returns(rng, amounts, days, ids, planted, today: date, rate: float, due_day: int) -> pd.DataFrame:
    """Returns for the MONTHS months before this one: declared a little under recorded sales (or
    from the business's usual level before its box), paid on time (none yet where not due),
    except the planted ones, planted in the latest month already due."""
    months = [add_months(month_start(today), -k) for k in range(MONTHS, 0, -1)]
    day_month = days.to_period("M").start_time.date
    recorded = np.stack([amounts[:, day_month == m].sum(axis=1) for m in months], axis=1)
    usual = np.nanmedian(np.where(recorded > 0, recorded, np.nan), axis=1)
    declared = np.where(recorded > 0, recorded, usual[:, None]) * rng.uniform(0.96, 1.0, recorded.shape)
    last = months.index(latest_due_month(today, due_day))
    for row in planted["underpaid"]:
        start = int(rng.integers(last - 5, last + 1))
        declared[row, start:] *= rng.uniform(0.35, 0.7)
    declared = np.round(declared, -3)
    paid = np.round(rate * declared, -2)
    due = np.array([np.datetime64(due_date(m, due_day)) for m in months])
    paid_on = due[None, :] - rng.integers(0, 12, recorded.shape).astype("timedelta64[D]")
    paid_on = paid_on.astype("datetime64[D]").astype(object)
    for row in planted["late"]:
        paid_on[row, last] = (np.datetime64(due_date(months[last], due_day)) + np.timedelta64(int(rng.integers(5, 25)), "D")).astype(object)
    for row in planted["missing"]:
        paid[row, last], paid_on[row, last] = 0, None
    not_yet = np.array([[p is not None and p > today for p in line] for line in paid_on])
    paid[not_yet], paid_on[not_yet] = 0, None
    rows, cols = np.nonzero(np.ones(recorded.shape, dtype=bool))
    return pd.DataFrame({"business_id": ids[rows], "month": [months[c] for c in cols], "turnover_idr": declared[rows, cols].astype("int64"),
                         "tax_paid_idr": paid[rows, cols].astype("int64"), "paid_on": paid_on[rows, cols]})


def seed_tax_demo(engine, businesses: pd.DataFrame, now: datetime) -> TaxDemo:
    """Write the demo's boxes, sales, receipts and returns for `businesses` into the store."""

    demo = build_tax_demo(businesses, now)
    devices = demo.devices.assign(id=demo.devices["business_id"])
    write_devices(engine, devices)
    write_daily_sales(engine, demo.sales)
    transactions = demo.transactions.assign(device_id=devices["id"].to_numpy()[demo.transactions["device_index"]])
    with engine.begin() as conn:
        conn.execute(insert(TaxTransaction), transactions[["device_id", "receipt", "time", "amount_idr"]].astype(object).to_dict("records"))
    store_returns(engine, [MonthlyReturn(0, int(r.business_id), r.month, int(r.turnover_idr), int(r.tax_paid_idr),
                                         None if r.paid_on is None or pd.isna(r.paid_on) else r.paid_on)
                           for r in demo.returns.itertuples()])
    return demo


FEED_SLOT = timedelta(minutes=15)
"""The demo's live boxes send one sale per quarter hour of opening time."""


def feed_demo_boxes(engine, now: datetime, seed: int = 11) -> int:
    """Keep the demo's boxes alive: each box (but the planted silent ones) records one sale per
    quarter hour it was open since its last sale (at most a day back), through the same store path
    as the API. Receipts are named by their slot, so several workers feeding at once store each
    once. Returns how many sales were new."""
    from tax.ingest import Sale
    from tax.store import read_daily_mean, read_devices, read_taxpayers, store_sales

    devices = read_devices(engine)
    taxpayers = read_taxpayers(engine).set_index("id")
    if devices.empty:
        return 0
    silent = set(taxpayers.index[planted_rows(len(taxpayers), seed)["silent"]])
    daily_mean = read_daily_mean(engine, (pd.Timestamp(now) + WIT_OFFSET).date())
    end = pd.Timestamp(now).floor(FEED_SLOT)
    sales = []
    for device in devices.itertuples():
        if device.business_id in silent or device.business_id not in taxpayers.index:
            continue
        opens, closes = taxpayers.at[device.business_id, "opens_hour"], taxpayers.at[device.business_id, "closes_hour"]
        if pd.isna(opens) or pd.isna(closes):
            continue
        start = max(pd.Timestamp(device.last_seen_at) if pd.notna(device.last_seen_at) else end - pd.Timedelta(days=1),
                    end - pd.Timedelta(days=1)).ceil(FEED_SLOT)
        slots = pd.date_range(start, end, freq=FEED_SLOT)
        hours = ((slots + WIT_OFFSET) - (slots + WIT_OFFSET).normalize()) / pd.Timedelta(hours=1)
        slots = slots[(hours >= opens) & (hours < closes)]
        per_slot = max(5_000, daily_mean.get(device.business_id, 1_000_000.0) / max(1, (closes - opens) * 4))
        for slot in slots:
            amount = int(round(per_slot * (0.6 + 0.8 * ((slot.value // 10**9 + device.id) % 97) / 96), -3))
            sales.append(Sale(0, int(device.id), int(device.business_id), f"DEMO-{slot:%y%m%d%H%M}", slot.to_pydatetime(), amount))
    with engine.begin() as conn:
        return len(store_sales(conn, sales))


FEED_PERIOD_S = 60.0


def start_demo_feed(engine, period_s: float = FEED_PERIOD_S) -> Callable[[], None]:
    """Feed the demo's boxes now and every `period_s` seconds in a daemon thread (demo mode only);
    call the returned function to stop it (it waits for the round in progress). A failed round is
    logged and the next one tries again."""
    return every(period_s, lambda: feed_demo_boxes(engine, datetime.utcnow()), "tax-demo-feed", at_once=True)
