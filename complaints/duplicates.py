"""Likely duplicates of a complaint: the same category within about 100 m and 14 days, or nearly
the same text. Plain numpy/pandas on the candidates the store hands over."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class DuplicateRules:
    distance_m: float = 100.0
    window: timedelta = timedelta(days=14)
    text_similarity: float = 0.8
    """Jaccard similarity of the word sets (0..1) from which two texts count as nearly the same."""


def distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres between WGS 84 points (degrees), vectorised (haversine)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str | None) -> frozenset[str]:
    """The lower-cased words of a text (letters and digits), for comparing texts."""
    return frozenset(_WORD.findall((text or "").lower()))


def text_similarity(a: str | None, b: str | None) -> float:
    """Jaccard similarity of the two texts' word sets: 1 for the same words, 0 for none in common."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def suggest_duplicates(complaint: dict, candidates: pd.DataFrame, rules: DuplicateRules = DuplicateRules()) -> pd.DataFrame:
    """The candidates that likely report the same thing as `complaint`, closest first.

    `complaint` has id, category, lon, lat, created_at, description; `candidates` the same columns.
    Returns the matching candidate rows with `distance_m` (metres), `days_apart` and
    `similarity` (0..1) and `why` ("place" for same category near in space and time, "text" for nearly
    the same words, "place+text" for both). The complaint itself is never its own duplicate.
    """
    if candidates.empty:
        return candidates.assign(distance_m=[], days_apart=[], similarity=[], why=[])
    others = candidates[candidates.id != complaint["id"]].copy()
    others["distance_m"] = distance_m(complaint["lon"], complaint["lat"], others.lon, others.lat)
    apart = (pd.to_datetime(others.created_at) - pd.Timestamp(complaint["created_at"])).abs()
    others["days_apart"] = apart.dt.total_seconds() / 86400
    own_words = words(complaint.get("description"))
    others["similarity"] = [len(own_words & w) / len(own_words | w) if own_words and w else 0.0
                            for w in map(words, others.description)]
    near = (others.category == complaint["category"]) & (others.distance_m <= rules.distance_m) & (apart <= rules.window)
    same_text = others.similarity >= rules.text_similarity
    others["why"] = np.select([near & same_text, near, same_text], ["place+text", "place", "text"], default="")
    found = others[near | same_text]
    return found.sort_values(["similarity", "distance_m"], ascending=[False, True])
