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
3. **Bound**: a Lagrangian relaxation of the coverage rows (:mod:`geo.mclp_lagrange`): its bound
   is the LP relaxation's at a fraction of the cost, each step's sites are an answer, and each
   site gets a bound on every answer that uses it.
4. **Better answers, then exact**: the MIP on the most promising sites only (HiGHS, ``highspy``)
   for a better answer; then *reduced-cost fixing* drops every site whose bound is below the best
   answer, and the MIP on the *core* that remains, warm-started, proves the optimum or tightens the
   bound within the time limit. While the core is too large for that, a tabu search on each of its
   components (:mod:`geo.mclp_local`) looks for better answers once, more steps tighten the bound
   and each round's ranking gives another small MIP; a MIP whose root LP cannot finish in the time
   left (:func:`root_lp_seconds`) is not started. On the largest instances (millions of coverage
   entries) the answers come instead from an iterated swap search (:mod:`geo.mclp_swap`: 30 % of
   the time before the bound, a little between its rounds), and the bound from one long round.
   Spacing conflicts enter the model as cliques ("at most one of these sites") where sites
   conflict pairwise, which keeps the LP bound close to the optimum:
   with pair rows only, every site at one half satisfies them all. The headings of one pole
   (``groups``) are such a clique; a per-area quota is a row per area.

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
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.mclp_lagrange import lagrangian
from geo.mclp_local import tabu_by_component
from geo.mclp_lpdual import lp_rounds, lp_seconds, lp_sites
from geo.mclp_swap import SwapState, improve

__all__ = ["MCLPResult", "solve_mclp", "spacing_conflicts", "reduce_instance", "rank_selection", "Cancelled",
           "group_pairs", "clique_cover"]

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
    gap of the part the solver controls (0 = proven optimal). ``method`` says where the certificate
    comes from: "exact" when proven optimal (gap within ``mip_rel_gap``), "lagrangian" when the
    bound is the Lagrangian relaxation's (or the MIP's on the core its reduced costs left),
    "heuristic" when only the greedy bound holds. ``status`` says how the run ended.
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


def group_pairs(groups) -> np.ndarray:
    """All pairs (i < j) of sites sharing a group label, (p, 2) int64 (negative labels: no group)."""
    g = np.asarray(groups, np.int64)
    idx = np.flatnonzero(g >= 0)
    order = idx[np.argsort(g[idx], kind="stable")]
    gs = g[order]
    out = []
    # pairs at distance d within each sorted run of equal labels
    for d in range(1, len(order)):
        same = gs[d:] == gs[:-d]
        if not same.any():
            break
        out.append(np.c_[order[:-d][same], order[d:][same]])
    if not out:
        return np.empty((0, 2), np.int64)
    p = np.vstack(out)
    return np.sort(p, axis=1).astype(np.int64)


@dataclass
class _Reduced:
    A: sp.csr_matrix  # n' x m' bool
    w: np.ndarray  # n'
    cols: np.ndarray  # m' original candidate indices
    costs: np.ndarray  # m'
    conflicts: sp.csr_matrix  # m' x m' symmetric bool
    stats: dict
    area: np.ndarray | None = None  # m' labels of the quota's areas (-1: none)
    per_area: int | None = None  # at most this many sites per area
    cover: tuple | None = None  # clique_cover(conflicts), once computed


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
                    conflicts: np.ndarray | None = None, groups: np.ndarray | None = None,
                    area: np.ndarray | None = None, per_area: int | None = None,
                    drop_dominated: bool = True) -> _Reduced:
    """Shrink an MCLP instance without changing its optimum (see module docstring).

    ``A`` n x m coverage, ``weights`` (n,), ``already_covered`` (n,) bool, ``allowed`` (m,) bool,
    ``costs`` (m,), ``conflicts`` (p, 2) candidate pairs, ``groups`` (m,) int labels: sites
    sharing a label (one pole's headings) exclude each other; they become conflict pairs.
    ``area`` (m,) int labels (-1: none) with ``per_area``: at most that many sites per area.
    Dominance is only applied when there are no conflicts nor quota (a dominating site might be
    blocked).
    """
    A = sp.csr_matrix(A, dtype=bool)
    A.sum_duplicates()
    A.sort_indices()
    n, m = A.shape
    w = np.asarray(weights, dtype=float)
    costs = np.ones(m) if costs is None else np.asarray(costs, dtype=float)
    allowed = np.ones(m, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool).copy()
    conflicts = np.empty((0, 2), np.int64) if conflicts is None else np.asarray(conflicts, np.int64).reshape(-1, 2)
    if groups is not None:
        conflicts = np.vstack([conflicts, group_pairs(groups)])
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
    # (the pairwise overlaps cost about nnz^2/n: skipped on large instances, where it takes longer
    # than it saves)
    if drop_dominated and len(conflicts) == 0 and per_area is None and A1.shape[0] and A1.nnz <= 3_000_000:
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
    ar = None if per_area is None else np.asarray(area, np.int64)[cols2]
    return _Reduced(A=A2, w=w1, cols=cols2, costs=costs[cols2], conflicts=K, stats=stats, area=ar,
                    per_area=None if per_area is None else int(per_area))


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
        if R.per_area is not None and R.area[j] >= 0 and (R.area[sel] == R.area[j]).sum() >= R.per_area:
            blocked[R.area == R.area[j]] = True
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
                 check=None, max_iter: int = 10_000, clock=time.perf_counter):
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
        if clock() > deadline:
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
        if R.per_area is not None:
            used = np.bincount(R.area[S][R.area[S] >= 0], minlength=int(R.area.max()) + 1)
            full_area = np.r_[used >= R.per_area, False]  # index -1: no area, never full
            can_add &= ~full_area[R.area]
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
        if R.per_area is not None:  # j may enter a full area only in place of a site of that area
            feas &= ~full_area[R.area][None, :] | (R.area[S][:, None] == R.area[None, :])
        delta = np.where(feas, delta, -np.inf)
        p, j = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not np.isfinite(delta[p, j]) or delta[p, j] <= tol:
            break
        sel[p] = int(j)
    return sel, _value(R, sel)


# --------------------------------------------------------------------------------------------
# exact


def _adjacency_among(K: sp.csr_matrix, sites: np.ndarray) -> np.ndarray:
    """Dense (d, d) bool adjacency of ``sites`` (sorted, d of them) in ``K`` (CSR, sorted indices)."""
    starts, lens = K.indptr[sites], np.diff(K.indptr)[sites]
    d = len(sites)
    S = np.zeros((d, d), dtype=bool)
    at = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens - starts, lens)  # their rows' entries
    nb = K.indices[at]
    pos = np.minimum(np.searchsorted(sites, nb), d - 1)
    hit = sites[pos] == nb
    S[np.repeat(np.arange(d), lens)[hit], pos[hit]] = True
    return S


def clique_cover(conflicts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint cliques of conflicting sites, and the conflict pairs no clique holds.

    A greedy clique cover: each site, in order, starts a clique with those of its conflicting
    neighbours that conflict with every member so far, next the one that keeps the most of the
    others open (the lowest index among equals). Returns ``(label (m,), loose (p, 2))``:
    sites sharing a label pairwise conflict ("at most one of them"); sites without conflicts get
    a label of their own; ``loose`` lists the remaining pairs (i < j).
    """
    K = sp.csr_matrix(conflicts, dtype=bool)
    K.sort_indices()
    m = K.shape[0]
    if K.nnz:  # fast path: every connected group already a clique (one pole's headings, say)
        n_comp, comp = connected_components(K, directed=False)
        size = np.bincount(comp, minlength=n_comp)
        if (np.diff(K.indptr) == size[comp] - 1).all():
            return comp.astype(np.int64), np.empty((0, 2), np.int64)
    label = np.full(m, -1, np.int64)
    nxt = 0
    for v in np.flatnonzero(np.diff(K.indptr)).tolist():
        if label[v] >= 0:
            continue
        open_ = K.indices[K.indptr[v]:K.indptr[v + 1]]
        open_ = open_[label[open_] < 0]
        S = _adjacency_among(K, open_)  # among the sites still open (each a neighbour of every member)
        clique = [v]
        while len(open_):
            p = int(S.sum(axis=1).argmax())
            clique.append(int(open_[p]))
            keep = S[p]
            open_, S = open_[keep], S[keep][:, keep]
        label[clique] = nxt
        nxt += 1
    alone = label < 0
    label[alone] = nxt + np.arange(int(alone.sum()))
    pairs = sp.triu(K, k=1).tocoo()
    loose = label[pairs.row] != label[pairs.col]
    return label, np.c_[pairs.row[loose], pairs.col[loose]].astype(np.int64)


def clique_rows(conflicts: sp.csr_matrix, cover: tuple | None = None) -> sp.csr_matrix:
    """Rows "at most one of these sites" implying every conflict pair (p x m, 0/1).

    The cliques of :func:`clique_cover` (two or more sites) plus a row of two for each pair no
    clique holds. Sites along a road within the spacing of each other end up in one row, so the
    LP relaxation cannot pick each of them at one half. ``cover``: :func:`clique_cover`'s answer
    when already known.
    """
    m = conflicts.shape[0]
    label, loose = clique_cover(conflicts) if cover is None else cover
    size = np.bincount(label, minlength=int(label.max()) + 1 if m else 0)
    multi = np.flatnonzero(size[label] >= 2) if m else np.empty(0, np.int64)
    _, row_of = np.unique(label[multi], return_inverse=True)
    n_cl = int(row_of.max()) + 1 if len(multi) else 0
    rows = np.r_[row_of.ravel(), n_cl + np.repeat(np.arange(len(loose)), 2)].astype(np.int64)
    cols = np.r_[multi, loose.ravel()].astype(np.int64)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_cl + len(loose), m))


def _build_lp(R: _Reduced, k: int | None, budget: float | None, integer: bool):
    import highspy

    A, w = R.A, R.w
    n, m = A.shape
    conf = clique_rows(R.conflicts, R.cover)
    p = conf.shape[0]
    caps, cap_rows = [], []
    if k is not None:
        caps.append(float(k))
        cap_rows.append(np.ones(m))
    if budget is not None:
        caps.append(float(budget))
        cap_rows.append(R.costs)
    if R.per_area is not None:
        labels = np.unique(R.area[R.area >= 0])
        for a in labels:
            caps.append(float(R.per_area))
            cap_rows.append((R.area == a).astype(float))
    c = len(caps)
    # rows: [coverage n] [capacity c: k, budget, per-area quotas] [conflicts p]; columns: [x m] [y n]
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
    """Let the cancel hook interrupt HiGHS and forward MIP progress (dual bound, best value) to
    ``progress(bound, best)``."""

    clock = state.get("clock", time.perf_counter)
    # from the start of the sub-problem: building it counts against its time
    stop_at = state.get("sub_start", clock()) + state.get("time_limit", np.inf) + 0.2

    def on_interrupt(e):
        if cancel is not None and cancel():
            state["cancelled"] = True
            e.interrupt()
        elif clock() > stop_at:  # HiGHS may check its own time limit rarely on a busy machine
            e.interrupt()

    def on_mip(e):
        on_interrupt(e)
        if progress is not None:
            now = time.perf_counter()
            if now - state.get("last", 0) > 0.25:
                state["last"] = now
                db, pv = e.data_out.mip_dual_bound, e.data_out.objective_function_value
                if np.isfinite(db) and np.isfinite(pv):
                    progress(float(db), float(pv))

    h.cbMipInterrupt.subscribe(on_mip)
    h.cbSimplexInterrupt.subscribe(on_interrupt)
    h.cbIpmInterrupt.subscribe(on_interrupt)


def _solve_mip(R, k, budget, time_limit, mip_rel_gap, warm, cancel, progress, lo, hi, state, threads=None):
    import highspy

    n, m = R.A.shape
    # HiGHS' own limit is on the wall clock, and the only one its presolve and root LP obey (neither
    # calls back). With another clock (CPU time, say) it is the limit scaled by the wall seconds per
    # tick of that clock so far in the solve, and HiGHS gets one thread so that its CPU time does not
    # run ahead of the wall clock; the callbacks stop HiGHS on the caller's clock. (Twice that limit,
    # as before, let the root LP of the 50k core overshoot a 10 CPU-second limit by 3-10 s.)
    clock = state.get("clock", time.perf_counter)
    wall_limit = time_limit
    if clock is not time.perf_counter:
        threads = 1
        if "start" in state:
            w0, c0 = state["start"]
            wall_limit *= max(1.0, (time.perf_counter() - w0) / max(clock() - c0, 1e-3))
    h = _highs(wall_limit, mip_rel_gap, threads)
    lp = _build_lp(R, k, budget, integer=True)
    if lp.num_row_ - n > 20_000:
        # tens of thousands of spacing rows: HiGHS' presolve merges them for many seconds without
        # looking at the clock or calling back (15 s on the real roads at 200 m); the time limit matters more
        h.setOptionValue("presolve", "off")
    h.passModel(lp)
    if warm:
        x = np.zeros(m)
        x[warm] = 1.0
        y = (np.asarray(R.A[:, warm].sum(axis=1)).ravel() > 0).astype(float)
        sol = highspy.HighsSolution()
        sol.col_value = np.r_[x, y].tolist()
        sol.value_valid = True
        h.setSolution(sol)
    state["time_limit"] = float(time_limit)
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


def root_lp_seconds(nnz: int) -> float:
    """Predicted CPU seconds of HiGHS' root LP on a coverage model with ``nnz`` coverage entries
    (after the sub-instance's rows are merged), from dual simplex runs on one core of this machine:
    3,400 entries 0.03 s, 15,000-27,000 0.1-0.4 s, 49,000 1.5 s, 262,000-268,000 10-25 s. The
    cost grows as about the 1.65th power; this errs on the high side by up to 3x."""
    return 1.5 * (float(nnz) / 50_000.0) ** 1.65


def _solve_sub(R: _Reduced, cols, k, budget, time_limit, mip_rel_gap, warm, cancel, progress, lo, hi, state,
               threads=None) -> dict:
    """The MIP restricted to sites ``cols`` (reduced numbering; rows re-merged), warm-started with
    ``warm`` (those of its sites among ``cols``). Results come back in ``R``'s numbering.
    ``progress(dual_bound, best)``, when given, follows the branch and bound."""
    state["sub_start"] = state.get("clock", time.perf_counter)()
    cols = np.asarray(cols, np.int64)
    K = R.conflicts[cols][:, cols].tocoo()
    pairs = np.c_[K.row, K.col][K.row < K.col]
    S = reduce_instance(R.A[:, cols], R.w, costs=R.costs[cols], conflicts=pairs, drop_dominated=False,
                        area=None if R.area is None else R.area[cols], per_area=R.per_area)
    pos = np.full(len(cols), -1, np.int64)
    pos[S.cols] = np.arange(len(S.cols))
    if R.cover is not None:  # the cliques restricted to the sub-instance's sites are still cliques
        label, loose = R.cover
        pos_r = np.full(R.A.shape[1], -1, np.int64)
        pos_r[cols[S.cols]] = np.arange(len(S.cols))
        lp = pos_r[loose] if len(loose) else np.empty((0, 2), np.int64)
        lp = lp[(lp >= 0).all(axis=1)] if len(lp) else lp
        _, sub_label = np.unique(label[cols[S.cols]], return_inverse=True)
        S.cover = (sub_label.ravel().astype(np.int64), lp.astype(np.int64))
    where = {int(c): i for i, c in enumerate(cols)}
    ws = [int(pos[where[j]]) for j in warm if j in where and pos[where[j]] >= 0]
    left = time_limit - (state.get("clock", time.perf_counter)() - state["sub_start"])
    if S.A.shape[1] == 0 or left <= 0.01 or root_lp_seconds(S.A.nnz) > left:
        # (a root LP that cannot finish in the time left finds nothing, and it does not call back)
        return {"status": "skipped", "optimal": False, "dual_bound": None, "selected": None, "value": None}
    out = _solve_mip(S, k, budget, time_limit, mip_rel_gap, ws, cancel, progress, lo, hi, state, threads)
    if state.get("cancelled"):
        raise Cancelled("cancelled")
    if out["selected"] is not None:
        out["selected"] = [int(cols[S.cols[j]]) for j in out["selected"]]
        out["value"] = _value(R, out["selected"])
    return out


# --------------------------------------------------------------------------------------------
# ranking and the driver


# when the core is too large for the MIP (5,000 poles x 8 headings): a tabu search on it, then two
# rounds of the LP on the _LP_SITES sites of highest reduced score (plus the _LP_PRICED best priced
# by the first round's duals) for multipliers, when they are predicted to fit before the last
# _LP_STEPS seconds, for steps from them (step factor _LP_LAM). The tabu search gets what the LP
# leaves (less the _SWAP_SECONDS the swaps after it may take) if that is at least _TABU_SECONDS (where it
# found 23,959 on the 5,000 poles), else _TABU_SHARE of the time left (and the LP mostly no time).
_TABU_SHARE = 0.6
_TABU_SECONDS = 3.5
_SWAP_SECONDS = 1.0
_LP_SITES = 450
_LP_PRICED = 150
_LP_STEPS = 0.3
_LP_LAM = 0.1


def _tabu_core(R: _Reduced, core: np.ndarray, sel, u: np.ndarray, deadline: float, check, clock):
    """:func:`geo.mclp_local.tabu_by_component` on the ``core`` sites (which hold ``sel``); the answer
    back in ``R``'s numbering, with its covered weight."""
    local = np.searchsorted(core, np.asarray(sel, np.int64))
    got, val = tabu_by_component(R.A[:, core], R.w, local, conflicts=R.conflicts[core][:, core], u=u,
                                 deadline=deadline, clock=clock, check=check)
    return [int(core[j]) for j in got], val


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
               groups=None, area=None, per_area: int | None = None, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
               on_bound: Callable[[float, float], None] | None = None, threads: int | None = None,
               clock: Callable[[], float] = time.perf_counter) -> MCLPResult:
    """Choose new sites maximising newly covered demand weight.

    ``A``: n x m sparse coverage (demand x candidates, see :func:`geo.coverage.coverage_matrix`).
    ``weights``: (n,) non-negative demand weights (default 1). ``k``: maximum number of new
    sites; and/or ``budget`` with ``costs`` (m,) per site (same currency). ``already_covered``:
    (n,) bool, demand seen by existing cameras. ``conflicts``: (p, 2) candidate pairs that may
    not both be chosen (min spacing); ``forbidden``: (m,) bool candidates not allowed (too close
    to an existing camera) - see :func:`spacing_conflicts`.
    ``groups``: (m,) int labels, sites sharing one may not be chosen together (the headings of
    one pole: at most one camera per pole; negative: no group). ``area`` (m,) int labels (e.g. the
    kecamatan of each site, negative: none) with ``per_area``: at most that many new sites per area.
    ``method``: "auto" (heuristic, Lagrangian bound, then exact within the time limit), "exact",
    or "heuristic" (no MIP; the Lagrangian relaxation still gives the bound).
    ``time_limit_s``: wall-clock seconds for the whole solve (the heuristic always finishes).
    ``mip_rel_gap``: stop when the gap is this small (the answer then counts as optimal).
    ``progress(fraction, message)`` is called as phases advance; ``on_bound(bound, best)`` (covered
    weight, existing included) as the bound closes in; ``cancel()`` returning True aborts with
    :class:`Cancelled` within a fraction of a second. ``clock``: what the time limit is measured on
    (wall-clock seconds; ``time.process_time`` gives the solver that much CPU time, as a benchmark
    on a shared machine may want).
    """
    t0 = clock()
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
    if groups is not None:
        groups = np.asarray(groups, np.int64)
        if groups.shape != (m,):
            raise ValueError(f"groups must have length {m}")
    if per_area is not None:
        if area is None or np.asarray(area).shape != (m,) or int(per_area) < 1:
            raise ValueError(f"per_area needs area labels for the {m} sites and a quota of at least 1")
    R = reduce_instance(A, w, already_covered=cov0, allowed=allowed, costs=costs, conflicts=conflicts, groups=groups,
                        area=area, per_area=per_area)
    stats = dict(R.stats)
    report(0.1, f"{R.A.shape[0]} demand groups x {R.A.shape[1]} candidate sites")

    kk = None if k is None else int(k)
    # heuristic
    sel, val, gbound = _greedy(R, kk, budget, check)
    stats["greedy_value"] = val
    stats["t_greedy"] = clock() - t0
    report(0.2, "greedy done, improving by swaps")
    # the largest instances (millions of coverage entries, k sites): incremental swaps and kicks
    # (geo.mclp_swap) find the answers, where the restricted MIPs below are slow and worse (its
    # k x m swap table is kept to a few million entries)
    big = (R.A.nnz > 2_000_000 and budget is None and R.per_area is None and kk is not None
           and kk * R.A.shape[1] <= 5_000_000)
    kicking: dict = {}  # the swap state, kept between rounds while its answer is the best

    def polish(sel, seconds, u=None):
        """``sel`` improved by swaps (and kicks, on the largest instances) for about ``seconds``; with
        Lagrangian multipliers ``u``, the kicks draw from the 10 k sites of highest score under them."""
        if not big:
            return _swap_search(R, sel, kk, budget, deadline=clock() + seconds, check=check, clock=clock)
        st = kicking.get("state")
        if st is None or set(st.sel.tolist()) != set(sel):
            st = kicking["state"] = SwapState(R.A, R.w, sel, R.conflicts)
        kicking["rounds"] = kicking.get("rounds", 0) + 1
        pool = None if u is None else np.argsort(-(R.A.T.astype(np.float64) @ u), kind="stable")[:10 * kk]
        work = improve(st, deadline=min(deadline, clock() + seconds), clock=clock, seed=kicking["rounds"], check=check,
                       pool=pool)
        stats["kicks"] = stats.get("kicks", 0) + work["kicks"]
        return [int(j) for j in st.sel], st.value

    # (capped: on the largest instances one swap pass costs seconds, better spent on the bound)
    sel, val = polish(sel, 0.3 * float(time_limit_s) if big else max(1.0, 0.05 * float(time_limit_s)))
    stats["swap_value"] = val
    stats["t_heuristic"] = clock() - t0
    bound = gbound
    best_sel, best_val = list(sel), val
    bound_src = "heuristic"
    status = "heuristic"
    state: dict = {"clock": clock, "start": (time.perf_counter(), t0)}
    rel = lambda ub, v: (ub - v) / ub if ub > 0 else 0.0  # noqa: E731
    tol = 1e-9 * max(1.0, float(R.w.sum()))

    def closing(lo, hi):
        """Progress between lo and hi as the gap closes (bound and best in the caller's units)."""
        def on(b, v, _it=0):
            g = rel(min(bound, b), v)
            report(lo + (hi - lo) * max(0.0, min(1.0, 1.0 - g)), f"bound {existing + min(bound, b):,.0f}, "
                   f"best {existing + v:,.0f}, gap {100 * g:.2f} %")
            if on_bound is not None:
                on_bound(existing + min(bound, b), existing + v)
        return on

    closing(0.3, 0.4)(bound, best_val)
    mm = R.A.shape[1]
    if rel(bound, best_val) > mip_rel_gap and mm > 0:
        # 1. Lagrangian relaxation: the bound, and per site a bound on answers that use it
        label, loose = R.cover = clique_cover(R.conflicts)
        check()
        cov = np.zeros(R.A.shape[0], dtype=bool)
        Acsc = R.A.tocsc()
        for j in best_sel:
            cov[Acsc.indices[Acsc.indptr[j]:Acsc.indptr[j + 1]]] = True
        # a first round until the steps are small (or 30 % of the time): the sites' fixing bounds
        # then rank them well enough for the restricted MIP below, whose better answer steers the rest
        share, first_step = (0.3, 0.03) if method != "heuristic" else (0.9, 1e-3)
        if big:  # no restricted MIP to rank sites for: one long round (a round that starts over from its
            # best multipliers loses ground), the rest of the time for kicks guided by the multipliers
            # between the rounds below
            share, first_step = 0.75, 1e-4
        # on large instances most steps price only the most promising sites
        active = max(500, 30 * (kk if kk is not None else 25)) if R.A.nnz > 2_000_000 else None
        lag = lagrangian(R.A, R.w, kk, budget=budget, costs=R.costs, group=label, conflicts=R.conflicts, area=R.area,
                         per_area=R.per_area, lower=best_val, incumbent=best_sel, u0=np.where(cov, 0.0, R.w),
                         deadline=clock() + share * max(0.0, deadline - clock()),
                         active_size=active, min_step=first_step, target_gap=mip_rel_gap, check=check, clock=clock,
                         report=closing(0.3, 0.6), pairs=loose)
        stats.update(lagrangian_iterations=lag.iterations, t_lagrangian=lag.seconds)
        if lag.best_value > best_val + tol:
            best_sel, best_val = polish(lag.best, 1.0)
        if lag.bound < bound:
            bound, bound_src = max(lag.bound, best_val), "lagrangian"
        fix = lag.fix_bound
        if method != "heuristic" and rel(bound, best_val) > mip_rel_gap:
            # 2. a better answer: the MIP on the most promising sites only (their fixing bounds
            # are the highest), warm-started with the best answer so far
            n_top = max(60, 4 * (kk if kk is not None else 25))
            tried: set = set()

            def restricted(rank, sel, val):
                """The best answer on the n_top sites of highest ``rank`` and those of ``sel`` (a set
                not tried before), polished by swaps, if better than ``val``; else None."""
                top = np.union1d(np.argsort(-rank, kind="stable")[:n_top], np.asarray(sel, np.int64))
                key = top.tobytes()
                if len(top) >= mm or key in tried:
                    return None
                tried.add(key)
                res = _solve_sub(R, top, kk, budget, 0.4 * max(0.0, deadline - clock()), mip_rel_gap,
                                 sel, cancel, None, 0.6, 0.7, state, threads)
                if res["value"] is None or res["value"] <= val + tol:
                    return None
                return _swap_search(R, res["selected"], kk, budget, deadline=clock() + 1.0, check=check, clock=clock)

            better = None if big else restricted(fix, best_sel, best_val)
            if better is not None:
                best_sel, best_val = better
                stats["restricted_mip_value"] = best_val
            stats["t_restricted_mip"] = clock() - t0
            closing(0.6, 0.7)(bound, best_val)
            # 3. with the better answer as target, more steps tighten the bound and fix more sites,
            # until the core left by reduced-cost fixing is small enough for the MIP
            # 4. the MIP on the core: no site outside it is in a better answer
            u, lam, v = lag.u, lag.lam, lag.v
            core_limit = 3000
            colnnz = np.diff(Acsc.indptr)
            stalled = False  # the last round of steps neither tightened the bound nor found a better answer
            searched = False  # the tabu search on the core's components has run
            while True:
                core = np.flatnonzero(fix >= best_val - tol)
                core = np.union1d(core, np.asarray(best_sel, np.int64))
                stats["core_sites"] = int(len(core))
                remaining = deadline - clock()
                if rel(bound, best_val) <= mip_rel_gap:
                    break
                if remaining <= 0.05:
                    status = "time limit"
                    break
                # a core of many sites but few coverage entries goes to the MIP once half the time is
                # spent: before that, steps tighten the bound and shrink the core (on 5,000 poles x 8
                # headings the core MIP of 7,000 sites found nothing in 6 s while the steps went on)
                small = len(core) <= core_limit or (int(colnnz[core].sum()) <= 1_000_000
                                                    and remaining <= 0.5 * float(time_limit_s))
                if not small and not searched and budget is None and R.per_area is None and int(colnnz[core].sum()) <= 1_000_000:
                    # the core is too large for the MIP but not for a tabu search on its components
                    # (5,000 poles x 8 headings: 23,869 -> 23,959 in 3 CPU s, where the MIP does not
                    # finish its root LP and swaps stall)
                    searched = True
                    # the LP below (its sites ranked by the multipliers the tabu search had) takes time
                    # from the tabu search only when the search keeps _TABU_SECONDS
                    cols = lp_sites(R.A, u, _LP_SITES, best_sel)
                    tabu_time = remaining - lp_seconds(R.A, cols) - _LP_STEPS - _SWAP_SECONDS
                    if tabu_time < _TABU_SECONDS:
                        tabu_time = _TABU_SHARE * remaining
                    better = _tabu_core(R, core, best_sel, u, clock() + tabu_time, check, clock)
                    stats["t_tabu"] = clock() - t0
                    if better[1] > best_val + tol:
                        best_sel, best_val = _swap_search(R, better[0], kk, budget, deadline=clock() + _SWAP_SECONDS,
                                                          check=check, clock=clock)
                        stats["tabu_value"] = best_val
                        closing(0.6, 0.7)(bound, best_val)
                    # the steps level off above the LP bound: multipliers from the LP on the sites the
                    # multipliers rank highest (and the answer's) start the last steps near it, when
                    # its two rounds are predicted to fit in the time left
                    got = lp_rounds(R, kk, u, np.union1d(cols, best_sel), _LP_PRICED, deadline - _LP_STEPS,
                                    clock, threads)
                    if got is not None:
                        u, lam = got, _LP_LAM
                        stats["t_lp"] = clock() - t0
                    continue
                if small or budget is not None:
                    res = _solve_sub(R, core, kk, budget, remaining, mip_rel_gap, best_sel, cancel,
                                     closing(0.75, 0.95), 0.75, 0.95, state, threads)
                    stats["mip_status"] = res["status"]
                    if res["status"] != "skipped":
                        if res["value"] is not None and res["value"] > best_val + tol:
                            best_sel, best_val = res["selected"], res["value"]
                        if res["dual_bound"] is not None and max(res["dual_bound"], best_val) < bound:
                            bound, bound_src = max(res["dual_bound"], best_val), "lagrangian"
                        status = "optimal" if res["optimal"] else (
                            "time limit" if "time" in res["status"].lower() else res["status"])
                        break
                    if stalled:  # its root LP cannot finish in the time left, and the steps no longer help
                        status = "stalled"
                        break
                lam = max(lam, 0.1)  # a core too large for the MIP: keep stepping, from a useful step size
                more = lagrangian(R.A, R.w, kk, budget=budget, costs=R.costs, group=label, conflicts=R.conflicts, area=R.area, per_area=R.per_area,
                                  lower=best_val, incumbent=best_sel, u0=u, lam0=lam, pairs=loose, v0=v,
                                  deadline=clock() + max(min(0.5, remaining), min(0.4 * remaining, 0.1 * float(time_limit_s))),
                                  active_size=active, target_gap=mip_rel_gap, check=check, clock=clock, report=closing(0.7, 0.75))
                u, lam, v = more.u, more.lam, more.v
                stats["lagrangian_iterations"] += more.iterations
                fix = np.minimum(fix, more.fix_bound)
                stalled = more.bound > bound - 1e-4 * bound and more.best_value <= best_val + tol
                if more.best_value > best_val + tol:
                    best_sel, best_val = more.best, more.best_value
                if not small:
                    # the sites ranked by this round's multipliers: another small MIP, another answer
                    # (on 200k/20k/k=50 four rounds took the answer from 291,627 to 292,117); on the
                    # largest instances more kicks instead, from the sites these multipliers favour
                    # (from one 296,226 answer, 3-5 CPU s: +53 to +219 more than from the heavier half)
                    better = polish(best_sel, 0.1 * float(time_limit_s), u) if big else \
                        restricted(more.fix_bound, best_sel, best_val)
                    if better is not None and better[1] <= best_val + tol:
                        better = None
                    if better is not None:
                        best_sel, best_val = better
                        stalled = False
                if more.bound < bound:
                    bound, bound_src = max(more.bound, best_val), "lagrangian"
        best_val = _value(R, best_sel)
    if rel(bound, best_val) <= mip_rel_gap:
        status = status if status == "optimal" else "optimal (bound met)"
    stats["seconds_total"] = clock() - t0

    orig = R.cols[np.asarray(best_sel, dtype=np.int64)] if best_sel else np.empty(0, np.int64)
    order, marginal = rank_selection(A, w, orig, cov0)
    covered = existing + float(marginal.sum())
    ub = existing + bound
    gap = rel(bound, float(marginal.sum())) if bound > 0 else 0.0
    gap = max(0.0, gap)
    method_used = "exact" if gap <= mip_rel_gap else bound_src  # proven optimal, whichever route got there
    report(1.0, "done")
    return MCLPResult(selected=order, marginal_weight=marginal, covered_weight=covered, existing_weight=existing,
                      total_weight=total, bound=ub, gap=gap, method=method_used, status=status,
                      seconds=clock() - t0, stats=stats)
