"""What a coverage run builds from geometry alone, kept between the planner's runs.

Planners change weights between runs. The demand points, what today's cameras see of them, the
candidate sites, the coverage matrix and the spacing conflicts depend only on the layers' geometry,
the radius, the spacing and which weights are non-zero, so a rerun with other weights takes them
from here instead of building them again. Entries are keyed by a digest of every input they are
built from (:func:`fingerprint`): any change of a layer, an upload or a parameter that matters is
another key, never a stale answer.

A diskcache folder (local jobs are processes of their own, one per run: only the disk outlives
them; a Celery worker machine keeps its own), at most ``size_mb`` megabytes, least recently used
entries evicted first, each kept a day at most.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import diskcache
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600
FORMAT = 1
"""Part of every key: raise it when what an entry holds changes, so older entries are never read."""


def fingerprint(*parts) -> str:
    """A digest of ``parts``: frames and series (geometry as WKB, columns, values, CRS), arrays,
    numbers, strings, None, and tuples or frozensets of these."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"format {FORMAT}".encode())
    for part in parts:
        _feed(digest, part)
    return digest.hexdigest()


def _feed(digest, part) -> None:
    if isinstance(part, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geometry = part.geometry if isinstance(part, gpd.GeoDataFrame) else part
        digest.update(f"geo {len(part)} {geometry.crs.to_string() if geometry.crs else None}".encode())
        wkb = shapely.to_wkb(np.asarray(geometry.values, dtype=object)).tolist()  # None where missing
        digest.update(np.array([-1 if b is None else len(b) for b in wkb], dtype=np.int64).tobytes())
        digest.update(b"".join(b for b in wkb if b is not None))
        if isinstance(part, gpd.GeoDataFrame):
            _feed(digest, pd.DataFrame(part.drop(columns=part.geometry.name)))
    elif isinstance(part, pd.DataFrame):
        digest.update(("columns " + "\x1f".join(map(str, part.columns))).encode())
        for _, column in part.items():
            try:
                hashed = pd.util.hash_pandas_object(column, index=False)
            except TypeError:  # lists or mappings (an uploaded layer's nested properties): by their text
                hashed = pd.util.hash_pandas_object(column.map(repr), index=False)
            digest.update(hashed.to_numpy().tobytes())
    elif isinstance(part, np.ndarray):
        digest.update(f"array {part.dtype} {part.shape}".encode())
        digest.update(np.ascontiguousarray(part).tobytes())
    elif isinstance(part, (tuple, frozenset)):
        items = sorted(part, key=repr) if isinstance(part, frozenset) else part
        digest.update(f"{type(part).__name__} {len(items)}".encode())
        for item in items:
            _feed(digest, item)
    elif part is None or isinstance(part, (str, int, float, bool)):
        digest.update(f"{type(part).__name__} {part!r}".encode())
    else:
        raise TypeError(f"cannot fingerprint a {type(part).__name__}")


class GeometryCache:
    """Entries by :func:`fingerprint` key, in ``directory`` (at most ``size_mb`` megabytes; 0: keep nothing)."""

    def __init__(self, directory: Path, size_mb: float):
        self.directory = Path(directory)
        self.size_bytes = int(size_mb * 1024 * 1024)

    def _open(self) -> diskcache.Cache:
        # one Cache per call: a forked job process must not share the parent's SQLite handle
        return diskcache.Cache(self.directory, size_limit=self.size_bytes, eviction_policy="least-recently-used")

    def get(self, key: str):
        """The entry kept under ``key``, or None."""
        if self.size_bytes <= 0:
            return None
        try:
            with self._open() as cache:
                return cache.get(key)
        except Exception:  # noqa: BLE001 - an unreadable entry is a cold run, not a failed one
            log.exception("coverage geometry cache unreadable in %s", self.directory)
            return None

    def put(self, key: str, value) -> None:
        """Keep ``value`` under ``key`` (evicting the least recently used beyond the size)."""
        if self.size_bytes <= 0:
            return
        try:
            with self._open() as cache:
                cache.set(key, value, expire=KEEP_SECONDS)
        except Exception:  # noqa: BLE001 - the run's answer does not depend on keeping its geometry
            log.exception("coverage geometry not kept in %s", self.directory)
