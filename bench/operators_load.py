"""100 operators on the scaled-out stack, measured with locust (headless).

    .venv/bin/python bench/operators_load.py                         # 100 operators, 60 s
    .venv/bin/python bench/operators_load.py --operators 50 --seconds 90

The stack as the README scales it out: a throwaway PostgreSQL database, Redis (cache, login limits,
thumbnails), `gunicorn -w 4 --threads 16 --keep-alive 10 app:server` with CAMERA_READERS=0 and DB_POOL_SIZE=16,
and `python -m cameras.service` decoding the 37 demo cameras.

First a real Chromium (Playwright) logs in as an operator and records what the map page sends:
a full reload, the periodic callbacks of an idle page over two ticks (the 5 s camera tick:
the camera panel, marker colours, the alert centre, and whatever else the page sends then) and a complaint filter switched on and off. Then locust
(bench/operators_locust.py) replays that as N operators, each with its own login: log in, load the
map, every 5 s the recorded tick callbacks plus the thumbnail images the camera panel shows (the
`<img>` URLs in the panel's answer, fetched the way a browser does: only a URL it does not show yet,
with its HTTP cache honoured), now and then a filter, and rarely a full reload.

Prints per request kind and overall: requests, requests/s, p50/p95/p99 (ms), failures; the most
PostgreSQL connections open at once (pg_stat_activity) and opened in total (pg_stat_database.sessions);
the CPU of the web workers, the camera service and locust, and the web workers' CPU-seconds per
request (the figure that stays readable when other work shares the machine), with the load average.
Goal (issue 12): 100 operators at p95 under 300 ms on 2 cores.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil
import redis
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.operators_replay import is_camera_panel  # noqa: E402
from bench.camera_service import REDIS_URL, cached, cpu_of, process, wait_for, wait_for_login  # noqa: E402
from tests.conftest import (CHROMIUM_ARGS, POSTGRES_ADMIN_URL, _free_port, fresh_postgres_database, login,  # noqa: E402
                            )


@contextmanager
def stack(tmp: Path):
    """The scaled-out app on a fresh PostgreSQL database; yields (base URL, database name, web pid, service pid)."""
    with fresh_postgres_database() as database_url, ExitStack() as stack:
        prefix = f"bench-{uuid.uuid4().hex[:6]}:"
        env = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "INSTANCE_DIR": str(tmp),
               "TILE_URL": "", "CAMERA_READERS": "0", "DB_POOL_SIZE": "16",
               "LOGIN_RATE_LIMIT": "10000 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "10000 per minute"}
        port = _free_port()
        # --keep-alive 10: a browser keeps its connections open between the 5 s ticks (and silently
        # resends a request a server closed under it); gunicorn's 2 s default closes them in between
        web = stack.enter_context(process([sys.executable, "-m", "gunicorn", "-w", "4", "--threads", "16", "--keep-alive", "10",
                                           "-b", f"127.0.0.1:{port}", "app:server"], env, tmp / "web.log"))
        base = f"http://127.0.0.1:{port}"

        wait_for_login(base, 240)
        service = stack.enter_context(process([sys.executable, "-m", "cameras.service"], env, tmp / "service.log"))
        client = redis.Redis.from_url(REDIS_URL)
        wait_for(lambda: all(cached(client, prefix, f"thumb:{c}") for c in range(1, 38)), 120, "37 thumbnails")
        try:
            yield base, database_url.rsplit("/", 1)[1], web.pid, service.pid
        finally:
            keys = list(client.scan_iter(match=prefix + "*"))
            if keys:
                client.delete(*keys)


def record(base: str) -> dict:
    """What a real browser sends for the map page, by phase: reload, tick (periodic, 11 s of an idle
    page), filter_on and filter_off (the first complaint status ticked and unticked)."""
    from playwright.sync_api import sync_playwright

    phases: dict[str, list[dict]] = {}
    current: list[dict] = []

    def on_request(request) -> None:
        if request.url.startswith(base):
            current.append({"method": request.method, "path": request.url[len(base):], "body": request.post_data})

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        login(page, base, "operator")
        page.goto(base + "/")  # a first visit fills the browser's cache, as an operator's has been
        page.wait_for_selector(".cam-thumb-img", timeout=180_000)
        page.on("request", on_request)

        def phase(name: str, action, until=lambda requests: True, settle: float = 3.0) -> None:
            """Everything the page sends from `action` on until `until(requests)` holds, and `settle` s more."""
            current.clear()
            action()
            deadline = time.monotonic() + 120
            while not until(current) and time.monotonic() < deadline:
                page.wait_for_timeout(250)
            page.wait_for_timeout(settle * 1000)
            phases[name] = list(current)

        def ticks(n: int):
            return lambda requests: sum(is_camera_panel(r["body"]) for r in requests) >= n

        phase("reload", lambda: (page.reload(), page.wait_for_selector(".cam-thumb-img", timeout=180_000)))
        phase("tick", lambda: None, ticks(2))  # two whole ticks: all that the page sends every 5 s, however slow it is
        checkbox = page.locator("#filter-status input").first
        phase("filter_on", checkbox.check)
        phase("filter_off", checkbox.uncheck)
        browser.close()
    return phases


def stats_rows(csv_path: Path) -> list[dict]:
    with open(csv_path) as f:
        return list(csv.DictReader(f))


def measure(base: str, db_name: str, web_pid: int, service_pid: int, recording: Path, operators: int, seconds: float,
            spawn_rate: float) -> None:
    """Run locust against the stack at `base` and print the figures."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    workers = [c.pid for c in psutil.Process(web_pid).children()]

    def pg() -> tuple[int, int]:
        with admin.connect() as conn:
            sessions = conn.execute(text("SELECT sessions FROM pg_stat_database WHERE datname = :d"), {"d": db_name}).scalar_one()
            active = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"), {"d": db_name}).scalar_one()
        return int(sessions), int(active)

    peak = [0]
    done = threading.Event()
    steady = recording.parent / "steady"
    steady.unlink(missing_ok=True)
    out = recording.parent / "run"
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ramp = operators / spawn_rate + 2  # the log-ins: locust's figures are reset when the last operator starts
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "operators_locust.py"), "--headless", "--host", base,
         "-u", str(operators), "-r", str(spawn_rate), "-t", f"{ramp + seconds:.0f}s", "--reset-stats", "--csv", str(out),
         "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
        cwd=ROOT, env={**os.environ, "OPERATORS_RECORDING": str(recording), "OPERATORS_STEADY": str(steady)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(steady.exists, ramp + 120, "every operator started")
    sessions0, _ = pg()
    cpu0 = {"web": cpu_of(workers), "service": cpu_of([service_pid])}
    load0 = os.getloadavg()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], pg()[1])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.monotonic()
    while locust.poll() is None:
        time.sleep(0.2)
    cpu = {"web": cpu_of(workers) - cpu0["web"], "service": cpu_of([service_pid]) - cpu0["service"]}
    sessions1, _ = pg()
    load1 = os.getloadavg()
    wall = time.monotonic() - t0
    stdout, stderr = locust.communicate()
    done.set()
    sampler.join()
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu = children1.ru_utime + children1.ru_stime - children0.ru_utime - children0.ru_stime
    admin.dispose()
    if locust.returncode not in (0, 1):  # 1: some requests failed, reported below
        print(stdout[-3000:], stderr[-3000:])
        raise SystemExit(f"locust exited with {locust.returncode}")
    print(f"machine: {os.cpu_count()} cores, load average {load0[0]:.2f} before, {load1[0]:.2f} after (shared: other work counts in it); "
          f"{operators} operators (logged in at {spawn_rate:g}/s before), {seconds:g} s measured")
    print(f"{'request kind':<34} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'failed':>6}")
    total = 0
    for row in stats_rows(Path(f"{out}_stats.csv")):
        n = int(row["Request Count"])
        name = "ALL" if row["Name"] == "Aggregated" else row["Name"]
        total = n if name == "ALL" else total
        print(f"{name:<34} {n:>8} {float(row['Requests/s']):>7.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>6}")
    print(f"PostgreSQL: at most {peak[0]} connections open at once, {sessions1 - sessions0} opened during the run")
    print(f"CPU over {wall:.0f} s: web workers {cpu['web']:.1f} s ({100 * cpu['web'] / wall:.0f} % of one core), camera service "
          f"{cpu['service']:.1f} s, locust {locust_cpu:.1f} s (whole run); web workers {1000 * cpu['web'] / max(1, total):.2f} ms CPU per request")
    failures = stats_rows(Path(f"{out}_failures.csv"))
    if failures:
        print("failures:", *[f"  {r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}" for r in failures[:8]], sep="\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="operators logging in per second before the measured part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, stack(Path(tmp_name)) as (base, db_name, web_pid, service_pid):
        recording = Path(tmp_name) / "recording.json"
        phases = record(base)
        recording.write_text(json.dumps(phases))
        print("recorded from Chromium: " + ", ".join(f"{name} {len(reqs)} requests" for name, reqs in phases.items()))
        print("every 5 s each operator sends: " + ", ".join(sorted({json.loads(r["body"])["output"].strip(".").split(".")[0]
                                                                   for r in phases["tick"] if r["body"]})) + ", and the new thumbnails")
        measure(base, db_name, web_pid, service_pid, recording, args.operators, args.seconds, args.spawn_rate)


if __name__ == "__main__":
    main()
