"""Restaurant-tax flags on hand-made series whose answers can be worked out by hand, and the checks
every transaction and return passes."""
from datetime import date, datetime

import pandas as pd
import pytest

from i18n import reason
from i18n.tax import explain
from tax import flags
from tax.ingest import check_returns, check_transactions, key_hash

RATE, DUE_DAY = 0.10, 15
OCT = date(2026, 10, 1)


def _businesses(n, category="restoran", kecamatan="81.71.01", opens=10, closes=22):
    return pd.DataFrame({"id": range(1, n + 1), "category": category, "kecamatan_code": kecamatan, "opens_hour": opens, "closes_hour": closes})


def _devices(business_ids, installed="2024-01-01", last_seen=None):
    return pd.DataFrame({"code": [f"TB-{b}" for b in business_ids], "business_id": list(business_ids),
                         "installed_at": pd.Timestamp(installed), "last_seen_at": pd.Timestamp(last_seen) if last_seen else pd.NaT})


def _monthly(series: dict[int, list[float]], last=OCT) -> pd.DataFrame:
    """{business: amounts of consecutive months ending at `last`} as monthly sales rows."""
    rows = [{"business_id": b, "month": flags.add_months(last, i - len(amounts) + 1), "amount_idr": a}
            for b, amounts in series.items() for i, a in enumerate(amounts)]
    return pd.DataFrame(rows)


def _returns(rows):
    return pd.DataFrame(rows, columns=["business_id", "month", "turnover_idr", "tax_paid_idr", "paid_on"])


def test_paying_less_than_the_rate_on_recorded_sales_is_flagged_in_words():
    sales = _monthly({1: [55_300_000], 2: [55_300_000]})
    returns = _returns([(1, OCT, 21_000_000, 2_100_000, date(2026, 11, 10)), (2, OCT, 52_000_000, 5_200_000, date(2026, 11, 10))])
    found = flags.underpaid_flags(sales, returns, _devices([1, 2]), OCT, RATE)
    assert list(found.business_id) == [1]  # 94 % is within the tolerance
    assert found.at_stake_idr.iloc[0] == 5_530_000 - 2_100_000
    assert explain("underpaid", found.facts.iloc[0], "id") == (
        "Oktober 2026: dibayar Rp 2.100.000, 38 % dari pajak 10 % atas penjualan tercatat Rp 55.300.000")
    assert explain("underpaid", found.facts.iloc[0], "en") == "October 2026: paid Rp 2,100,000, 38 % of the 10 % tax on recorded sales of Rp 55,300,000"


def test_a_box_installed_during_the_month_does_not_make_it_underpaid():
    sales = _monthly({1: [10_000_000]})
    returns = _returns([(1, OCT, 30_000_000, 100_000, date(2026, 11, 10))])
    assert flags.underpaid_flags(sales, returns, _devices([1], installed="2026-10-20"), OCT, RATE).empty


def test_a_box_silent_through_opening_hours_is_flagged_and_closed_hours_do_not_count():
    # open 10-22 WIT; box 1 last sold Monday 30 Nov 09:12 WIT, box 2 an hour ago, box 3 last night at closing
    now = datetime(2026, 12, 2, 3, 0)  # Wednesday 12:00 WIT: 12 + 12 + 2 = 26 opening hours since Monday 09:12
    devices = pd.concat([_devices([1], last_seen="2026-11-30 00:12"), _devices([2], last_seen="2026-12-02 02:00"),
                         _devices([3], last_seen="2026-12-01 12:55")], ignore_index=True)
    found = flags.silent_flags(devices, _businesses(3), pd.Series({1: 1_200_000.0}), now, RATE)
    assert list(found.business_id) == [1]
    assert found.facts.iloc[0]["open_hours"] == pytest.approx(26.0)
    assert explain("silent", found.facts.iloc[0], "id") == "Tapping box TB-1 diam sejak Senin 30/11 09.12 WIT, 26 jam buka"
    assert found.at_stake_idr.iloc[0] == round(RATE * 1_200_000 / 12 * 26)
    assert flags.silent_flags(devices, _businesses(3), pd.Series(dtype=float), datetime(2026, 12, 2, 0, 30), RATE).business_id.tolist() == [1]
    # box 3 at 09:30 WIT the next morning: the closed night does not count
    assert 3 not in flags.silent_flags(devices, _businesses(3), pd.Series(dtype=float), datetime(2026, 12, 2, 0, 30), RATE).business_id.tolist()


def _peer_history(last_month: dict[int, float], n=5) -> pd.DataFrame:
    """n restaurants in one kecamatan with 13 steady months of 100 million, then `last_month` (default 100 million)."""
    return _monthly({b: [100_000_000] * 13 + [last_month.get(b, 100_000_000)] for b in range(1, n + 1)}, last=OCT)


def test_a_fall_its_peers_do_not_share_is_a_dip():
    found = flags.dip_flags(_peer_history({3: 50_000_000}), _businesses(5), OCT, RATE)
    assert list(found.business_id) == [3]
    facts = found.facts.iloc[0]
    assert facts["own_change"] == pytest.approx(-0.5) and facts["peer_change"] == pytest.approx(0.0) and facts["peers_local"]
    assert found.at_stake_idr.iloc[0] == 5_000_000  # the tax on the 50 million its peers kept
    assert explain("dip", facts, "id").startswith("Oktober 2026: penjualan tercatat Rp 50.000.000, −50,0 % terhadap rata-rata 12 bulan")


def test_a_city_wide_dip_flags_nobody():
    ramadan = {b: 55_000_000 for b in range(1, 6)}
    assert flags.dip_flags(_peer_history(ramadan), _businesses(5), OCT, RATE).empty
    # one of them falling twice as far as everyone is still told apart
    assert list(flags.dip_flags(_peer_history({**ramadan, 2: 20_000_000}), _businesses(5), OCT, RATE).business_id) == [2]


def test_peers_are_of_the_same_category_and_kecamatan():
    # the cafes all fell (a cafe-wide dip): the restaurants' steady months do not make the cafes suspicious
    businesses = pd.concat([_businesses(5), _businesses(5, category="kafe").assign(id=range(6, 11))], ignore_index=True)
    sales = _monthly({**{b: [100_000_000] * 14 for b in range(1, 6)}, **{b: [100_000_000] * 13 + [50_000_000] for b in range(6, 11)}})
    assert flags.dip_flags(sales, businesses, OCT, RATE).empty


def test_late_and_missing_payments_after_the_due_date():
    sales = _monthly({1: [40_000_000], 2: [40_000_000], 3: [40_000_000]})
    returns = _returns([(1, OCT, 40_000_000, 4_000_000, date(2026, 11, 10)), (2, OCT, 40_000_000, 4_000_000, date(2026, 11, 18))])
    devices, businesses = _devices([1, 2, 3]), _businesses(3)
    assert flags.late_flags(sales, returns, devices, businesses, OCT, date(2026, 11, 15), RATE, DUE_DAY).empty  # not due yet
    found = flags.late_flags(sales, returns, devices, businesses, OCT, date(2026, 11, 20), RATE, DUE_DAY).set_index("business_id")
    assert sorted(found.index) == [2, 3]
    assert found.at_stake_idr[2] == 40_000 and found.at_stake_idr[3] == 4_000_000  # 1 % interest; the whole tax
    assert explain("late", found.facts[2], "id") == "Oktober 2026: dibayar Rp 4.000.000 pada 18 November 2026, 3 hari setelah jatuh tempo 15 November 2026"
    assert explain("late", found.facts[3], "id") == (
        "Oktober 2026: belum dibayar, jatuh tempo 15 November 2026 (5 hari lalu); pajak dari penjualan tercatat Rp 4.000.000")


def test_the_month_s_flags_are_ranked_by_score():
    sales = _monthly({1: [55_300_000], 2: [100_000_000]})
    returns = _returns([(1, OCT, 21_000_000, 2_100_000, date(2026, 11, 10))])
    found = flags.month_flags(sales, pd.Series(dtype=float), returns, _businesses(2), _devices([1, 2], last_seen="2026-11-30 02:00"),
                              OCT, datetime(2026, 11, 30, 3, 0), RATE, DUE_DAY)
    assert list(zip(found.business_id, found.kind)) == [(2, "late"), (1, "underpaid")]
    assert found.score.is_monotonic_decreasing


NOW = datetime(2026, 11, 30, 3, 0)
DEVICES = {"TB-1": (1, 10, key_hash("k1")), "TB-2": (2, 20, key_hash("k2"))}


def test_every_bad_transaction_is_reported_with_its_reason():
    rows = [
        {"device": "TB-1", "receipt": "a", "time": "2026-11-30T10:00:00+09:00", "amount": 125000},
        {"device": "TB-1", "receipt": "b", "time": "2026-11-30T10:00:00+09:00", "amount": -5},
        {"device": "TB-1", "receipt": "c", "time": "2026-11-30T10:00:00+09:00", "amount": 0},
        {"device": "TB-9", "receipt": "d", "time": "2026-11-30T10:00:00+09:00", "amount": 1},
        {"device": "TB-2", "receipt": "e", "time": "2026-11-30T10:00:00+09:00", "amount": 1},  # another box's row, this key
        {"device": "TB-1", "receipt": "f", "time": "2026-12-30T10:00:00+09:00", "amount": 1},
        {"device": "TB-1", "receipt": "g", "time": "2026-11-30T10:00:00+09:00", "amount": "1.234.567,00"},
        {"device": "TB-1", "receipt": "a", "time": "2026-11-30T10:00:00+09:00", "amount": 125000},
        "not a row",
        {"device": "TB-1", "receipt": "h", "time": "2026-11-29T08:00:00", "amount": "99000.00"},  # late, no offset: WIT
    ]
    sales, report = check_transactions(rows, DEVICES, NOW, key="k1")
    assert [(s.row, s.amount_idr, s.time) for s in sales] == [(0, 125000, datetime(2026, 11, 30, 1, 0)), (9, 99000, datetime(2026, 11, 28, 23, 0))]
    assert [(o.row, o.code) for o in report.rejected] == [(1, "not_positive"), (2, "not_positive"), (3, "unknown_device"),
                                                          (4, "unknown_device"), (5, "future"), (6, "not_number"), (8, "not_object")]
    assert [(o.row, o.code, o.args) for o in report.duplicate] == [(7, "duplicate_batch", {"row": 0})]
    assert "1.234.567,00" in reason("tax", report.rejected[5].code, report.rejected[5].args, "en")


def test_returns_rows_are_checked_one_by_one():
    rows = [{"npwpd": "P1", "month": "2026-10", "turnover_idr": "50000000", "tax_paid_idr": "5000000", "paid_on": "2026-11-10"},
            {"npwpd": "P404", "month": "2026-10", "turnover_idr": "1", "tax_paid_idr": "0", "paid_on": ""},
            {"npwpd": "P1", "month": "Okt 2026", "turnover_idr": "1", "tax_paid_idr": "0", "paid_on": ""},
            {"npwpd": "P1", "month": "2026-09", "turnover_idr": "50.000.000,00", "tax_paid_idr": "0", "paid_on": ""},
            {"npwpd": "P1", "month": "2026-10", "turnover_idr": 1, "tax_paid_idr": 0, "paid_on": None},
            {"npwpd": "P1", "month": "2026-11", "turnover_idr": 1, "tax_paid_idr": 0, "paid_on": None},
            {"npwpd": "P1", "month": "2026-08", "turnover_idr": 48_000_000, "tax_paid_idr": 4_800_000, "paid_on": datetime(2026, 9, 14)}]
    returns, report = check_returns(rows, {"P1": 1}, date(2026, 11, 30))
    assert [(o.row, o.code) for o in report.rejected] == [(1, "unknown_business"), (2, "bad_month"), (3, "not_number"),
                                                          (4, "duplicate_month"), (5, "future_month")]
    assert [(r.month, r.tax_paid_idr, r.paid_on) for r in returns] == [(OCT, 5_000_000, date(2026, 11, 10)),
                                                                       (date(2026, 8, 1), 4_800_000, date(2026, 9, 14))]


def test_the_demo_plants_every_kind_and_the_flags_find_exactly_those(demo_city):
    from tax.demo import build_tax_demo
    from tax.monitor import latest_due_month

    now = datetime(2026, 12, 1, 3, 0)
    demo = build_tax_demo(demo_city.businesses, now)
    businesses = pd.DataFrame(demo_city.businesses.drop(columns="geometry"))
    month = latest_due_month(date(2026, 12, 1), DUE_DAY)
    found = flags.month_flags(flags.monthly_from_daily(demo.sales), flags.daily_mean_from_daily(demo.sales, now), demo.returns,
                              businesses, demo.devices, month, now, RATE, DUE_DAY)
    by_kind = found.groupby("kind").business_id.apply(set).to_dict()
    assert by_kind["underpaid"] == set(demo.planted["underpaid"]) and by_kind["silent"] == set(demo.planted["silent"])
    assert by_kind["dip"] == set(demo.planted["dip"])
    assert set(demo.planted["missing"]) <= by_kind["late"] <= set(demo.planted["late"]) | set(demo.planted["missing"])
    # the Ramadan month (February 2026) was a dip for the whole city: nobody is flagged for it
    ramadan = flags.month_flags(flags.monthly_from_daily(demo.sales), pd.Series(dtype=float), demo.returns, businesses, demo.devices,
                                date(2026, 2, 1), now, RATE, DUE_DAY)
    assert set(ramadan.kind) <= {"silent"}


@pytest.mark.parametrize("env", [{"TAX_RATE": "10"}, {"TAX_RATE": "0"}, {"TAX_DUE_DAY": "31"}])
def test_tax_settings_out_of_range_stop_the_start(env):
    from config import Settings

    with pytest.raises(ValueError, match="TAX_"):
        Settings.from_env(env)
