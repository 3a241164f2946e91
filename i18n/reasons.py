"""Coverage results in words, English or Bahasa Indonesia: why a recommended site was chosen
(from the demand it newly covers, credited by :func:`geo.reasons.credited_site`) and how much of
each demand layer today's cameras watch (from :func:`geo.gaps.gap_by_layer`). Demand frames follow
:mod:`geo.demand` (``layer``, ``kind``, ``name``, ``length_m``, ``area_m2``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo.reasons import credited_site
from i18n.format import number

_W = {
    "en": {
        "covers": "covers", "and": "and", "nothing": "covers no demand that is not already watched",
        "of": "of", "unnamed": "unnamed road", "flood": "flood-prone river bank",
        "tps": ("TPS site", "TPS sites"), "business": ("busy business", "busy businesses"),
        "complaint": ("complaint", "complaints"), "about": "about", "point": ("point", "points"),
        "area_of": "of",
    },
    "id": {
        "covers": "mencakup", "and": "dan", "nothing": "tidak menambah cakupan baru",
        "of": "", "unnamed": "jalan tanpa nama", "flood": "tepian sungai rawan banjir",
        "tps": ("lokasi TPS", "lokasi TPS"), "business": ("usaha ramai", "usaha ramai"),
        "complaint": ("aduan", "aduan"), "about": "tentang", "point": ("titik", "titik"),
        "area_of": "",
    },
}

_KIND_ID = {"crime": "kriminalitas", "theft": "pencurian", "traffic": "lalu lintas", "waste": "sampah",
            "flood": "banjir"}


def _length(m: float, lang: str) -> str:
    if m >= 1000:
        s = f"{m / 1000:.1f} km"
        return s.replace(".", ",") if lang == "id" else s
    return f"{m:.0f} m"


def _count(n: int, forms: tuple[str, str]) -> str:
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def _join(parts: list[str], lang: str) -> str:
    w = _W[lang]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {w['and']} " + parts[-1]


def _ranked(frame: pd.DataFrame, by: str, value: str) -> dict[int, list[tuple[str, float]]]:
    """Per site, ``(by, value)`` pairs, largest value first (equal values by name)."""
    frame = frame.sort_values(by, kind="stable")
    frame = frame.iloc[np.lexsort((-frame[value].to_numpy(), frame["site"].to_numpy()), axis=0)]
    out: dict[int, list[tuple[str, float]]] = {}
    for site, key, amount in zip(frame["site"].tolist(), frame[by].tolist(), frame[value].tolist()):
        out.setdefault(site, []).append((key, amount))
    return out


def _reasons(rows: pd.DataFrame, site: np.ndarray, n_sites: int, lang: str, max_roads: int = 2,
             max_kinds: int = 2) -> list[str]:
    """One sentence per site 0..n_sites-1 from the demand ``rows`` credited to it (``site`` per row,
    -1: none): each layer grouped once for all sites."""
    lang = "id" if lang == "id" else "en"
    w = _W[lang]
    of = f" {w['of']} " if w["of"] else " "
    rows = pd.DataFrame({"site": np.asarray(site, np.int64), "layer": rows["layer"].to_numpy(),
                         "kind": rows["kind"].fillna("").astype(str).to_numpy(),
                         "name": rows["name"].fillna("").astype(str).to_numpy(),
                         "length_m": rows["length_m"].to_numpy(float), "area_m2": rows["area_m2"].to_numpy(float)})
    rows = rows[rows["site"] >= 0]
    layer = rows["layer"]
    parts: list[list[str]] = [[] for _ in range(n_sites)]

    roads = rows[(layer == "road") & (rows["length_m"] > 0)]
    per_road = roads.groupby(["site", "name"], as_index=False)["length_m"].sum()
    for i, per in _ranked(per_road, "name", "length_m").items():
        named = [(name, m) for name, m in per if name != ""]
        for name, m in named[:max_roads]:
            parts[i].append(f"{_length(m, lang)}{of}{name}")
        rest = float(sum(m for _, m in per) - sum(m for _, m in named[:max_roads]))
        if rest >= 1:
            label = w["unnamed"] if not named else ("other roads" if lang == "en" else "jalan lain")
            parts[i].append(f"{_length(rest, lang)}{of}{label}")
    flood = rows[layer == "flood"].groupby("site")[["length_m", "area_m2"]].sum()
    for i, m, area in zip(flood.index.tolist(), flood["length_m"].tolist(), flood["area_m2"].tolist()):
        parts[i].append(f"{_length(m, lang)}{of}{w['flood']}" if m > 0 else f"{area / 10_000:.1f} ha {w['flood']}")
    for i, c in rows[layer == "tps"].groupby("site").size().items():
        parts[i].append(_count(int(c), w["tps"]))
    per_kind = rows[layer == "complaint"].groupby(["site", "kind"], as_index=False).size()
    for i, per in _ranked(per_kind, "kind", "size").items():
        for kind, c in per[:max_kinds]:
            if kind:
                k = _KIND_ID.get(kind.lower(), kind) if lang == "id" else kind
                parts[i].append(f"{_count(int(c), w['complaint'])} {w['about']} {k}")
            else:
                parts[i].append(_count(int(c), w["complaint"]))
        other = int(sum(c for _, c in per[max_kinds:]))
        if other:
            parts[i].append(_count(other, w["complaint"]) + (" lainnya" if lang == "id" else " of other kinds"))
    for i, c in rows[layer == "business"].groupby("site").size().items():
        parts[i].append(_count(int(c), w["business"]))
    others = rows[~layer.isin(["road", "flood", "tps", "complaint", "business"])]
    others = others.groupby(["site", "layer"]).agg(length_m=("length_m", "sum"), area_m2=("area_m2", "sum"), n=("site", "size"))
    for (i, name), m, area, n in zip(others.index.tolist(), others["length_m"].tolist(), others["area_m2"].tolist(),
                                     others["n"].tolist()):
        if m > 0:
            parts[i].append(f"{_length(m, lang)}{of}{name}")
        elif area > 0:
            parts[i].append(f"{area / 10_000:.1f} ha {w['area_of']} {name}".replace("  ", " "))
        else:
            parts[i].append(f"{_count(n, w['point'])} {name}")
    return [f"{w['covers']} {_join(p, lang)}" if p else w["nothing"] for p in parts]


def site_reason(rows: pd.DataFrame, lang: str = "en", *, max_roads: int = 2, max_kinds: int = 2) -> str:
    """One sentence from the demand rows a site newly covers, units on every number, e.g.
    "covers 410 m of Jl. Sultan Hairun, 2 TPS sites and 35 complaints about theft"
    (``lang="id"``: "mencakup 410 m Jl. Sultan Hairun, 2 lokasi TPS dan 35 aduan tentang pencurian").
    The largest road lengths and complaint kinds come first (equal ones by name).
    """
    return _reasons(rows, np.zeros(len(rows), np.int64), 1, lang, max_roads, max_kinds)[0]


def site_reasons(demand: pd.DataFrame, A: sp.spmatrix, ranked_sites, already_covered=None,
                 lang: str = "en") -> list[str]:
    """Reasons for each ranked site (same order), from the demand rows credited to it."""
    return _reasons(demand, credited_site(A, ranked_sites, already_covered), len(ranked_sites), lang)


_LAYER_WORDS = {
    "en": {"road": "road length", "complaint": "complaints", "tps": "TPS sites", "flood": "flood-prone bank length",
           "business": "businesses"},
    "id": {"road": "panjang jalan", "complaint": "aduan", "tps": "lokasi TPS", "flood": "panjang tepian rawan banjir",
           "business": "usaha"},
}


def gap_sentences(table: pd.DataFrame, lang: str = "en") -> list[str]:
    """One sentence per row of :func:`gap_by_layer` (by layer, or layer and kind), e.g.
    "62 % of primary road length covered (4.1 of 6.6 km)"; lines by length, points by count."""
    words = _LAYER_WORDS["id" if lang == "id" else "en"]
    out = []
    of = "dari" if lang == "id" else "of"
    for row in table.to_dict("records"):
        layer = row["layer"]
        kind = row.get("kind", "") or ""
        what = words.get(layer, layer)
        if kind:
            what = f"{what} {kind}" if lang == "id" else f"{kind} {what}"
        linear = row["total_length_m"] > 0
        pct = row["pct_length"] if linear else row["pct_count"]
        pct_s = "-" if pd.isna(pct) else f"{pct:.0f} %"
        if linear:
            detail = f"{number(row['covered_length_m'] / 1000, lang, 1)} {of} {number(row['total_length_m'] / 1000, lang, 1)} km"
        else:
            detail = f"{number(row['covered_count'], lang)} {of} {number(row['count'], lang)}"
        if lang == "id":
            out.append(f"{pct_s} {what} terpantau ({detail})")
        else:
            out.append(f"{pct_s} of {what} covered ({detail})")
    return out
