"""Follow-up cases of the revenue office: one per flag, worked by an officer until paid or unfounded.

A flag of tax.flags becomes a case the first time it is seen (keyed by business, kind and period);
while the case is open its figures follow the latest flag. Amounts whole rupiah, times naive UTC.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, func, or_, select, update

from store.models import Business
from tax.flags import FLAG_KINDS
from tax.models import TaxCase
from tax.store import upsert_statement

CASE_STATUSES = ("new", "visited", "warning_sent", "paid", "unfounded")
OPEN_STATUSES = ("new", "visited", "warning_sent")
"""A case in one of these still needs work; "paid" and "unfounded" close it."""
FOLLOW_UP_DAYS = 14
"""A new case is due this many days after it is opened."""
CASE_COLUMNS = ["id", "business_id", "kind", "period", "month", "status", "officer", "notes", "due_on", "at_stake_idr", "score",
                "facts", "opened_at", "updated_at", "updated_by", "name", "tax_id", "address", "category", "kecamatan_code", "lon", "lat"]


def sync_cases(engine: Engine, flags: pd.DataFrame, now: datetime) -> int:
    """Open a case for every flag that has none yet; refresh the figures of open cases. Returns
    how many cases were opened."""
    if flags.empty:
        return 0
    records = [{"business_id": int(f.business_id), "kind": f.kind, "period": f.period, "month": f.month, "status": "new",
                "notes": "", "due_on": (now + timedelta(days=FOLLOW_UP_DAYS)).date(), "at_stake_idr": int(f.at_stake_idr),
                "score": int(f.score), "facts": f.facts, "opened_at": now, "updated_at": now}
               for f in flags.sort_values(["business_id", "kind", "period"]).itertuples()]
    with engine.begin() as conn:
        upsert = upsert_statement(conn)(TaxCase)
        before = conn.execute(select(func.count()).select_from(TaxCase)).scalar_one()
        conn.execute(upsert.on_conflict_do_update(
            index_elements=["business_id", "kind", "period"],
            set_={"at_stake_idr": upsert.excluded.at_stake_idr, "score": upsert.excluded.score, "facts": upsert.excluded.facts},
            # (equalities, not IN: an IN list cannot be bound in an executemany)
            where=or_(*(TaxCase.status == status for status in OPEN_STATUSES))), records)
        return conn.execute(select(func.count()).select_from(TaxCase)).scalar_one() - before


def select_cases():
    """The query of read_cases: cases joined to their business, best score first."""
    return (select(TaxCase.id, TaxCase.business_id, TaxCase.kind, TaxCase.period, TaxCase.month, TaxCase.status, TaxCase.officer,
                   TaxCase.notes, TaxCase.due_on, TaxCase.at_stake_idr, TaxCase.score, TaxCase.facts, TaxCase.opened_at,
                   TaxCase.updated_at, TaxCase.updated_by, Business.name, Business.tax_id, Business.address, Business.category,
                   Business.kecamatan_code, Business.lon, Business.lat)
            .join(Business, Business.id == TaxCase.business_id).order_by(TaxCase.score.desc(), TaxCase.id))


def _read(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(statement).all(), columns=CASE_COLUMNS)


def read_cases(engine: Engine, month: date | None = None, open_only: bool = False, business_id: int | None = None,
               with_open_silent: bool = False) -> pd.DataFrame:
    """Cases with their business (name, NPWPD, address, place), best score first. `month`: the
    cases counting in that month (with `with_open_silent`, also every box silent now, whatever
    month it fell silent in); `open_only`: without paid and unfounded ones."""
    statement = select_cases()
    if month is not None:
        in_month = TaxCase.month == month
        if with_open_silent:
            in_month = in_month | ((TaxCase.kind == "silent") & TaxCase.status.in_(OPEN_STATUSES))
        statement = statement.where(in_month)
    if open_only:
        statement = statement.where(TaxCase.status.in_(OPEN_STATUSES))
    if business_id is not None:
        statement = statement.where(TaxCase.business_id == business_id)
    return _read(engine, statement)


def read_case(engine: Engine, case_id: int) -> dict | None:
    """One case with its business (the columns of read_cases), or None."""
    frame = _read(engine, select_cases().where(TaxCase.id == case_id))
    return frame.iloc[0].to_dict() if len(frame) else None


class CaseError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def update_case(engine: Engine, case_id: int, *, by: str, now: datetime, status: str | None = None, officer: str | None = None,
                notes: str | None = None, due_on: date | None = None) -> None:
    """Change what an officer may change; CaseError("bad_status" / "no_case") otherwise."""
    changes: dict = {"updated_at": now, "updated_by": by}
    if status is not None:
        if status not in CASE_STATUSES:
            raise CaseError("bad_status")
        changes["status"] = status
    if officer is not None:
        changes["officer"] = officer.strip()[:80] or None
    if notes is not None:
        changes["notes"] = notes[:4000]
    if due_on is not None:
        changes["due_on"] = due_on
    with engine.begin() as conn:
        if conn.execute(update(TaxCase).where(TaxCase.id == case_id).values(**changes)).rowcount == 0:
            raise CaseError("no_case")


def worst_open_flags(engine: Engine) -> dict[int, str]:
    """Business id -> the worst kind (tax.flags.FLAG_KINDS order) among its open cases."""
    with engine.connect() as conn:
        rows = conn.execute(select(TaxCase.business_id, TaxCase.kind).where(TaxCase.status.in_(OPEN_STATUSES)).distinct()).all()
    worst: dict[int, str] = {}
    for business_id, kind in sorted(rows, key=lambda r: FLAG_KINDS.index(r[1])):
        worst.setdefault(business_id, kind)
    return worst
