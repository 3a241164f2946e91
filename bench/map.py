"""Map layer speed: payload build time, payload size and first render in headless Chromium.

    .venv/bin/python bench/map.py [--sizes 5000 100000]

For each complaint count it seeds a fresh SQLite store, then prints: time for the filter callback's
server-side work (SQL counts in view), time to build the complaints payload (SQL read + GeoJSON
encoding + gzip), payload bytes raw and gzipped, and the time from page load to the first
complaint markers drawn in Chromium.
"""
from __future__ import annotations

import argparse
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.generator import build_demo_city  # noqa: E402
from demo.seed import write_demo_city  # noqa: E402
from store import layers  # noqa: E402
from store.db import make_engine, upgrade_schema  # noqa: E402
from store.models import Business, Camera, TpsSite  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_render_s(base: str) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(base + "/masuk")  # every page needs a login; the demo operator's is not part of the timing
        page.fill("#auth-username", "operator")
        page.fill("#auth-password", "demo")
        page.keyboard.press("Enter")
        page.wait_for_selector("#auth-user")
        start = time.perf_counter()
        page.goto(base + "/")
        page.wait_for_function("document.querySelectorAll('.marker-cluster').length > 0", timeout=60000)
        elapsed = time.perf_counter() - start
        browser.close()
    return elapsed


def run(n_complaints: int) -> None:
    instance = Path(tempfile.mkdtemp(prefix="bench-map-"))
    engine = make_engine(f"sqlite:///{instance / 'ambon.db'}")
    upgrade_schema(engine)  # the app refuses a store made without its migrations
    write_demo_city(engine, build_demo_city(n_complaints=n_complaints, n_businesses=5000 if n_complaints > 5000 else 400))
    everything = layers.ComplaintFilter()
    bbox = (128.15, -3.72, 128.22, -3.66)

    def callback_work():
        layers.count_complaints_by_status(engine, everything, bbox=bbox)
        for model in (Camera, TpsSite, Business):
            layers.count_in_bbox(engine, model, bbox)

    callback_s, _ = timed(callback_work)

    from geo.geojson import to_geojson_bytes

    def build_payload():
        points = layers.read_complaints(engine, everything)
        points["s"], points["c"] = points.status.factorize()[0], points.category.factorize()[0]
        raw = to_geojson_bytes(points, ["id", "s", "c"], decimals=5)
        return raw, gzip.compress(raw, compresslevel=5)

    build_s, (raw, packed) = timed(build_payload, repeat=3)

    port = free_port()
    env = {**os.environ, "INSTANCE_DIR": str(instance), "PORT": str(port), "TILE_URL": ""}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        render_s = first_render_s(base)
    finally:
        proc.terminate()
        proc.wait()
    print(f"complaints={n_complaints:>7,}  filter-callback={callback_s * 1000:6.1f} ms  payload-build={build_s * 1000:7.1f} ms  "
          f"payload={len(raw) / 1e6:5.2f} MB raw / {len(packed) / 1e6:5.2f} MB gzip  first-render={render_s:5.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 100000])
    for size in parser.parse_args().sizes:
        run(size)
