"""Exactly one monitor runs, however many web workers start one: the holder of a lease.

With Redis (a flask-caching cache shared by the workers) the lease is a key with a time-out that
its holder renews, as the camera thumbnails do; another worker takes it over when the holder stops
renewing. Without Redis the workers share a machine, and the lease is an exclusive lock on a file in
the instance folder, released by the operating system when its process ends.
"""
from __future__ import annotations

import fcntl
import logging
import os
import uuid
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class CacheLease:
    """A lease in a shared cache (flask-caching API: add, get, set). `lease_s`: seconds it lasts unrenewed."""

    def __init__(self, cache: Any, key: str = "monitor:lease", lease_s: float = 15.0):
        self.cache, self.key, self.lease_s = cache, key, int(max(2, lease_s))
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def hold(self) -> bool:
        """Take or renew the lease; whether this process holds it. A cache outage answers False:
        checks pause rather than run twice."""
        try:
            if self.cache.add(self.key, self.token, timeout=self.lease_s):
                return True
            if self.cache.get(self.key) == self.token:
                self.cache.set(self.key, self.token, timeout=self.lease_s)
                return True
        except Exception:  # noqa: BLE001 - the cache being down must not kill the monitor thread
            log.exception("monitor lease check failed")
        return False

    def release(self) -> None:
        try:
            if self.cache.get(self.key) == self.token:
                self.cache.delete(self.key)
        except Exception:  # noqa: BLE001
            log.exception("monitor lease release failed")


class FileLease:
    """An exclusive, non-blocking lock on `path`, held until release or the process ends."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = None

    def hold(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(self.path, "a")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.close()
            return False
        self._file = lock_file
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
