"""The shared cache (Redis) with a way through its bad days: while Redis cannot be reached, every
operation is served by an in-process cache instead, the outage is logged once a minute (not once a
request), and Redis is tried again every few seconds, taking over as soon as it answers.

flask-caching builds it from `config.Settings.cache_config()` ("CACHE_TYPE": "store.cache.FallbackCache").
What lived only in Redis is not there during an outage: layers are computed again, thumbnails and
health come from this process's own readers.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from cachelib import BaseCache as CachelibBaseCache
from flask_caching.backends.base import BaseCache
from flask_caching.backends.rediscache import RedisCache
from flask_caching.backends.simplecache import SimpleCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_S = 5.0
"""While Redis is down, how often (seconds) an operation tries it again."""
LOG_EVERY_S = 60.0
"""While Redis is down, how often (seconds) the log says so."""
LOCAL_THRESHOLD = 2000
"""Entries the in-process stand-in keeps at most."""


class FallbackCache(BaseCache):
    """A cachelib cache that uses `primary` (Redis) and, while it fails, `fallback` (in-process).
    `status()` says which one serves, since when, and why (for /admin)."""

    def __init__(self, primary: CachelibBaseCache, fallback: CachelibBaseCache, *, retry_s: float = RETRY_S,
                 log_every_s: float = LOG_EVERY_S, clock: Callable[[], float] = time.monotonic, default_timeout: int = 300):
        super().__init__(default_timeout=default_timeout)
        self.primary, self.fallback = primary, fallback
        self.retry_s, self.log_every_s, self.clock = retry_s, log_every_s, clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        """Wall-clock time (unix seconds) Redis stopped answering; None while it answers."""
        self._retry_at = 0.0
        self._logged_at: float | None = None
        self._last_error: str | None = None

    @classmethod
    def factory(cls, app, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]) -> "FallbackCache":
        """flask-caching's constructor hook: RedisCache from the CACHE_REDIS_* settings, SimpleCache beside it."""
        primary = RedisCache.factory(app, dict(config), list(args), dict(kwargs))
        fallback = SimpleCache(threshold=config.get("CACHE_THRESHOLD", LOCAL_THRESHOLD), default_timeout=config.get("CACHE_DEFAULT_TIMEOUT", 300))
        return cls(primary, fallback, default_timeout=config.get("CACHE_DEFAULT_TIMEOUT", 300))

    # -- state
    def status(self) -> dict[str, Any]:
        """{"shared": True} while Redis serves; else {"shared": False, "since": unix s, "error": text}."""
        with self._lock:
            if self._down_since is None:
                return {"shared": True}
            return {"shared": False, "since": self._down_since, "error": self._last_error}

    def _went_wrong(self, error: Exception) -> None:
        now = self.clock()
        with self._lock:
            self._retry_at = now + self.retry_s
            self._last_error = f"{type(error).__name__}: {error}"[:300]
            if self._down_since is None:
                self._down_since = time.time()
            if self._logged_at is None or now - self._logged_at >= self.log_every_s:
                self._logged_at = now
                log.warning("Redis cannot be reached (%s): serving from this process's own cache, trying again every %g s",
                            self._last_error, self.retry_s)

    def _answered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is not None:
                log.warning("Redis answers again after %.0f s: the shared cache is back", time.time() - self._down_since)
                self._down_since, self._logged_at = None, None

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._down_since is None or self.clock() >= self._retry_at:
            try:
                result = getattr(self.primary, name)(*args, **kwargs)
            except (RedisError, OSError) as error:
                self._went_wrong(error)
            else:
                self._answered()
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    # -- the cachelib interface, each through _call
    def get(self, key: str) -> Any:
        return self._call("get", key)

    def delete(self, key: str) -> bool:
        return self._call("delete", key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._call("get_many", *keys)

    def get_dict(self, *keys: str) -> dict[str, Any]:
        return self._call("get_dict", *keys)

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call("set", key, value, timeout=timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call("add", key, value, timeout=timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> Any:
        return self._call("set_many", mapping, timeout=timeout)

    def delete_many(self, *keys: str) -> Any:
        return self._call("delete_many", *keys)

    def has(self, key: str) -> bool:
        return self._call("has", key)

    def clear(self) -> bool:
        return self._call("clear")

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._call("inc", key, delta=delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._call("dec", key, delta=delta)


def cache_status(cache: Any) -> dict[str, Any]:
    """The state of the app's cache (a flask_caching.Cache or a backend): FallbackCache.status(), or
    {"shared": None} for a cache without Redis."""
    backend = cache.app.extensions["cache"][cache] if hasattr(cache, "app") and hasattr(cache, "cache") else cache
    return backend.status() if isinstance(backend, FallbackCache) else {"shared": None}
