"""Restaurant tax at city scale: 1,000 businesses with two years of data in PostgreSQL.

Measures (and prints): seeding the two years; tapping-box ingest through POST /api/tax/transactions
into one gunicorn worker (goal 2,000 transactions/s sustained); the month's flags for every business
(goal < 2 s); the follow-up list of a month (goal < 200 ms).

    .venv/bin/python bench/tax.py [--businesses 1000] [--transactions 40000] [--batch 500] [--clients 4]

Needs PostgreSQL (TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/postgres); a
database of its own is created and dropped.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from demo.generator import build_demo_city  # noqa: E402
from store.db import make_engine, upgrade_schema  # noqa: E402
from store.scratch import scratch_database  # noqa: E402
from store.layers import write_features  # noqa: E402
from store.models import Business  # noqa: E402
from tax import cases, monitor  # noqa: E402
from tax.demo import demo_key, seed_tax_demo  # noqa: E402

@contextmanager
def one_worker(database_url: str):
    """gunicorn with one worker (sync, one thread) on the bench database; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    instance = tempfile.mkdtemp()
    env = {**os.environ, "DATABASE_URL": database_url, "DEMO_DATA": "0", "CAMERA_READERS": "0", "INSTANCE_DIR": instance, "TILE_URL": ""}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "app:server"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/masuk", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def post(base: str, key: str, rows: list[dict]) -> dict:
    request = urllib.request.Request(base + "/api/tax/transactions", data=json.dumps(rows).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Device-Key": key})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--transactions", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=500, help="sales per POST (a box's backlog after a network outage)")
    parser.add_argument("--clients", type=int, default=4, help="boxes posting at the same time")
    args = parser.parse_args()
    now = datetime.utcnow().replace(microsecond=0)

    with scratch_database("ambon_bench_tax") as url:
        engine = make_engine(url)
        upgrade_schema(engine)
        businesses = build_demo_city(n_complaints=10, n_businesses=args.businesses).businesses
        write_features(engine, Business, businesses)
        started = time.perf_counter()
        demo = seed_tax_demo(engine, businesses, now)
        print(f"seed: {args.businesses:,} businesses, {len(demo.sales):,} daily totals, {len(demo.returns):,} returns, "
              f"{len(demo.transactions):,} receipts in {time.perf_counter() - started:.1f} s")

        codes = demo.devices["code"].tolist()
        per_batch = args.batch
        batches = []
        for index in range(args.transactions // per_batch):
            code = codes[index % len(codes)]
            moment = now - timedelta(hours=1 + index % 20)
            batches.append((demo_key(code), [{"device": code, "receipt": f"bench-{index}-{k}", "time": (moment + timedelta(seconds=k)).isoformat() + "Z",
                                              "amount": 25_000 + 1_000 * (k % 200)} for k in range(per_batch)]))
        with one_worker(url) as base:
            post(base, *batches[0])  # warm up the worker (imports, connection pool)
            queue, accepted, lock = list(batches[1:]), [0], threading.Lock()

            def client():
                while True:
                    with lock:
                        if not queue:
                            return
                        key, rows = queue.pop()
                    report = post(base, key, rows)
                    with lock:
                        accepted[0] += report["accepted"]

            started = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            print(f"ingest: {accepted[0]:,} transactions in {elapsed:.1f} s = {accepted[0] / elapsed:,.0f} tx/s "
                  f"(one gunicorn worker, batches of {per_batch}, {args.clients} clients; goal 2,000 tx/s)")
            again = post(base, *batches[1])
            print(f"        a batch sent again: {again['accepted']} accepted, {again['duplicate']} reported as duplicates")

        month = monitor.latest_due_month(monitor.wit_today(now), 15)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            found = monitor.compute_flags(engine, month, now, 0.10, 15)
            timings.append(time.perf_counter() - started)
        print(f"flags: {len(found):,} flags for {args.businesses:,} businesses ({month:%Y-%m}) in {min(timings):.2f} s best, "
              f"{statistics.median(timings):.2f} s median (goal < 2 s)")
        started = time.perf_counter()
        opened = monitor.refresh_cases(engine, month, now, 0.10, 15)
        print(f"       flags and their {opened:,} new cases written in {time.perf_counter() - started:.2f} s")
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            listed = cases.read_cases(engine, month=month, open_only=True, with_open_silent=True)
            timings.append(time.perf_counter() - started)
        print(f"follow-up list: {len(listed):,} cases in {statistics.median(timings) * 1000:.0f} ms median, "
              f"{max(timings) * 1000:.0f} ms worst of 20 (goal < 200 ms)")
        engine.dispose()


if __name__ == "__main__":
    main()
