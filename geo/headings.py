"""Orientation as a decision: candidate poles where a camera may face one of several headings.

Each pole becomes ``n_headings`` candidate sites at the same place, one per heading (degrees
clockwise from north, evenly spaced from 0), each seeing a sector of ``fov_deg`` degrees and the
camera's range. The sites of one pole share a group label, so the solver puts at most one camera
on a pole (:func:`geo.mclp.solve_mclp`, ``groups``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_HEADINGS", "DEFAULT_FOV_DEG", "pole_headings", "heading_coverage", "best_headings"]

DEFAULT_HEADINGS = 8
DEFAULT_FOV_DEG = 90.0


def pole_headings(pole_xy: np.ndarray, n_headings: int = DEFAULT_HEADINGS, fov_deg: float = DEFAULT_FOV_DEG):
    """Candidate sites for poles (p, 2) in metres: ``(site_xy (p*h, 2), heading_deg (p*h,),
    fov_deg (p*h,), pole (p*h,) int)``; site ``i`` is pole ``i // h`` facing heading ``i % h``.

    ``n_headings`` >= 1; 1 heading means a full circle (the pole's camera sees all around).
    """
    pole_xy = np.asarray(pole_xy, dtype=float).reshape(-1, 2)
    h = int(n_headings)
    if h < 1:
        raise ValueError("n_headings must be at least 1")
    p = len(pole_xy)
    site_xy = np.repeat(pole_xy, h, axis=0)
    if h == 1:
        heading = np.full(p, np.nan)
        fov = np.full(p, 360.0)
    else:
        heading = np.tile(np.arange(h) * (360.0 / h), p)
        fov = np.full(p * h, float(fov_deg))
    return site_xy, heading, fov, np.repeat(np.arange(p), h)


def heading_coverage(demand_xy: np.ndarray, pole_xy: np.ndarray, range_m: float,
                     n_headings: int = DEFAULT_HEADINGS, fov_deg: float = DEFAULT_FOV_DEG):
    """Coverage matrix (n demand x p*h sites, bool CSR) of :func:`pole_headings`' sites, found
    once per pole and then split by bearing (the same as
    :func:`geo.coverage.coverage_matrix` with each site's sector, at a fraction of the memory).
    Metres in one metric CRS; the boundary of a sector is included.
    """
    import scipy.sparse as sp

    from geo.coverage import coverage_pairs
    from geo.sectors import bearing_deg

    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    pole_xy = np.asarray(pole_xy, dtype=float).reshape(-1, 2)
    h = int(n_headings)
    n, p = len(demand_xy), len(pole_xy)
    di, pi = coverage_pairs(demand_xy, pole_xy, range_m)
    if h == 1 or fov_deg >= 360:
        rows, cols = np.tile(di, h), (pi[None, :] * h + np.arange(h)[:, None]).ravel()
    else:
        d = demand_xy[di] - pole_xy[pi]
        b = bearing_deg(d[:, 0], d[:, 1])
        at_pole = (d == 0).all(axis=1)
        rows_l, cols_l = [], []
        for t in range(h):
            off = np.abs((b - t * 360.0 / h + 180.0) % 360.0 - 180.0)
            ok = at_pole | (off <= 0.5 * fov_deg + 1e-9)
            rows_l.append(di[ok])
            cols_l.append(pi[ok] * h + t)
        rows, cols = np.concatenate(rows_l), np.concatenate(cols_l)
    return sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, p * h))


def best_headings(demand_xy: np.ndarray, weights: np.ndarray, site_xy: np.ndarray, range_m: float,
                  n_headings: int = DEFAULT_HEADINGS, fov_deg: float = DEFAULT_FOV_DEG,
                  already_covered: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which way each site's camera should face: of ``n_headings`` headings (degrees clockwise
    from north), the one whose sector of ``fov_deg`` degrees and ``range_m`` metres sees the most
    weight not ``already_covered`` (n,) bool; between equals, the one that has it nearer the
    middle of the view. Returns ``(heading_deg (s,), weight seen (s,))``; a site that sees
    nothing new faces north. Metres in one metric CRS.
    """
    from geo.coverage import coverage_pairs
    from geo.sectors import bearing_deg

    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    h, s = int(n_headings), len(site_xy)
    w = np.asarray(weights, float).copy()
    if already_covered is not None:
        w[np.asarray(already_covered, bool)] = 0.0
    di, si = coverage_pairs(demand_xy, site_xy, range_m)
    d = demand_xy[di] - site_xy[si]
    b = bearing_deg(d[:, 0], d[:, 1])
    at_site = (d == 0).all(axis=1)
    seen = np.zeros((s, h))
    score = np.zeros((s, h))
    for t in range(h):
        off = np.abs((b - t * 360.0 / h + 180.0) % 360.0 - 180.0)
        ok = at_site | (off <= 0.5 * fov_deg + 1e-9)
        seen[:, t] = np.bincount(si[ok], weights=w[di[ok]], minlength=s)
        score[:, t] = seen[:, t] + 1e-6 * np.bincount(si[ok], weights=w[di[ok]] * np.cos(np.radians(off[ok])), minlength=s)
    best = score.argmax(axis=1) if s else np.zeros(0, np.int64)
    return best * (360.0 / h), seen[np.arange(s), best]
