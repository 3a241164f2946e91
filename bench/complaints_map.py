"""The complaints map at volume on PostgreSQL: the layer by zoom and view (grid groups, single
complaints only where few), the in-view count, and concurrent cache misses.

    .venv/bin/python bench/complaints_map.py [--rows 1000000] [--all-points] [--keep]

Creates its own database on TEST_POSTGRES_URL's server, builds the schema with the migrations and
bulk-loads `--rows` complaints with COPY (bench.complaints' generator), then prints, for each view, the
features shipped, the payload raw and gzipped, and the build's wall time (median of 3) and this
process's CPU time (the database's own CPU is not in it). The machine is shared: wall times are noisy.
`--all-points` also times the old form (every complaint as a point). Goal from issue 14: first render
(the whole city at zoom 13) under 3 s at 1,000,000 complaints.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import threading
import time
from pathlib import Path

from flask_caching import Cache
from flask import Flask
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.complaints import NOW, copy_in, synthetic_complaints  # noqa: E402
from complaints.deadlines import WorkingCalendar  # noqa: E402
from config.complaints import DeadlineRules  # noqa: E402
from routes.layers import complaints_layer, single_flight  # noqa: E402
from store import layers  # noqa: E402
from store.complaint_grid import snap_bbox  # noqa: E402
from store.db import make_engine, upgrade_schema  # noqa: E402
from store.scratch import scratch_database  # noqa: E402
from store.layers import ComplaintFilter  # noqa: E402

CITY = (128.10, -3.78, 128.30, -3.60)
"""Kota Ambon as a map at zoom 13 shows it (min_lon, min_lat, max_lon, max_lat)."""
VIEWS = [
    ("whole city, zoom 13 (first render)", 13, CITY),
    ("whole city, zoom 12, no bbox", 12, None),
    ("a district, zoom 15", 15, (128.17, -3.71, 128.21, -3.68)),
    ("a neighbourhood, zoom 17", 17, (128.180, -3.700, 128.186, -3.696)),
    ("a street, zoom 19", 19, (128.1800, -3.7000, 128.1815, -3.6990)),
]


def timed(fn, repeat: int = 3):
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--all-points", action="store_true", help="also time every complaint as a point (the old layer)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    with scratch_database("ambon_bench", keep=args.keep) as url:
        engine = make_engine(url)
        try:
            upgrade_schema(engine)
            start = time.perf_counter()
            copy_in(engine, synthetic_complaints(args.rows, WorkingCalendar(), DeadlineRules()))
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE complaints"))
            print(f"complaints: {args.rows:,} generated and loaded with COPY in {time.perf_counter() - start:.1f} s")
            print(f"  {'view':<40} {'features':>9} {'raw':>10} {'gzip':>10} {'wall':>9} {'CPU':>9}")
            filters = [("", ComplaintFilter()), (" (DLH only)", ComplaintFilter().within_agency("DLH"))]
            for suffix, complaint_filter in filters:
                for label, zoom, bbox in VIEWS:
                    view = snap_bbox(bbox, zoom) if bbox else None
                    wall, cpu, raw = timed(lambda: complaints_layer(engine, complaint_filter, zoom, view, NOW))
                    packed = gzip.compress(raw, compresslevel=5)
                    features = raw.count(b'"Feature"')
                    print(f"  {label + suffix:<40} {features:>9,} {len(raw) / 1e3:>7.0f} kB {len(packed) / 1e3:>7.0f} kB "
                          f"{wall * 1000:>6.0f} ms {cpu * 1000:>6.0f} ms")
            for label, bbox in (("in-view count by status, whole city", CITY), ("in-view count by status, a district", VIEWS[2][2]),
                                ("in-view count by status, a street", VIEWS[4][2])):
                wall, cpu, _ = timed(lambda: layers.count_complaints_by_status(engine, ComplaintFilter(), bbox=bbox))
                print(f"  {label:<62} {wall * 1000:>6.0f} ms {cpu * 1000:>6.0f} ms")

            # eight simultaneous misses of one view: one build, seven waits
            server = Flask(__name__)
            cache = Cache(server, config={"CACHE_TYPE": "SimpleCache"})
            builds = []

            def build():
                builds.append(1)
                return gzip.compress(complaints_layer(engine, ComplaintFilter(), 13, snap_bbox(CITY, 13), NOW), compresslevel=5)

            latencies = []

            def request():
                begin = time.perf_counter()
                with server.app_context():
                    single_flight(cache, "layer:complaints:bench", build, 15)
                latencies.append(time.perf_counter() - begin)

            wall, cpu = time.perf_counter(), time.process_time()
            threads = [threading.Thread(target=request) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            print(f"  8 simultaneous misses of the first render: {len(builds)} build(s), slowest {max(latencies) * 1000:.0f} ms, "
                  f"{(time.process_time() - cpu) * 1000:.0f} ms CPU in all")
            if args.all_points:
                wall, cpu, raw = timed(lambda: complaints_layer(engine, ComplaintFilter(), None, None, NOW), repeat=1)
                features = raw.count(b'"Feature"')
                print(f"  old layer, every complaint as a point: {features:,} features, {len(raw) / 1e6:.0f} MB raw, "
                      f"{len(gzip.compress(raw, compresslevel=5)) / 1e6:.1f} MB gzip, {wall:.1f} s wall, {cpu:.1f} s CPU")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
