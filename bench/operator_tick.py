"""What one operator's open map page costs the web workers every 5 s: requests per tick and CPU per
request, in-process (the figures that decide issue 12's 100 operators, and stay readable on a
shared machine, unlike latencies under load).

    .venv/bin/python bench/operator_tick.py                           # 25 operators (a worker's share of 100), 12 ticks
    .venv/bin/python bench/operator_tick.py --operators 1 --ticks 24

The app is built in this process on a throwaway PostgreSQL database with Redis (CAMERA_READERS=0,
as under gunicorn), `python -m cameras.service` decodes the 37 demo cameras beside it. A real
Chromium records what the map page sends (bench/operators_load.record, against this process served
over HTTP), then Flask test clients, each logged in as an operator, replay the recorded tick every
5 s the way bench/operators_locust.py does (the States the page holds carried from answer to answer;
a thumbnail URL fetched when the panel's answer shows one not shown yet) and measures each
request's CPU time on its own thread (time.thread_time: the camera service, the browser and the
app's background loops do not count).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import redis
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.camera_service import REDIS_URL, cached, process, wait_for  # noqa: E402
from bench.operators_load import record  # noqa: E402
from bench.operators_replay import distinct_callbacks, image_sources, is_camera_panel, kind, remember, with_state, with_tick  # noqa: E402
from tests.conftest import _free_port, fresh_postgres_database, login_client  # noqa: E402

TICK_S = 5.0


def measure(clients: list, ticks: int, recording: dict) -> None:
    """Replay `ticks` ticks of the recorded map page for each of `clients` (logged-in operators, all
    in this one process as in one web worker) and print the CPU per request kind and per operator tick."""
    cpu_ms: dict[str, list[float]] = defaultdict(list)

    def send(client, method: str, path: str, body: str | None = None):
        start = time.thread_time()
        response = client.post(path, data=body, content_type="application/json") if method == "POST" else client.get(path)
        cpu_ms[kind(method, path, body)].append(1000 * (time.thread_time() - start))
        assert response.status_code in (200, 204, 304), (path, response.status_code)
        return response

    pages: list[dict] = [{} for _ in clients]  # per operator: (component id, property) -> what the answers set
    shown: list[set[str]] = [set() for _ in clients]
    for client, page in zip(clients, pages):  # the page as just loaded: the States it starts with
        for r in distinct_callbacks(recording["reload"]):
            remember(json.loads(send(client, "POST", r["path"], r["body"]).get_data(as_text=True) or "{}"), page)
    cpu_ms.clear()
    tick_calls = distinct_callbacks(recording["tick"])
    next_tick = time.monotonic()
    for tick in range(1, ticks + 1):
        next_tick += TICK_S
        time.sleep(max(0.0, next_tick - time.monotonic()))  # pacing: the frames move on between ticks, as for an operator
        for n, client in enumerate(clients):
            for r in tick_calls:
                body = with_tick(with_state(r["body"], pages[n]), tick)
                text = send(client, "POST", r["path"], body).get_data(as_text=True)
                answer = json.loads(text) if text else {}
                remember(answer, pages[n])
                if is_camera_panel(body):
                    urls = list(image_sources(answer))
                    for url in urls:
                        if url not in shown[n]:
                            send(client, "GET", url)
                    shown[n] = set(urls)
    operator_ticks = ticks * len(clients)
    print(f"{ticks} ticks of {len(clients)} operators' map pages in one process; load average {os.getloadavg()[0]:.2f} (shared machine)")
    print(f"{'request kind':<34} {'per tick':>8} {'CPU ms mean':>11} {'CPU ms p50':>10} {'CPU ms/tick':>11}")
    for name, values in sorted(cpu_ms.items()):
        ordered = sorted(values)
        print(f"{name:<34} {len(values) / operator_ticks:>8.2f} {sum(values) / len(values):>11.1f} {ordered[len(ordered) // 2]:>10.1f} "
              f"{sum(values) / operator_ticks:>11.1f}")
    total = sum(sum(v) for v in cpu_ms.values())
    requests = sum(map(len, cpu_ms.values())) / operator_ticks
    print(f"one operator tick: {requests:.1f} requests, {total / operator_ticks:.1f} ms CPU ({total / max(1, sum(map(len, cpu_ms.values()))):.1f} ms "
          f"per request); 100 operators every {TICK_S:g} s: {100 * requests / TICK_S:.0f} requests/s, "
          f"{100 * total / operator_ticks / TICK_S / 1000:.2f} cores of web-worker CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=12)
    parser.add_argument("--operators", type=int, default=25, help="operators at the map in this process (100 over 4 workers: 25 each)")
    args = parser.parse_args()
    from command_center import create_app
    from config import Settings

    with tempfile.TemporaryDirectory() as tmp_name, fresh_postgres_database() as database_url:
        tmp = Path(tmp_name)
        prefix = f"bench-tick-{os.getpid()}:"
        env = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "INSTANCE_DIR": tmp_name,
               "TILE_URL": "", "CAMERA_READERS": "0", "DB_POOL_SIZE": "16"}
        app = create_app(Settings.from_env(env))
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request the browser sends
        server = make_server("127.0.0.1", _free_port(), app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        client = redis.Redis.from_url(REDIS_URL)
        try:
            with process([sys.executable, "-m", "cameras.service"], env, tmp / "service.log"):
                wait_for(lambda: all(cached(client, prefix, f"thumb:{c}") for c in range(1, 38)), 120, "37 thumbnails")
                recording = record(f"http://127.0.0.1:{server.server_port}")
                measure([login_client(app.server.test_client(), "operator") for _ in range(args.operators)], args.ticks, recording)
        finally:
            server.shutdown()
            app.shutdown()
            keys = list(client.scan_iter(match=prefix + "*"))
            if keys:
                client.delete(*keys)


if __name__ == "__main__":
    main()
