"""Benchmark: our MCLP solver against spopt's MCLP on the same seeded instances.

    python bench/coverage.py [--sizes 2000x500,10000x2000,50000x5000] [--ks 10,25]
                             [--spopt-max-n 10000] [--time-limit-s 30] [--seed 0]

Instances: a 10 km x 8 km box (metres), demand points (70 % around 60 Gaussian hotspots of
sigma 400 m, 30 % uniform) with integer weights 1..10, uniform candidate sites, radius 150 m.
Each run happens in its own subprocess so peak memory (max RSS of that process, in MiB,
including Python, numpy and the solver) is measured per run. Rows:

* ``ours-auto``: greedy + swap, then HiGHS MIP within ``--time-limit-s`` (the default path);
* ``ours-2s``: the same with a 2 s limit;
* ``ours-heur``: greedy + swap only, with the LP bound;
* ``spopt``: ``spopt.locate.MCLP.from_cost_matrix`` + CBC on the same coverage matrix (given
  as a 0/1 cost matrix with service radius 0.5), when spopt is importable and N <= --spopt-max-n.

Columns: seconds to build the coverage matrix / model, seconds to solve, total, peak MiB,
covered weight, our bound and gap (relative to the bound, on newly covered weight).
spopt is a benchmark-only dependency: install it in a separate venv, never in the app's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BOX = (10_000.0, 8_000.0)
RADIUS_M = 150.0


def make_instance(n: int, m: int, seed: int):
    """Seeded demand (n, 2), weights (n,), candidates (m, 2), metres in a 10 x 8 km box."""
    rng = np.random.default_rng([seed, n, m])
    centres = rng.uniform((0, 0), BOX, (60, 2))
    n_hot = int(0.7 * n)
    hot = centres[rng.integers(0, len(centres), n_hot)] + rng.normal(0, 400.0, (n_hot, 2))
    uni = rng.uniform((0, 0), BOX, (n - n_hot, 2))
    demand = np.clip(np.vstack([hot, uni]), (0, 0), BOX)
    weights = rng.integers(1, 11, n).astype(float)
    cands = rng.uniform((0, 0), BOX, (m, 2))
    return demand, weights, cands


def run_single(solver: str, n: int, m: int, k: int, seed: int, time_limit: float) -> dict:
    from geo.coverage import coverage_matrix
    from geo.mclp import solve_mclp

    demand, w, cands = make_instance(n, m, seed)
    t0 = time.perf_counter()
    A = coverage_matrix(demand, cands, RADIUS_M)
    t_matrix = time.perf_counter() - t0
    out = {"solver": solver, "n": n, "m": m, "k": k, "nnz": int(A.nnz), "total_weight": float(w.sum())}
    if solver.startswith("ours"):
        method, tl = {"ours-auto": ("auto", time_limit), "ours-2s": ("auto", 2.0),
                      "ours-heur": ("heuristic", time_limit)}[solver]
        t1 = time.perf_counter()
        r = solve_mclp(A, w, k, method=method, time_limit_s=max(0.05, tl - t_matrix) if solver == "ours-2s" else tl)
        t_solve = time.perf_counter() - t1
        out.update(build_s=t_matrix, solve_s=t_solve, covered=r.covered_weight, bound=r.bound, gap=r.gap,
                   method=r.method, status=r.status, selected=[int(j) for j in r.selected])
    else:
        import pulp
        from spopt.locate import MCLP

        t1 = time.perf_counter()
        cost = np.where(A.toarray(), 0.0, 1.0)
        model = MCLP.from_cost_matrix(cost, w, 0.5, p_facilities=k)
        t_build = time.perf_counter() - t1 + t_matrix
        t2 = time.perf_counter()
        model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=3600))
        t_solve = time.perf_counter() - t2
        sel = [j for j, v in enumerate(model.fac_vars) if v.value() and v.value() > 0.5]
        covered = float(w[np.asarray(A[:, sel].sum(axis=1)).ravel() > 0].sum())
        out.update(build_s=t_build, solve_s=t_solve, covered=covered, bound=None, gap=None,
                   method="spopt+cbc", status=pulp.LpStatus[model.problem.status], selected=sel)
    return out


def run_in_subprocess(args_list: list[str]) -> dict:
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, __file__, "--single", *args_list], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    lines = p.stdout.read().strip().splitlines()
    if p.returncode != 0 or not lines:
        return {"error": f"exit {p.returncode}"}
    res = json.loads(lines[-1])
    res["peak_mib"] = usage.ru_maxrss / 1024.0  # Linux: KiB
    res["wall_s"] = wall
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2000x500,10000x2000,50000x5000")
    ap.add_argument("--ks", default="10,25")
    ap.add_argument("--spopt-max-n", type=int, default=10_000, help="run spopt only up to this N (it is slow)")
    ap.add_argument("--time-limit-s", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--json", help="also write all rows to this JSON file")
    ap.add_argument("--single", nargs=6, metavar=("SOLVER", "N", "M", "K", "SEED", "TL"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.single:
        s, n, m, k, seed, tl = a.single
        print(json.dumps(run_single(s, int(n), int(m), int(k), int(seed), float(tl))))
        return 0
    try:
        import spopt.locate  # noqa: F401
        have_spopt = not a.no_spopt
    except ImportError:
        have_spopt = False
        print("# spopt not importable here: spopt rows skipped (install it in a separate venv to compare)")
    rows = []
    head = (f"{'N':>6} {'M':>5} {'k':>3} {'solver':<10} {'build_s':>8} {'solve_s':>8} {'total_s':>8} {'peak_MiB':>8} "
            f"{'covered':>9} {'bound':>9} {'gap_%':>7} {'vs_best_%':>9}  status")
    print(head)
    for size in a.sizes.split(","):
        n, m = map(int, size.lower().split("x"))
        for k in map(int, a.ks.split(",")):
            solvers = ["ours-auto", "ours-2s", "ours-heur"]
            if have_spopt and n <= a.spopt_max_n:
                solvers.append("spopt")
            group = []
            for s in solvers:
                r = run_in_subprocess([s, str(n), str(m), str(k), str(a.seed), str(a.time_limit_s)])
                r.update(solver=s, n=n, m=m, k=k)
                group.append(r)
            best = max((r.get("covered", 0.0) for r in group), default=0.0)
            for r in group:
                rows.append(r)
                if "error" in r:
                    print(f"{n:>6} {m:>5} {k:>3} {r['solver']:<10} {r['error']}")
                    continue
                gap = "" if r["gap"] is None else f"{100 * r['gap']:.3f}"
                bound = "" if r["bound"] is None else f"{r['bound']:.0f}"
                vs = 100.0 * r["covered"] / best if best else 100.0
                print(f"{n:>6} {m:>5} {k:>3} {r['solver']:<10} {r['build_s']:>8.3f} {r['solve_s']:>8.3f} "
                      f"{r['build_s'] + r['solve_s']:>8.3f} {r['peak_mib']:>8.0f} {r['covered']:>9.0f} {bound:>9} "
                      f"{gap:>7} {vs:>9.2f}  {r['method']} / {r['status']}", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
