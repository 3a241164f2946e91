"""Which recommended site newly covers each demand row, the figures behind a site's reason.

Each demand row is credited to the first site in rank order that covers it (and to none when
existing cameras already do), so the reasons add up to the marginal weights. The reasons in words
are written by :mod:`i18n.reasons`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["credited_site"]


def credited_site(A: sp.spmatrix, ranked_sites, already_covered=None) -> np.ndarray:
    """For each demand row: position (0-based rank) of the first ranked site covering it, or -1
    when no chosen site covers it or existing cameras already do. ``A`` is demand x candidates."""
    A = sp.csc_matrix(A, dtype=bool)
    ranked_sites = np.asarray(ranked_sites, dtype=np.int64)
    n = A.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    if len(ranked_sites) == 0:
        return out
    sub = A[:, ranked_sites].tocoo()
    rank = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(rank, sub.row, sub.col)
    hit = rank < np.iinfo(np.int64).max
    out[hit] = rank[hit]
    if already_covered is not None:
        out[np.asarray(already_covered, bool)] = -1
    return out
