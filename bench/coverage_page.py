"""The coverage page's analysis end to end on the demo city: store read, demand, gaps, candidates,
solve and reasons, as the background job runs it (without the browser).

    .venv/bin/python bench/coverage_page.py [--runs "10,150,20" "25,150,20" "50,300,30"] [--roads FILE]

``--roads`` replaces the demo's road network by a real one first (for instance Ambon's
OpenStreetMap export in ../shared/geodata/ambon_roads_osm.geojson: 858 km, ten times the demand).

Each run is "k,min_spacing_m,time_limit_s" (radius 100 m, default weights), then the same again
with other weights (crime complaints 5 instead of 3, primary roads 4 instead of 3), as a planner
reruns it: the first run ("first") starts with an empty geometry cache, the rerun ("weights") finds
the first run's geometry there (planning.geometry_cache). Prints seconds per stage, total seconds
(wall), CPU seconds of this process (HiGHS' threads included; less noisy on a shared machine),
method, the gap to the LP bound and the candidate count.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.generator import build_demo_city  # noqa: E402
from demo.seed import write_demo_city  # noqa: E402
from planning.coverage_analysis import DEFAULT_WEIGHTS, AnalysisParams, analyse, read_city_layers  # noqa: E402
from planning.geometry_cache import GeometryCache  # noqa: E402
from store.db import create_schema, make_engine  # noqa: E402
from store.roads import import_roads  # noqa: E402

STAGES = ("demand", "gaps", "candidates", "solve", "reasons")
RERUN_WEIGHTS = {**DEFAULT_WEIGHTS, "complaint.kriminal": 5.0, "road.primary": 4.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", default=["10,150,20", "25,150,20", "50,300,30"])
    parser.add_argument("--roads", help="a road file to replace the demo's network with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        create_schema(engine)
        write_demo_city(engine, build_demo_city())
        if args.roads:
            summary = import_roads(engine, gpd.read_file(args.roads))
            print(f"roads from {args.roads}: {summary.segments} segments, {summary.total_km:.0f} km")
        start = time.perf_counter()
        city = read_city_layers(engine)
        read_s = time.perf_counter() - start
        print(f"demo city read from SQLite in {read_s:.2f} s")
        print(f"{'k':>4} {'space_m':>7} {'limit_s':>7} {'run':>7} " + " ".join(f"{s + '_s':>12}" for s in STAGES)
              + f" {'total_s':>8} {'cpu_s':>6} {'method':>9} {'gap_%':>7} {'cands':>6} {'demand':>7}")
        for number, run in enumerate(args.runs):
            k, spacing, limit = (float(v) for v in run.split(","))
            cache = GeometryCache(Path(folder) / f"geometry-{number}", 512)  # empty for each first run
            for label, weights in (("first", DEFAULT_WEIGHTS), ("weights", RERUN_WEIGHTS)):
                params = AnalysisParams(dict(weights), k=int(k), radius_m=100, min_spacing_m=spacing, time_limit_s=limit)
                marks: dict[str, float] = {}
                t0, c0 = time.perf_counter(), time.process_time()
                result = analyse(city, params, cache=cache,
                                 progress=lambda _f, stage: marks.setdefault(stage, time.perf_counter() - t0))
                total, cpu = time.perf_counter() - t0, time.process_time() - c0
                edges = [marks[s] for s in STAGES] + [marks["done"]]
                solution = result.solution
                print(f"{int(k):>4} {spacing:>7.0f} {limit:>7.0f} {label:>7} "
                      + " ".join(f"{b - a:>12.2f}" for a, b in zip(edges, edges[1:]))
                      + f" {total:>8.2f} {cpu:>6.2f} {solution['method']:>9} {100 * solution['gap']:>7.3f} {solution['candidates']:>6}"
                      + f" {solution['demand_points']:>7}", flush=True)


if __name__ == "__main__":
    main()
