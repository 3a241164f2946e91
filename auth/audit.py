"""The append-only audit log: who did what, when, from where. `record` inserts; `search` reads.
There is no update or delete here, nor anywhere else in the app.

Actions in use: login.ok, login.failed, logout, live.open, live.close (detail: duration_s),
snapshot.take, snapshot.read, export.<what>, import.<what>, camera.create/update/delete,
user.create/update/reset_password; restaurant tax: tax.map, tax.list (a month's follow-up list),
tax.view (one business's figures), tax.case.update, export.tax_cases, import.tax_returns,
import.tax_transactions.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, or_, select

from auth.models import AuditEvent

SEARCH_LIMIT = 500


def _storable(value):
    """`value` without NUL characters (PostgreSQL text cannot hold them; what someone typed with one
    must still be recorded), in lists and dicts too."""
    if isinstance(value, str):
        return value.replace("\x00", "\N{SYMBOL FOR NULL}")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


def record(engine: Engine, action: str, *, username: str | None, target: str | None = None,
           detail: dict | None = None, ip: str | None = None, time: datetime | None = None) -> None:
    """Append one event (times are naive UTC)."""
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(
            time=time or datetime.utcnow(), username=_storable(username)[:64] if username else None, action=action,
            target=None if target is None else _storable(str(target))[:200], detail=_storable(detail or {}), ip=ip))


def search(engine: Engine, *, username: str | None = None, action: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = SEARCH_LIMIT, action_words: list[set[str]] | None = None) -> list[dict]:
    """Events newest first; `until` is exclusive. `action` matches a whole action or a family ("live"
    finds live.open and live.close). `action_words` (each a set of alternatives, all sets must
    match) matches actions one of whose segments begins with the word ("import" finds data.import
    and import.complaints, "login" login.ok and login.failed)."""
    query = select(AuditEvent.__table__).order_by(AuditEvent.time.desc(), AuditEvent.id.desc()).limit(limit)
    username, action = _storable(username), _storable(action)
    if username:
        query = query.where(AuditEvent.username == username)
    if action:
        query = query.where((AuditEvent.action == action) | AuditEvent.action.startswith(action + ".", autoescape=True))
    for alternatives in filter(None, action_words or ()):
        query = query.where(or_(*(AuditEvent.action.startswith(word, autoescape=True) | AuditEvent.action.contains("." + word, autoescape=True)
                                  for word in sorted(_storable(w) for w in alternatives if _storable(w)))))
    if since is not None:
        query = query.where(AuditEvent.time >= since)
    if until is not None:
        query = query.where(AuditEvent.time < until)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
