"""Coverage results in words, English or Bahasa Indonesia: why a recommended site was chosen
(from the demand it newly covers, credited by :func:`geo.reasons.credited_site`) and how much of
each demand layer today's cameras watch (from :func:`geo.gaps.gap_by_layer`). Demand frames follow
:mod:`geo.demand` (``layer``, ``kind``, ``name``, ``length_m``, ``area_m2``).
"""

from __future__ import annotations

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


def site_reason(rows: pd.DataFrame, lang: str = "en", *, max_roads: int = 2, max_kinds: int = 2) -> str:
    """One sentence from the demand rows a site newly covers, units on every number, e.g.
    "covers 410 m of Jl. Sultan Hairun, 2 TPS sites and 35 complaints about theft"
    (``lang="id"``: "mencakup 410 m Jl. Sultan Hairun, 2 lokasi TPS dan 35 aduan tentang pencurian").
    """
    lang = "id" if lang == "id" else "en"
    w = _W[lang]
    if len(rows) == 0:
        return w["nothing"]
    rows = rows.assign(name=rows["name"].fillna("").astype(str), kind=rows["kind"].fillna("").astype(str))
    parts: list[str] = []
    of = f" {w['of']} " if w["of"] else " "
    roads = rows[(rows["layer"] == "road") & (rows["length_m"] > 0)]
    if len(roads):
        per = roads.groupby("name")["length_m"].sum().sort_values(ascending=False)
        named = per[per.index != ""]
        for name, m in named.iloc[:max_roads].items():
            parts.append(f"{_length(m, lang)}{of}{name}")
        rest = float(per.sum() - named.iloc[:max_roads].sum())
        if rest >= 1:
            label = w["unnamed"] if named.empty else ("other roads" if lang == "en" else "jalan lain")
            parts.append(f"{_length(rest, lang)}{of}{label}")
    flood = rows[rows["layer"] == "flood"]
    if len(flood):
        m = float(flood["length_m"].sum())
        if m > 0:
            parts.append(f"{_length(m, lang)}{of}{w['flood']}")
        else:
            parts.append(f"{float(flood['area_m2'].sum()) / 10_000:.1f} ha {w['flood']}")
    tps = rows[rows["layer"] == "tps"]
    if len(tps):
        parts.append(_count(len(tps), w["tps"]))
    comp = rows[rows["layer"] == "complaint"]
    if len(comp):
        per = comp.groupby("kind").size().sort_values(ascending=False)
        shown = per.iloc[:max_kinds]
        for kind, c in shown.items():
            if kind:
                k = _KIND_ID.get(kind.lower(), kind) if lang == "id" else kind
                parts.append(f"{_count(int(c), w['complaint'])} {w['about']} {k}")
            else:
                parts.append(_count(int(c), w["complaint"]))
        other = int(per.sum() - shown.sum())
        if other:
            parts.append(_count(other, w["complaint"]) + (" lainnya" if lang == "id" else " of other kinds"))
    biz = rows[rows["layer"] == "business"]
    if len(biz):
        parts.append(_count(len(biz), w["business"]))
    known = {"road", "flood", "tps", "complaint", "business"}
    for layer, grp in rows[~rows["layer"].isin(known)].groupby("layer"):
        if grp["length_m"].sum() > 0:
            parts.append(f"{_length(float(grp['length_m'].sum()), lang)}{of}{layer}")
        elif grp["area_m2"].sum() > 0:
            ha = float(grp["area_m2"].sum()) / 10_000
            parts.append(f"{ha:.1f} ha {w['area_of']} {layer}".replace("  ", " "))
        else:
            parts.append(f"{_count(len(grp), w['point'])} {layer}")
    return f"{w['covers']} {_join(parts, lang)}"


def site_reasons(demand: pd.DataFrame, A: sp.spmatrix, ranked_sites, already_covered=None,
                 lang: str = "en") -> list[str]:
    """Reasons for each ranked site (same order), from the demand rows credited to it."""
    credit = credited_site(A, ranked_sites, already_covered)
    df = pd.DataFrame(demand.drop(columns="geometry", errors="ignore"))
    groups = {int(k): g for k, g in df.groupby(credit) if k >= 0}
    return [site_reason(groups.get(i, df.iloc[:0]), lang) for i in range(len(ranked_sites))]


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
