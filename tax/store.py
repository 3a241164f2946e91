"""Restaurant-tax data in and out of the store: devices, transactions with their daily totals,
returns, and the frames tax.flags works on. Amounts whole rupiah, times naive UTC, days WIT."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Date, Engine, case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from store.models import Business
from tax.ingest import MonthlyReturn, Outcome, Report, Sale, check_returns, check_transactions
from tax.models import TaxDailySales, TaxDevice, TaxReturn, TaxTransaction

WIT = timedelta(hours=9)


def upsert_statement(conn):
    """The dialect's INSERT that knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def read_device_keys(engine: Engine) -> dict[str, tuple[int, int, str]]:
    """Every device: code -> (device id, business id, key hash)."""
    with engine.connect() as conn:
        rows = conn.execute(select(TaxDevice.code, TaxDevice.id, TaxDevice.business_id, TaxDevice.key_hash))
        return {code: (device_id, business_id, key) for code, device_id, business_id, key in rows}


def store_sales(conn, sales: list[Sale]) -> set[tuple[int, str]]:
    """Insert `sales` in the caller's transaction; a (device, receipt) stored before is skipped.
    The daily totals and each device's last sale move by exactly the sales inserted, in the same
    transaction, so a resent batch, even a concurrent one, is counted once. Returns the
    (device id, receipt) pairs inserted."""
    if not sales:
        return set()
    # one order for every writer: two batches sharing receipts wait for each other, never deadlock
    ordered = sorted(sales, key=lambda s: (s.device_id, s.receipt))
    statement = (upsert_statement(conn)(TaxTransaction).on_conflict_do_nothing(index_elements=["device_id", "receipt"])
                 .returning(TaxTransaction.device_id, TaxTransaction.receipt))
    inserted = set(map(tuple, conn.execute(statement, [
        {"device_id": s.device_id, "receipt": s.receipt, "time": s.time, "amount_idr": s.amount_idr} for s in ordered]).all()))
    daily: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    latest: dict[int, datetime] = {}
    for sale in ordered:
        if (sale.device_id, sale.receipt) in inserted:
            total = daily[(sale.business_id, (sale.time + WIT).date())]
            total[0] += sale.amount_idr
            total[1] += 1
            latest[sale.device_id] = max(latest.get(sale.device_id, sale.time), sale.time)
    if daily:
        upsert = upsert_statement(conn)(TaxDailySales)
        conn.execute(upsert.on_conflict_do_update(
            index_elements=["business_id", "day"],
            set_={"amount_idr": TaxDailySales.amount_idr + upsert.excluded.amount_idr,
                  "receipts": TaxDailySales.receipts + upsert.excluded.receipts}),
            [{"business_id": b, "day": d, "amount_idr": a, "receipts": n} for (b, d), (a, n) in sorted(daily.items())])
    for device_id, moment in sorted(latest.items()):
        conn.execute(update(TaxDevice).where(TaxDevice.id == device_id).values(last_seen_at=case(
            ((TaxDevice.last_seen_at.is_(None)) | (TaxDevice.last_seen_at < moment), moment), else_=TaxDevice.last_seen_at)))
    return inserted


def ingest_transactions(engine: Engine, rows: list, *, now: datetime, key: str | None = None,
                        all_or_nothing: bool = False, devices: dict | None = None) -> Report:
    """Check and store a batch of transactions (see tax.ingest.check_transactions for `key`).

    The good rows are written in one transaction (each with its daily total and its box's last
    sale, never one without the other). With `all_or_nothing` (a file) a single rejected row
    stores nothing. `devices` (read_device_keys) may be passed by a caller that keeps it."""
    sales, report = check_transactions(rows, devices if devices is not None else read_device_keys(engine), now, key)
    if all_or_nothing and report.rejected:
        report.stored = False
        return report
    with engine.begin() as conn:
        inserted = store_sales(conn, sales)
    for sale in sales:
        outcome = Outcome(sale.row, f"{sale.receipt}")
        if (sale.device_id, sale.receipt) in inserted:
            report.accepted.append(outcome)
        else:
            report.duplicate.append(Outcome(sale.row, sale.receipt, "already_stored"))
    report.accepted.sort(key=lambda o: o.row)
    report.duplicate.sort(key=lambda o: o.row)
    return report


def store_returns(engine: Engine, returns: list[MonthlyReturn]) -> None:
    """Insert or replace (business, month) returns in one transaction: a corrected export replaces the earlier figures."""
    if not returns:
        return
    with engine.begin() as conn:
        upsert = upsert_statement(conn)(TaxReturn)
        conn.execute(upsert.on_conflict_do_update(
            index_elements=["business_id", "month"],
            set_={"turnover_idr": upsert.excluded.turnover_idr, "tax_paid_idr": upsert.excluded.tax_paid_idr,
                  "paid_on": upsert.excluded.paid_on}),
            [{"business_id": r.business_id, "month": r.month, "turnover_idr": r.turnover_idr,
              "tax_paid_idr": r.tax_paid_idr, "paid_on": r.paid_on} for r in sorted(returns, key=lambda r: (r.business_id, r.month))])


def import_returns(engine: Engine, rows: list[dict], today: date) -> Report:
    """Check returns rows (tax.ingest.check_returns) and store them all, or none when any row is rejected."""
    with engine.connect() as conn:
        businesses = dict(conn.execute(select(Business.tax_id, Business.id)).all())
    returns, report = check_returns(rows, businesses, today)
    if report.rejected:
        report.stored = False
        return report
    store_returns(engine, returns)
    return report


def read_sales(engine: Engine, since: date | None = None, business_id: int | None = None) -> pd.DataFrame:
    """Daily recorded sales (columns business_id, day, amount_idr, receipts), from `since` on."""
    statement = select(TaxDailySales.business_id, TaxDailySales.day, TaxDailySales.amount_idr, TaxDailySales.receipts)
    if since is not None:
        statement = statement.where(TaxDailySales.day >= since)
    if business_id is not None:
        statement = statement.where(TaxDailySales.business_id == business_id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(statement).all(), columns=["business_id", "day", "amount_idr", "receipts"])
    frame["amount_idr"] = frame["amount_idr"].astype("int64")
    return frame


def _month_of(conn, column):
    if conn.dialect.name == "postgresql":
        return func.cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def read_monthly_sales(engine: Engine, since: date | None = None) -> pd.DataFrame:
    """Recorded sales per business and month from `since` on (columns business_id, month, amount_idr), summed in the database."""
    with engine.connect() as conn:
        month = _month_of(conn, TaxDailySales.day).label("month")
        statement = select(TaxDailySales.business_id, month, func.sum(TaxDailySales.amount_idr))
        if since is not None:
            statement = statement.where(TaxDailySales.day >= since)
        rows = conn.execute(statement.group_by(TaxDailySales.business_id, month)).all()
    frame = pd.DataFrame(rows, columns=["business_id", "month", "amount_idr"])
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["amount_idr"] = frame["amount_idr"].astype("int64")
    return frame


def read_daily_mean(engine: Engine, today: date, days: int = 28) -> pd.Series:
    """Mean recorded sales per day (rupiah) of the `days` days before `today` (WIT), by business id."""
    with engine.connect() as conn:
        rows = conn.execute(select(TaxDailySales.business_id, func.sum(TaxDailySales.amount_idr))
                            .where(TaxDailySales.day >= today - timedelta(days=days), TaxDailySales.day < today)
                            .group_by(TaxDailySales.business_id)).all()
    return pd.Series({b: float(total) / days for b, total in rows}, dtype=float)


def read_returns(engine: Engine, business_id: int | None = None) -> pd.DataFrame:
    """Monthly returns (columns business_id, month, turnover_idr, tax_paid_idr, paid_on)."""
    statement = select(TaxReturn.business_id, TaxReturn.month, TaxReturn.turnover_idr, TaxReturn.tax_paid_idr, TaxReturn.paid_on)
    if business_id is not None:
        statement = statement.where(TaxReturn.business_id == business_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(statement.order_by(TaxReturn.month)).all(),
                            columns=["business_id", "month", "turnover_idr", "tax_paid_idr", "paid_on"])


def read_devices(engine: Engine) -> pd.DataFrame:
    """Tapping boxes (columns id, code, business_id, installed_at, last_seen_at)."""
    statement = select(TaxDevice.id, TaxDevice.code, TaxDevice.business_id, TaxDevice.installed_at, TaxDevice.last_seen_at)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(statement).all(), columns=["id", "code", "business_id", "installed_at", "last_seen_at"])


def read_taxpayers(engine: Engine) -> pd.DataFrame:
    """Businesses as the tax office knows them (id, name, category, tax_id, address, opening hours,
    kecamatan_code, desa_code, lon, lat)."""
    columns = [Business.id, Business.name, Business.category, Business.tax_id, Business.address, Business.opens_hour,
               Business.closes_hour, Business.kecamatan_code, Business.desa_code, Business.lon, Business.lat]
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(*columns).order_by(Business.id)).all(), columns=[c.key for c in columns])


def write_devices(engine: Engine, devices: pd.DataFrame) -> None:
    """Insert devices (columns code, business_id, installed_at, key_hash[, last_seen_at])."""
    with engine.begin() as conn:
        conn.execute(insert(TaxDevice), devices.astype(object).where(devices.notna(), None).to_dict("records"))


def write_daily_sales(engine: Engine, sales: pd.DataFrame) -> None:
    """Insert daily totals (columns business_id, day, amount_idr, receipts): the demo's history.
    On PostgreSQL by COPY: two years of 400 businesses in a second or two, not half a minute."""
    columns = ["business_id", "day", "amount_idr", "receipts"]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            statement = f"COPY tax_daily_sales ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
            with conn.connection.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(sales[columns].to_csv(index=False, header=False))
        else:  # the driver's own executemany with ISO dates, as SQLAlchemy's Date stores them on SQLite
            rows = zip(sales["business_id"].tolist(), pd.to_datetime(sales["day"]).dt.strftime("%Y-%m-%d").tolist(),
                       sales["amount_idr"].tolist(), sales["receipts"].tolist())
            conn.exec_driver_sql(f"INSERT INTO tax_daily_sales ({', '.join(columns)}) VALUES (?, ?, ?, ?)", list(rows))


def returns_months(engine: Engine) -> list[date]:
    """Months that have returns, newest first."""
    with engine.connect() as conn:
        return [m for (m,) in conn.execute(select(TaxReturn.month).distinct().order_by(TaxReturn.month.desc()))]


def read_taxpayer(engine: Engine, business_id: int) -> dict | None:
    """One business as read_taxpayers gives it, or None."""
    columns = [Business.id, Business.name, Business.category, Business.tax_id, Business.address, Business.opens_hour,
               Business.closes_hour, Business.kecamatan_code, Business.lon, Business.lat]
    with engine.connect() as conn:
        row = conn.execute(select(*columns).where(Business.id == business_id)).mappings().first()
    return dict(row) if row else None


def business_figures(engine: Engine, business_id: int, today: date, rate: float, months: int = 24) -> dict:
    """What the page charts for one business: "months": (months, tax on declared turnover, tax on
    recorded sales, tax paid) for the `months` months before `today`'s, and "days": (days, recorded
    sales) for the 30 days before `today`. Rupiah; a month without data is None."""
    from tax.flags import add_months, month_start, monthly_from_daily

    first = add_months(month_start(today), -months)
    daily = read_sales(engine, since=first, business_id=business_id)
    monthly = monthly_from_daily(daily).set_index("month")["amount_idr"] if len(daily) else pd.Series(dtype="int64")
    returns = read_returns(engine, business_id).set_index("month")
    month_list = [add_months(first, k) for k in range(months)]

    def value(series, month, factor=1.0):
        return None if month not in series.index else float(series[month]) * factor

    declared = [value(returns["turnover_idr"], m, rate) for m in month_list]
    expected = [value(monthly, m, rate) for m in month_list]
    paid = [value(returns["tax_paid_idr"], m) for m in month_list]
    day_list = [today - timedelta(days=k) for k in range(30, 0, -1)]
    by_day = daily.set_index("day")["amount_idr"] if len(daily) else pd.Series(dtype="int64")
    return {"months": (month_list, declared, expected, paid), "days": (day_list, [value(by_day, d) or 0 for d in day_list])}
