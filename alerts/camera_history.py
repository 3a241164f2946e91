"""Each camera's status changes in the store (alerts.models.CameraStatusChange): written by the
cameras.history.HistoryRecorder of the process that runs the readers, read by the health page."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from alerts.models import CameraStatusChange
from cameras.health import OFFLINE

KEEP = timedelta(days=8)


def naive_utc(ts: float) -> datetime:
    """Unix seconds as the store's naive UTC."""
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def unix_seconds(moment: datetime) -> float:
    """The store's naive UTC as unix seconds."""
    return moment.replace(tzinfo=timezone.utc).timestamp()


def last_statuses(engine: Engine) -> dict[int, str]:
    """The last recorded status of every camera that has one."""
    latest = select(CameraStatusChange.camera_id, func.max(CameraStatusChange.at).label("at")).group_by(CameraStatusChange.camera_id).subquery()
    statement = (select(CameraStatusChange.camera_id, CameraStatusChange.status, CameraStatusChange.id)
                 .join(latest, (latest.c.camera_id == CameraStatusChange.camera_id) & (latest.c.at == CameraStatusChange.at))
                 .order_by(CameraStatusChange.id))
    with engine.connect() as conn:
        return {cid: status for cid, status, _ in conn.execute(statement)}


def outage_starts(engine: Engine, camera_ids: list[int]) -> dict[int, float]:
    """Camera id -> when its ongoing outage began (unix seconds), for those of `camera_ids` whose last
    recorded status is offline: the first offline change after its last other one. The health page's
    outages come from the same changes (cameras.history.outages), so both say the same time."""
    if not camera_ids:
        return {}
    last_up = (select(CameraStatusChange.camera_id, func.max(CameraStatusChange.at).label("at"))
               .where(CameraStatusChange.camera_id.in_(camera_ids), CameraStatusChange.status != OFFLINE)
               .group_by(CameraStatusChange.camera_id).subquery())
    statement = (select(CameraStatusChange.camera_id, func.min(CameraStatusChange.at))
                 .outerjoin(last_up, last_up.c.camera_id == CameraStatusChange.camera_id)
                 .where(CameraStatusChange.camera_id.in_(camera_ids), CameraStatusChange.status == OFFLINE,
                        or_(last_up.c.at.is_(None), CameraStatusChange.at > last_up.c.at))
                 .group_by(CameraStatusChange.camera_id))
    with engine.connect() as conn:
        return {cid: unix_seconds(at) for cid, at in conn.execute(statement)}


def record_changes(engine: Engine, changes: list[tuple[int, float, str]], now: datetime | None = None) -> dict[int, str]:
    """Store (camera id, unix time, status) changes (one already stored by another worker is
    skipped), drop those older than KEEP except each camera's last one before that (the status it
    still has: a camera steadily up for longer than KEEP must not lose it), and return the last
    status per camera."""
    for cid, at, status in changes:
        try:
            with engine.begin() as conn:
                conn.execute(CameraStatusChange.__table__.insert().values(camera_id=cid, at=naive_utc(at), status=status))
        except IntegrityError:
            pass
    cutoff = (now or datetime.utcnow()) - KEEP
    earlier = aliased(CameraStatusChange)
    last_before_cutoff = (select(func.max(earlier.at)).where(earlier.camera_id == CameraStatusChange.camera_id, earlier.at < cutoff)
                          .scalar_subquery())
    with engine.begin() as conn:
        conn.execute(delete(CameraStatusChange).where(CameraStatusChange.at < last_before_cutoff))
    return last_statuses(engine)


def read_changes(engine: Engine, since: datetime) -> dict[int, list[tuple[float, str]]]:
    """Camera id -> its (unix time, status) changes from the last one before `since` (naive UTC)
    on, oldest first: enough to say each camera's status over any window starting at `since`."""
    before = (select(CameraStatusChange.camera_id, func.max(CameraStatusChange.at).label("at"))
              .where(CameraStatusChange.at < since).group_by(CameraStatusChange.camera_id).subquery())
    columns = (CameraStatusChange.camera_id, CameraStatusChange.at, CameraStatusChange.status)
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(CameraStatusChange.at >= since)).all()
        rows += conn.execute(select(*columns).join(before, (before.c.camera_id == CameraStatusChange.camera_id)
                                                   & (before.c.at == CameraStatusChange.at))).all()
    history: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for cid, at, status in sorted(rows, key=lambda r: (r[0], r[1])):
        history[cid].append((unix_seconds(at), status))
    return dict(history)
