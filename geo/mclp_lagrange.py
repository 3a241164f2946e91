"""Lagrangian relaxation of the maximal covering problem: a strong bound in seconds, feasible
answers on the way, and reduced-cost fixing of sites that cannot be in a better answer.

The model (reduced instance: demand groups i with weight ``w_i``, candidate sites j)::

    max  sum_i w_i y_i
    s.t. y_i <= sum_j a_ij x_j        (coverage rows, relaxed with multipliers 0 <= u_i <= w_i)
         sum_j x_j <= k  and/or  sum_j c_j x_j <= budget
         sum_{j in G} x_j <= 1        for each group G (a pole's headings, a spacing clique)
         x, y in {0, 1}

For fixed ``u`` the relaxation separates: ``L(u) = sum_i (w_i - u_i) + best(s)``, with
``s = A^T u`` the *reduced score* of each site and ``best(s)`` the best group-respecting choice of
at most k sites by score (the best site of each group, then the k best groups; under a budget, a
fractional knapsack over the groups' best scores and cheapest costs). Every ``L(u)`` bounds the
optimum from above, and its minimum over ``u`` equals the LP relaxation's bound, at the cost of
two sparse products per step instead of a simplex run. ``u`` follows a deflected subgradient with
a Polyak step towards the best answer known.

Each step's ``x`` is itself a set of sites; its true coverage is evaluated (one sparse product)
and the best one is kept. For every site, ``L(u)`` with that site forced in bounds every answer
that uses it: the running minimum of that figure over all steps is the site's *fixing bound*;
a site whose fixing bound is below the best answer cannot be in a better one (reduced-cost fixing),
so the exact search needs only the sites that remain (the *core*).

All weights are in the caller's units; nothing here looks at coordinates.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

__all__ = ["LagrangeResult", "lagrangian"]

# The step direction keeps this much of the previous one (deflection), and the step factor halves
# after this many steps without a better L. Measured at equal CPU time (plain subgradient, full
# pricing): 0.3 / 25 left the 200k/20k/k=50 bound at 305,200 after 27 s and the 5,000-pole bound at
# 24,255 after 8 s; 0.9 / 40 reach 303,975 and 24,219 (0.7 / 25: 304,660 and 24,256).
_DEFLECTION = 0.9
_PATIENCE = 40
# With active-set pricing (large instances) most steps' L are of the active sites only, and 0.9 / 40
# halve the step factor too soon: 40 CPU s on 200k level off at 302,984; 0.9 / 100 reach 302,271,
# 0.95 / 100 302,112, 0.97 / 100 302,074, 0.95 / 200 302,158. (0.95 / 100 everywhere cost the
# planner's real-roads k = 25 solve 2 s more: 6.2-6.6 s end to end instead of 4.1-4.3.)
_DEFLECTION_ACTIVE = 0.95
_PATIENCE_ACTIVE = 100


@dataclass
class LagrangeResult:
    """Outcome of :func:`lagrangian` (weights in the caller's units, on the reduced instance).

    ``bound``: the smallest ``L(u)`` seen (>= every feasible answer's value). ``best``/``best_value``:
    the best feasible set of sites met on the way (reduced numbering) and its covered weight.
    ``fix_bound`` (m,): per site, an upper bound on any answer that uses it. ``u``: the
    multipliers of the best bound. ``iterations``, ``seconds``, ``lam``: the last step factor
    (to continue where this run stopped). ``v``: the multipliers of the relaxed ``pairs`` rows.
    """

    bound: float
    best: list
    best_value: float
    fix_bound: np.ndarray
    u: np.ndarray
    iterations: int
    seconds: float
    lam: float = 2.0
    v: np.ndarray | None = None


class _Groups:
    """Per-group maxima without sorting every step: sites ordered by group once, then
    ``np.maximum.reduceat`` over the runs (groups must cover 0..G-1, each non-empty)."""

    def __init__(self, group: np.ndarray):
        self.perm = np.argsort(group, kind="stable")
        g = group[self.perm]
        self.starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, np.int64)
        self.sizes = np.diff(np.r_[self.starts, len(g)])
        self.gid = g

    def best(self, s: np.ndarray):
        sp_ = s[self.perm]
        gs = np.maximum.reduceat(sp_, self.starts) if len(sp_) else np.zeros(0)
        pos = np.flatnonzero(sp_ == np.repeat(gs, self.sizes))
        gp = self.gid[pos]
        first = np.r_[True, gp[1:] != gp[:-1]]
        arg = np.full(len(gs), -1, np.int64)
        arg[gp[first]] = self.perm[pos[first]]
        return gs, arg


def _choose(gs: np.ndarray, k: int | None, budget: float | None, gcost: np.ndarray):
    """Best choice of groups by score ``gs`` (G,): at most k with positive score and/or a fractional
    knapsack under the budget with ``gcost`` per group. Returns ``(value, chosen groups (int array),
    threshold)``: the value of the relaxed choice, the groups taken whole, and the score a group
    outside the choice must beat to enter it (the k-th best, 0 when fewer are positive)."""
    pos = np.flatnonzero(gs > 0)
    if len(pos) == 0:
        return 0.0, np.empty(0, np.int64), 0.0
    if budget is None:
        kk = min(int(k), len(pos))
        if kk <= 0:
            return 0.0, np.empty(0, np.int64), float(gs[pos].max())
        part = np.argpartition(-gs[pos], kk - 1)[:kk]
        chosen = pos[part]
        thr = float(gs[chosen].min()) if kk == int(k) else 0.0
        return float(gs[chosen].sum()), chosen, thr
    # budget (and maybe k): greedy by ratio, fractional last item; k caps the count
    c = gcost[pos]
    ratio = np.where(c > 0, gs[pos] / np.maximum(c, 1e-300), np.inf)
    order = pos[np.argsort(-ratio, kind="stable")]
    cum = np.cumsum(gcost[order])
    full = order[cum <= budget + 1e-9]
    if k is not None:
        full = full[: int(k)]
    value = float(gs[full].sum())
    nxt = len(full)
    if nxt < len(order) and (k is None or nxt < int(k)):
        spent = float(gcost[full].sum())
        j = order[nxt]
        if gcost[j] > 0:
            value += float(gs[j]) * max(0.0, budget - spent) / float(gcost[j])
    # a site outside enters by replacing at most the whole choice: a safe threshold is 0
    return value, full, 0.0


def lagrangian(A: sp.csr_matrix, w: np.ndarray, k: int | None, *, budget: float | None = None,
               costs: np.ndarray | None = None, group: np.ndarray | None = None,
               conflicts: sp.csr_matrix | None = None, area: np.ndarray | None = None,
               per_area: int | None = None, lower: float = 0.0, incumbent=None,
               u0: np.ndarray | None = None, lam0: float = 2.0, pairs: np.ndarray | None = None,
               v0: np.ndarray | None = None, active_size: int | None = None, deadline: float,
               max_iter: int = 100_000, min_step: float = 1e-3, target_gap: float = 0.0,
               check: Callable[[], None] | None = None,
               report: Callable[[float, float, int], None] | None = None,
               clock: Callable[[], float] = time.perf_counter) -> LagrangeResult:
    """Minimise ``L(u)`` by subgradient steps until ``deadline`` (perf_counter seconds), the
    iteration cap, or ``(bound - best) / bound <= target_gap``.

    ``A`` n x m bool CSR (reduced), ``w`` (n,) > 0, ``k`` and/or ``budget`` with ``costs`` (m,).
    ``group`` (m,) int: sites sharing a label may not be chosen together (labels 0..G-1; default:
    every site its own group). ``conflicts`` m x m symmetric bool: further pairs that may not both
    be chosen; they are dropped from the relaxation (still a valid bound) and a step's set that
    breaks one is not taken as an answer; so is the quota of at most ``per_area`` sites per label
    of ``area`` (m,) (-1: none). ``lower``/``incumbent``: the best answer known (value,
    sites). ``active_size``: on large instances, steps between full pricings (every 8th step)
    price only the sites of this many best groups. ``check()`` may raise to cancel; ``report(bound, best, iteration)`` is called about
    every 0.2 s. ``clock``: the clock ``deadline`` is on (seconds).
    ``pairs`` (p, 2): conflict pairs no group holds (e.g. :func:`geo.mclp.clique_cover`'s loose
    pairs) relaxed with multipliers ``v >= 0`` (start ``v0``): each adds ``v`` to ``L`` and takes it
    from both sites' scores, so the spacing the groups miss still tightens the bound.
    """
    t0 = clock()
    n, m = A.shape
    w = np.asarray(w, float)
    costs = np.ones(m) if costs is None else np.asarray(costs, float)
    if group is None:
        group = np.arange(m, dtype=np.int64)
    group = np.asarray(group, np.int64)
    _, group = np.unique(group, return_inverse=True)  # labels 0..G-1, none empty
    group = group.ravel().astype(np.int64)
    G = int(group.max()) + 1 if m else 0
    groups = _Groups(group)
    gcost = np.full(G, np.inf)
    np.minimum.at(gcost, group, costs)
    Af = sp.csr_matrix(A, dtype=np.float64)
    if check is not None:
        check()
    AT = Af.T.tocsr()
    if check is not None:
        check()
    Acsc = Af.tocsc()
    has_conf = conflicts is not None and conflicts.nnz > 0
    if has_conf:  # a step's sites break a pair when one's conflict row holds another (CSR arrays: no slicing per step)
        conflicts = sp.csr_matrix(conflicts, dtype=bool)
        conf_ptr, conf_idx = conflicts.indptr, conflicts.indices
        in_sel = np.zeros(m, dtype=bool)
    npairs = 0 if pairs is None else len(pairs)
    if npairs:
        pairs = np.asarray(pairs, np.int64)
        # P^T v: each pair's multiplier taken from both of its sites' scores
        PT = sp.csr_matrix((np.ones(2 * npairs), (pairs.ravel(), np.repeat(np.arange(npairs), 2))), shape=(m, npairs))
        v = np.zeros(npairs) if v0 is None or len(v0) != npairs else np.maximum(np.asarray(v0, float), 0.0)

        def penalty(v: np.ndarray) -> np.ndarray:
            """``PT @ v`` from the pairs whose multiplier is positive (28 of 150,896 on the real roads),
            added per site in pair order as the sparse product adds them: the same to the bit."""
            on = live[v[live] > 0]
            pen = np.zeros(m)
            np.add.at(pen, pairs[on].ravel(), np.repeat(v[on], 2))
            return pen
    else:
        PT, v = None, np.zeros(0)
    # the pairs whose multiplier or step can be non-zero (ascending): those with a positive multiplier,
    # and those both of whose sites a step chose; the steps' vectors hold only these (on the real roads
    # a few dozen of 150,896), every other pair's multiplier stays 0
    is_live = v > 0
    live = np.flatnonzero(is_live)
    best_v = v.copy()
    best_val = float(lower)
    best_sel = list(incumbent) if incumbent is not None else []
    W = float(w.sum())

    # start: u0 (e.g. w on rows the incumbent leaves uncovered, 0 elsewhere: then L(u0) is the
    # incumbent's value plus its k best marginal gains, the greedy bound), else w
    u = np.clip(np.asarray(u0, float), 0.0, w) if u0 is not None else w.copy()
    best_bound = np.inf
    best_u = u.copy()
    fix = np.full(m, np.inf)
    lam = float(lam0)
    stall = 0
    d_prev = np.zeros(n + len(live))
    g_all, move = np.empty(n + len(live)), np.empty(n + len(live))
    it = 0
    last_report = 0.0
    tol = 1e-9 * max(1.0, W)
    w_open = w - 1e-15  # rows with u below this are not at their upper bound

    # large instances: between full pricings (every ``refresh`` steps, which alone give valid
    # bounds and fixing), steps price only the sites of the ``active`` best groups
    active = None if active_size is None or active_size >= G else int(active_size)
    deflection, patience = (_DEFLECTION, _PATIENCE) if active is None else (_DEFLECTION_ACTIVE, _PATIENCE_ACTIVE)
    refresh = 8
    best_any = np.inf
    C = AT_C = groups_C = None
    while it < max_iter:
        it += 1
        if check is not None:
            check()
        full = active is None or (it - 1) % refresh == 0
        if full:
            s = AT @ u
            if npairs:
                pen = penalty(v)
                s -= pen
            gs, garg = groups.best(s)
            val, chosen, thr = _choose(gs, k, budget, gcost)
            L = float(W - u.sum() + v[live].sum() + val)
            # fixing bounds: forcing site j in costs at most (group's best - s_j) inside a chosen
            # group, or (threshold - s_j) when its group is outside the choice
            in_choice = np.zeros(G, dtype=bool)
            in_choice[chosen] = True
            if budget is None:
                fb = np.where(in_choice[group], L - gs[group] + np.maximum(s, 0.0),
                              L - thr + np.maximum(s, 0.0))
            else:  # under a budget no site is fixed: L itself bounds every answer
                fb = np.full(m, L)
            np.minimum(fix, fb, out=fix)
            if L < best_bound - 1e-12 * max(1.0, abs(L)):
                best_bound = L
                best_u = u.copy()
                best_v = v.copy()
            sel = garg[chosen]
            if active is not None:
                keep = np.zeros(G, dtype=bool)
                keep[np.argpartition(-gs, active - 1)[:active]] = True
                keep[group[np.asarray(best_sel, np.int64)]] = True
                C = np.flatnonzero(keep[group])
                AT_C = AT[C]
                _, gC = np.unique(group[C], return_inverse=True)
                gC = gC.ravel().astype(np.int64)
                groups_C = _Groups(gC)
                gcost_C = np.full(int(gC.max()) + 1, np.inf)
                np.minimum.at(gcost_C, gC, costs[C])
        else:
            sC = AT_C @ u
            if npairs:
                sC -= penalty(v)[C]
            gsC, gargC = groups_C.best(sC)
            val, chosenC, _ = _choose(gsC, k, budget, gcost_C)
            L = float(W - u.sum() + v[live].sum() + val)  # a step target only: not a bound (unpriced sites)
            sel = C[gargC[chosenC]]
        if L < best_any - 1e-12 * max(1.0, abs(L)):
            best_any = L
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                lam *= 0.5
                stall = 0
        sel = sel[sel >= 0]
        cover = np.zeros(n)
        for j in sel:
            cover[Acsc.indices[Acsc.indptr[j]:Acsc.indptr[j + 1]]] += 1.0
        feasible = True
        if has_conf and len(sel) >= 2:
            in_sel[sel] = True
            feasible = not any(in_sel[conf_idx[conf_ptr[j]:conf_ptr[j + 1]]].any() for j in sel)
            in_sel[sel] = False
        if per_area is not None and len(sel):
            a = area[sel]
            feasible = feasible and (len(a[a >= 0]) == 0 or np.bincount(a[a >= 0]).max() <= per_area)
        if feasible and (budget is None or costs[sel].sum() <= budget + 1e-9):
            got = float(w[cover > 0].sum())
            if got > best_val + tol:
                best_val, best_sel = got, [int(j) for j in sel]
        gap = (best_bound - best_val) / best_bound if best_bound > 0 else 0.0
        now = clock()
        if report is not None and now - last_report > 0.2:
            last_report = now
            report(best_bound, best_val, it)
        if gap <= target_gap or now > deadline or lam < min_step:
            break
        if npairs:  # the pairs of the step's sites (PT's row: a site's pairs), twice where both are in it
            touched = np.sort(np.concatenate([PT.indices[PT.indptr[j]:PT.indptr[j + 1]] for j in sel] or [live[:0]]))
            both = touched[1:][touched[1:] == touched[:-1]]
            new = both[~is_live[both]]
            if len(new):  # pairs that start to move: room for them in the step's vectors
                is_live[new] = True
                grown = np.flatnonzero(is_live)
                d_grown = np.zeros(n + len(grown))
                d_grown[:n] = d_prev[:n]
                d_grown[n + np.searchsorted(grown, live)] = d_prev[n:]
                d_prev, live = d_grown, grown
                g_all, move = np.empty(n + len(live)), np.empty(n + len(live))
        # subgradient of L at u: (A x)_i - y_i, y_i = 1 where u_i < w_i (the step's vectors are updated in place)
        y = np.where(u < w_open, 1.0, np.minimum(cover, 1.0))
        g = np.subtract(cover, y, out=g_all[:n])
        # rows at a bound of [0, w] moving outwards are projected away: drop them from the step
        g[(u <= 0) & (g > 0)] = 0.0
        g[(u >= w) & (g < 0)] = 0.0
        if npairs:  # pairs: d L / d v = 1 - x_a - x_b; at v = 0 an increase is projected away
            gv = g_all[n:]
            np.greater(v[live], 0.0, out=gv, casting="unsafe")  # a pair no chosen site is in: 1, or 0 at v = 0
            at = np.minimum(np.searchsorted(live, touched), max(len(live) - 1, 0))
            at = at[live[at] == touched] if len(live) else at[:0]  # the live ones (one chosen site, v = 0: 1 - 1 = 0)
            gv[at] = 1.0
            np.subtract.at(gv, at, 1.0)  # one off for each of a pair's sites in the step's set
        d = d_prev  # g + deflection * d_prev
        d *= deflection
        d += g_all
        # not ``d @ d``: BLAS' dot spins up its threads, tripling the CPU time of a step on 2 cores
        nrm = float(np.einsum("i,i->", d, d))
        if nrm <= 0:
            break
        step = lam * max(L - best_val, 1e-3 * max(1.0, L)) / nrm
        np.multiply(d, step, out=move)
        u -= move[:n]
        np.clip(u, 0.0, w, out=u)
        if npairs:
            v[live] = np.maximum(v[live] - move[n:], 0.0)
    return LagrangeResult(bound=float(best_bound), best=best_sel, best_value=float(best_val), fix_bound=fix,
                          u=best_u, iterations=it, seconds=clock() - t0, lam=lam,
                          v=best_v if npairs else None)
