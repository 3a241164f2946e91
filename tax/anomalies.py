"""Unusual monthly deposits worth a follow-up: sudden drops and missing months."""
from __future__ import annotations

import pandas as pd

DROP_RATIO = 0.5
"""A drop: the last 3 months average under half of the 12 months before them."""


def deposit_summary(deposits: pd.DataFrame) -> dict:
    """What a business's popup shows, from its deposits (columns month, amount_idr; any order).

    Returns last month and amount (rupiah), the 12-month average (rupiah), missing months inside
    the series (ISO month strings) and `flags`: "drop" and/or "missing".
    """
    series = deposits.assign(month=pd.to_datetime(deposits.month)).set_index("month").amount_idr.sort_index()
    expected = pd.date_range(series.index.min(), series.index.max(), freq="MS")
    missing = expected.difference(series.index)
    recent, before = series.iloc[-3:], series.iloc[-15:-3]
    flags = []
    if len(before) >= 6 and recent.mean() < DROP_RATIO * before.mean():
        flags.append("drop")
    if len(missing):
        flags.append("missing")
    return {
        "last_month": series.index[-1].strftime("%Y-%m"),
        "last_amount_idr": int(series.iloc[-1]),
        "avg_12m_idr": int(series.iloc[-12:].mean()),
        "missing_months": [m.strftime("%Y-%m") for m in missing],
        "flags": flags,
    }


def deposit_flags(deposits: pd.DataFrame) -> pd.DataFrame:
    """The flags of deposit_summary for every business at once (vectorised, for the map layer).

    Takes columns business_id, month, amount_idr (any order); returns one row per business with
    `drop` and `missing` (booleans) and `flag` (0 none, 1 drop, 2 missing, 3 both).
    """
    frame = deposits.assign(month=pd.to_datetime(deposits.month)).sort_values(["business_id", "month"])
    by_business = frame.groupby("business_id")
    from_end = by_business.cumcount(ascending=False)  # 0 = the latest month of each business
    recent = frame[from_end < 3].groupby("business_id").amount_idr.mean()
    before = frame[(from_end >= 3) & (from_end < 15)].groupby("business_id").amount_idr.agg(["mean", "size"])
    months = by_business.month.agg(["min", "max", "size"])
    span = (months["max"].dt.year - months["min"].dt.year) * 12 + months["max"].dt.month - months["min"].dt.month + 1
    flags = pd.DataFrame(index=months.index)
    flags["drop"] = (before["size"] >= 6).reindex(flags.index, fill_value=False) & (
        recent < DROP_RATIO * before["mean"].reindex(flags.index))
    flags["missing"] = span > months["size"]
    flags["flag"] = flags["drop"].astype(int) + 2 * flags["missing"].astype(int)
    return flags.reset_index()
