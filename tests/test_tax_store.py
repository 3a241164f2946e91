"""Restaurant-tax data in the store (SQLite and PostgreSQL): idempotent ingest, all-or-nothing
files, cases that follow their flags; and concurrent duplicate batches against the real HTTP
endpoint on PostgreSQL."""
from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from store.layers import write_features
from store.models import Business
from tax import cases, monitor
from tax.ingest import RETURN_COLUMNS, key_hash, rows_from_file
from tax.models import TaxDailySales, TaxDevice, TaxTransaction
from tax.store import import_returns, ingest_transactions, read_returns, write_devices

NOW = datetime(2026, 11, 30, 3, 0)


def _taxpayers(engine, n=2):
    layer = gpd.GeoDataFrame({"id": range(1, n + 1), "name": [f"RM {i}" for i in range(1, n + 1)], "category": "restoran",
                              "tax_id": [f"P{i}" for i in range(1, n + 1)], "address": "Jl. Pattimura", "opens_hour": 10, "closes_hour": 22,
                              "kecamatan_code": "81.71.01"},
                             geometry=[shapely.Point(128.18 + i / 1000, -3.69) for i in range(n)], crs="EPSG:4326")
    write_features(engine, Business, layer)
    write_devices(engine, pd.DataFrame({"code": [f"TB-{i}" for i in range(1, n + 1)], "business_id": range(1, n + 1),
                                        "installed_at": datetime(2024, 1, 1), "key_hash": [key_hash(f"k{i}") for i in range(1, n + 1)]}))


def _sale(receipt, hour=10, amount=100_000, day=29):
    return {"device": "TB-1", "receipt": receipt, "time": f"2026-11-{day:02d}T{hour:02d}:00:00+09:00", "amount": amount}


def _totals(engine):
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(TaxTransaction)).scalar_one()
        daily = dict(conn.execute(select(TaxDailySales.day, TaxDailySales.amount_idr)).all())
        seen = conn.execute(select(TaxDevice.last_seen_at).where(TaxDevice.code == "TB-1")).scalar_one()
    return count, daily, seen


def test_a_resent_batch_is_counted_once_and_late_sales_take_their_place(engine):
    _taxpayers(engine)
    first = ingest_transactions(engine, [_sale("a", 12), _sale("b", 13)], now=NOW, key="k1")
    again = ingest_transactions(engine, [_sale("b", 13), _sale("c", 11, day=28), _sale("a", 12)], now=NOW, key="k1")
    assert (len(first.accepted), len(first.duplicate)) == (2, 0)
    assert [(o.row, o.code) for o in again.duplicate] == [(0, "already_stored"), (2, "already_stored")] and len(again.accepted) == 1
    count, daily, seen = _totals(engine)
    assert count == 3 and daily == {date(2026, 11, 29): 200_000, date(2026, 11, 28): 100_000}
    assert seen == datetime(2026, 11, 29, 4, 0)  # a late sale does not move the box's last sale back


def test_a_transactions_file_with_a_bad_row_stores_nothing(engine):
    _taxpayers(engine)
    report = ingest_transactions(engine, [_sale("a"), _sale("b", amount="1.234.567,00")], now=NOW, all_or_nothing=True)
    assert not report.stored and [o.code for o in report.rejected] == ["not_number"]
    assert _totals(engine)[0] == 0


def test_returns_import_is_all_or_nothing_and_replaces_a_corrected_month(engine):
    _taxpayers(engine)
    good = [{"npwpd": "P1", "month": "2026-10", "turnover_idr": "50000000", "tax_paid_idr": "5000000", "paid_on": "2026-11-10"}]
    refused = import_returns(engine, good + [{"npwpd": "P404", "month": "2026-10", "turnover_idr": "1", "tax_paid_idr": "0", "paid_on": ""}],
                             date(2026, 11, 30))
    assert not refused.stored and [o.code for o in refused.rejected] == ["unknown_business"] and read_returns(engine).empty
    assert import_returns(engine, good, date(2026, 11, 30)).stored
    corrected = [{**good[0], "tax_paid_idr": "5100000"}]
    import_returns(engine, corrected, date(2026, 11, 30))
    assert read_returns(engine)[["business_id", "tax_paid_idr"]].values.tolist() == [[1, 5_100_000]]


def test_a_spreadsheet_export_is_stored_like_its_csv(engine):
    from openpyxl import Workbook

    _taxpayers(engine)
    book = Workbook()
    book.active.append(["NPWPD", "month", "turnover_idr", "tax_paid_idr", "paid_on"])
    book.active.append(["P1", "2026-10", 50_000_000, 5_000_000, datetime(2026, 11, 10)])
    buffer = io.BytesIO()
    book.save(buffer)
    csv = b"npwpd,month,turnover_idr,tax_paid_idr,paid_on\nP1,2026-10,50000000,5000000,2026-11-10\n"
    stored = []
    for data in (buffer.getvalue(), csv):
        assert import_returns(engine, rows_from_file(data, RETURN_COLUMNS), date(2026, 11, 30)).stored
        stored.append(read_returns(engine)[["month", "turnover_idr", "tax_paid_idr", "paid_on"]].to_dict("records"))
    assert stored[0] == stored[1] and stored[0][0]["turnover_idr"] == 50_000_000


def test_flags_become_cases_once_and_a_closed_case_stays_closed(engine):
    _taxpayers(engine)
    day_sales = [_sale(f"r{d}", day=d, amount=2_000_000) for d in range(1, 31)]
    ingest_transactions(engine, [{**s, "time": s["time"].replace("2026-11", "2026-10")} for s in day_sales if int(s["receipt"][1:]) <= 31],
                        now=NOW, key="k1")
    import_returns(engine, [{"npwpd": "P1", "month": "2026-10", "turnover_idr": "20000000", "tax_paid_idr": "2000000", "paid_on": "2026-11-10"}],
                   date(2026, 11, 30))
    assert monitor.refresh_cases(engine, date(2026, 10, 1), NOW, 0.10, 15) >= 1
    assert monitor.refresh_cases(engine, date(2026, 10, 1), NOW, 0.10, 15) == 0
    underpaid = cases.read_cases(engine, month=date(2026, 10, 1)).set_index("kind").loc["underpaid"]
    assert underpaid.business_id == 1 and underpaid.at_stake_idr == 6_000_000 - 2_000_000
    assert cases.worst_open_flags(engine)[1] == "underpaid"
    cases.update_case(engine, int(underpaid.id), by="tax", now=NOW, status="paid", officer="Yohanis", notes="lunas")
    monitor.refresh_cases(engine, date(2026, 10, 1), NOW, 0.10, 15)
    closed = cases.read_case(engine, int(underpaid.id))
    assert (closed["status"], closed["officer"], closed["updated_by"]) == ("paid", "Yohanis", "tax")
    assert "underpaid" not in cases.worst_open_flags(engine).values()
    with pytest.raises(cases.CaseError):
        cases.update_case(engine, int(underpaid.id), by="tax", now=NOW, status="gone")


@pytest.fixture
def tax_server(tmp_path):
    """The app on its own PostgreSQL database (no demo), served by a real threaded HTTP server
    (the database is dropped afterwards)."""
    from werkzeug.serving import make_server

    from tests.conftest import build_app
    from config import Settings
    from store.db import make_engine
    from tests.conftest import fresh_postgres_database

    with fresh_postgres_database() as url:
        app = build_app(Settings.from_env({"DATABASE_URL": url, "DEMO_DATA": "0", "CAMERA_READERS": "0", "TILE_URL": "",
                                            "INSTANCE_DIR": str(tmp_path)}))
        engine = make_engine(url)
        _taxpayers(engine)
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", engine
        finally:
            server.shutdown()
            thread.join(timeout=10)
            engine.dispose()
            app.shutdown()  # before its database is dropped


def _post(base, rows, key="k1"):
    request = urllib.request.Request(base + "/api/tax/transactions", data=json.dumps(rows).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Device-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_concurrent_duplicate_batches_over_http_count_each_sale_once(tax_server):
    base, engine = tax_server
    batch = [_sale(f"r{i:04d}", hour=10 + i % 12, amount=10_000 + i) for i in range(300)]
    answers, barrier = [], threading.Barrier(6)

    def send(rows):
        barrier.wait()
        answers.append(_post(base, rows))

    # six clients at once: three send the batch, three send it reversed (out of order), overlapping halves
    batches = [batch, batch[::-1], batch[:200], batch[100:][::-1], batch, batch[150:]]
    threads = [threading.Thread(target=send, args=(rows,)) for rows in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in answers) == [200] * 6
    assert sum(body["accepted"] for _, body in answers) == 300
    assert sum(body["accepted"] + body["duplicate"] for _, body in answers) == sum(len(rows) for rows in batches)
    count, daily, _ = _totals(engine)
    assert count == 300 and daily == {date(2026, 11, 29): sum(10_000 + i for i in range(300))}


def test_the_endpoint_refuses_a_wrong_key_and_reports_bad_rows(tax_server):
    base, _ = tax_server
    assert _post(base, [_sale("a")], key="nope")[0] == 401
    status, body = _post(base, [_sale("a"), _sale("b", amount=-1)])
    assert status == 400 and body["accepted"] == 1 and body["rows"]["rejected"][0]["code"] == "not_positive"
    assert _post(base, {"not": "a list"})[0] == 400


def test_a_registered_box_posts_with_the_key_it_was_given_once(engine):
    from tax.devices import DeviceError, add_device

    _taxpayers(engine, n=1)
    code, key = add_device(engine, "P1", now=datetime(2026, 11, 1))
    assert code == "TB-0002" and len(key) >= 40
    report = ingest_transactions(engine, [{**_sale("x"), "device": code}], now=NOW, key=key)
    assert len(report.accepted) == 1
    with pytest.raises(DeviceError):
        add_device(engine, "P404")


def test_the_demo_feed_keeps_boxes_selling_once_per_open_quarter_hour(engine):
    from tax.demo import feed_demo_boxes

    _taxpayers(engine)
    noon = datetime(2026, 11, 30, 3, 0)  # 12:00 WIT, open 10-22: a day back holds 12:00-22:00 and 10:00-12:00, 40 + 9 slots a box
    assert feed_demo_boxes(engine, noon) == 2 * 49
    assert feed_demo_boxes(engine, noon) == 0  # another worker feeding the same moment adds nothing
    assert feed_demo_boxes(engine, datetime(2026, 11, 30, 4, 0)) == 2 * 4
    assert _totals(engine)[2] == datetime(2026, 11, 30, 4, 0)
