import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from geo.coverage import coverage_matrix
from geo.mclp import Cancelled, rank_selection, reduce_instance, solve_mclp, spacing_conflicts


def matrix(rows, m):
    """Coverage matrix from a list of candidate sets per demand row."""
    r = [i for i, cs in enumerate(rows) for _ in cs]
    c = [j for cs in rows for j in cs]
    return sp.csr_matrix((np.ones(len(r), bool), (r, c)), shape=(len(rows), m))


# greedy trap: site 0 covers a,b,c,d (4); site 1 covers a,b,e; site 2 covers c,d,f (e,f weigh 1.5)
TRAP_ROWS = [[0, 1], [0, 1], [0, 2], [0, 2], [1], [2]]
TRAP_W = np.array([1, 1, 1, 1, 1.5, 1.5])


@pytest.mark.parametrize("method", ["auto", "exact", "heuristic"])
def test_greedy_trap_reaches_optimum(method):
    r = solve_mclp(matrix(TRAP_ROWS, 3), TRAP_W, 2, method=method)
    assert sorted(r.selected.tolist()) == [1, 2]
    assert r.covered_weight == pytest.approx(7.0) and r.total_weight == pytest.approx(7.0)
    assert r.bound >= 7.0 - 1e-9 and r.gap == pytest.approx(0.0, abs=1e-6)
    assert r.marginal_weight.sum() == pytest.approx(7.0)
    assert list(r.summary()) == ["covered_weight", "total_weight", "bound", "gap", "method", "selected", "seconds"]


def test_exact_is_labelled_and_ranked_by_marginal_gain():
    A = matrix([[0], [0], [0], [1], [1], [2]], 3)
    r = solve_mclp(A, None, 3)
    assert r.method == "exact"
    assert r.selected.tolist() == [0, 1, 2] and r.marginal_weight.tolist() == [3, 2, 1]


def test_existing_coverage_counts_as_covered():
    A = matrix(TRAP_ROWS, 3)
    already = np.array([1, 1, 0, 0, 1, 0], bool)  # existing cameras see a, b, e
    r = solve_mclp(A, TRAP_W, 1, already_covered=already)
    assert r.selected.tolist() == [2]
    assert r.existing_weight == pytest.approx(3.5)
    assert r.covered_weight == pytest.approx(7.0) and r.new_weight == pytest.approx(3.5)


def test_spacing_conflicts_and_forbidden_sites():
    xy = np.array([[0, 0], [30, 0], [100, 0], [300, 0]], float)
    pairs, forb = spacing_conflicts(xy, 50.0, existing_xy=np.array([[310.0, 0]]))
    assert pairs.tolist() == [[0, 1]] and forb.tolist() == [False, False, False, True]
    # sites 0 and 1 are the two best but are too close together; 3 is next to an existing camera
    A = matrix([[0], [0], [0], [1], [1], [1], [0, 1], [2], [3], [3], [3], [3]], 4)
    r = solve_mclp(A, None, 2, conflicts=pairs, forbidden=forb)
    assert sorted(r.selected.tolist()) == [0, 2] and r.covered_weight == pytest.approx(5)
    rh = solve_mclp(A, None, 2, conflicts=pairs, forbidden=forb, method="heuristic")
    assert sorted(rh.selected.tolist()) == [0, 2]


def test_budget_with_costs():
    # site 0: weight 10 at cost 10; sites 1, 2: weight 6 each at cost 5; budget 10
    rows = [[0]] * 10 + [[1]] * 6 + [[2]] * 6
    A = matrix(rows, 3)
    r = solve_mclp(A, None, None, budget=10.0, costs=[10.0, 5.0, 5.0])
    assert sorted(r.selected.tolist()) == [1, 2] and r.covered_weight == 12
    r2 = solve_mclp(A, None, 1, budget=10.0, costs=[10.0, 5.0, 5.0])  # both limits at once
    assert r2.selected.tolist() == [0]


def test_reduction_merges_rows_and_drops_dominated_sites():
    A = matrix([[0, 1], [0, 1], [1], [2], []], 4)
    R = reduce_instance(A, np.ones(5))
    # rows 0/1 merged, empty row dropped; site 0 (subset of 1) and site 3 (covers nothing) dropped
    assert R.A.shape == (3, 2) and sorted(R.cols.tolist()) == [1, 2]
    assert sorted(R.w.tolist()) == [1.0, 1.0, 2.0]
    # equal columns: only one survives
    R2 = reduce_instance(matrix([[0, 1], [0, 1]], 2), np.ones(2))
    assert R2.cols.tolist() == [0]


def brute_force(A, w, k, pairs=()):
    bad = {tuple(p) for p in np.asarray(pairs).reshape(-1, 2).tolist()}
    D = A.toarray()
    best = 0.0
    for S in itertools.combinations(range(A.shape[1]), k):
        if any((a, b) in bad for a, b in itertools.combinations(S, 2)):
            continue
        best = max(best, float(w[D[:, list(S)].any(axis=1)].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_random_instances_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    d, c = rng.uniform(0, 1000, (60, 2)), rng.uniform(0, 1000, (10, 2))
    A = coverage_matrix(d, c, 250.0)
    w = rng.integers(1, 6, 60).astype(float)
    pairs, _ = spacing_conflicts(c, 250.0 if seed % 2 else 0.0)
    best = brute_force(A, w, 3, pairs)
    r = solve_mclp(A, w, 3, conflicts=pairs)
    assert r.method == "exact" and r.covered_weight == pytest.approx(best)
    h = solve_mclp(A, w, 3, conflicts=pairs, method="heuristic")
    assert h.covered_weight <= best + 1e-9 and h.bound >= best - 1e-9
    assert h.gap == pytest.approx((h.bound - h.covered_weight) / h.bound, abs=1e-9)


def test_progress_and_cancel_hooks():
    A = matrix(TRAP_ROWS, 3)
    seen = []
    solve_mclp(A, TRAP_W, 2, progress=lambda f, msg: seen.append((f, msg)))
    fr = [f for f, _ in seen]
    assert fr[0] == 0.0 and fr[-1] == 1.0 and fr == sorted(fr) and all(isinstance(m, str) for _, m in seen)
    with pytest.raises(Cancelled):
        solve_mclp(A, TRAP_W, 2, cancel=lambda: True)


def test_rank_selection_orders_by_marginal_gain():
    A = matrix(TRAP_ROWS, 3)
    order, marg = rank_selection(A, TRAP_W, [1, 0])
    assert order.tolist() == [0, 1] and marg.tolist() == [4.0, 1.5]


def test_bad_arguments():
    A = matrix(TRAP_ROWS, 3)
    with pytest.raises(ValueError):
        solve_mclp(A, -TRAP_W, 2)
    with pytest.raises(ValueError):
        solve_mclp(A, TRAP_W)


def test_equal_to_spopt_objective_on_seeded_instances():
    spopt_locate = pytest.importorskip("spopt.locate", reason="spopt is not installed (it is a benchmark-only "
                                       "dependency: install it in a separate venv, see bench/coverage.py)")
    pulp = pytest.importorskip("pulp", reason="pulp (spopt's solver interface) is not installed")
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        d, c = rng.uniform(0, 2000, (300, 2)), rng.uniform(0, 2000, (40, 2))
        w = rng.integers(1, 10, 300).astype(float)
        A = coverage_matrix(d, c, 200.0)
        cost = np.where(A.toarray(), 0.0, 1.0)  # the same coverage matrix, as spopt's cost matrix
        model = spopt_locate.MCLP.from_cost_matrix(cost, w, 0.5, p_facilities=5)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        spopt_obj = pulp.value(model.problem.objective)
        ours = solve_mclp(A, w, 5)
        assert ours.covered_weight == pytest.approx(spopt_obj)


def test_spacing_conflicts_enter_the_model_as_cliques_that_imply_every_pair():
    import scipy.sparse as sp

    from geo.mclp import clique_rows

    xy = np.array([[0, 0], [50, 0], [100, 0], [150, 0], [1000, 0], [1100, 0], [5000, 0]], dtype=float)
    pairs, _ = spacing_conflicts(xy, 200.0)  # four sites along a road within 200 m; two more; one alone
    K = sp.csr_matrix((np.ones(2 * len(pairs)), (np.r_[pairs[:, 0], pairs[:, 1]], np.r_[pairs[:, 1], pairs[:, 0]])), shape=(7, 7))
    rows = clique_rows(K).toarray().astype(bool)
    assert sorted(map(tuple, (np.flatnonzero(r) for r in rows))) == [(0, 1, 2, 3), (4, 5)]
    for a, b in pairs:
        assert any(r[a] and r[b] for r in rows)  # no conflict is lost


def test_clique_cover_where_conflicts_do_not_fall_into_cliques():
    import scipy.sparse as sp

    from geo.mclp import clique_cover

    def conflict_matrix(xy, spacing):
        pairs, _ = spacing_conflicts(xy, spacing)
        m = len(xy)
        return pairs, sp.csr_matrix((np.ones(2 * len(pairs)), (np.r_[pairs[:, 0], pairs[:, 1]], np.r_[pairs[:, 1], pairs[:, 0]])),
                                    shape=(m, m))

    # five sites 60 m apart, 130 m spacing: the first three conflict pairwise, then the last two
    pairs, K = conflict_matrix(np.c_[np.arange(5) * 60.0, np.zeros(5)], 130.0)
    label, loose = clique_cover(K)
    assert label.tolist() == [0, 0, 0, 1, 1]
    assert sorted(map(tuple, loose.tolist())) == [(1, 3), (2, 3), (2, 4)]

    pairs, K = conflict_matrix(np.random.default_rng(3).uniform(0, 2000, (400, 2)), 250.0)
    label, loose = clique_cover(K)
    dense = K.toarray() > 0
    for clique in (np.flatnonzero(label == g) for g in np.unique(label)):
        assert dense[np.ix_(clique, clique)].sum() == len(clique) * (len(clique) - 1)  # pairwise conflicting
    held = {tuple(p) for p in pairs.tolist() if label[p[0]] == label[p[1]]}
    assert len(loose) and {tuple(p) for p in loose.tolist()} == {tuple(p) for p in pairs.tolist()} - held
