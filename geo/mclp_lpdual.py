"""Multipliers for the Lagrangian relaxation from the LP on a few hundred sites.

Near the LP optimum the subgradient steps of :mod:`geo.mclp_lagrange` level off (5,000 poles x
8 headings: 0.1 % above the LP bound after 11 CPU s). The LP restricted to the sites that matter,
solved by HiGHS' interior point method (no crossover), gives coverage-row duals that are nearly
optimal multipliers for the whole instance: its rows are those the chosen sites cover, and every
other row keeps the multiplier it had. ``L(u)`` bounds the optimum for any multipliers, so a poor
choice of sites costs time, never validity.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp

__all__ = ["ipm_seconds", "lp_multipliers", "lp_rounds", "lp_seconds", "lp_sites"]

# the first round and the second together take about this many times the first's time
# (5,000 poles x 8 headings: 450 sites 1.6 CPU s, 450 + 70 sites 1.9 s)
_SECOND_ROUND = 2.2


def lp_sites(A: sp.csr_matrix, u: np.ndarray, count: int, keep) -> np.ndarray:
    """The ``count`` sites of highest reduced score ``A^T u`` and the sites ``keep`` (sorted, unique)."""
    s = A.T.astype(np.float64) @ np.asarray(u, float)
    return np.union1d(np.argsort(-s, kind="stable")[:count], np.asarray(keep, np.int64))


def ipm_seconds(nnz: int) -> float:
    """Predicted CPU seconds of the interior point method on the LP of sites with ``nnz`` coverage
    entries (5,000 poles x 8 headings on this machine: 86,000 entries 1.0 s, 132,000 1.6 s,
    148,000 1.9 s; erring a little on the high side)."""
    return float(nnz) / 75_000.0


def lp_seconds(A: sp.csr_matrix, cols: np.ndarray) -> float:
    """Predicted CPU seconds of :func:`lp_rounds` from the sites ``cols``."""
    return _SECOND_ROUND * ipm_seconds(int(A[:, cols].nnz))


def lp_rounds(R, k: int, u: np.ndarray, cols: np.ndarray, priced: int, deadline: float, clock,
              threads: int | None = None):
    """Multipliers from the LP on the sites ``cols``, then (column generation, one round) from the LP
    on those and the ``priced`` sites of highest reduced score under the first LP's duals (where
    sites outside the first LP are priced in: 5,000 poles x 8 headings, 450 + 70 sites, ``L(u)``
    25,768 after the first LP, 24,195 after the second). A round whose predicted time does not fit
    before ``deadline`` is not started. Returns the second round's multipliers, or None (the first
    round's alone are far from the bound)."""
    for growth in (_SECOND_ROUND, 1.0):  # the first round starts only if both are predicted to fit
        left = deadline - clock()
        if growth * ipm_seconds(int(R.A[:, cols].nnz)) > left:
            return None
        u = lp_multipliers(R, cols, k, u, left, threads)
        if u is None:
            return None
        cols = lp_sites(R.A, u, priced, cols)
    return u


def lp_multipliers(R, cols: np.ndarray, k: int, u: np.ndarray, time_limit: float, threads: int | None = None):
    """Multipliers ``u`` (n,) with those of the rows the sites ``cols`` cover replaced by the
    coverage-row duals of the LP on those sites (``R`` a :class:`geo.mclp._Reduced` with its clique
    cover); None when HiGHS does not finish within ``time_limit`` seconds."""
    from geo.mclp import _build_lp, _highs, _row_keys

    cols = np.asarray(cols, np.int64)
    sub = sp.csr_matrix(R.A[:, cols])
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    label, loose = R.cover
    pos = np.full(R.A.shape[1], -1, np.int64)
    pos[cols] = np.arange(len(cols))
    lp_pairs = pos[loose] if len(loose) else np.empty((0, 2), np.int64)
    lp_pairs = lp_pairs[(lp_pairs >= 0).all(axis=1)] if len(lp_pairs) else lp_pairs
    _, sub_label = np.unique(label[cols], return_inverse=True)
    # rows the sites cover alike are one row of the LP (their weights summed), its dual shared
    # between them in proportion to their weights
    _, first, merged = np.unique(_row_keys(sub[rows]), axis=0, return_index=True, return_inverse=True)
    merged = merged.ravel()
    wm = np.bincount(merged, weights=R.w[rows])
    S = SimpleNamespace(A=sub[rows[first]], w=wm, costs=R.costs[cols], conflicts=R.conflicts[cols][:, cols],
                        area=None, per_area=None, cover=(sub_label.ravel().astype(np.int64), lp_pairs))
    h = _highs(time_limit, 0.0, threads)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.passModel(_build_lp(S, k, None, integer=False))
    h.run()
    import highspy

    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    dual = np.clip(np.abs(np.asarray(h.getSolution().row_dual[:len(first)])), 0.0, wm)
    out = np.array(u, float)
    out[rows] = dual[merged] * R.w[rows] / wm[merged]
    return out
