"""Camera specs and settings, validated once with clear messages.

A camera with a bad spec is reported (ConfigError carries the camera id and what is wrong); it never
stops the other cameras from running.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

KINDS = ("road", "river", "tps")
SCHEMES = ("rtsp", "rtsps", "http", "https", "file", "demo")
NETWORK_SCHEMES = ("rtsp", "rtsps", "http", "https")


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
    "bad_characters": "stream_url contains whitespace or control characters",
    "address_not_allowed": "stream_url points to an address cameras may not use",
    "too_long": "{field} is longer than {limit} characters",
    "control_characters": "{field} contains control characters",
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
    uid: str | None = None
    """The camera's permanent identity (never reused, unlike `id`): its evidence is filed under it."""
    group: str | None = None
    """The camera's access group (who may see its footage), carried in the published index so that
    permission checks need no query per camera."""

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
    keep_open_s: float = 1.0  # a push stream stays open if a thumbnail is due within this (at most a quarter period)
    snapshot_poll_fps: float = 2.0  # HTTP snapshot cameras polled at most this often for live view
    demo_fps: float = 10.0
    demo_size: tuple[int, int] = (384, 216)
    health_publish_s: float = 1.0
    sync_interval_s: float = 10.0  # how often the manager re-reads the camera list
    media_root: Path | None = None  # local video files must live under it
    snapshot_dir: Path = Path("instance/snapshots")
    rtsp_transport: str = "tcp"  # FFmpeg's rtsp_transport: tcp crosses NAT/firewalls reliably
    stream_probe_s: float = 1.0  # FFmpeg reads a new RTSP stream this long at most to learn its format
    key_frame_wait_s: float = 10.0  # no picture this long (IP cameras send a key frame every 1-4 s): stalled
    address_policy: "AddressPolicy | None" = None  # None: any address (tests, tools); the app sets CAMERA_NETWORKS
    extra: Mapping[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> "CameraSettings":
        return dataclasses.replace(self, **changes)


SECRET_QUERY_NAME = re.compile(r"(pass|pwd|secret|token|key|auth|sig|cred|user|login)", re.IGNORECASE)
"""Query parameters that carry credentials in cameras' snapshot URLs (`?user=admin&pwd=…`, `?token=…`)."""


def redact_url(url: str) -> str:
    """The URL with any password (user info, or a query parameter named like a credential) replaced
    by ***, for messages, logs and JSON."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    netloc, query = parts.netloc, parts.query
    if parts.password is not None or "@" in parts.netloc:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        netloc = f"{parts.username or ''}:***@{host}"
    if query:
        query = urlencode([(name, "***" if SECRET_QUERY_NAME.search(name) else value)
                           for name, value in parse_qsl(query, keep_blank_values=True)], safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """(URL without user info, user name, password): credentials are stored apart from the URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    host = parts.netloc.rpartition("@")[2]
    return (urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)),
            unquote(parts.username) if parts.username else None, unquote(parts.password) if parts.password else None)


def with_credentials(url: str, username: str | None, password: str | None) -> str:
    """`url` with the stored user name and password put back, for the camera readers only."""
    if not username and not password:
        return url
    parts = urlsplit(url)
    user = quote(username or "", safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit((parts.scheme, f"{user}@{parts.netloc}", parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class AddressPolicy:
    """Which network addresses camera URLs may reach. Internet (global) addresses may be used; any
    other address (loopback, link-local such as the cloud metadata service 169.254.169.254,
    private, shared, reserved, multicast) only inside one of `networks`, the camera networks."""

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, cidrs: Iterable[str]) -> "AddressPolicy":
        """From CIDR texts ("10.0.0.0/8"); ValueError for one that is not a network."""
        return cls(tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip()))

    def allows(self, address: str) -> bool:
        """Whether an IP address literal may be reached; ValueError for text that is no address."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self.networks if network.version == ip.version):
            return True
        return ip.is_global and not ip.is_multicast

    def check_host(self, host: str, port: int | None, *, resolve: bool) -> bool:
        """Whether every address of `host` is allowed. A name is looked up only when `resolve`
        (otherwise only address literals are judged); a name that does not resolve is allowed here,
        as it cannot be reached either."""
        try:
            return self.allows(host)
        except ValueError:
            pass
        if not resolve:
            return True
        try:
            return all(self.allows(address) for address in _addresses(host, port))
        except (OSError, UnicodeError):
            return True


def _addresses(host: str, port: int | None) -> list[str]:
    """The addresses `host` (a name or an address literal) resolves to, in the order to try them."""
    return [info[4][0] for info in socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)]


def check_address(cid: int, url: str, policy: "AddressPolicy | None", *, resolve: bool) -> None:
    """ConfigError (one wording for every reason, so refusals tell nothing about the network) when
    a network URL's host is not an address cameras may use under `policy`."""
    if policy is None or "://" not in url:
        return
    parts = urlsplit(url)
    if parts.scheme.lower() not in NETWORK_SCHEMES or not parts.hostname:
        return
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(cid, "address_not_allowed") from None
    if not policy.check_host(parts.hostname, port, resolve=resolve):
        raise ConfigError(cid, "address_not_allowed")


def pin_address(cid: int, url: str, policy: "AddressPolicy | None") -> tuple[str, str]:
    """(the URL to connect to, the address it connects to) for a network URL about to be opened:
    its host looked up once, every address judged under `policy` (ConfigError as check_address),
    the name replaced by the first address (user info, port, path and query kept). Whoever connects
    then goes where was judged, not where a second lookup of the name points (a DNS server that
    answers differently the second time: DNS rebinding). OSError or UnicodeError when the name does
    not resolve."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(cid, "address_not_allowed") from None
    if not parts.hostname:
        raise ConfigError(cid, "no_host", url=redact_url(url))
    addresses = _addresses(parts.hostname, port)
    if policy is not None and not all(policy.allows(address) for address in addresses):
        raise ConfigError(cid, "address_not_allowed")
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address  # IPv6 in brackets (a zone as is: FFmpeg takes it so)
    userinfo = parts.netloc.rpartition("@")[0] + "@" if "@" in parts.netloc else ""
    netloc = userinfo + literal + (f":{port}" if port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc)), address


def _has_bad_characters(url: str) -> bool:
    """Whitespace or control characters: FFmpeg would send them on the wire (`\\r\\n` starts a
    new protocol line) while Python's URL parser quietly drops some of them."""
    return any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in url)


def spec_field(raw: Any, name: str, default: Any = None) -> Any:
    """A field of a camera row given as a mapping or as an object with attributes (an ORM row)."""
    if isinstance(raw, Mapping):
        return raw.get(name, default)
    return getattr(raw, name, default)


def _opt_float(cid: int, raw: Any, name: str, lo: float, hi: float, unit: str) -> float | None:
    value = spec_field(raw, name)
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ConfigError(cid, "not_number", field=name, value=value) from None
    if not lo <= f <= hi:
        raise ConfigError(cid, "out_of_range", field=name, lo=lo, hi=hi, value=f, unit=unit)
    return f


def check_url(cid: int, url: str, media_root: Path | None, policy: AddressPolicy | None = None) -> None:
    """Raise ConfigError if the stream URL cannot be used (characters, scheme, host, address
    literal under `policy`, file location)."""
    if _has_bad_characters(url):
        raise ConfigError(cid, "bad_characters")
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
        if scheme in NETWORK_SCHEMES and not parts.hostname:
            raise ConfigError(cid, "no_host", url=redact_url(url))
        check_address(cid, url, policy, resolve=False)
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
    raw_id = spec_field(raw, "id")
    try:
        cid = int(raw_id)
        if isinstance(raw_id, bool) or cid != float(raw_id):
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(None, "bad_id", value=raw_id) from None
    name = spec_field(raw, "name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(cid, "no_name")
    kind = spec_field(raw, "kind")
    if kind not in KINDS:
        raise ConfigError(cid, "bad_kind", kinds=", ".join(KINDS), value=kind)
    url = spec_field(raw, "stream_url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(cid, "no_url")
    url = url.strip()
    check_url(cid, url, settings.media_root, settings.address_policy)
    url = with_credentials(url, spec_field(raw, "stream_username"), spec_field(raw, "stream_password"))
    kec = spec_field(raw, "kecamatan")
    uid = spec_field(raw, "uid")
    return CameraSpec(
        id=cid,
        name=name.strip(),
        kind=kind,
        stream_url=url,
        heading_deg=_opt_float(cid, raw, "heading_deg", -360.0, 360.0, "°"),
        fov_deg=_opt_float(cid, raw, "fov_deg", 0.0, 360.0, "°"),
        range_m=_opt_float(cid, raw, "range_m", 0.0, 100_000.0, " m"),
        kecamatan=str(kec).strip() if kec not in (None, "") else None,
        uid=str(uid) if uid else None,
        group=str(spec_field(raw, "group")) if spec_field(raw, "group") else None,
    )
