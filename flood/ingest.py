"""Validation and storage of gauge readings from CSV uploads, the HTTP endpoint and the simulator.

A row names a gauge by code and a time, and carries a water level (`level_cm`, cm above the gauge's
zero), a rain intensity (`rain_mm_h`, mm/h), or both; each value is one measurement, judged on its
own. Every measurement ends in exactly one list of the report: accepted (stored now), merged (the
same value was already stored or sent earlier in the batch: nothing is counted twice) or rejected
with a reason. Late arrivals are accepted in their place in time and flagged `late`; alert levels
are computed from the stored, time-ordered series, so arrival order does not change them.
"""
from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from flood import store
from flood.models import REAL

MAX_FUTURE = timedelta(minutes=10)
"""Readings stamped later than now + this are rejected (a clock or time-zone error)."""
MAX_AGE = timedelta(days=30)
"""Readings older than this are rejected (a replayed archive, or a wrong year)."""
VALUE_FIELDS = {"level": "level_cm", "rain": "rain_mm_h"}
MAX_VALUE = {"level": 2000.0, "rain": 300.0}
"""Above these a value is absurd for Ambon's rivers: 20 m of water, 300 mm of rain in an hour."""
SOURCES = ("csv", "api", "simulator")


@dataclass(frozen=True)
class Outcome:
    """What became of one measurement. `row` counts from 0 in the batch (CSV: data line, header excluded)."""

    row: int
    kind: str
    gauge: str | None
    time: datetime | None
    value: float | None
    late: bool = False
    code: str = ""
    """Why it was merged or rejected, one of REASONS ("" when accepted), with `args` to fill its words."""
    args: dict = field(default_factory=dict)


REASONS = ("not_object", "no_value", "unknown_gauge", "bad_time", "future", "too_old", "not_number", "not_finite", "negative",
           "absurd", "already_stored", "conflicts_stored", "conflicts_batch", "duplicate")
"""Why a measurement can be merged or rejected (its words: i18n `flood.reason.<code>`)."""


class BadValue(ValueError):
    """A measurement value refused for a reason of REASONS."""

    def __init__(self, code: str, **args):
        super().__init__(code)
        self.code, self.args_ = code, args


def _with(outcome: Outcome, code: str = "", late: bool = False, **args) -> Outcome:
    """`outcome` with the reason `code` and its `args`, or accepted when code is empty."""
    return Outcome(outcome.row, outcome.kind, outcome.gauge, outcome.time, outcome.value, late, code, args)


@dataclass
class IngestReport:
    accepted: list[Outcome] = field(default_factory=list)
    merged: list[Outcome] = field(default_factory=list)
    rejected: list[Outcome] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return len(self.accepted)

    @property
    def late_count(self) -> int:
        return sum(o.late for o in self.accepted)

    def to_dict(self, describe: Callable[[str, dict], str]) -> dict:
        """JSON-ready: counts, then every outcome (times as ISO 8601 UTC with "Z"), each with the
        words `describe(code, args)` gives its reason."""

        def plain(outcome: Outcome) -> dict:
            data = asdict(outcome)
            data["time"] = outcome.time.isoformat() + "Z" if outcome.time else None
            data["reason"] = describe(outcome.code, outcome.args)
            return data

        return {
            "accepted": len(self.accepted),
            "late": self.late_count,
            "merged": len(self.merged),
            "rejected": len(self.rejected),
            "rows": {
                "accepted": [plain(o) for o in self.accepted],
                "merged": [plain(o) for o in self.merged],
                "rejected": [plain(o) for o in self.rejected],
            },
        }


def parse_time(value) -> datetime:
    """ISO 8601 text (or a datetime) to naive UTC; a time without offset is taken as UTC. ValueError
    for text that is no time, and for a time whose UTC falls outside the years 1-9999
    (`0001-01-01T00:00:00+14:00`)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        parsed = datetime.fromisoformat(value.strip())
    else:
        raise ValueError("time missing")
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise ValueError("time outside the calendar in UTC") from None
    return parsed.replace(microsecond=0)


def _parse_value(raw, kind: str) -> float:
    name = VALUE_FIELDS[kind]
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise BadValue("not_number", field=name, value=repr(raw))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadValue("not_number", field=name, value=repr(str(raw)[:40])) from None
    if not math.isfinite(value):
        raise BadValue("not_finite", field=name)
    if value < 0:
        raise BadValue("negative", field=name, value=value)
    if value > MAX_VALUE[kind]:
        raise BadValue("absurd", field=name, value=value, limit=MAX_VALUE[kind])
    return value


class BadCsv(ValueError):
    """A readings CSV that cannot be read at all; ``code`` says why for pages in the user's language
    ("bad_header")."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def rows_from_csv(content: str | bytes) -> list[dict]:
    """CSV text or bytes (UTF-8, header `gauge,time,level_cm[,rain_mm_h]`) to row dicts; BadCsv
    when the header lacks what a reading needs."""
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(content))
    missing = {"gauge", "time"} - set(reader.fieldnames or ())
    if missing or not set(VALUE_FIELDS.values()) & set(reader.fieldnames or ()):
        raise BadCsv("bad_header", "CSV header must name gauge, time and level_cm and/or rain_mm_h")
    return [dict(row) for row in reader]


def validate(rows: Iterable[Mapping], gauge_ids: Mapping[str, int], now: datetime) -> tuple[list[Outcome], list[Outcome]]:
    """Split rows into measurements that look right and ones rejected for what they say alone.

    Returns (candidates, rejected). Checks: a mapping with a known gauge code, a parseable time
    within [now - MAX_AGE, now + MAX_FUTURE], a finite value in [0, MAX_VALUE].
    """
    candidates, rejected = [], []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            rejected.append(_with(Outcome(index, "level", None, None, None), "not_object"))
            continue
        gauge = row.get("gauge")
        gauge = gauge.strip() if isinstance(gauge, str) else None
        kinds = [kind for kind, name in VALUE_FIELDS.items() if name in row]
        if not kinds:
            rejected.append(_with(Outcome(index, "level", gauge, None, None), "no_value"))
            continue
        problem, time = None, None
        if gauge not in gauge_ids:
            problem = ("unknown_gauge", {"gauge": repr(str(row.get("gauge"))[:40])})
        else:
            try:
                time = parse_time(row.get("time"))
            except (TypeError, ValueError):
                problem = ("bad_time", {"time": repr(str(row.get("time"))[:40])})
            else:
                if time > now + MAX_FUTURE:
                    problem = ("future", {})
                elif time < now - MAX_AGE:
                    problem = ("too_old", {"days": MAX_AGE.days})
        for kind in kinds:
            if problem:
                rejected.append(_with(Outcome(index, kind, gauge, time, None), problem[0], **problem[1]))
                continue
            try:
                value = _parse_value(row[VALUE_FIELDS[kind]], kind)
            except BadValue as error:
                rejected.append(_with(Outcome(index, kind, gauge, time, None), error.code, **error.args_))
            else:
                candidates.append(Outcome(index, kind, gauge, time, value))
    return candidates, rejected


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)


def ingest(engine: Engine, rows: Iterable[Mapping], *, source: str, now: datetime, scenario: int = REAL) -> IngestReport:
    """Validate `rows`, store the new measurements in `scenario` (the real series, or a drill's), and
    report on every one. Only measurements of the same scenario are duplicates of each other.

    Duplicates: a (gauge, time) already stored with the same value, or repeated in the batch with
    the same value, is merged; with a different value it is rejected (stored value kept; within
    the batch every conflicting copy is rejected, since none can be trusted over the others).
    Re-sending a batch therefore stores nothing new. `now` is naive UTC.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    gauge_ids = store.gauge_ids_by_code(engine)
    candidates, rejected = validate(rows, gauge_ids, now)
    report = IngestReport(rejected=rejected)
    by_key: dict[tuple[str, int, datetime], list[Outcome]] = defaultdict(list)
    for outcome in candidates:
        by_key[(outcome.kind, gauge_ids[outcome.gauge], outcome.time)].append(outcome)
    for kind in VALUE_FIELDS:
        keys = [(g, t) for k, g, t in by_key if k == kind]
        stored = store.stored_values(engine, kind, keys, scenario)
        latest = store.latest_times(engine, kind, scenario)
        new_rows = []
        for (k, gauge_id, time), group in by_key.items():
            if k != kind:
                continue
            first = group[0]
            if (gauge_id, time) in stored:
                for outcome in group:
                    if _same(outcome.value, stored[(gauge_id, time)]):
                        report.merged.append(_with(outcome, "already_stored"))
                    else:
                        report.rejected.append(_with(outcome, "conflicts_stored", value=stored[(gauge_id, time)]))
            elif any(not _same(o.value, first.value) for o in group):
                rows_named = ", ".join(str(o.row) for o in group)
                report.rejected.extend(_with(o, "conflicts_batch", rows=rows_named) for o in group)
            else:
                late = gauge_id in latest and time < latest[gauge_id]
                report.accepted.append(_with(first, late=late))
                report.merged.extend(_with(o, "duplicate", row=first.row) for o in group[1:])
                new_rows.append({"gauge_id": gauge_id, "time": time, VALUE_FIELDS[kind]: first.value, "source": source, "received_at": now,
                                 "scenario": scenario})
        store.insert_readings(engine, kind, new_rows)
    for outcomes in (report.accepted, report.merged, report.rejected):
        outcomes.sort(key=lambda o: (o.row, o.kind))
    return report

