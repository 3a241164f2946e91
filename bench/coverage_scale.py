"""Benchmark: the coverage solver at city scale on the clustered instances of
../shared/bench/mclp_instances.py (issue 17), through the ``python -m geo.recommend`` contract.

    .venv/bin/python bench/coverage_scale.py [--data bench-data] [--cases 10k,50k,50k-1,200k,poles]

Instances are written under ``--data`` on first use (seeded; radius 150 m). First table: each
case runs the command line in its own process; printed per case: wall seconds, CPU seconds of
that process (less affected by other work on a shared machine than wall time), its peak memory
(max RSS, MiB, Python and imports included), the covered weight, the certified bound, the gap and
the ``method`` of the JSON line. Second table: the solver alone in this process with its time
limit counted in CPU seconds, so a busy machine does not starve it of the computing the limit
stands for; and the greedy preview (reduce + greedy) timed on its own. Goals (issue 17):
10k/2k optimum < 1 s; 50k/5k/k=25 gap <= 1 % in 10 s, < 300 MB, preview < 0.3 s;
200k/20k/k=50 gap <= 2 % in 60 s, < 2 GB; 5,000 poles x 8 headings, k=25, gap <= 1 % in 10 s.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GEN = ROOT.parent / "shared" / "bench" / "mclp_instances.py"

# name: (n, m, seed, k, time limit s, headings)
CASES = {
    "10k": (10_000, 2_000, 0, 10, 60.0, 0),
    "50k": (50_000, 5_000, 0, 25, 10.0, 0),
    "50k-1": (50_000, 5_000, 1, 25, 10.0, 0),
    "200k": (200_000, 20_000, 0, 50, 60.0, 0),
    "poles": (50_000, 5_000, 0, 25, 10.0, 8),
}


def instance(data: Path, n: int, m: int, seed: int) -> Path:
    d = data / f"mclp-{n // 1000}k-{seed}"
    if not (d / "candidates.gpkg").exists():
        subprocess.run([sys.executable, str(GEN), str(n), str(m), str(seed), str(d)], check=True)
    return d


def run_cli(d: Path, k: int, limit: float, headings: int) -> dict:
    out = d / "out.csv"
    args = [sys.executable, "-m", "geo.recommend", "--demand", str(d / "demand.gpkg"), "--candidates",
            str(d / "candidates.gpkg"), "--k", str(k), "--radius-m", "150", "--time-limit-s", str(limit), "--out", str(out)]
    if headings:
        args += ["--headings", str(headings)]
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = p.communicate()
    wall = time.perf_counter() - t0
    return {"wall": wall, "rc": p.returncode, "stdout": stdout, "stderr": stderr}


def measured(d: Path, k: int, limit: float, headings: int) -> dict:
    """The command line with the child's CPU time and peak memory."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run_cli(d, k, limit, headings)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    r["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    r["peak_mib"] = after.ru_maxrss / 1024  # max over children so far: cases run in increasing size
    if r["rc"] != 0:
        raise SystemExit(f"geo.recommend failed: {r['stderr']}")
    r["json"] = json.loads(r["stdout"].strip().splitlines()[-1])
    return r


def load(d: Path, headings: int):
    """Coverage matrix, weights and pole groups (None without headings) of an instance folder."""
    import geopandas as gpd

    from geo.coverage import coverage_matrix, points_xy
    from geo.headings import heading_coverage, pole_headings

    dem, cands = gpd.read_file(d / "demand.gpkg"), gpd.read_file(d / "candidates.gpkg")
    w = dem["weight"].to_numpy(float)
    if headings:
        A = heading_coverage(points_xy(dem), points_xy(cands), 150.0, headings)
        return A, w, pole_headings(points_xy(cands), headings)[3]
    return coverage_matrix(points_xy(dem), points_xy(cands), 150.0), w, None


def preview(A, w, k: int) -> float:
    """Seconds for the greedy preview: reduction and greedy with its bound."""
    from geo.mclp import _greedy, reduce_instance

    t0 = time.perf_counter()
    _greedy(reduce_instance(A, w), k, None)
    return time.perf_counter() - t0


def cpu_budget(A, w, groups, k: int, limit: float) -> dict:
    """The solver alone in this process, its time limit counted in CPU seconds
    (``clock=time.process_time``): what it reaches with that much computing, whatever else runs."""
    from geo.mclp import solve_mclp

    t0, c0 = time.perf_counter(), time.process_time()
    r = solve_mclp(A, w, k, groups=groups, time_limit_s=limit, clock=time.process_time)
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "covered": r.covered_weight,
            "bound": r.bound, "gap": r.gap, "method": r.method}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT / "bench-data"))
    ap.add_argument("--cases", default="10k,50k,50k-1,poles,200k")
    ap.add_argument("--no-cli", action="store_true", help="only the in-process runs on a CPU-time budget")
    a = ap.parse_args()
    data = Path(a.data)
    names = a.cases.split(",")
    if not a.no_cli:
        print("python -m geo.recommend (whole command: read, coverage, solve, write; wall-clock time limit)")
        print(f"{'case':>6} {'N':>7} {'M':>6} {'k':>3} {'hd':>2} {'limit_s':>7} {'wall_s':>7} {'cpu_s':>6} {'peak_MiB':>8}"
              f" {'covered':>9} {'bound':>10} {'gap_%':>6}  method", flush=True)
        for name in names:
            n, m, seed, k, limit, headings = CASES[name]
            r = measured(instance(data, n, m, seed), k, limit, headings)
            j = r["json"]
            print(f"{name:>6} {n:>7} {m:>6} {k:>3} {headings:>2} {limit:>7.0f} {r['wall']:>7.2f} {r['cpu']:>6.2f} {r['peak_mib']:>8.0f}"
                  f" {j['covered_weight']:>9.0f} {j['bound']:>10.0f} {100 * j['gap']:>6.2f}  {j['method']}", flush=True)
    print("\nsolver alone, in process, time limit in CPU seconds (clock=time.process_time)")
    print(f"{'case':>6} {'limit_s':>7} {'cpu_s':>6} {'wall_s':>7} {'covered':>9} {'bound':>10} {'gap_%':>6} {'preview_s':>9}  method",
          flush=True)
    for name in names:
        n, m, seed, k, limit, headings = CASES[name]
        A, w, groups = load(instance(data, n, m, seed), headings)
        pv = f"{preview(A, w, k):9.3f}" if groups is None else f"{'':>9}"
        r = cpu_budget(A, w, groups, k, limit)
        print(f"{name:>6} {limit:>7.0f} {r['cpu']:>6.2f} {r['wall']:>7.2f} {r['covered']:>9.0f} {r['bound']:>10.0f}"
              f" {100 * r['gap']:>6.2f} {pv}  {r['method']}", flush=True)


if __name__ == "__main__":
    main()
