"""Database connections under load: gunicorn 4 workers × 16 threads on PostgreSQL, C operators.

    .venv/bin/python bench/db_pool.py                       # DB_POOL_SIZE 5 then 16, 64 operators, 20 s
    .venv/bin/python bench/db_pool.py --pools 16 --clients 100 --duration 30

Each operator (own login session) requests /cameras/health (the camera list's 5-s refresh: session,
permission and camera board) in a loop. Per pool size it prints requests per second, p50/p95 latency,
the PostgreSQL connections opened during the run (pg_stat_database.sessions) and the most open at
once (pg_stat_activity). A pool smaller than the worker's threads opens and closes connections on
every request; DB_POOL_SIZE = threads keeps them. Needs PostgreSQL at 127.0.0.1:5432 and Redis.
Figures are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.camera_service import REDIS_URL, process, wait_for_login  # noqa: E402
from tests.conftest import POSTGRES_ADMIN_URL, _free_port, fresh_postgres_database, login_opener  # noqa: E402


def run(pool: int, clients: int, duration: float) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with fresh_postgres_database() as database_url, tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        name = database_url.rsplit("/", 1)[1]
        port = _free_port()
        env = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:6]}:",
               "INSTANCE_DIR": tmp, "TILE_URL": "", "CAMERA_READERS": "0", "DB_POOL_SIZE": str(pool),
               "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute"}
        stack.enter_context(process([sys.executable, "-m", "gunicorn", "-w", "4", "--threads", "16", "-b", f"127.0.0.1:{port}",
                                     "app:server"], env, Path(tmp) / "web.log"))
        base = f"http://127.0.0.1:{port}"

        wait_for_login(base, 180)
        openers = [login_opener(base) for _ in range(clients)]

        def counts() -> tuple[int, int]:
            with admin.connect() as conn:
                sessions = conn.execute(text("SELECT sessions FROM pg_stat_database WHERE datname = :d"), {"d": name}).scalar_one()
                active = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"), {"d": name}).scalar_one()
            return int(sessions), int(active)

        sessions0, _ = counts()
        latencies: list[float] = []
        errors = [0]
        stop = threading.Event()

        def operator(opener) -> None:
            while not stop.is_set():
                t = time.monotonic()
                try:
                    with opener.open(base + "/cameras/health", timeout=30) as response:
                        response.read()
                    latencies.append(time.monotonic() - t)
                except OSError:
                    errors[0] += 1

        threads = [threading.Thread(target=operator, args=(o,), daemon=True) for o in openers]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        peak = 0
        while time.monotonic() - t0 < duration:
            peak = max(peak, counts()[1])
            time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(30)
        dt = time.monotonic() - t0
        sessions1, _ = counts()
        lat = sorted(latencies)
        p = lambda q: 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")  # noqa: E731
        print(f"DB_POOL_SIZE {pool:>3}: {len(lat) / dt:6.1f} req/s, p50 {p(0.5):6.0f} ms, p95 {p(0.95):6.0f} ms, errors {errors[0]}, "
              f"PostgreSQL connections opened {sessions1 - sessions0}, at most {peak} open at once")
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pools", default="5,16")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (shared: figures are noisy); "
          f"gunicorn -w 4 --threads 16, {args.clients} operators, {args.duration:g} s each")
    for pool in (int(p) for p in args.pools.split(",")):
        run(pool, args.clients, args.duration)


if __name__ == "__main__":
    main()
