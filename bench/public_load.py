"""Public portal load test: V concurrent visitors against the real stack (gunicorn with W workers,
Redis for the cache and the rate-limit counters), on loopback only.

    .venv/bin/python bench/public_load.py                     # 100 visitors, 4 workers, 60 s
    .venv/bin/python bench/public_load.py --visitors 100 --seconds 60 --think 1.0 --database postgresql://postgres@127.0.0.1:5432/ambon_bench

Each visitor opens portal pages in a loop, the way people browse (home, status, services, flood,
reports map, about; weighted), waiting `--think` seconds between pages (0: as fast as it can).
The app runs in demo mode in a temporary instance folder (SQLite unless --database is given), with
its rate limit lifted for the test (all visitors come from 127.0.0.1). Prints requests per second,
latency p50/p95/p99/max in ms, errors, and the bytes of each page. Goal: p95 under 300 ms at 100
visitors. Figures are noisy on a shared machine: the load generator shares the cores with the server.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
PAGES = (("/publik", 4), ("/publik/status", 3), ("/publik/layanan", 2), ("/publik/banjir", 2),
         ("/publik/peta-laporan", 1), ("/publik/kenali", 1), ("/publik/static/publik.css", 2))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cpu_s(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn and its workers."""
    total = 0.0
    for process in [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


async def visitor(client: httpx.AsyncClient, base: str, until: float, think_s: float, latencies: list, errors: list) -> None:
    paths, weights = zip(*PAGES)
    rng = random.Random()
    while time.monotonic() < until:
        path = rng.choices(paths, weights)[0]
        started = time.perf_counter()
        try:
            response = await client.get(base + path, headers={"Accept-Encoding": "gzip"})
            if response.status_code != 200:
                errors.append(response.status_code)
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append((time.perf_counter() - started) * 1000)
        if think_s:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)


async def load(base: str, visitors: int, seconds: float, think_s: float):
    latencies, errors = [], []
    limits = httpx.Limits(max_connections=visitors, max_keepalive_connections=visitors)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        until = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(*(visitor(client, base, until, think_s, latencies, errors) for _ in range(visitors)))
        return latencies, errors, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a visitor reads a page (0: none)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--database", default=None)
    args = parser.parse_args()

    port = free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "INSTANCE_DIR": instance, "TILE_URL": "", "REDIS_URL": args.redis, "CACHE_KEY_PREFIX": f"bench{port}:",
               "PUBLIC_RATE_LIMIT": "1000000 per minute", "CAMERA_READERS": "0"}
        if args.database:
            env["DATABASE_URL"] = args.database
        log = open(Path(instance) / "app.log", "w")
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads", "4", "-b", f"127.0.0.1:{port}",
                                   "app:server"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    urllib.request.urlopen(base + "/publik", timeout=5)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the app did not start: " + (Path(instance) / "app.log").read_text()[-3000:])
                    time.sleep(0.5)
            sizes = {}
            for path, _ in PAGES:
                with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"}), timeout=30) as r:
                    sizes[path] = len(r.read())
            asyncio.run(load(base, args.visitors, 5, args.think))  # warm-up: every worker renders and caches once
            cpu_before = server_cpu_s(server)
            latencies, errors, wall = asyncio.run(load(base, args.visitors, args.seconds, args.think))
            server_cpu = server_cpu_s(server) - cpu_before
            load_average = os.getloadavg()[0]
        finally:
            server.terminate()
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
            log.close()
    print(f"visitors={args.visitors} workers={args.workers} think={args.think}s measured={wall:.0f}s db={'sqlite' if not args.database else 'given'}")
    print(f"requests={len(latencies)} ({len(latencies) / wall:.1f}/s) errors={len(errors)} {sorted(set(map(str, errors)))[:5]}")
    print(f"latency ms: p50={percentile(latencies, 50):.1f} p95={percentile(latencies, 95):.1f} "
          f"p99={percentile(latencies, 99):.1f} max={max(latencies):.1f}")
    print(f"server CPU: {1000 * server_cpu / max(1, len(latencies)):.2f} ms per request, {100 * server_cpu / wall:.0f} % of one core; "
          f"machine load average {load_average:.1f} on {os.cpu_count()} cores")
    print("bytes on the wire (gzip): " + ", ".join(f"{p} {n / 1024:.1f} KiB" for p, n in sizes.items()))


if __name__ == "__main__":
    main()
