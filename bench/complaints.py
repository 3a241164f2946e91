"""Complaints desk speed on PostgreSQL: the inbox's first page, an agency's queue, the deadline counts,
the per-agency performance figures and an SP4N-LAPOR import.

    .venv/bin/python bench/complaints.py [--rows 1000000] [--import-rows 100000] [--keep]

Creates its own database on TEST_POSTGRES_URL's server (default postgres@127.0.0.1), builds the schema
with the migrations, bulk-loads `--rows` complaints over 24 months with COPY (deadlines and elapsed
working days computed with the same calendar as the app), then prints each figure (median of 5 runs).
Goals from issue 14: inbox first page < 200 ms, performance figures < 1 s (the page reads them from the
daily roll-ups), 100,000-row import < 60 s.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from complaints import lifecycle, store  # noqa: E402
from complaints.deadlines import WorkingCalendar  # noqa: E402
from complaints.rollups import refresh_rollups, rollup_performance  # noqa: E402
from complaints.sp4n_import import import_sp4n  # noqa: E402
from config.complaints import DeadlineRules  # noqa: E402
from store.db import make_engine, upgrade_schema  # noqa: E402
from store.scratch import scratch_database  # noqa: E402
from store.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_CATEGORY_AGENCY  # noqa: E402

NOW = datetime(2026, 11, 30, 3, 0)


def timed(fn, repeat: int = 5):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def synthetic_complaints(n: int, calendar: WorkingCalendar, rules: DeadlineRules, seed: int = 14) -> pd.DataFrame:
    """`n` complaints over the 24 months before NOW: most closed, the recent ones at every step of the life cycle."""
    rng = np.random.default_rng(seed)
    created = (np.datetime64(NOW - timedelta(days=730), "s") + rng.integers(0, 730 * 86400, n).astype("timedelta64[s]"))
    category = rng.choice(np.array(COMPLAINT_CATEGORIES), n)
    agency = np.vectorize(COMPLAINT_CATEGORY_AGENCY.get)(category)
    due_response, due = calendar.deadline(created, rules.response_days), calendar.deadline(created, 5)
    responded = created + (rng.gamma(2.0, 1.2, n) * 86400).astype("timedelta64[s]")
    resolved = responded + (rng.gamma(2.0, 2.5, n) * 86400).astype("timedelta64[s]")
    now = np.datetime64(NOW, "s")
    status = np.where(resolved < now - np.timedelta64(2, "D"), lifecycle.CLOSED,
                      np.where(resolved < now, lifecycle.RESOLVED, np.where(responded < now, lifecycle.ACCEPTED, lifecycle.ROUTED)))
    fresh = created > now - np.timedelta64(3, "D")
    status = np.where(fresh & (rng.random(n) < 0.5), rng.choice(np.array([lifecycle.RECEIVED, lifecycle.VERIFIED]), n), status)
    responded = np.where(np.isin(status, [lifecycle.RECEIVED, lifecycle.VERIFIED, lifecycle.ROUTED]), np.datetime64("NaT"), responded)
    resolved = np.where(np.isin(status, [lifecycle.CLOSED, lifecycle.RESOLVED]), resolved, np.datetime64("NaT"))
    closed = np.where(status == lifecycle.CLOSED, resolved, np.datetime64("NaT"))
    running = np.where(np.isin(status, lifecycle.UNRESOLVED), np.where(np.isnat(responded), due_response, due), np.datetime64("NaT"))
    response_days, completion_days = calendar.elapsed(created, responded), calendar.elapsed(created, resolved)
    return pd.DataFrame({
        "ticket": [f"B{i:09d}" for i in range(n)], "created_at": created, "responded_at": responded, "closed_at": closed,
        "channel": "web", "category": category, "description": "Laporan warga nomor " + pd.Series(np.arange(n)).astype(str),
        "status": status, "agency": agency, "lon": 128.12 + rng.random(n) * 0.16, "lat": -3.75 + rng.random(n) * 0.12,
        "routed_at": np.where(np.isin(status, [lifecycle.RECEIVED, lifecycle.VERIFIED]), np.datetime64("NaT"), created + np.timedelta64(2, "h")),
        "due_response_at": due_response, "due_at": due, "next_due_at": running, "resolved_at": resolved,
        "response_days": pd.array(np.where(np.isnan(response_days), None, response_days), dtype="Int64"),
        "completion_days": pd.array(np.where(np.isnan(completion_days), None, completion_days), dtype="Int64"),
        # the time of its last step, as the desk would have set it
        "updated_at": np.where(~np.isnat(resolved), resolved, np.where(~np.isnat(responded), responded, created + np.timedelta64(2, "h"))),
    })


def copy_in(engine, frame: pd.DataFrame, batch: int = 200_000) -> None:
    """COPY the frame into complaints (CSV through psycopg's copy), in batches."""
    columns = ", ".join(frame.columns)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for start in range(0, len(frame), batch):
                buffer = io.StringIO()
                frame.iloc[start:start + batch].to_csv(buffer, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S", na_rep="")
                with cursor.copy(f"COPY complaints ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def export_file(n: int) -> bytes:
    rng = np.random.default_rng(1)
    created = pd.Timestamp(NOW - timedelta(days=60)) + pd.to_timedelta(rng.integers(0, 50 * 86400, n), unit="s")
    frame = pd.DataFrame({"Nomor Tracking": [f"LAP-{i:07d}" for i in range(n)], "Tanggal": created.strftime("%d/%m/%Y %H:%M"),
                          "Judul": "Laporan", "Isi Laporan": "Jalan berlubang di depan rumah warga", "Kategori": rng.choice(["jalan", "sampah"], n),
                          "Lokasi": "Kota Ambon", "Latitude": (-3.75 + rng.random(n) * 0.1).round(5).astype(str),
                          "Longitude": (128.13 + rng.random(n) * 0.12).round(5).astype(str), "Status": "Didisposisikan", "Instansi": ""})
    return frame.to_csv(index=False, sep=";").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    with scratch_database("ambon_bench", keep=args.keep) as url:
        engine = make_engine(url)
        try:
            upgrade_schema(engine)
            calendar, rules = WorkingCalendar(), DeadlineRules()
            start = time.perf_counter()
            frame = synthetic_complaints(args.rows, calendar, rules)
            generated = time.perf_counter() - start
            start = time.perf_counter()
            copy_in(engine, frame)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE complaints"))  # what autovacuum does after a bulk load
            print(f"complaints: {args.rows:,} generated in {generated:.1f} s, loaded with COPY in {time.perf_counter() - start:.1f} s")
            start, cpu = time.perf_counter(), time.process_time()
            refresh_rollups(engine, now=NOW, full=True)
            print(f"  daily roll-ups built from every complaint in {time.perf_counter() - start:.1f} s ({time.process_time() - cpu:.1f} s CPU here)")
            open_count = int(frame.status.isin(lifecycle.UNRESOLVED).sum())
            print(f"  of which unresolved (with a running deadline): {open_count:,}")
            del frame

            operator = store.Actor("operator", lifecycle.OPERATOR)
            dlh = store.Actor("dlh", lifecycle.AGENCY, "DLH")
            figures = [
                ("inbox first page (all awaiting the CC, by deadline)", lambda: store.desk_page(engine, store.DeskFilter(), actor=operator, now=NOW)),
                ("inbox first page, category sampah, overdue", lambda: store.desk_page(engine, store.DeskFilter(categories=("sampah",), deadline="overdue"),
                                                                                       actor=operator, now=NOW)),
                ("agency queue first page (DLH)", lambda: store.desk_page(engine, store.DeskFilter(states=lifecycle.AWAITING_AGENCY), actor=dlh, now=NOW)),
                ("inbox search by ticket", lambda: store.desk_page(engine, store.DeskFilter(states=lifecycle.STATES, text="B000123456"), actor=operator, now=NOW)),
                ("deadline counts per agency", lambda: store.deadline_counts(engine, now=NOW)),
                ("per-agency performance figures", lambda: store.performance(engine, now=NOW, calendar=calendar)),
                ("roll-up refresh, nothing changed", lambda: refresh_rollups(engine, now=NOW)),
                ("per-agency figures from the roll-ups (the page)", lambda: rollup_performance(engine, now=NOW, calendar=calendar)),
            ]
            for label, fn in figures:
                seconds, _ = timed(fn)
                print(f"  {label:<52} {seconds * 1000:8.1f} ms")
            if args.import_rows:
                data = export_file(args.import_rows)
                done = []
                start = time.perf_counter()
                report = import_sp4n(engine, data, actor="bench", now=NOW, rules=rules, calendar=calendar, progress=lambda stage, d, t: done.append(d))
                first = time.perf_counter() - start
                start = time.perf_counter()
                again = import_sp4n(engine, data, actor="bench", now=NOW, rules=rules, calendar=calendar)
                print(f"  SP4N-LAPOR import of {args.import_rows:,} rows ({len(data) / 1e6:.1f} MB): {first:.1f} s ({report.counts()}, "
                      f"{len(done)} progress calls); the same file again: {time.perf_counter() - start:.1f} s ({again.counts()['unchanged']:,} unchanged)")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
