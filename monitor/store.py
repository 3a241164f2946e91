"""The monitor's records: services, checks, incidents opening and closing, notes, maintenance,
webhooks, daily roll-ups, and the status board read from them. Plain SQLAlchemy, no web framework.

Times naive UTC; response times ms; intervals and timeouts s; uptime fractions 0..1.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, func, select

from .checks import CheckResult, split_host_port
from .models import KINDS, DailyRollup, Incident, IncidentNote, Maintenance, MonitoredService, ServiceCheck, Webhook
from .uptime import window_uptime

RAW_DAYS = 8
"""Days of single checks kept; older ones are summed into `DailyRollup` rows and deleted."""
UPTIME_WINDOWS = (("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), ("30d", timedelta(days=30)), ("90d", timedelta(days=90)))
BAR_DAYS = 90
MIN_INTERVAL_S, MAX_INTERVAL_S = 10, 86400
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 1.0, 60.0


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


@dataclass(frozen=True)
class ServiceSpec:
    """What the runner needs to check a service."""

    id: int
    name: str
    kind: str
    target: str
    keyword: str | None
    interval_s: int
    timeout_s: float
    failures_before_down: int


def service_specs(engine: Engine) -> list[ServiceSpec]:
    """Every enabled service, as the runner checks it."""
    with engine.connect() as conn:
        rows = conn.execute(select(MonitoredService).where(MonitoredService.enabled.is_(True)).order_by(MonitoredService.id)).all()
    return [ServiceSpec(r.id, r.name, r.kind, r.target, r.keyword, r.interval_s, r.timeout_s, r.failures_before_down) for r in rows]


class ServiceInvalid(ValueError):
    """A service form that cannot be saved: `field` and a `code` the UI words (i18n "mon.invalid.<code>")."""

    def __init__(self, field_name: str, code: str):
        super().__init__(f"{field_name}: {code}")
        self.field, self.code = field_name, code


def validate_service(fields: dict) -> dict:
    """The service columns from a form's `fields` (name, kind, target, link, keyword, interval_s,
    timeout_s, failures_before_down, public, ...), checked; ServiceInvalid on the first problem.
    Whether the monitor may reach the target is judged again at each check (monitor.safety)."""
    name = (fields.get("name") or "").strip()
    if not name or len(name) > 120:
        raise ServiceInvalid("name", "name")
    kind = fields.get("kind") or "http"
    if kind not in KINDS:
        raise ServiceInvalid("kind", "kind")
    target = (fields.get("target") or "").strip()
    if not target or len(target) > 500:
        raise ServiceInvalid("target", "target")
    if kind == "http" and not target.startswith("demo:"):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServiceInvalid("target", "url")
    elif kind == "tcp":
        try:
            split_host_port(target)
        except ValueError:
            raise ServiceInvalid("target", "host_port") from None
    elif kind == "dns" and ("/" in target or ":" in target or " " in target):
        raise ServiceInvalid("target", "host_name")
    link = (fields.get("link") or "").strip() or None
    if link and urlsplit(link).scheme not in ("http", "https"):
        raise ServiceInvalid("link", "url")
    try:
        interval_s = int(fields.get("interval_s") or 60)
        timeout_s = float(fields.get("timeout_s") or 10)
        failures = int(fields.get("failures_before_down") or 3)
    except (TypeError, ValueError):
        raise ServiceInvalid("interval_s", "number") from None
    if not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
        raise ServiceInvalid("interval_s", "interval")
    if not MIN_TIMEOUT_S <= timeout_s <= min(MAX_TIMEOUT_S, interval_s):
        raise ServiceInvalid("timeout_s", "timeout")
    if not 1 <= failures <= 20:
        raise ServiceInvalid("failures_before_down", "failures")
    columns = {"name": name, "kind": kind, "target": target, "link": link, "interval_s": interval_s,
               "timeout_s": timeout_s, "failures_before_down": failures, "public": bool(fields.get("public", True)),
               "enabled": bool(fields.get("enabled", True)), "keyword": (fields.get("keyword") or "").strip() or None}
    for text_field in ("purpose_id", "purpose_en", "audience_id", "audience_en", "steps_id", "steps_en", "contact"):
        if text_field in fields:
            columns[text_field] = (fields.get(text_field) or "").strip() or None
    return columns


def save_service(engine: Engine, fields: dict, service_id: int | None = None) -> int:
    """Create (service_id None) or update a service from form `fields`; its id. ServiceInvalid when
    a field is wrong or the name is taken."""
    columns = validate_service(fields)
    with engine.begin() as conn:
        clash = conn.scalar(select(MonitoredService.id).where(MonitoredService.name == columns["name"]))
        if clash is not None and clash != service_id:
            raise ServiceInvalid("name", "name_taken")
        if service_id is None:
            return conn.execute(MonitoredService.__table__.insert().values(created_at=utcnow(), **columns)).inserted_primary_key[0]
        conn.execute(MonitoredService.__table__.update().where(MonitoredService.id == service_id).values(**columns))
        return service_id


def list_services(engine: Engine, public_only: bool = False) -> list[dict]:
    """Every service row as a dict (the directory and the admin table)."""
    query = select(MonitoredService.__table__).order_by(MonitoredService.name)
    if public_only:
        query = query.where(MonitoredService.public.is_(True), MonitoredService.enabled.is_(True))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


# ---------------------------------------------------------------- checks and incidents

@dataclass(frozen=True)
class Event:
    """A service went "down" (an incident opened) or came back "up" (it closed, after `duration_s`)."""

    kind: str
    service_id: int
    service_name: str
    incident_id: int
    at: datetime
    reason: str
    detail: str | None = None
    duration_s: float | None = None
    in_maintenance: bool = False


@dataclass
class _ServiceState:
    failures: int = 0
    first_failure_at: datetime | None = None
    incident_id: int | None = None


@dataclass
class Recorder:
    """Stores checks and turns runs of failures into incidents. One per monitor process (the lease
    holder); its memory of consecutive failures starts from the store's open incidents."""

    engine: Engine
    states: dict[int, _ServiceState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        with self.engine.connect() as conn:
            for incident_id, service_id in conn.execute(select(Incident.id, Incident.service_id).where(Incident.ended_at.is_(None))):
                self.states[service_id] = _ServiceState(incident_id=incident_id)

    def record(self, batch: list[tuple[ServiceSpec, datetime, CheckResult]]) -> list[Event]:
        """Store every check of `batch` in one transaction; open and close incidents; the events."""
        if not batch:
            return []
        events: list[Event] = []
        with self.engine.begin() as conn:
            conn.execute(ServiceCheck.__table__.insert(), [
                {"service_id": spec.id, "checked_at": at, "ok": result.ok, "reason": result.reason, "http_status": result.http_status,
                 "response_ms": result.response_ms, "cert_days_left": result.cert_days_left,
                 "detail": (result.detail or None) and result.detail[:300]}
                for spec, at, result in batch])
            for spec, at, result in batch:
                state = self.states.setdefault(spec.id, _ServiceState())
                if result.ok:
                    state.failures, state.first_failure_at = 0, None
                    if state.incident_id is not None:
                        started = conn.scalar(select(Incident.started_at).where(Incident.id == state.incident_id))
                        conn.execute(Incident.__table__.update().where(Incident.id == state.incident_id).values(ended_at=at))
                        events.append(Event("up", spec.id, spec.name, state.incident_id, at, result.reason,
                                            duration_s=(at - started).total_seconds() if started else None,
                                            in_maintenance=_in_maintenance(conn, spec.id, at)))
                        state.incident_id = None
                    continue
                state.failures += 1
                state.first_failure_at = state.first_failure_at or at
                if state.incident_id is None and state.failures >= spec.failures_before_down:
                    state.incident_id = conn.execute(Incident.__table__.insert().values(
                        service_id=spec.id, started_at=state.first_failure_at, reason=result.reason,
                        detail=result.detail and result.detail[:300])).inserted_primary_key[0]
                    events.append(Event("down", spec.id, spec.name, state.incident_id, state.first_failure_at, result.reason,
                                        result.detail, in_maintenance=_in_maintenance(conn, spec.id, at)))
        return events


def _in_maintenance(conn, service_id: int, at: datetime) -> bool:
    return conn.scalar(select(func.count()).select_from(Maintenance).where(
        Maintenance.service_id == service_id, Maintenance.starts_at <= at, Maintenance.ends_at > at)) > 0


def open_incidents(engine: Engine, public_only: bool = False) -> list[dict]:
    """The incidents open now, longest first: incident_id, service_id, service_name, started_at
    (naive UTC), reason, detail, public. The in-app banner and the alert centre read this."""
    query = (select(Incident.id.label("incident_id"), Incident.service_id, MonitoredService.name.label("service_name"),
                    Incident.started_at, Incident.reason, Incident.detail, MonitoredService.public)
             .join(MonitoredService, MonitoredService.id == Incident.service_id)
             .where(Incident.ended_at.is_(None)).order_by(Incident.started_at))
    if public_only:
        query = query.where(MonitoredService.public.is_(True))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def incidents(engine: Engine, since: datetime, service_id: int | None = None) -> list[dict]:
    """Incidents open at or after `since`, newest first, each with its notes (oldest first) and
    `duration_s` (None while open)."""
    query = (select(Incident.__table__, MonitoredService.name.label("service_name"), MonitoredService.public)
             .join(MonitoredService, MonitoredService.id == Incident.service_id)
             .where((Incident.ended_at.is_(None)) | (Incident.ended_at >= since)).order_by(Incident.started_at.desc()))
    if service_id is not None:
        query = query.where(Incident.service_id == service_id)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        notes = defaultdict(list)
        if rows:
            for note in conn.execute(select(IncidentNote.__table__).where(IncidentNote.incident_id.in_([r["id"] for r in rows]))
                                     .order_by(IncidentNote.written_at, IncidentNote.id)):
                notes[note.incident_id].append(dict(note._mapping))
    for row in rows:
        row["notes"] = notes[row["id"]]
        row["duration_s"] = (row["ended_at"] - row["started_at"]).total_seconds() if row["ended_at"] else None
    return rows


def add_note(engine: Engine, incident_id: int, author: str, text: str, public: bool = True, at: datetime | None = None) -> int:
    """Add an operator's note to an incident; ValueError for an empty note or unknown incident."""
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise ValueError("note")
    with engine.begin() as conn:
        if conn.scalar(select(Incident.id).where(Incident.id == incident_id)) is None:
            raise ValueError("incident")
        return conn.execute(IncidentNote.__table__.insert().values(
            incident_id=incident_id, written_at=at or utcnow(), author=author, text=text, public=public)).inserted_primary_key[0]


def plan_maintenance(engine: Engine, service_id: int, starts_at: datetime, ends_at: datetime, note: str | None = None,
                     author: str | None = None) -> int:
    """Plan a maintenance window [starts_at, ends_at) of a service; ValueError when it ends before
    it starts, lasts over 7 days or the service is unknown."""
    if ends_at <= starts_at or ends_at - starts_at > timedelta(days=7):
        raise ValueError("window")
    with engine.begin() as conn:
        if conn.scalar(select(MonitoredService.id).where(MonitoredService.id == service_id)) is None:
            raise ValueError("service")
        return conn.execute(Maintenance.__table__.insert().values(
            service_id=service_id, starts_at=starts_at, ends_at=ends_at, note=(note or "").strip()[:300] or None,
            author=author)).inserted_primary_key[0]


def maintenance(engine: Engine, since: datetime, until: datetime | None = None) -> list[dict]:
    """Maintenance windows ending after `since` (and starting before `until`), soonest first, with service_name."""
    query = (select(Maintenance.__table__, MonitoredService.name.label("service_name"), MonitoredService.public)
             .join(MonitoredService, MonitoredService.id == Maintenance.service_id)
             .where(Maintenance.ends_at > since).order_by(Maintenance.starts_at))
    if until is not None:
        query = query.where(Maintenance.starts_at < until)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def webhook_urls(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Webhook.url).where(Webhook.enabled.is_(True)).order_by(Webhook.id)))


def add_webhook(engine: Engine, url: str) -> int:
    """Add a webhook URL (http or https); ValueError otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise ValueError("url")
    with engine.begin() as conn:
        return conn.execute(Webhook.__table__.insert().values(url=url, enabled=True)).inserted_primary_key[0]


def remove_webhook(engine: Engine, webhook_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(Webhook).where(Webhook.id == webhook_id))


# ---------------------------------------------------------------- roll-ups

def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def rollup_day(engine: Engine, day: date) -> int:
    """Sum the checks of UTC `day` per service into `DailyRollup` rows (replacing that day's);
    downtime and watched time from incidents and maintenance. The number of rows written."""
    lo = datetime.combine(day, datetime.min.time())
    hi = lo + timedelta(days=1)
    with engine.begin() as conn:
        services = {r.id: r.created_at for r in conn.execute(select(MonitoredService.id, MonitoredService.created_at))}
        checks = defaultdict(list)
        for service_id, ok, response_ms in conn.execute(select(ServiceCheck.service_id, ServiceCheck.ok, ServiceCheck.response_ms)
                                                        .where(ServiceCheck.checked_at >= lo, ServiceCheck.checked_at < hi)):
            checks[service_id].append((ok, response_ms))
        downs, holds = _intervals(conn, lo, hi, hi)
        conn.execute(delete(DailyRollup).where(DailyRollup.day == day))
        rows = []
        for service_id, created_at in services.items():
            if created_at and created_at >= hi:
                continue
            done = checks.get(service_id, [])
            times = [ms for ok, ms in done if ok and ms is not None]
            _, down_s, watched_s = window_uptime(downs[service_id], holds[service_id], (lo, hi), created_at)
            rows.append({"service_id": service_id, "day": day, "checks": len(done), "failed": sum(1 for ok, _ in done if not ok),
                         "mean_ms": round(sum(times) / len(times), 1) if times else None, "p95_ms": _p95(times),
                         "downtime_s": down_s, "monitored_s": watched_s})
        if rows:
            conn.execute(DailyRollup.__table__.insert(), rows)
    return len(rows)


def missing_rollup_days(engine: Engine, first: date, last: date) -> list[date]:
    """The days from `first` to `last` (inclusive) that have single checks but no roll-up yet."""
    lo, hi = datetime.combine(first, datetime.min.time()), datetime.combine(last + timedelta(days=1), datetime.min.time())
    with engine.connect() as conn:
        done = set(conn.scalars(select(DailyRollup.day).where(DailyRollup.day >= first, DailyRollup.day <= last).distinct()))
        checked = conn.scalars(select(ServiceCheck.checked_at).where(ServiceCheck.checked_at >= lo, ServiceCheck.checked_at < hi)
                               .order_by(ServiceCheck.checked_at).limit(1))
        if checked.first() is None:
            return []
    return [first + timedelta(days=i) for i in range((last - first).days + 1) if first + timedelta(days=i) not in done]


def prune_checks(engine: Engine, now: datetime | None = None) -> int:
    """Delete single checks older than RAW_DAYS (their days are in the roll-ups); how many."""
    before = (now or utcnow()) - timedelta(days=RAW_DAYS)
    with engine.begin() as conn:
        return conn.execute(delete(ServiceCheck).where(ServiceCheck.checked_at < before)).rowcount


def _intervals(conn, lo: datetime, hi: datetime, now: datetime):
    """Incident and maintenance intervals per service overlapping [lo, hi); open incidents end `now`."""
    downs, holds = defaultdict(list), defaultdict(list)
    for service_id, start, end in conn.execute(select(Incident.service_id, Incident.started_at, Incident.ended_at)
                                               .where(Incident.started_at < hi, (Incident.ended_at.is_(None)) | (Incident.ended_at > lo))):
        downs[service_id].append((start, end or now))
    for service_id, start, end in conn.execute(select(Maintenance.service_id, Maintenance.starts_at, Maintenance.ends_at)
                                               .where(Maintenance.starts_at < hi, Maintenance.ends_at > lo)):
        holds[service_id].append((start, end))
    return downs, holds


# ---------------------------------------------------------------- the status board

def _latest_checks(conn, service_ids: list[int]) -> dict[int, dict]:
    """Each service's newest check: one index lookup per service (service_id, checked_at), not a
    scan of the week of checks a GROUP BY would read."""
    latest = {}
    for service_id in service_ids:
        row = conn.execute(select(ServiceCheck.__table__).where(ServiceCheck.service_id == service_id)
                           .order_by(ServiceCheck.checked_at.desc()).limit(1)).first()
        if row is not None:
            latest[service_id] = dict(row._mapping)
    return latest


def service_status(engine: Engine, now: datetime | None = None, public_only: bool = True) -> list[dict]:
    """Each service's state now: "up", "degraded" (slow or certificate expiring), "down" (an open
    incident), "maintenance" or "unknown" (not checked yet), with its last check."""
    now = now or utcnow()
    services = list_services(engine, public_only)
    with engine.connect() as conn:
        last = _latest_checks(conn, [s["id"] for s in services])
        open_ids = set(conn.scalars(select(Incident.service_id).where(Incident.ended_at.is_(None))))
        held = set(conn.scalars(select(Maintenance.service_id).where(Maintenance.starts_at <= now, Maintenance.ends_at > now)))
    for service in services:
        check = last.get(service["id"])
        service["last_check"] = check
        if service["id"] in held:
            service["state"] = "maintenance"
        elif service["id"] in open_ids:
            service["state"] = "down"
        elif check is None:
            service["state"] = "unknown"
        elif not check["ok"]:
            service["state"] = "failing"  # failed, but not yet often enough to count as down
        else:
            service["state"] = "up" if check["reason"] == "ok" else "degraded"
    return services


def status_board(engine: Engine, now: datetime | None = None, public_only: bool = True) -> dict:
    """What the status page shows: services (state now, `uptime` per window over the time watched in
    it, None when nothing was, with `watched_s` the seconds watched per window; `bars`: BAR_DAYS daily
    uptimes oldest first, None for days not watched, `bars_watched_s` likewise, `response_hourly`: 24 (hour start, mean ms)),
    open and recent incidents with their public notes, and maintenance planned from now on."""
    now = now or utcnow()
    services = service_status(engine, now, public_only)
    ids = [s["id"] for s in services]
    today = datetime.combine(now.date(), datetime.min.time())
    first_day = today - timedelta(days=BAR_DAYS - 1)
    with engine.connect() as conn:
        downs, holds = _intervals(conn, min(first_day, now - timedelta(days=90)), now, now)
        since = now - timedelta(hours=24)
        hourly = defaultdict(lambda: defaultdict(list))
        if ids:
            for service_id, at, ms in conn.execute(select(ServiceCheck.service_id, ServiceCheck.checked_at, ServiceCheck.response_ms)
                                                   .where(ServiceCheck.service_id.in_(ids), ServiceCheck.checked_at >= since,
                                                          ServiceCheck.ok.is_(True), ServiceCheck.response_ms.is_not(None))):
                hourly[service_id][at.replace(minute=0, second=0, microsecond=0)].append(ms)
    for service in services:
        sid, created = service["id"], service["created_at"]
        windows = {name: window_uptime(downs[sid], holds[sid], (now - span, now), created) for name, span in UPTIME_WINDOWS}
        service["uptime"] = {name: found[0] for name, found in windows.items()}
        service["watched_s"] = {name: found[2] for name, found in windows.items()}
        days = [window_uptime(downs[sid], holds[sid], (first_day + timedelta(days=i), min(now, first_day + timedelta(days=i + 1))), created)
                for i in range(BAR_DAYS)]
        service["bars"] = [found[0] for found in days]
        service["bars_watched_s"] = [found[2] for found in days]
        hours = hourly[sid]
        service["response_hourly"] = [(h, round(sum(v) / len(v), 1)) for h, v in sorted(hours.items())]
    recent = [i for i in incidents(engine, now - timedelta(days=7)) if not public_only or i["public"]]
    for incident in recent:
        if public_only:
            incident["notes"] = [n for n in incident["notes"] if n["public"]]
    planned = [m for m in maintenance(engine, now) if not public_only or m["public"]]
    return {"generated_at": now, "services": services, "incidents": recent, "maintenance": planned, "bar_start": first_day.date()}


def webhook_rows(engine: Engine) -> list[dict]:
    """Every webhook (id, url, enabled), for the admin page."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(Webhook.__table__).order_by(Webhook.id))]


def incident_alerts(engine: Engine) -> list[dict]:
    """Open incidents as alert-centre records: kind "service_down", key "service:<id>", severity
    "critical", title_key "mon.alert.down" with params {"service": name}, link to the monitor page,
    raised_at (naive UTC) — the source the app's alert centre and banner read."""
    return [{"kind": "service_down", "key": f"service:{row['service_id']}", "severity": "critical",
             "title_key": "mon.alert.down", "params": {"service": row["service_name"]},
             "link": f"/pemantauan#incident-{row['incident_id']}", "raised_at": row["started_at"]}
            for row in open_incidents(engine)]
