"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): services, service definitions and
service requests as the spec names their fields, in JSON or XML. No personal data ever goes out:
no reporter name, phone, e-mail or photo.

A service is a complaint category; a service request is a complaint, its id the ticket number.
Times are W3C datetimes in Ambon local time (WIT, +09:00).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pandas as pd
from lxml import etree
from sqlalchemy import Engine, func, or_, select

from complaints import lifecycle
from complaints.models import ComplaintEvent
from store.models import Complaint
from store.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_CATEGORY_AGENCY

WIT = timezone(timedelta(hours=9))
MAX_REQUESTS = 1000
"""Most requests one GET /requests answers (the spec lets the server choose)."""
DEFAULT_DAYS = 90
"""Without start_date, GET /requests covers the last 90 days (as the spec suggests)."""
CLOSED_STATES = frozenset({lifecycle.CLOSED, lifecycle.REJECTED, lifecycle.RESOLVED})
"""States reported as Open311 status "closed"; every other is "open"."""
REQUEST_FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                  "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url")


class Open311Error(ValueError):
    """An Open311 error answer: HTTP `status` and a description."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def w3c(moment: datetime | None) -> str | None:
    """A naive UTC datetime as W3C in WIT, e.g. "2026-11-30T10:15:00+09:00"."""
    if moment is None or pd.isna(moment):
        return None
    return pd.Timestamp(moment).to_pydatetime().replace(tzinfo=timezone.utc).astimezone(WIT).isoformat(timespec="seconds")


def parse_w3c(text: str) -> datetime:
    """A W3C datetime (with or without zone; none means WIT) as naive UTC; Open311Error(400) when unreadable."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"not a W3C datetime: {text[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIT)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def services(names: dict[str, str], descriptions: dict[str, str]) -> list[dict]:
    """The service list: one per complaint category, named in the caller's language."""
    return [{"service_code": code, "service_name": names[code], "description": descriptions.get(code, names[code]), "metadata": False,
             "type": "realtime", "keywords": code.replace("_", " "), "group": COMPLAINT_CATEGORY_AGENCY[code]} for code in COMPLAINT_CATEGORIES]


def service_definition(code: str) -> dict:
    """A service's definition: no extra attributes are asked for (metadata is false for every service)."""
    if code not in COMPLAINT_CATEGORIES:
        raise Open311Error(404, f"no service {code[:40]!r}")
    return {"service_code": code, "attributes": []}


def read_requests(engine: Engine, *, ids: Sequence[str] = (), service_codes: Sequence[str] = (), start: datetime | None = None,
                  end: datetime | None = None, status: str | None = None, now: datetime | None = None,
                  names: dict[str, str] | None = None) -> list[dict]:
    """Service requests matching the GET /requests filters (newest first, at most MAX_REQUESTS).
    With `ids` the date window does not apply. Merged duplicates answer with their main complaint's state."""
    now = now or datetime.utcnow()
    names = names or {}
    conditions = []
    if ids:
        conditions.append(Complaint.ticket.in_(list(ids)[:MAX_REQUESTS]))
    else:
        conditions.append(Complaint.created_at >= (start or (end or now) - timedelta(days=DEFAULT_DAYS)))
        if end is not None:
            conditions.append(Complaint.created_at <= end)
    if service_codes:
        conditions.append(Complaint.category.in_(list(service_codes)))
    if status == "open":
        conditions.append(Complaint.status.not_in(CLOSED_STATES))
    elif status == "closed":
        conditions.append(Complaint.status.in_(CLOSED_STATES))
    elif status not in (None, ""):
        raise Open311Error(400, "status must be open or closed")
    columns = (Complaint.id, Complaint.ticket, Complaint.status, Complaint.category, Complaint.description, Complaint.agency,
               Complaint.created_at, Complaint.updated_at, Complaint.due_at, Complaint.location_text, Complaint.lat, Complaint.lon,
               Complaint.merged_into_id)
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(*conditions).order_by(Complaint.created_at.desc()).limit(MAX_REQUESTS)).mappings().all()
        main_ids = {r["merged_into_id"] for r in rows if r["merged_into_id"]}
        mains = {m["id"]: m for m in conn.execute(select(*columns).where(Complaint.id.in_(main_ids))).mappings()} if main_ids else {}
        followed = [mains.get(r["merged_into_id"], r) for r in rows]
        notes = _latest_public_notes(conn, {r["id"] for r in followed})
    return [_request(row, main, notes.get(main["id"]), names) for row, main in zip(rows, followed)]


def _latest_public_notes(conn, complaint_ids: set[int]) -> dict[int, str]:
    if not complaint_ids:
        return {}
    latest = (select(ComplaintEvent.complaint_id, func.max(ComplaintEvent.id).label("id"))
              .where(ComplaintEvent.complaint_id.in_(complaint_ids), ComplaintEvent.public, ComplaintEvent.note.is_not(None),
                     or_(ComplaintEvent.action.not_in(("merge", "merged"))))
              .group_by(ComplaintEvent.complaint_id).subquery())
    return dict(conn.execute(select(ComplaintEvent.complaint_id, ComplaintEvent.note).join(latest, latest.c.id == ComplaintEvent.id)).all())


def _request(row, main, status_note: str | None, names: dict[str, str]) -> dict:
    return {
        "service_request_id": row["ticket"],
        "status": "closed" if main["status"] in CLOSED_STATES else "open",
        "status_notes": status_note,
        "service_name": names.get(row["category"], row["category"]),
        "service_code": row["category"],
        "description": row["description"],
        "agency_responsible": main["agency"],
        "service_notice": None,
        "requested_datetime": w3c(row["created_at"]),
        "updated_datetime": w3c(main["updated_at"] or main["created_at"]),
        "expected_datetime": w3c(main["due_at"]),
        "address": row["location_text"],
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": None,
    }


def to_xml(root: str, item: str, records: list[dict]) -> bytes:
    """Records as the spec's XML: <root><item><field>value</field>…</item>…</root> (None as an empty element)."""
    top = etree.Element(root)
    for record in records:
        element = etree.SubElement(top, item)
        for key, value in record.items():
            etree.SubElement(element, key).text = _xml_text(value)
    return etree.tostring(top, xml_declaration=True, encoding="utf-8")


def definition_xml(definition: dict) -> bytes:
    """A service definition as the spec's XML (attributes with their values, when a service has any)."""
    top = etree.Element("service_definition")
    etree.SubElement(top, "service_code").text = definition["service_code"]
    attributes = etree.SubElement(top, "attributes")
    for attribute in definition["attributes"]:
        element = etree.SubElement(attributes, "attribute")
        for key, value in attribute.items():
            if key == "values":
                values = etree.SubElement(element, "values")
                for entry in value:
                    item = etree.SubElement(values, "value")
                    for k, v in entry.items():
                        etree.SubElement(item, k).text = _xml_text(v)
            else:
                etree.SubElement(element, key).text = _xml_text(value)
    return etree.tostring(top, xml_declaration=True, encoding="utf-8")


def _xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
