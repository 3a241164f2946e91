"""Uploaded layers and analysis results, kept for a day under random ids.

Web workers and job processes (forked locally, Celery workers elsewhere) all reach them: a
diskcache folder under the instance folder by default, Redis when REDIS_URL is set (needed when
Celery workers run on other machines), keys under CACHE_KEY_PREFIX. While Redis cannot be reached
the folder stands in (enough for jobs on this machine). Frames travel as GeoJSON in WGS 84.
"""
from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

import diskcache
import geopandas as gpd
import orjson
import redis

from geo.crs import WGS84

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600
ARTIFACT_ID = re.compile(r"^[0-9a-f]{32}$")


class ArtifactStore:
    def __init__(self, directory: Path, redis_url: str | None = None, keep_seconds: int = KEEP_SECONDS, key_prefix: str = ""):
        self.directory = Path(directory)
        self.redis_url = redis_url
        self.keep_seconds = keep_seconds
        self.key_prefix = key_prefix

    def _redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=10)

    def put(self, frame: gpd.GeoDataFrame) -> str:
        """Keep ``frame`` (any CRS; stored in WGS 84); its new id (32 hex digits)."""
        artifact_id = secrets.token_hex(16)
        payload = frame.to_crs(WGS84).to_json(drop_id=True).encode()
        key = f"{self.key_prefix}coverage:artifact:{artifact_id}"
        if self.redis_url:
            try:
                self._redis().set(key, payload, ex=self.keep_seconds)
                return artifact_id
            except redis.RedisError as error:
                log.warning("Redis cannot be reached (%s): coverage layer kept in %s instead", error, self.directory)
        # one Cache per call: a forked job process must not share the parent's SQLite handle
        with diskcache.Cache(self.directory) as cache:
            cache.set(key, payload, expire=self.keep_seconds)
        return artifact_id

    def get(self, artifact_id) -> gpd.GeoDataFrame | None:
        """The frame kept under ``artifact_id`` (None when the id is malformed, unknown or expired)."""
        if not isinstance(artifact_id, str) or not ARTIFACT_ID.match(artifact_id):
            return None
        key = f"{self.key_prefix}coverage:artifact:{artifact_id}"
        payload = None
        if self.redis_url:
            try:
                payload = self._redis().get(key)
            except redis.RedisError as error:
                log.warning("Redis cannot be reached (%s): coverage layer looked up in %s", error, self.directory)
        if payload is None:
            with diskcache.Cache(self.directory) as cache:
                payload = cache.get(key)
        if payload is None:
            return None
        features = orjson.loads(payload)["features"]
        if not features:
            return gpd.GeoDataFrame(geometry=[], crs=WGS84)
        return gpd.GeoDataFrame.from_features(features, crs=WGS84)
