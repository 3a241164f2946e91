"""Settings, read once from the environment at start-up. Every setting has an embedded default."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from config.cameras import AddressPolicy, CameraSettings
from config.complaints import DeadlineRules

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SECRET_KEY = "demo-only-secret-change-me"
"""The secret the app once shipped with: public, so refused wherever it is given."""
MIN_SECRET_KEY_LENGTH = 32
APP_MODES = ("demo", "production")
SECRET_KEY_FILE = "secret_key"
"""Demo mode without SECRET_KEY: the instance folder's own random key, in this file."""
DEFAULT_CAMERA_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


class SettingsError(RuntimeError):
    """A setting the app cannot start with; the message names the variable and what it accepts."""

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def _tax_rate(text: str) -> float:
    """TAX_RATE as a fraction, refused at start-up unless between 0 and 1 ("10" would tax 1,000 %)."""
    rate = float(text)
    if not 0 < rate < 1:
        raise ValueError(f"TAX_RATE must be a fraction between 0 and 1 (0.10 for 10 %), not {text!r}")
    return rate


def _tax_due_day(text: str) -> int:
    """TAX_DUE_DAY, refused at start-up unless every month has that day (1 to 28)."""
    day = int(text)
    if not 1 <= day <= 28:
        raise ValueError(f"TAX_DUE_DAY must be a day of the month from 1 to 28, not {text!r}")
    return day


def _positive(env, name: str, default: str) -> float:
    """A positive number from the environment; a clear error at start-up otherwise."""
    text = env.get(name, default)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {text!r}")
    return value


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    redis_url: str | None
    """When set, flask-caching uses Redis (shared by every gunicorn worker); otherwise an in-process cache."""
    tile_url: str
    """Basemap tiles; empty means vector basemap only."""
    tile_attribution: str
    demo_data: bool
    host: str
    port: int
    secret_key: str | None
    """SECRET_KEY; None in demo mode without one (see `session_secret`)."""
    cache_key_prefix: str
    """Prefix of every Redis key, so several deployments can share one Redis."""
    camera_readers: bool
    """Whether this process runs the camera service itself (embedded). Off in web-only workers, which
    serve thumbnails and health from the shared (Redis) cache and relay live views and snapshots from
    `python -m cameras.service` through Redis."""
    media_dir: Path
    """Local video files used as camera sources must live here."""
    celery_broker_url: str | None = None
    """When set, background jobs (the coverage analysis) run on Celery workers through this broker
    (`celery -A celery_worker worker`); otherwise in local processes with a diskcache queue."""
    production: bool = False
    """APP_MODE=production: no demo users, Secure cookies, and no start with the default SECRET_KEY."""
    login_rate_limit: str = "5 per minute; 20 per hour"
    """Failed logins allowed per user name and address (flask-limiter syntax)."""
    login_address_rate_limit: str = "10 per minute; 50 per hour"
    """Failed logins allowed per address, whatever user names are tried."""
    flood_drill_minutes_per_step: float = 0.5
    """Real minutes each 10-minute step of the BPBD drill (the demo rain event) takes: 0.5 plays the
    7-hour event in about 22 minutes, time for staff to send and record the warnings as it unfolds."""
    trusted_proxies: int = 0
    """How many reverse proxies (nginx, a load balancer) stand in front of the app. Their X-Forwarded-For,
    -Proto and -Host headers are believed for that many hops, so that the login rate limit and the audit log
    see the user's address, not the proxy's. 0: no proxy, the headers are ignored (a client could forge them)."""
    service_monitor: bool = True
    leaders_job: bool = True
    """The leaders' board's roll-ups, camera samples and Monday report in this process (under a lease)."""
    """Whether this process may run the service monitor (one process of the deployment does, by lease)."""
    public_url: str | None = None
    """The address citizens reach the app at (e.g. https://cc.ambon.go.id), printed on the poster's QR
    codes and in the Atom feed; None: the address of the request."""
    public_rate_limit: str = "300 per minute"
    """Requests to the public portal allowed per address (flask-limiter syntax)."""

    camera_networks: tuple[str, ...] = DEFAULT_CAMERA_NETWORKS
    """CIDR networks besides the internet that camera URLs may reach (the city's private camera
    networks); loopback, link-local and every other private address are refused."""
    tax_rate: float = 0.10
    """Restaurant tax (pajak restoran) as a fraction of turnover: 10 % for food and drink under the city's regulation."""
    tax_due_day: int = 15
    """A month's restaurant tax is due by this day of the following month."""
    complaint_response_days: str = "3"
    """Working days allowed for the first response to a complaint (SP4N-LAPOR: 3)."""
    complaint_completion_days: str = "informasi=5,pengaduan=5,sengketa=14,sengketa_lapangan=60"
    """Working days allowed to complete a complaint, by kind (SP4N-LAPOR's rules as the default)."""
    open311_api_keys: tuple[str, ...] = ()
    """Keys Open311 clients send as `api_key` to POST /open311/v2/requests; none: POST is refused."""
    public_report_rate_limit: str = "5 per hour; 20 per day"
    """Reports the public form takes per address (flask-limiter syntax)."""
    ticket_lookup_rate_limit: str = "30 per minute; 300 per day"
    """Ticket look-ups per address on /publik/tiket."""
    complaint_photo_max_bytes: int = 5 * 1024 * 1024
    """Largest photo the public form and agencies' progress notes take."""
    alert_poll_s: float = 5.0
    """How often every open page asks the alert centre for new alerts (seconds)."""
    camera_offline_after_s: float = 30.0
    """A camera whose last good frame is older than this (seconds) is offline, and raises an alert."""
    flood_api_key: str = field(default="", repr=False)
    """FLOOD_API_KEY: the key gauge loggers send as X-API-Key; empty: every POST of readings is refused."""
    admin_username: str | None = None
    """ADMIN_USERNAME: the first admin, created at start-up (with ADMIN_PASSWORD) unless that user exists."""
    admin_password: str | None = field(default=None, repr=False)

    camera_thumbnail_s: float = 5.0
    """Seconds between two thumbnails of a camera; a stopped camera service instance's cameras are
    taken over by the others within two of these."""
    db_pool_size: int = 16
    """SQLAlchemy connections kept open per process: the worker's threads (gunicorn --threads), so a
    busy worker reuses its connections instead of opening and closing one per request."""
    coverage_cache_mb: int = 512
    """Disk the coverage analysis may keep the geometry of recent runs in (instance folder,
    `coverage-geometry`), so that a rerun with other weights skips rebuilding demand points, candidate
    sites, coverage matrix and spacing conflicts (about 12 MB a run on the real roads); 0: keep none."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("INSTANCE_DIR", ROOT / "instance"))
        mode = env.get("APP_MODE", "demo").strip().lower()
        if mode not in APP_MODES:
            raise SettingsError(f"APP_MODE must be one of {', '.join(APP_MODES)}, not {env['APP_MODE']!r}")
        production = mode == "production"
        return cls(
            instance_dir=instance_dir,
            database_url=_database_url(env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'ambon.db'}"),
            redis_url=env.get("REDIS_URL") or None,
            tile_url=env.get("TILE_URL", OSM_TILES),
            tile_attribution=env.get("TILE_ATTRIBUTION", OSM_ATTRIBUTION),
            demo_data=env.get("DEMO_DATA", "1") not in ("0", "false", "no"),
            host=env.get("HOST", "127.0.0.1"),
            port=_number(env, "PORT", "8050", int),
            secret_key=_secret_key(env.get("SECRET_KEY", ""), production),
            cache_key_prefix=env.get("CACHE_KEY_PREFIX", "ambon:"),
            camera_readers=env.get("CAMERA_READERS", "1") not in ("0", "false", "no"),
            media_dir=Path(env.get("MEDIA_DIR", instance_dir / "media")),
            celery_broker_url=env.get("CELERY_BROKER_URL") or None,
            production=production,
            login_rate_limit=env.get("LOGIN_RATE_LIMIT", "5 per minute; 20 per hour"),
            login_address_rate_limit=env.get("LOGIN_ADDRESS_RATE_LIMIT", "10 per minute; 50 per hour"),
            flood_drill_minutes_per_step=_positive(env, "FLOOD_DRILL_MINUTES_PER_STEP", "0.5"),
            trusted_proxies=_number(env, "TRUSTED_PROXIES", "0", int),
            camera_networks=_camera_networks(env.get("CAMERA_NETWORKS")),
            service_monitor=env.get("SERVICE_MONITOR", "1") not in ("0", "false", "no"),
            leaders_job=env.get("LEADERS_JOB", "1") not in ("0", "false", "no"),
            public_url=env.get("PUBLIC_URL") or None,
            public_rate_limit=env.get("PUBLIC_RATE_LIMIT", "300 per minute"),
            tax_rate=_tax_rate(env.get("TAX_RATE", "0.10")),
            tax_due_day=_tax_due_day(env.get("TAX_DUE_DAY", "15")),
            complaint_response_days=env.get("COMPLAINT_RESPONSE_DAYS", "3"),
            complaint_completion_days=env.get("COMPLAINT_COMPLETION_DAYS", "informasi=5,pengaduan=5,sengketa=14,sengketa_lapangan=60"),
            open311_api_keys=tuple(k.strip() for k in env.get("OPEN311_API_KEYS", "").split(",") if k.strip()),
            public_report_rate_limit=env.get("PUBLIC_REPORT_RATE_LIMIT", "5 per hour; 20 per day"),
            ticket_lookup_rate_limit=env.get("TICKET_LOOKUP_RATE_LIMIT", "30 per minute; 300 per day"),
            complaint_photo_max_bytes=_number(env, "COMPLAINT_PHOTO_MAX_BYTES", str(5 * 1024 * 1024), int),
            alert_poll_s=_positive(env, "ALERT_POLL_S", "5"),
            camera_offline_after_s=_positive(env, "CAMERA_OFFLINE_AFTER_S", "30"),
            camera_thumbnail_s=_at_least(_number(env, "CAMERA_THUMBNAIL_S", "5", float), 0.2, "CAMERA_THUMBNAIL_S"),
            db_pool_size=_at_least(_number(env, "DB_POOL_SIZE", "16", int), 1, "DB_POOL_SIZE"),
            coverage_cache_mb=_at_least(_number(env, "COVERAGE_CACHE_MB", "512", int), 0, "COVERAGE_CACHE_MB"),
            flood_api_key=env.get("FLOOD_API_KEY", ""),
            admin_username=env.get("ADMIN_USERNAME") or None,
            admin_password=env.get("ADMIN_PASSWORD") or None,
        )

    def session_secret(self) -> str:
        """The key that signs sessions, CSRF tokens and background-job handles: SECRET_KEY, or in demo
        mode without one a random key made once for the instance folder (file `secret_key`, readable
        by its owner only), so every worker and restart of this instance shares it and no other
        instance knows it."""
        if self.secret_key:
            return self.secret_key
        path = self.instance_dir / SECRET_KEY_FILE
        if not path.exists():
            self.instance_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f"{SECRET_KEY_FILE}.{os.getpid()}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)  # whole or not at all; the first of several starting workers wins
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()

    def camera_settings(self) -> CameraSettings:
        return CameraSettings(media_root=self.media_dir, snapshot_dir=self.instance_dir / "snapshots",
                              thumbnail_period_s=self.camera_thumbnail_s,
                              address_policy=AddressPolicy.parse(self.camera_networks),
                              offline_after_s=self.camera_offline_after_s)

    def complaint_rules(self) -> DeadlineRules:
        """The deadline rules of the complaints desk; ValueError naming the setting when it is malformed."""
        if not self.complaint_response_days.strip().isdigit():
            raise ValueError(f"COMPLAINT_RESPONSE_DAYS must be a whole number of working days, not {self.complaint_response_days!r}")
        try:
            return DeadlineRules.parse(self.complaint_response_days, self.complaint_completion_days)
        except ValueError as error:
            raise ValueError(f"COMPLAINT_COMPLETION_DAYS: {error}") from None

    def cache_config(self) -> dict:
        """flask-caching configuration: Redis when REDIS_URL is set, else in-process."""
        if self.redis_url:
            # store.cache.FallbackCache: Redis, or this process's own cache while Redis cannot be reached
            return {"CACHE_TYPE": "store.cache.FallbackCache", "CACHE_REDIS_URL": self.redis_url, "CACHE_KEY_PREFIX": self.cache_key_prefix,
                    "CACHE_DEFAULT_TIMEOUT": 300, "CACHE_THRESHOLD": 2000,
                    "CACHE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5}}
        return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300, "CACHE_THRESHOLD": 2000}


def _secret_key(value: str, production: bool) -> str | None:
    """SECRET_KEY as given, checked: never the public default, never short; production needs one."""
    if not value:
        if production:
            raise SettingsError(f"APP_MODE=production needs a SECRET_KEY of its own (at least {MIN_SECRET_KEY_LENGTH} "
                                "random characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)")
        return None
    if value == DEFAULT_SECRET_KEY:
        raise SettingsError("SECRET_KEY is the public demo value: set a random one of your own")
    if len(value) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(f"SECRET_KEY is too short: at least {MIN_SECRET_KEY_LENGTH} random characters")
    return value


def _camera_networks(value: str | None) -> tuple[str, ...]:
    """CAMERA_NETWORKS: CIDRs separated by commas or spaces; empty for none."""
    if value is None:
        return DEFAULT_CAMERA_NETWORKS
    networks = tuple(part for part in value.replace(",", " ").split() if part)
    try:
        AddressPolicy.parse(networks)
    except ValueError as error:
        raise SettingsError(f"CAMERA_NETWORKS: {error} (give networks such as 10.20.0.0/16, separated by commas)") from None
    return networks


def _database_url(value: str) -> str:
    """DATABASE_URL, checked to be a URL SQLAlchemy reads (whether the database answers is seen at start)."""
    try:
        make_url(value)
    except ArgumentError:
        raise SettingsError("DATABASE_URL is not a database URL this app can use; examples: "
                            "postgresql://user@host/ambon, sqlite:////srv/ambon/ambon.db") from None
    return value


def _number(env, name: str, default: str, kind: type):
    """A numeric setting; SettingsError naming it when it is not a number of that kind."""
    value = env.get(name, default)
    try:
        return kind(value)
    except ValueError:
        raise SettingsError(f"{name} must be {'a whole number' if kind is int else 'a number'}, not {value!r}") from None


def _at_least(value, low, name: str):
    """A numeric setting that must not be below `low`; SettingsError naming it otherwise."""
    if not value >= low:
        raise SettingsError(f"{name} must be at least {low}, not {value}")
    return value
