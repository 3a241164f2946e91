"""Thumbnails (~320 px JPEG) and health records, published through a cache any worker can read.

The cache is anything with get(key) and set(key, value, timeout=...): a cachelib backend
(SimpleCache in-process by default, RedisCache when configured) or a flask_caching.Cache that was
initialised with the app. Key scheme: cameras/keys.py.
"""
from __future__ import annotations

import logging
import math
import os
import socket
import uuid
from typing import Any, Protocol

import cv2
import numpy as np

from i18n import DEFAULT_LANGUAGE, t
from i18n.format import wit_time

from config.cameras import CameraSettings
from .keys import CacheKeys
from .text import draw_text

log = logging.getLogger(__name__)


class CacheLike(Protocol):
    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...

    def delete(self, key: str) -> Any: ...

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool: ...


def make_default_cache() -> CacheLike:
    """In-process cache big enough for hundreds of cameras (SimpleCache's default keeps only 500)."""
    from cachelib import SimpleCache

    return SimpleCache(threshold=20_000, default_timeout=0)


def resolve_cache(cache: Any) -> CacheLike:
    """Accept a cachelib backend or a flask_caching.Cache; return the backend readers can use from
    their own threads (flask_caching's wrapper needs an app, which reader threads do not have)."""
    try:
        from flask_caching import Cache as FlaskCache
    except ImportError:  # pragma: no cover
        FlaskCache = None  # type: ignore[assignment]
    if FlaskCache is not None and isinstance(cache, FlaskCache):
        if cache.app is None:
            raise TypeError("flask_caching.Cache must be created with the app (Cache(server, config=...)) "
                            "or pass its backend: cache.cache inside an app context")
        return cache.app.extensions["cache"][cache]
    for name in ("get", "set", "delete"):
        if not callable(getattr(cache, name, None)):
            raise TypeError(f"cache object {cache!r} has no {name}()")
    return cache


def encode_jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def make_thumbnail(img: np.ndarray, width: int) -> np.ndarray:
    h, w = img.shape[:2]
    if w == width:
        return img
    nh = max(1, round(h * width / w))
    return cv2.resize(img, (width, nh), interpolation=cv2.INTER_AREA if w > width else cv2.INTER_LINEAR)


def fmt_wit(ts: float, with_date: bool = True) -> str:
    """A unix time as Ambon's clock with seconds, written as everywhere else (i18n.format.wit_time)."""
    return wit_time(ts, with_date=with_date, seconds=True)


def render_card(title: str, lines: list[str], width: int = 320, height: int = 180) -> bytes:
    """A grey card (JPEG) in place of a stale frame: e.g. "OFFLINE sejak 27-11-2025 14:05:12 WIT"."""
    img = np.full((height, width, 3), 90, np.uint8)
    cv2.rectangle(img, (0, 0), (width - 1, height - 1), (60, 60, 60), 3)
    draw_text(img, title, (12, 50), 0.9, (255, 255, 255), 2)
    y = 85
    for line in lines:
        draw_text(img, line[:44], (12, y), 0.45, (235, 235, 235), 1)
        y += 22
    return encode_jpeg(img, 80)


def offline_card(name: str, since_ts: float | None, width: int = 320, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The card of a camera without a fresh picture, its words from i18n ("cam.card.*") in `lang`."""
    since = t("cam.card.since", lang).format(when=fmt_wit(since_ts)) if since_ts else t("cam.card.never", lang)
    return render_card(t("cam.card.offline", lang), [name, since], width=width, height=width * 9 // 16)


class Publisher:
    """Writes thumbnails and health records under the documented keys. Used by reader threads."""

    def __init__(self, cache: Any, settings: CameraSettings, keys: CacheKeys | None = None):
        self.cache = resolve_cache(cache)
        self.settings = settings
        self.keys = keys or CacheKeys()
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        """Who this publisher is, in the monitor leases and on the thumbnails it makes."""

    def holds_monitor(self, camera_id: int) -> bool:
        """Whether this process should make the camera's thumbnails and health now: it holds the
        camera's monitor lease (renewing it) or takes it when free. A cache outage answers True:
        a duplicate thumbnail is better than none."""
        period = self.settings.thumbnail_period_s
        if period is None:
            return True
        key, lease_s = self.keys.monitor(camera_id), max(2, math.ceil(2 * period + 1))
        try:
            if self.cache.add(key, self.token, timeout=lease_s):
                return True
            if self.cache.get(key) == self.token:
                self.cache.set(key, self.token, timeout=lease_s)
                return True
            return False
        except Exception:
            log.exception("camera %s: monitor lease check failed", camera_id)
            return True

    def _set(self, key: str, value: Any) -> None:
        try:
            self.cache.set(key, value, timeout=0)
        except Exception:  # a cache outage must never kill a reader
            log.exception("cache set %s failed", key)

    def publish_thumbnail(self, camera_id: int, img: np.ndarray, ts: float, seq: int) -> dict[str, Any]:
        thumb = make_thumbnail(img, self.settings.thumbnail_width)
        record = {
            "jpeg": encode_jpeg(thumb, self.settings.thumbnail_quality),
            "ts": ts,
            "seq": seq,
            "width": int(thumb.shape[1]),
            "height": int(thumb.shape[0]),
            "by": self.token,
        }
        self._set(self.keys.thumb(camera_id), record)
        return record

    def publish_health(self, camera_id: int, record: dict[str, Any]) -> None:
        self._set(self.keys.health(camera_id), record)

    def publish_index(self, cameras: list[dict[str, Any]]) -> None:
        self._set(self.keys.index, cameras)

    def forget(self, camera_id: int) -> None:
        for key in (self.keys.thumb(camera_id), self.keys.health(camera_id), self.keys.monitor(camera_id)):
            try:
                self.cache.delete(key)
            except Exception:
                log.exception("cache delete %s failed", key)
