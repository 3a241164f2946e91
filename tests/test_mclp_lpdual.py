"""Multipliers from the LP on a few sites (issue 17, poles x headings): every ``L(u)`` bounds the
optimum, and the LP on all sites gives multipliers whose ``L(u)`` is the LP bound itself."""

import time

import numpy as np
import pytest

from geo.mclp import _build_lp, _highs, clique_cover, group_pairs, reduce_instance
from geo.mclp_lagrange import lagrangian
from geo.mclp_lpdual import lp_multipliers, lp_rounds, lp_sites
from tests.test_mclp_local import covered, pole_instance


def reduced(seed):
    A, w, groups, _ = pole_instance(600, 40, seed, box=800.0)
    R = reduce_instance(A, w, conflicts=group_pairs(groups), groups=groups)
    R.cover = clique_cover(R.conflicts)
    return R


def L(R, k, u):
    label, loose = R.cover
    return lagrangian(R.A, R.w, k, group=label, conflicts=R.conflicts, pairs=loose, u0=u, max_iter=1,
                      deadline=time.perf_counter() + 60).bound


def lp_value(R, k):
    h = _highs(60, 0.0)
    h.passModel(_build_lp(R, k, None, integer=False))
    h.run()
    return h.getInfo().objective_function_value


@pytest.mark.parametrize("seed", [0, 1])
def test_lp_on_all_sites_gives_the_lp_bound(seed):
    R, k = reduced(seed), 5
    u = lp_multipliers(R, np.arange(R.A.shape[1]), k, R.w.copy(), 60)
    assert u is not None and (u >= 0).all() and (u <= R.w).all()
    assert L(R, k, u) == pytest.approx(lp_value(R, k), rel=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_lp_rounds_on_few_sites_bound_every_answer(seed):
    R, k = reduced(seed), 5
    m = R.A.shape[1]
    label = R.cover[0]
    u0 = R.w.copy()
    cols = lp_sites(R.A, u0, max(10, m // 5), [])
    u = lp_rounds(R, k, u0, cols, m // 5, time.perf_counter() + 60, time.perf_counter)
    assert u is not None
    bound = L(R, k, u)
    assert bound >= lp_value(R, k) - 1e-6 * bound
    # brute force is out of reach; the best of many random one-per-pole answers stays below
    rng = np.random.default_rng(seed)
    for _ in range(200):
        poles = rng.choice(np.unique(label), k, replace=False)
        S = [int(rng.choice(np.flatnonzero(label == p))) for p in poles]
        assert covered(R.A, R.w, S) <= bound + 1e-9
