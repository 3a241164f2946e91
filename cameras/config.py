"""Camera specs and settings, validated once with clear messages.

A camera with a bad spec is reported (ConfigError carries the camera id and what is wrong); it never
stops the other cameras from running.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

KINDS = ("road", "river", "tps")
SCHEMES = ("rtsp", "rtsps", "http", "https", "file", "demo")


REFUSAL_TEXT = {
    "bad_id": "camera id must be an integer, got {value!r}",
    "no_name": "name is missing",
    "bad_kind": "kind must be one of {kinds}, got {value!r}",
    "no_url": "stream_url is missing",
    "bad_url": "stream_url is not a valid URL: {error}",
    "bad_scheme": "stream_url scheme {scheme!r} is not supported (use one of {schemes})",
    "no_host": "stream_url {url!r} has no host",
    "no_media_root": "local video files need CameraSettings.media_root (the media folder)",
    "outside_media": "video file {path!r} is outside the media folder {root!r}",
    "not_number": "{field} must be a number, got {value!r}",
    "out_of_range": "{field} must be between {lo}{unit} and {hi}{unit}, got {value}{unit}",
    # refused by store.cameras when an admin saves a camera
    "bad_group": "group: 1 to 40 of a-z, 0-9 and _",
    "lonlat_not_numbers": "longitude and latitude must be numbers (degrees)",
    "lonlat_range": "longitude must be within -180..180°, latitude within -90..90°",
    "no_such_camera": "no such camera",
}
"""Why a camera spec is refused, in English for the logs; pages put `code` and `args_`
in the user's language (i18n keys camera.refused.<code>)."""


class ConfigError(ValueError):
    """A camera spec that cannot be used. `camera_id` is None when even the id is unusable; `code` is a
    key of REFUSAL_TEXT and `args_` its figures."""

    def __init__(self, camera_id: int | None, code: str, **args: Any):
        message = REFUSAL_TEXT[code].format(**args)
        super().__init__(f"camera {camera_id}: {message}" if camera_id is not None else message)
        self.camera_id = camera_id
        self.message = message
        self.code, self.args_ = code, args


@dataclass(frozen=True)
class CameraSpec:
    """What the data store says about one camera."""

    id: int
    name: str
    kind: str
    stream_url: str
    heading_deg: float | None = None
    fov_deg: float | None = None
    range_m: float | None = None
    kecamatan: str | None = None

    def public_dict(self) -> dict[str, Any]:
        """The spec without credentials, safe for the browser and the logs."""
        d = dataclasses.asdict(self)
        d["stream_url"] = redact_url(self.stream_url)
        return d


@dataclass(frozen=True)
class CameraSettings:
    """Tunables of the camera layer. Defaults suit the Command Center; tests shrink the timings."""

    thumbnail_period_s: float | None = 5.0  # None: no thumbnails (readers then only decode for viewers)
    thumbnail_width: int = 320
    thumbnail_quality: int = 70
    live_quality: int = 75
    live_max_fps: float = 15.0  # cap on frames per second sent to one live viewer
    offline_after_s: float = 30.0  # last good frame older than this: offline
    stall_after_s: float = 5.0  # no frame for this long while decoding: degraded
    min_fps: float = 2.0  # measured fps below this while streaming: degraded
    degraded_window_s: float = 60.0  # a reconnect this recent keeps the camera degraded
    open_timeout_s: float = 8.0
    read_timeout_s: float = 5.0
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    max_frame_width: int = 1920  # larger frames are downscaled right after decoding
    max_frame_bytes: int = 8 * 1024 * 1024  # one JPEG of an HTTP stream/snapshot, at most
    keep_open_s: float = 15.0  # a push stream stays open if a thumbnail is due within this
    snapshot_poll_fps: float = 2.0  # HTTP snapshot cameras polled at most this often for live view
    demo_fps: float = 10.0
    demo_size: tuple[int, int] = (384, 216)
    health_publish_s: float = 1.0
    sync_interval_s: float = 10.0  # how often the manager re-reads the camera list
    media_root: Path | None = None  # local video files must live under it
    snapshot_dir: Path = Path("instance/snapshots")
    rtsp_transport: str = "tcp"  # FFmpeg's rtsp_transport: tcp crosses NAT/firewalls reliably
    extra: Mapping[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> "CameraSettings":
        return dataclasses.replace(self, **changes)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages, logs and JSON."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    if parts.password is None and "@" not in parts.netloc:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def _get(raw: Any, name: str, default: Any = None) -> Any:
    if isinstance(raw, Mapping):
        return raw.get(name, default)
    return getattr(raw, name, default)


def _opt_float(cid: int, raw: Any, name: str, lo: float, hi: float, unit: str) -> float | None:
    value = _get(raw, name)
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ConfigError(cid, "not_number", field=name, value=value) from None
    if not lo <= f <= hi:
        raise ConfigError(cid, "out_of_range", field=name, lo=lo, hi=hi, value=f, unit=unit)
    return f


def check_url(cid: int, url: str, media_root: Path | None) -> None:
    """Raise ConfigError if the stream URL cannot be used (scheme, host, file location)."""
    if "://" not in url:
        url_path = Path(url)
        scheme = "file"
    else:
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise ConfigError(cid, "bad_url", error=str(exc)) from None
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise ConfigError(cid, "bad_scheme", scheme=scheme, schemes=", ".join(SCHEMES))
        if scheme in ("rtsp", "rtsps", "http", "https") and not parts.hostname:
            raise ConfigError(cid, "no_host", url=redact_url(url))
        if scheme == "demo":
            return
        url_path = Path(parts.path)
    if scheme == "file":
        resolve_media_path(cid, str(url_path), media_root)


def resolve_media_path(cid: int, path: str, media_root: Path | None) -> Path:
    """A local video path, relative paths taken from media_root; it must stay under media_root."""
    if media_root is None:
        raise ConfigError(cid, "no_media_root")
    root = Path(media_root).resolve()
    p = Path(path)
    p = (root / p).resolve() if not p.is_absolute() else p.resolve()
    if root != p and root not in p.parents:
        raise ConfigError(cid, "outside_media", path=path, root=str(root))
    return p


def parse_spec(raw: Any, settings: CameraSettings | None = None) -> CameraSpec:
    """A CameraSpec from a mapping or an object with the same attributes (e.g. an ORM row)."""
    settings = settings or CameraSettings()
    raw_id = _get(raw, "id")
    try:
        cid = int(raw_id)
        if isinstance(raw_id, bool) or cid != float(raw_id):
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(None, "bad_id", value=raw_id) from None
    name = _get(raw, "name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(cid, "no_name")
    kind = _get(raw, "kind")
    if kind not in KINDS:
        raise ConfigError(cid, "bad_kind", kinds=", ".join(KINDS), value=kind)
    url = _get(raw, "stream_url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(cid, "no_url")
    url = url.strip()
    check_url(cid, url, settings.media_root)
    kec = _get(raw, "kecamatan")
    return CameraSpec(
        id=cid,
        name=name.strip(),
        kind=kind,
        stream_url=url,
        heading_deg=_opt_float(cid, raw, "heading_deg", -360.0, 360.0, "°"),
        fov_deg=_opt_float(cid, raw, "fov_deg", 0.0, 360.0, "°"),
        range_m=_opt_float(cid, raw, "range_m", 0.0, 100_000.0, " m"),
        kecamatan=str(kec).strip() if kec not in (None, "") else None,
    )
