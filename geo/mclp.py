"""Maximal covering location problem (MCLP) on a sparse coverage matrix.

Choose up to ``k`` candidate sites (or sites whose summed cost fits a ``budget``) to maximise
the demand weight they newly cover, given what existing cameras already cover, optionally with
pairwise conflicts (minimum spacing between new sites).

Pipeline (:func:`solve_mclp`):

1. **Reduce**: drop demand that is already covered, has no weight or no candidate; merge demand
   rows with identical candidate sets (weights add up); drop candidates that cover nothing and,
   when there are no spacing conflicts, candidates *dominated* by another one (covers a subset
   at no lower cost).
2. **Heuristic**: greedy with incrementally updated marginal gains (only rows newly covered
   are touched), then best-improvement swap local search. The greedy run also yields a valid
   upper bound (submodularity: OPT <= f(S_t) + best k marginal gains at any step t).
3. **Exact**: an integer program solved by HiGHS (``highspy``) on the reduced sparse model,
   warm-started with the heuristic solution, within the remaining time limit. Its dual bound
   (the LP relaxation, tightened by branch and bound) bounds the optimum; when the MIP is skipped
   or interrupted the LP relaxation is solved for the bound instead. Spacing conflicts enter the
   model as cliques ("at most one of these sites") where sites conflict pairwise, which keeps the
   LP bound close to the optimum: with pair rows only, every site at one half satisfies them all.

All weights are in the caller's units (e.g. weighted metres of road, counts of sites);
the solver never looks at coordinates. Spacing conflicts are built from metric coordinates by
:func:`spacing_conflicts`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

__all__ = ["MCLPResult", "solve_mclp", "spacing_conflicts", "reduce_instance", "rank_selection", "Cancelled"]

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


class Cancelled(Exception):
    """Raised by :func:`solve_mclp` when its cancel hook returned True."""


@dataclass
class MCLPResult:
    """Outcome of :func:`solve_mclp` (weights in the caller's units).

    ``selected``: chosen candidate indices (original numbering) in rank order: each next site
    adds the most weight given existing cameras and higher-ranked sites. ``marginal_weight``:
    that added weight per site (sums to ``new_weight``). ``covered_weight`` = ``existing_weight``
    (covered by existing cameras) + ``new_weight``. ``bound``: proven upper bound on
    ``covered_weight``. ``gap`` = (bound - covered_weight) / (bound - existing_weight): the relative
    gap of the part the solver controls (0 = proven optimal). ``method``: "exact" when proven
    optimal (gap within ``mip_rel_gap``, by the MIP or because a bound meets the heuristic
    solution), else "heuristic". ``status`` says how the run ended.
    """

    selected: np.ndarray
    marginal_weight: np.ndarray
    covered_weight: float
    existing_weight: float
    total_weight: float
    bound: float
    gap: float
    method: str
    status: str
    seconds: float
    lp_bound: float | None = None
    stats: dict = field(default_factory=dict)

    @property
    def new_weight(self) -> float:
        return self.covered_weight - self.existing_weight

    def summary(self) -> dict:
        """The JSON-ready summary used by the command line."""
        return {
            "covered_weight": float(self.covered_weight),
            "total_weight": float(self.total_weight),
            "bound": float(self.bound),
            "gap": float(self.gap),
            "method": self.method,
            "selected": [int(j) for j in self.selected],
            "seconds": round(float(self.seconds), 4),
        }


# --------------------------------------------------------------------------------------------
# spacing


def spacing_conflicts(site_xy: np.ndarray, min_spacing_m: float, existing_xy: np.ndarray | None = None):
    """Pairs of candidate sites closer than ``min_spacing_m`` metres, and candidates too close to
    an existing camera.

    ``site_xy`` (m, 2) and ``existing_xy`` (e, 2) in metres of one metric CRS. Returns
    ``(pairs, forbidden)``: ``pairs`` (p, 2) int64 with i < j, ``forbidden`` (m,) bool.
    Distances strictly below ``min_spacing_m`` conflict.
    """
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    m = len(site_xy)
    forbidden = np.zeros(m, dtype=bool)
    if not min_spacing_m or min_spacing_m <= 0 or m == 0:
        return np.empty((0, 2), np.int64), forbidden
    r = float(min_spacing_m) * (1 - 1e-12)
    ok = np.isfinite(site_xy).all(axis=1)
    idx = np.flatnonzero(ok)
    tree = cKDTree(site_xy[idx])
    pairs = tree.query_pairs(r, output_type="ndarray")
    pairs = idx[pairs] if len(pairs) else np.empty((0, 2), np.int64)
    if existing_xy is not None and len(existing_xy):
        ex = np.asarray(existing_xy, dtype=float).reshape(-1, 2)
        ex = ex[np.isfinite(ex).all(axis=1)]
        if len(ex):
            d, _ = cKDTree(ex).query(site_xy[idx], k=1, distance_upper_bound=r)
            forbidden[idx[np.isfinite(d) & (d < r)]] = True
    return np.sort(pairs.astype(np.int64), axis=1), forbidden


# --------------------------------------------------------------------------------------------
# reduction


@dataclass
class _Reduced:
    A: sp.csr_matrix  # n' x m' bool
    w: np.ndarray  # n'
    cols: np.ndarray  # m' original candidate indices
    costs: np.ndarray  # m'
    conflicts: sp.csr_matrix  # m' x m' symmetric bool
    stats: dict


def _row_keys(A: sp.csr_matrix, seed: int = 12345) -> np.ndarray:
    """Per-row 128-bit hash of the column pattern (plus nnz), for merging identical rows."""
    rng = np.random.default_rng(seed)
    m = A.shape[1]
    r1 = rng.integers(0, np.iinfo(np.int64).max, m, dtype=np.int64).view(np.uint64)
    r2 = rng.integers(0, np.iinfo(np.int64).max, m, dtype=np.int64).view(np.uint64)
    nnz = np.diff(A.indptr)
    starts = A.indptr[:-1]
    with np.errstate(over="ignore"):
        h1 = np.add.reduceat(r1[A.indices], starts) if A.nnz else np.zeros(A.shape[0], np.uint64)
        h2 = np.add.reduceat(r2[A.indices], starts) if A.nnz else np.zeros(A.shape[0], np.uint64)
    return np.stack([h1, h2, nnz.astype(np.uint64)], axis=1)


def reduce_instance(A: sp.spmatrix, weights: np.ndarray, *, already_covered: np.ndarray | None = None,
                    allowed: np.ndarray | None = None, costs: np.ndarray | None = None,
                    conflicts: np.ndarray | None = None, drop_dominated: bool = True) -> _Reduced:
    """Shrink an MCLP instance without changing its optimum (see module docstring).

    ``A`` n x m coverage, ``weights`` (n,), ``already_covered`` (n,) bool, ``allowed`` (m,) bool,
    ``costs`` (m,), ``conflicts`` (p, 2) candidate pairs. Dominance is only applied when there
    are no conflicts (a dominating site might be blocked by spacing).
    """
    A = sp.csr_matrix(A, dtype=bool)
    A.sum_duplicates()
    A.sort_indices()
    n, m = A.shape
    w = np.asarray(weights, dtype=float)
    costs = np.ones(m) if costs is None else np.asarray(costs, dtype=float)
    allowed = np.ones(m, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool).copy()
    conflicts = np.empty((0, 2), np.int64) if conflicts is None else np.asarray(conflicts, np.int64).reshape(-1, 2)
    stats = {"n_demand": n, "n_candidates": m}

    cols = np.flatnonzero(allowed)
    A1 = A[:, cols]
    rows = w > 0
    if already_covered is not None:
        rows &= ~np.asarray(already_covered, dtype=bool)
    rows &= np.diff(A1.indptr) > 0
    A1 = A1[np.flatnonzero(rows)]
    w1 = w[rows]
    # merge identical rows
    if A1.shape[0]:
        keys = _row_keys(A1)
        _, first, inv = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        w1 = np.bincount(inv.ravel(), weights=w1, minlength=len(first))
        A1 = A1[first]
    stats["rows_after_merge"] = A1.shape[0]

    # drop empty columns
    colnnz = np.diff(A1.tocsc().indptr)
    keep = colnnz > 0
    # dominated columns
    c1 = costs[cols]
    if drop_dominated and len(conflicts) == 0 and A1.shape[0]:
        B = A1.astype(np.int32)
        O = (B.T @ B).tocoo()
        j, j2, ov = O.row, O.col, O.data
        off = j != j2
        j, j2, ov = j[off], j2[off], ov[off]
        subset = ov == colnnz[j]  # cover(j) within cover(j2)
        cheaper = c1[j2] <= c1[j]
        strictly_bigger = colnnz[j2] > colnnz[j]
        tie_break = (c1[j2] < c1[j]) | ((c1[j2] == c1[j]) & (j2 < j))
        dom = subset & cheaper & (strictly_bigger | tie_break)
        keep[np.unique(j[dom])] = False
    cols2 = cols[keep]
    A2 = sp.csr_matrix(A1[:, np.flatnonzero(keep)])
    stats["candidates_after_reduction"] = len(cols2)
    # remap conflicts into reduced numbering
    pos = np.full(m, -1, np.int64)
    pos[cols2] = np.arange(len(cols2))
    if len(conflicts):
        pc = pos[conflicts]
        pc = pc[(pc >= 0).all(axis=1)]
    else:
        pc = np.empty((0, 2), np.int64)
    mm = len(cols2)
    K = sp.csr_matrix((np.ones(2 * len(pc), bool), (np.r_[pc[:, 0], pc[:, 1]], np.r_[pc[:, 1], pc[:, 0]])),
                      shape=(mm, mm))
    return _Reduced(A=A2, w=w1, cols=cols2, costs=costs[cols2], conflicts=K, stats=stats)


# --------------------------------------------------------------------------------------------
# heuristic


def _frac_knapsack(values: np.ndarray, costs: np.ndarray, budget: float) -> float:
    """max sum v x, sum c x <= budget, 0 <= x <= 1 (values <= 0 ignored)."""
    pos = values > 0
    v, c = values[pos], costs[pos]
    if len(v) == 0 or budget <= 0:
        return 0.0
    free = c <= 0
    total = float(v[free].sum())
    v, c = v[~free], c[~free]
    order = np.argsort(-v / c, kind="stable")
    v, c = v[order], c[order]
    cum = np.cumsum(c)
    full = cum <= budget
    total += float(v[full].sum())
    nxt = np.searchsorted(cum, budget, side="right")
    if nxt < len(v):
        spent = cum[nxt - 1] if nxt > 0 else 0.0
        total += float(v[nxt] * (budget - spent) / c[nxt])
    return total


def _gain_bound(gains: np.ndarray, k: int | None, budget: float | None, costs: np.ndarray) -> float:
    """Upper bound on what any feasible set can still add, given current marginal gains
    (valid by submodularity): best k gains and/or fractional knapsack of gains under the budget."""
    g = np.maximum(gains, 0.0)
    out = np.inf
    if k is not None:
        kk = min(int(k), len(g))
        out = float(np.partition(g, len(g) - kk)[len(g) - kk:].sum()) if kk > 0 else 0.0
    if budget is not None:
        out = min(out, _frac_knapsack(g, costs, float(budget)))
    return float(out)


def _greedy(R: _Reduced, k: int | None, budget: float | None, check=None):
    """Greedy with incrementally updated gains. Returns (selected list, value, upper bound)."""
    A, w, costs, K = R.A, R.w, R.costs, R.conflicts
    n, m = A.shape
    Af = A.astype(np.float64)
    Acsc = A.tocsc()
    gains = Af.T @ w
    uncovered = np.ones(n, dtype=bool)
    blocked = np.zeros(m, dtype=bool)
    cap = float(budget) if budget is not None else float(k)
    cst = costs if budget is not None else np.ones(m)
    spent = 0.0
    value = 0.0
    bound = _gain_bound(gains, k, budget, costs)
    sel: list[int] = []
    while True:
        if check:
            check()
        if k is not None and len(sel) >= k:
            break
        feas = ~blocked & (cst <= cap - spent + 1e-9)
        if not feas.any():
            break
        score = np.where(feas, gains / np.maximum(cst, 1e-12) if budget is not None else gains, -np.inf)
        j = int(np.argmax(score))
        if gains[j] <= 0:
            break
        sel.append(j)
        spent += cst[j]
        value += gains[j]
        rows = Acsc.indices[Acsc.indptr[j]:Acsc.indptr[j + 1]]
        rows = rows[uncovered[rows]]
        uncovered[rows] = False
        if len(rows):
            gains -= Af[rows].T @ w[rows]
        gains[j] = 0.0
        blocked[j] = True
        blocked[K.indices[K.indptr[j]:K.indptr[j + 1]]] = True
        bound = min(bound, value + _gain_bound(gains, k, budget, costs))
    if budget is not None:
        # budgeted greedy can be arbitrarily bad alone: compare with the best single affordable site
        single = np.where(cst <= cap, Af.T @ w, -np.inf)
        j = int(np.argmax(single)) if m else -1
        if m and single[j] > value:
            sel, value = [j], float(single[j])
    return sel, float(value), float(bound)


def _value(R: _Reduced, sel) -> float:
    if len(sel) == 0:
        return 0.0
    cnt = np.asarray(R.A[:, sel].sum(axis=1)).ravel()
    return float(R.w[cnt > 0].sum())


def _swap_search(R: _Reduced, sel: list[int], k: int | None, budget: float | None, deadline: float,
                 check=None, max_iter: int = 10_000):
    """Best-improvement 1-swap (and, under a budget, add) local search. Returns (selected, value)."""
    A, w, K = R.A, R.w, R.conflicts
    n, m = A.shape
    if m == 0 or not sel:
        return sel, _value(R, sel)
    Acsc = A.tocsc()
    Af = A.astype(np.float64)
    cst = R.costs if budget is not None else np.ones(m)
    cap = float(budget) if budget is not None else float(k)
    sel = list(sel)
    tol = 1e-12 * max(1.0, float(w.sum()))
    for _ in range(max_iter):
        if check:
            check()
        if time.perf_counter() > deadline:
            break
        S = np.asarray(sel, dtype=np.int64)
        cnt = np.asarray(Acsc[:, S].sum(axis=1)).ravel()
        in_s = np.zeros(m, dtype=bool)
        in_s[S] = True
        gain0 = Af.T @ (w * (cnt == 0))
        conflict_cnt = np.asarray(K[:, S].sum(axis=1)).ravel() if K.nnz else np.zeros(m)
        spent = float(cst[S].sum())
        # add move (budget mode or fewer than k selected)
        can_add = (~in_s) & (conflict_cnt == 0) & (cst <= cap - spent + 1e-9) & (gain0 > tol)
        if (k is None or len(sel) < k) and can_add.any():
            j = int(np.argmax(np.where(can_add, gain0, -np.inf)))
            sel.append(j)
            continue
        one = np.flatnonzero(cnt == 1)
        AS = Acsc[:, S][one].tocoo()  # rows covered exactly once: which selected site covers them
        owner = np.full(len(one), -1)
        owner[AS.row] = AS.col
        loss = np.bincount(owner, weights=w[one], minlength=len(S))
        P = sp.csr_matrix((w[one], (owner, np.arange(len(one)))), shape=(len(S), len(one)))
        O = (P @ Af[one]).toarray()  # |S| x m: weight lost by removing s but regained by j
        delta = gain0[None, :] - loss[:, None] + O
        feas = np.broadcast_to(~in_s, delta.shape).copy()
        if K.nnz:
            Ks = K[S].toarray().astype(np.int64)  # |S| x m
            feas &= (conflict_cnt[None, :] - Ks) == 0
        else:
            feas &= conflict_cnt[None, :] == 0
        if budget is not None:
            feas &= (spent - cst[S][:, None] + cst[None, :]) <= cap + 1e-9
        delta = np.where(feas, delta, -np.inf)
        p, j = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not np.isfinite(delta[p, j]) or delta[p, j] <= tol:
            break
        sel[p] = int(j)
    return sel, _value(R, sel)


# --------------------------------------------------------------------------------------------
# exact


def clique_rows(conflicts: sp.csr_matrix) -> sp.csr_matrix:
    """Rows "at most one of these sites" implying every conflict pair (p x m, 0/1).

    A greedy clique cover: each site, in order, starts a clique with those of its conflicting
    neighbours that conflict with every member so far; pairs no clique holds stay as rows of two.
    Sites along a road within the spacing of each other end up in one row, so the LP relaxation
    cannot pick each of them at one half.
    """
    K = sp.csr_matrix(conflicts, dtype=bool)
    m = K.shape[0]
    neighbours = [set(K.indices[K.indptr[i]:K.indptr[i + 1]].tolist()) for i in range(m)]
    assigned = np.zeros(m, dtype=bool)
    cliques: list[list[int]] = []
    for v in range(m):
        if assigned[v] or not neighbours[v]:
            continue
        clique, common = [v], set(u for u in neighbours[v] if not assigned[u])
        while common:
            u = min(common, key=lambda c: (-len(neighbours[c] & common), c))  # keeps the most candidates open
            clique.append(u)
            common &= neighbours[u]
        assigned[clique] = True
        cliques.append(clique)
    label = np.full(m, -1, np.int64)
    for i, clique in enumerate(cliques):
        label[clique] = i
    pairs = sp.triu(K, k=1).tocoo()
    loose = (label[pairs.row] != label[pairs.col]) | (label[pairs.row] < 0)
    members = cliques + [[int(a), int(b)] for a, b in zip(pairs.row[loose], pairs.col[loose])]
    rows = np.repeat(np.arange(len(members)), [len(c) for c in members])
    cols = np.fromiter((v for c in members for v in c), dtype=np.int64, count=len(rows))
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(members), m))


def _build_lp(R: _Reduced, k: int | None, budget: float | None, integer: bool):
    import highspy

    A, w = R.A, R.w
    n, m = A.shape
    conf = clique_rows(R.conflicts)
    p = conf.shape[0]
    caps, cap_rows = [], []
    if k is not None:
        caps.append(float(k))
        cap_rows.append(np.ones(m))
    if budget is not None:
        caps.append(float(budget))
        cap_rows.append(R.costs)
    c = len(caps)
    # rows: [coverage n] [capacity c] [conflicts p]; columns: [x m] [y n]
    top = sp.hstack([-A.astype(np.float64), sp.identity(n, format="csr")])
    capr = sp.hstack([sp.csr_matrix(np.vstack(cap_rows)), sp.csr_matrix((c, n))])
    blocks = [top, capr]
    if p:
        blocks.append(sp.hstack([conf, sp.csr_matrix((p, n))]))
    M = sp.vstack(blocks).tocsc()
    M.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = m + n
    lp.num_row_ = n + c + p
    lp.col_cost_ = np.r_[np.zeros(m), w]
    lp.col_lower_ = np.zeros(m + n)
    lp.col_upper_ = np.ones(m + n)
    lp.row_lower_ = np.full(n + c + p, -highspy.kHighsInf)
    lp.row_upper_ = np.r_[np.zeros(n), caps, np.ones(p)]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = M.indptr.astype(np.int32)
    lp.a_matrix_.index_ = M.indices.astype(np.int32)
    lp.a_matrix_.value_ = M.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * n
    return lp


_BANNER_SILENCED = False


def _new_highs():
    """A Highs instance; the first one of a process prints a banner from C on stdout, which would
    land after a caller's own output (C buffers are flushed at exit): send it to /dev/null."""
    global _BANNER_SILENCED
    import highspy

    if _BANNER_SILENCED:
        return highspy.Highs()
    import ctypes
    import os
    import sys

    sys.stdout.flush()
    libc = ctypes.CDLL(None)
    try:
        saved = os.dup(1)
    except OSError:
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            libc.fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SILENCED = True
    return h


def _highs(time_limit: float, mip_rel_gap: float, threads: int | None = None):
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    if threads:
        h.setOptionValue("threads", int(threads))
    return h


def _subscribe_interrupts(h, cancel: CancelFn | None, progress: ProgressFn | None, lo: float, hi: float, state: dict):
    """Let the cancel hook interrupt HiGHS and forward MIP progress (gap) to the progress hook."""

    def on_interrupt(e):
        if cancel is not None and cancel():
            state["cancelled"] = True
            e.interrupt()

    def on_mip(e):
        on_interrupt(e)
        if progress is not None:
            now = time.perf_counter()
            if now - state.get("last", 0) > 0.25:
                state["last"] = now
                g = e.data_out.mip_gap
                frac = lo + (hi - lo) * (0.0 if not np.isfinite(g) else max(0.0, min(1.0, 1.0 - g)))
                progress(frac, f"exact search: gap {g * 100:.2f} %" if np.isfinite(g) else "exact search")

    # Python callbacks cost time on every simplex iteration: subscribe only what a caller asked for
    if cancel is not None or progress is not None:
        h.cbMipInterrupt.subscribe(on_mip)
    if cancel is not None:
        h.cbSimplexInterrupt.subscribe(on_interrupt)
        h.cbIpmInterrupt.subscribe(on_interrupt)


def _solve_lp_bound(R, k, budget, time_limit, cancel, state) -> float | None:
    import highspy

    h = _highs(time_limit, 1e-9)
    h.passModel(_build_lp(R, k, budget, integer=False))
    _subscribe_interrupts(h, cancel, None, 0, 0, state)
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        return float(h.getInfo().objective_function_value)
    return None


def _solve_mip(R, k, budget, time_limit, mip_rel_gap, warm, cancel, progress, lo, hi, state, threads=None):
    import highspy

    n, m = R.A.shape
    h = _highs(time_limit, mip_rel_gap, threads)
    h.passModel(_build_lp(R, k, budget, integer=True))
    if warm:
        x = np.zeros(m)
        x[warm] = 1.0
        y = (np.asarray(R.A[:, warm].sum(axis=1)).ravel() > 0).astype(float)
        sol = highspy.HighsSolution()
        sol.col_value = np.r_[x, y].tolist()
        sol.value_valid = True
        h.setSolution(sol)
    _subscribe_interrupts(h, cancel, progress, lo, hi, state)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    out = {"status": h.modelStatusToString(status), "optimal": status == highspy.HighsModelStatus.kOptimal,
           "dual_bound": None, "selected": None, "value": None}
    db = info.mip_dual_bound
    if np.isfinite(db):
        out["dual_bound"] = float(db)
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        xs = np.asarray(h.getSolution().col_value[:m])
        out["selected"] = [int(j) for j in np.flatnonzero(xs > 0.5)]
        out["value"] = float(info.objective_function_value)
    return out


# --------------------------------------------------------------------------------------------
# ranking and the driver


def rank_selection(A: sp.spmatrix, weights: np.ndarray, selected, already_covered: np.ndarray | None = None):
    """Order chosen sites greedily: each next one adds the most weight given the ones before.

    Returns ``(order, marginal)``: ``selected`` reordered (array) and the weight each adds.
    """
    selected = np.asarray(selected, dtype=np.int64)
    if len(selected) == 0:
        return selected, np.empty(0)
    A = sp.csr_matrix(A, dtype=bool)
    w = np.asarray(weights, float).copy()
    if already_covered is not None:
        w[np.asarray(already_covered, bool)] = 0.0
    sub = A[:, selected].tocsc().astype(np.float64)
    gains = sub.T @ w
    remaining = np.ones(len(selected), dtype=bool)
    order, marginal = [], []
    subr = sub.tocsr()
    for _ in range(len(selected)):
        g = np.where(remaining, gains, -np.inf)
        p = int(np.argmax(g))
        order.append(selected[p])
        marginal.append(max(0.0, float(gains[p])))
        remaining[p] = False
        rows = sub.indices[sub.indptr[p]:sub.indptr[p + 1]]
        rows = rows[w[rows] > 0]
        if len(rows):
            gains -= subr[rows].T @ w[rows]
            w[rows] = 0.0
    return np.asarray(order, np.int64), np.asarray(marginal)


def solve_mclp(A: sp.spmatrix, weights=None, k: int | None = None, *, budget: float | None = None,
               costs=None, already_covered=None, conflicts=None, forbidden=None,
               method: str = "auto", time_limit_s: float = 60.0, mip_rel_gap: float = 1e-6,
               lp_bound: bool = True, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
               threads: int | None = None) -> MCLPResult:
    """Choose new sites maximising newly covered demand weight.

    ``A``: n x m sparse coverage (demand x candidates, see :func:`geo.coverage.coverage_matrix`).
    ``weights``: (n,) non-negative demand weights (default 1). ``k``: maximum number of new
    sites; and/or ``budget`` with ``costs`` (m,) per site (same currency). ``already_covered``:
    (n,) bool, demand seen by existing cameras. ``conflicts``: (p, 2) candidate pairs that may
    not both be chosen (min spacing); ``forbidden``: (m,) bool candidates not allowed (too close
    to an existing camera) - see :func:`spacing_conflicts`.
    ``method``: "auto" (heuristic, then exact within the time limit), "exact", or "heuristic"
    (no MIP; the LP relaxation still gives the bound unless ``lp_bound`` is False).
    ``time_limit_s``: wall-clock seconds for the whole solve (the heuristic always finishes).
    ``progress(fraction, message)`` is called as phases advance; ``cancel()`` returning True
    aborts with :class:`Cancelled`.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    A = sp.csr_matrix(A, dtype=bool)
    n, m = A.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights must have length {n}")
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and non-negative")
    if k is None and budget is None:
        raise ValueError("give k, budget, or both")
    if k is not None and k < 0:
        raise ValueError("k must be >= 0")
    if budget is not None and costs is None:
        costs = np.ones(m)
    if costs is not None:
        costs = np.asarray(costs, dtype=float)
        if costs.shape != (m,) or (costs < 0).any():
            raise ValueError(f"costs must be {m} non-negative numbers")
    if method not in ("auto", "exact", "heuristic"):
        raise ValueError("method must be auto, exact or heuristic")
    allowed = np.ones(m, dtype=bool) if forbidden is None else ~np.asarray(forbidden, dtype=bool)
    cov0 = np.zeros(n, dtype=bool) if already_covered is None else np.asarray(already_covered, dtype=bool)
    total = float(w.sum())
    existing = float(w[cov0].sum())

    def report(f, msg):
        if progress is not None:
            progress(float(f), msg)

    def check():
        if cancel is not None and cancel():
            raise Cancelled("cancelled")

    report(0.0, "preparing the model")
    check()
    R = reduce_instance(A, w, already_covered=cov0, allowed=allowed, costs=costs, conflicts=conflicts)
    stats = dict(R.stats)
    report(0.1, f"{R.A.shape[0]} demand groups x {R.A.shape[1]} candidate sites")

    kk = None if k is None else int(k)
    # heuristic
    sel, val, gbound = _greedy(R, kk, budget, check)
    stats["greedy_value"] = val
    stats["t_greedy"] = time.perf_counter() - t0
    report(0.2, "greedy done, improving by swaps")
    sel, val = _swap_search(R, sel, kk, budget, deadline=max(deadline, time.perf_counter() + 1.0), check=check)
    stats["swap_value"] = val
    stats["t_heuristic"] = time.perf_counter() - t0
    bound = gbound
    best_sel, best_val = list(sel), val
    method_used, status = "heuristic", "heuristic"
    lpb = None
    state: dict = {}
    rel = lambda ub, v: (ub - v) / ub if ub > 0 else 0.0  # noqa: E731
    report(0.3, "heuristic solution found")

    proven = rel(bound, best_val) <= mip_rel_gap
    if proven:
        method_used, status = "exact", "optimal (bound met by heuristic)"
    elif method != "heuristic" and R.A.shape[1] > 0:
        remaining = deadline - time.perf_counter()
        if remaining > 0.05:
            res = _solve_mip(R, kk, budget, remaining, mip_rel_gap, best_sel, cancel, progress, 0.3, 0.95, state,
                             threads)
            if state.get("cancelled"):
                raise Cancelled("cancelled")
            stats["mip_status"] = res["status"]
            if res["value"] is not None and res["value"] > best_val + 1e-12 * max(1.0, total):
                best_sel, best_val = res["selected"], _value(R, res["selected"])
            if res["dual_bound"] is not None:
                bound = min(bound, max(res["dual_bound"], best_val))
            if res["optimal"]:
                method_used, status = "exact", "optimal"
            else:
                status = "time limit" if "time" in res["status"].lower() else res["status"]
    if method_used != "exact" and lp_bound and R.A.shape[1] > 0 and "mip_status" not in stats:
        report(0.9, "computing the LP bound")
        remaining = max(1.0, deadline - time.perf_counter())
        lpb = _solve_lp_bound(R, kk, budget, remaining, cancel, state)
        if state.get("cancelled"):
            raise Cancelled("cancelled")
        if lpb is not None:
            bound = min(bound, max(lpb, best_val))
    stats["seconds_total"] = time.perf_counter() - t0

    orig = R.cols[np.asarray(best_sel, dtype=np.int64)] if best_sel else np.empty(0, np.int64)
    order, marginal = rank_selection(A, w, orig, cov0)
    covered = existing + float(marginal.sum())
    ub = existing + bound
    gap = rel(bound, float(marginal.sum())) if bound > 0 else 0.0
    gap = max(0.0, gap)
    if gap <= mip_rel_gap:  # proven optimal, whichever route got there
        method_used = "exact"
    report(1.0, "done")
    return MCLPResult(selected=order, marginal_weight=marginal, covered_weight=covered, existing_weight=existing,
                      total_weight=total, bound=ub, gap=gap, method=method_used, status=status,
                      seconds=time.perf_counter() - t0, lp_bound=None if lpb is None else existing + lpb, stats=stats)
