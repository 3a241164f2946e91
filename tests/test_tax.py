import pandas as pd

from tax.anomalies import deposit_summary


def _months(n):
    return pd.date_range("2025-01-01", periods=n, freq="MS").date


def test_steady_deposits_raise_no_flag():
    summary = deposit_summary(pd.DataFrame({"month": _months(15), "amount_idr": [1_000_000] * 15}))
    assert summary["flags"] == [] and summary["avg_12m_idr"] == 1_000_000 and summary["last_month"] == "2026-03"


def test_sudden_drop_is_flagged():
    amounts = [1_000_000] * 12 + [200_000] * 3
    assert deposit_summary(pd.DataFrame({"month": _months(15), "amount_idr": amounts}))["flags"] == ["drop"]


def test_missing_months_are_listed():
    months = list(_months(15))
    del months[5:7]
    summary = deposit_summary(pd.DataFrame({"month": months, "amount_idr": [1_000_000] * 13}))
    assert summary["flags"] == ["missing"] and summary["missing_months"] == ["2025-06", "2025-07"]


def test_flags_for_all_businesses_agree_with_each_summary(demo_city):
    from tax.anomalies import deposit_flags

    deposits = demo_city.deposits
    flags = deposit_flags(deposits).set_index("business_id")
    assert len(flags) == deposits.business_id.nunique()
    for business_id, rows in deposits.groupby("business_id"):
        summary = deposit_summary(rows)
        assert ("drop" in summary["flags"], "missing" in summary["flags"]) == (
            bool(flags.at[business_id, "drop"]), bool(flags.at[business_id, "missing"])), business_id
    assert flags["drop"].any() and flags["missing"].any()  # the demo has both kinds to follow up
