"""Complaint filters to and from URL query arguments, validated against the vocabularies.

Nothing from the browser is trusted: unknown values are dropped and reported, dates must parse.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from urllib.parse import urlencode

from store.layers import ComplaintFilter
from store.vocabulary import AGENCIES, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES

KECAMATAN_CODES = ("81.71.01", "81.71.02", "81.71.03", "81.71.04", "81.71.05")

_LIST_FIELDS = {
    "category": ("categories", COMPLAINT_CATEGORIES),
    "status": ("statuses", COMPLAINT_STATUSES),
    "agency": ("agencies", AGENCIES),
    "kecamatan": ("kecamatan_codes", KECAMATAN_CODES),
}


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    return date.fromisoformat(value[:10])


def parse_complaint_filter(args: Mapping[str, Sequence[str]]) -> tuple[ComplaintFilter, list[str]]:
    """A filter from query arguments ({name: [values]}), and the values that were rejected."""
    rejected: list[str] = []
    fields: dict = {}
    for arg, (field_name, allowed) in _LIST_FIELDS.items():
        values = [v for raw in args.get(arg, ()) for v in str(raw).split(",") if v]
        rejected += [v for v in values if v not in allowed]
        fields[field_name] = tuple(sorted({v for v in values if v in allowed}))
    for arg in ("from", "to"):
        raw = next(iter(args.get(arg, ())), None)
        try:
            fields["date_" + arg] = _parse_date(raw)
        except ValueError:
            rejected.append(str(raw))
            fields["date_" + arg] = None
    fields["overdue"] = next(iter(args.get("overdue", ())), "") in ("1", "true")
    return ComplaintFilter(**fields), rejected


def complaint_filter_query(complaint_filter: ComplaintFilter) -> str:
    """The query string that `parse_complaint_filter` turns back into the same filter."""
    pairs = []
    for arg, (field_name, _) in _LIST_FIELDS.items():
        values = getattr(complaint_filter, field_name)
        if values:
            pairs.append((arg, ",".join(values)))
    if complaint_filter.date_from:
        pairs.append(("from", complaint_filter.date_from.isoformat()))
    if complaint_filter.date_to:
        pairs.append(("to", complaint_filter.date_to.isoformat()))
    if complaint_filter.overdue:
        pairs.append(("overdue", "1"))
    return urlencode(pairs)
