"""The incremental swap search of the largest coverage instances (geo.mclp_swap, issue 17): its
counts and gains stay those of the chosen sites after any swaps, and its answers keep k, the
spacing rules and the weight they claim."""

import itertools
import time

import numpy as np
import pytest
import scipy.sparse as sp

from geo.coverage import coverage_matrix
from geo.mclp import reduce_instance, solve_mclp, spacing_conflicts
from geo.mclp_swap import SwapState, improve
from tests.test_mclp_scale import all_answers, clustered


def covered(A, w, sel):
    A = sp.csc_matrix(A, dtype=bool)
    return float(w[np.asarray(A[:, list(sel)].sum(axis=1)).ravel() > 0].sum())


def fresh_equals(st, A, w):
    ref = SwapState(A, w, st.sel)
    assert st.value == pytest.approx(covered(A, w, st.sel))
    for name in ("cnt", "osum", "gain", "loss", "O"):
        np.testing.assert_allclose(getattr(st, name), getattr(ref, name), atol=1e-9, err_msg=name)


@pytest.mark.parametrize("seed", range(3))
def test_counts_and_gains_follow_swaps(seed):
    dem, w, cands = clustered(2000, 120, seed, box=800.0)
    R = reduce_instance(coverage_matrix(dem, cands, 110.0), w, drop_dominated=False)
    rng = np.random.default_rng(seed)
    st = SwapState(R.A, R.w, rng.choice(R.A.shape[1], 6, replace=False))
    for _ in range(40):
        p, j = int(rng.integers(6)), int(rng.integers(R.A.shape[1]))
        if st.pos[j] >= 0:
            continue
        before, delta = st.value, st.deltas()[p, j]
        st.swap(p, j)
        assert st.value - before == pytest.approx(delta)
    fresh_equals(st, R.A, R.w)
    saved = st.save()
    st.swap(0, int(np.flatnonzero(st.pos < 0)[0]))
    st.restore(saved)
    fresh_equals(st, R.A, R.w)


@pytest.mark.parametrize("pooled", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_improve_keeps_k_and_spacing_and_its_weight_is_true(seed, pooled):
    dem, w, cands = clustered(1500, 90, seed, box=800.0)
    A = coverage_matrix(dem, cands, 110.0)
    pairs, _ = spacing_conflicts(cands, 150.0)
    R = reduce_instance(A, w, conflicts=pairs)
    k = 5
    start = []
    for j in range(R.A.shape[1]):  # the first k sites that keep the spacing
        if len(start) < k and (not start or R.conflicts[j, start].nnz == 0):
            start.append(j)
    st = SwapState(R.A, R.w, start, R.conflicts)
    pool = np.arange(0, R.A.shape[1], 3) if pooled else None  # kicks from a third of the sites only
    stats = improve(st, deadline=300, clock=itertools.count().__next__, seed=seed, pool=pool)
    sel, value = st.sel.tolist(), st.value
    assert len(sel) == len(set(sel)) == k and stats["kicks"] > 0
    assert R.conflicts[sel][:, sel].nnz == 0
    assert value == pytest.approx(covered(R.A, R.w, sel)) and value >= covered(R.A, R.w, start)


@pytest.mark.parametrize("seed", range(3))
def test_improve_reaches_the_brute_force_optimum_on_small_instances(seed):
    dem, w, cands = clustered(150, 12, seed, box=500.0)
    R = reduce_instance(coverage_matrix(dem, cands, 110.0), w, drop_dominated=False)
    best = max(v for S, v in all_answers(R.A, R.w, 3) if len(S) == 3)
    st = SwapState(R.A, R.w, [0, 1, 2])
    improve(st, deadline=300, clock=itertools.count().__next__)
    sel, value = st.sel.tolist(), st.value
    assert value == pytest.approx(best) == pytest.approx(covered(R.A, R.w, sel))


def test_large_instances_answer_by_kicks_and_keep_the_certificate():
    # over 2 million coverage entries: the kicks find the answers; k, the bound and the claimed
    # weight hold
    dem, w, cands = clustered(20_000, 2000, 2, box=1500.0)
    A = coverage_matrix(dem, cands, 200.0)
    assert reduce_instance(A, w).A.nnz > 2_000_000
    r = solve_mclp(A, w, 20, time_limit_s=8.0, clock=time.process_time)
    assert r.stats.get("kicks", 0) > 0
    assert len(r.selected) == len(set(r.selected.tolist())) <= 20
    assert r.covered_weight == pytest.approx(covered(A, w, r.selected))
    assert r.bound >= r.covered_weight
