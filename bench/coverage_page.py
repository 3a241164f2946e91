"""The coverage page's analysis end to end on the demo city: store read, demand, gaps, candidates,
solve and reasons, as the background job runs it (without the browser).

    .venv/bin/python bench/coverage_page.py [--runs "10,150,20" "25,150,20" "50,300,30"]

Each run is "k,min_spacing_m,time_limit_s" (radius 100 m, default weights). Prints seconds per
stage, total seconds, method, the gap to the LP bound and the candidate count.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.generator import build_demo_city  # noqa: E402
from demo.seed import write_demo_city  # noqa: E402
from planning.coverage_analysis import AnalysisParams, analyse, read_city_layers  # noqa: E402
from store.db import create_schema, make_engine  # noqa: E402

STAGES = ("demand", "gaps", "candidates", "solve", "reasons")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", default=["10,150,20", "25,150,20", "50,300,30"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        create_schema(engine)
        write_demo_city(engine, build_demo_city())
        start = time.perf_counter()
        city = read_city_layers(engine)
        read_s = time.perf_counter() - start
        print(f"demo city read from SQLite in {read_s:.2f} s")
        print(f"{'k':>4} {'space_m':>7} {'limit_s':>7} " + " ".join(f"{s + '_s':>12}" for s in STAGES)
              + f" {'total_s':>8} {'method':>9} {'gap_%':>7} {'cands':>6}")
        for run in args.runs:
            k, spacing, limit = (float(v) for v in run.split(","))
            marks: dict[str, float] = {}
            t0 = time.perf_counter()
            result = analyse(city, AnalysisParams(k=int(k), radius_m=100, min_spacing_m=spacing, time_limit_s=limit),
                             progress=lambda _f, stage: marks.setdefault(stage, time.perf_counter() - t0))
            total = time.perf_counter() - t0
            edges = [marks[s] for s in STAGES] + [marks["done"]]
            solution = result.solution
            print(f"{int(k):>4} {spacing:>7.0f} {limit:>7.0f} " + " ".join(f"{b - a:>12.2f}" for a, b in zip(edges, edges[1:]))
                  + f" {total:>8.2f} {solution['method']:>9} {100 * solution['gap']:>7.3f} {solution['candidates']:>6}")


if __name__ == "__main__":
    main()
