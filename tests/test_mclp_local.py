"""The tabu search on poles x headings (issue 17): one heading per pole, exact covered weights,
brute-force optima on small instances, components that are improved on their own."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from geo.headings import heading_coverage, pole_headings
from geo.mclp import group_pairs
from geo.mclp_local import site_components, tabu_by_component, tabu_search
from tests.test_mclp_scale import clustered


def pole_instance(n, poles, seed, box, headings=4):
    dem, w, xy = clustered(n, poles, seed, box=box)
    A = heading_coverage(dem, xy, 120.0, headings, 120.0)
    groups = pole_headings(xy, headings, 120.0)[3]
    p = group_pairs(groups)
    m = A.shape[1]
    K = sp.csr_matrix((np.ones(2 * len(p), bool), (p.ravel(), p[:, ::-1].ravel())), shape=(m, m))
    return A, w, groups, K


def covered(A, w, S):
    return float(w[np.asarray(sp.csc_matrix(A)[:, list(S)].sum(axis=1)).ravel() > 0].sum())


def first_heading_start(groups, k):
    """k sites on k different poles: each pole's first heading (a poor but feasible start)."""
    return [int(np.flatnonzero(groups == g)[0]) for g in np.unique(groups)[:k]]


@pytest.mark.parametrize("seed", range(4))
def test_tabu_reaches_brute_force_optimum_with_one_heading_per_pole(seed):
    A, w, groups, K = pole_instance(80, 7, seed, box=450.0)
    k = 3
    best = max(covered(A, w, S) for S in itertools.combinations(range(A.shape[1]), k)
               if len(set(groups[list(S)])) == k)
    sel, val = tabu_search(A, w, first_heading_start(groups, k), conflicts=K, deadline=np.inf, max_iter=300, seed=seed)
    assert len(sel) == k and len(set(groups[sel].tolist())) == k
    assert val == pytest.approx(covered(A, w, sel)) and val == pytest.approx(best)


@pytest.mark.parametrize("seed", range(3))
def test_tabu_never_loses_its_start_and_keeps_one_heading_per_pole(seed):
    A, w, groups, K = pole_instance(400, 40, seed, box=1200.0, headings=8)
    start = first_heading_start(groups, 6)
    sel, val = tabu_search(A, w, start, conflicts=K, deadline=np.inf, max_iter=200, seed=seed)
    assert len(sel) == 6 and len(set(groups[sel].tolist())) == 6
    assert val == pytest.approx(covered(A, w, sel)) and val >= covered(A, w, start)


def test_components_join_sites_by_shared_rows_and_conflicts():
    # sites 0 and 1 share row 0; site 2 alone; site 3 conflicts with 2; site 4 covers nothing
    A = sp.csr_matrix(np.array([[1, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]], bool))
    K = sp.csr_matrix((np.ones(2, bool), ([2, 3], [3, 2])), shape=(5, 5))
    lab = site_components(A, K)
    assert lab[0] == lab[1] and lab[2] == lab[3] and len({lab[0], lab[2], lab[4]}) == 3
    assert len(set(site_components(A).tolist())) == 4


def test_tabu_by_component_improves_each_component_and_keeps_the_count():
    # two far-apart clusters, so two components; the start puts 2 sites in one and 1 in the other
    A1, w1, g1, K1 = pole_instance(80, 7, 1, box=450.0)
    A2, w2, g2, K2 = pole_instance(80, 7, 2, box=450.0)
    A = sp.block_diag([A1, A2], format="csr").astype(bool)
    w = np.r_[w1, w2]
    groups = np.r_[g1, g2 + g1.max() + 1]
    K = sp.block_diag([K1, K2], format="csr").astype(bool)
    m1 = A1.shape[1]
    start = first_heading_start(g1, 2) + [m1 + j for j in first_heading_start(g2, 1)]
    u = np.zeros(A.shape[0])
    sel, val = tabu_by_component(A, w, start, conflicts=K, u=u, deadline=np.inf, seed=0, max_iter=300)
    sel = np.asarray(sel)
    assert (sel < m1).sum() == 2 and (sel >= m1).sum() == 1
    assert len(set(groups[sel].tolist())) == 3
    best1 = max(covered(A1, w1, S) for S in itertools.combinations(range(m1), 2) if g1[S[0]] != g1[S[1]])
    best2 = max(covered(A2, w2, [j]) for j in range(A2.shape[1]))
    assert val == pytest.approx(covered(A, w, sel)) and val == pytest.approx(best1 + best2)
