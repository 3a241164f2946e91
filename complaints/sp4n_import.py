"""Import of SP4N-LAPOR export files (CSV or XLSX), keyed by tracking number.

A re-import updates what changed and never duplicates; the same file twice changes nothing. Every
row gets a line in the report: taken, updated, unchanged, refused (with its reason) or empty.
Everything is written in one transaction: a failure leaves the store as it was.

Times in the file are Ambon local time (WIT, UTC+9) and stored as naive UTC. Coordinates may use
decimal commas; latitude and longitude swapped are put right when that is unambiguous (the swapped
pair lies around Ambon and the given one does not); a point outside Kota Ambon is kept and marked.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, insert, select, update

import table_files
from complaints import lifecycle
from complaints.deadlines import WorkingCalendar
from complaints.models import ComplaintEvent
from complaints.store import ROUTED_STATES, deadlines_for, load_calendar
from config.complaints import DEFAULT_KIND, DeadlineRules
from geo.boundaries import assign_areas
from geo.crs import AMBON_REGION_LONLAT
from store.layers import read_admin_areas
from store.models import Complaint
from store.vocabulary import AGENCIES, COMPLAINT_CATEGORIES, COMPLAINT_CATEGORY_AGENCY

COLUMNS = {
    "ticket": ("nomor tracking", "no tracking", "no. tracking", "tracking id", "tracking_id", "tracking number", "nomor_tracking"),
    "date": ("tanggal", "tanggal laporan", "waktu", "date", "created_at"),
    "title": ("judul", "judul laporan", "title"),
    "text": ("isi laporan", "isi", "laporan", "text", "description", "deskripsi"),
    "category": ("kategori", "category"),
    "location": ("lokasi", "location", "alamat"),
    "lat": ("latitude", "lat", "lintang"),
    "lon": ("longitude", "lon", "lng", "bujur"),
    "status": ("status",),
    "agency": ("instansi", "instansi tujuan", "agency", "opd"),
}
"""Our field -> the headers an export may give it (compared case-insensitively)."""
REQUIRED = ("ticket", "date", "text", "category")

CATEGORY_NAMES = {
    "persampahan": "sampah", "kebersihan": "sampah", "lingkungan hidup": "sampah", "infrastruktur": "jalan", "jalan rusak": "jalan",
    "pekerjaan umum": "jalan", "banjir": "banjir", "bencana": "banjir", "ketertiban umum": "ketertiban", "ketenteraman dan ketertiban": "ketertiban",
    "perhubungan": "lalu_lintas", "lalu lintas": "lalu_lintas", "pajak daerah": "pajak", "perdagangan": "pasar", "keamanan": "kriminal",
    "kriminalitas": "kriminal",
}
"""SP4N-LAPOR category names seen in Ambon's exports -> our category codes (codes themselves are accepted too)."""
STATUS_NAMES = {
    "belum terverifikasi": lifecycle.RECEIVED, "baru": lifecycle.RECEIVED, "terverifikasi": lifecycle.VERIFIED,
    "didisposisikan": lifecycle.ROUTED, "diteruskan": lifecycle.ROUTED, "ditindaklanjuti": lifecycle.ACCEPTED,
    "diproses": lifecycle.ACCEPTED, "selesai": lifecycle.CLOSED, "ditutup": lifecycle.CLOSED, "ditolak": lifecycle.REJECTED,
    "arsip": lifecycle.REJECTED, "diselesaikan": lifecycle.RESOLVED, "dibuka kembali": lifecycle.REOPENED,
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
                "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")
MAX_ROWS = 200_000
WIT = timedelta(hours=9)


class ImportRefused(ValueError):
    """The whole file is refused: `code` "not_table" (not CSV or XLSX), "unsafe" (a workbook that is a zip
    bomb or holds unsafe paths), "no_columns" (required columns missing: `missing`), "too_many_rows"."""

    def __init__(self, code: str, missing: tuple[str, ...] = ()):
        super().__init__(code + (f": {', '.join(missing)}" if missing else ""))
        self.code, self.missing = code, missing


@dataclass
class ImportReport:
    lines: list[dict] = field(default_factory=list)
    """One per data row: row (its line number in the file, header = 1), ticket, outcome, reason."""

    def add(self, row: int, ticket: str | None, outcome: str, reason: str | None = None) -> None:
        self.lines.append({"row": row, "ticket": ticket, "outcome": outcome, "reason": reason})

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("taken", "updated", "unchanged", "refused", "empty"), 0)
        for line in self.lines:
            counts[line["outcome"]] += 1
        return counts


def read_table(data: bytes) -> tuple[pd.DataFrame, int]:
    """The file's rows as text (every cell a string, "" when empty), headers lower-cased and trimmed, and
    the file line of the header. Raises ImportRefused: "not_table" for anything but a CSV or XLSX file,
    "unsafe" for a workbook refused by the zip checks."""
    try:
        table = table_files.read_table(data)
    except table_files.TableRefused as refused:
        raise ImportRefused("unsafe" if refused.code in ("unsafe_zip", "zip_bomb") else "not_table") from None
    frame = table.frame
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame, table.header_line


def _pick_columns(frame: pd.DataFrame) -> dict[str, str]:
    found = {}
    for ours, names in COLUMNS.items():
        for name in names:
            if name in frame.columns:
                found[ours] = name
                break
    missing = tuple(c for c in REQUIRED if c not in found)
    if missing:
        raise ImportRefused("no_columns", missing)
    return found


def parse_date(text: str) -> datetime | None:
    """A local (WIT) date/time in one of DATE_FORMATS as naive UTC; None when it is no real date."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt) - WIT
        except ValueError:
            continue
    return None


def _coordinate(text: str) -> float | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        text = text.replace(",", ".")  # decimal comma
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _near_ambon(lon: float, lat: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = AMBON_REGION_LONLAT
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def place_from(lon: float | None, lat: float | None) -> tuple[float | None, float | None, str | None]:
    """(lon, lat, note) from the file's values: "swapped" when they were swapped and put right,
    reason codes "no_place" / "bad_place" (not valid coordinates) with lon/lat None."""
    if lon is None or lat is None:
        return None, None, "no_place"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        if -180 <= lat <= 180 and -90 <= lon <= 90 and _near_ambon(lat, lon):
            return lat, lon, "swapped"
        return None, None, "bad_place"
    if not _near_ambon(lon, lat) and _near_ambon(lat, lon):
        return lat, lon, "swapped"
    return lon, lat, None


def import_sp4n(engine: Engine, data: bytes, *, actor: str, now: datetime | None = None, rules: DeadlineRules = DeadlineRules(),
                calendar: WorkingCalendar | None = None, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import an SP4N-LAPOR export; returns the report of every row. `progress(stage, done, total)` is called
    as rows are "checked", then "written". Raises ImportRefused for a file that is not such an export."""
    now = now or datetime.utcnow().replace(microsecond=0)
    frame, header_line = read_table(data)
    if len(frame) > MAX_ROWS:
        raise ImportRefused("too_many_rows")
    columns = _pick_columns(frame)
    calendar = calendar or load_calendar(engine)
    report = ImportReport()
    total = len(frame)
    cells = {ours: frame[name].astype(str).str.strip().to_numpy() for ours, name in columns.items()}
    empty = (frame.astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    tickets = [t for t in cells["ticket"] if t]
    existing: dict[str, dict] = {}
    with engine.connect() as conn:
        for start in range(0, len(tickets), 1000):
            for row in conn.execute(select(Complaint.id, Complaint.ticket, Complaint.status, Complaint.agency, Complaint.title,
                                           Complaint.description, Complaint.category, Complaint.location_text, Complaint.lon, Complaint.lat)
                                    .where(Complaint.ticket.in_(tickets[start:start + 1000]))).mappings():
                existing[row["ticket"]] = dict(row)
    new_rows, updates, seen = [], [], set()
    for i in range(total):
        line = header_line + 1 + i
        if empty[i]:
            report.add(line, None, "empty")
            continue
        value = {ours: cells[ours][i] if ours in cells else "" for ours in COLUMNS}
        ticket = value["ticket"][:32]
        reason, record = _check_row(value, now)
        if reason is None and ticket in seen:
            reason = "repeated_ticket"
        if reason is not None:
            report.add(line, ticket or None, "refused", reason)
            continue
        seen.add(ticket)
        if ticket in existing:
            old = existing[ticket]
            changed = {k: v for k, v in record.items() if k in old and k != "created_at" and old[k] != v
                       and not (isinstance(v, float) and abs(v - (old[k] or 0)) < 1e-9)}
            if changed:
                updates.append((old["id"], old["status"], changed))
                report.add(line, ticket, "updated")
            else:
                report.add(line, ticket, "unchanged")
        else:
            new_rows.append({**record, "ticket": ticket})
            report.add(line, ticket, "taken")
        if progress is not None and i % 5000 == 0:
            progress("checked", i, total)
    if progress is not None:
        progress("checked", total, total)
    _write(engine, new_rows, updates, actor=actor, now=now, rules=rules, calendar=calendar,
           progress=(lambda written: progress("written", written, len(new_rows) + len(updates))) if progress else None)
    return report


def _check_row(value: dict, now: datetime) -> tuple[str | None, dict]:
    if not value["ticket"]:
        return "no_ticket", {}
    created = parse_date(value["date"])
    if created is None:
        return "bad_date", {}
    if created > now + timedelta(days=1):
        return "future_date", {}
    text = value["text"]
    if not text:
        return "no_text", {}
    raw_category = value["category"].strip().lower()
    category = raw_category if raw_category in COMPLAINT_CATEGORIES else CATEGORY_NAMES.get(raw_category)
    if category is None:
        return "unknown_category", {}
    status = STATUS_NAMES.get(value["status"].strip().lower() or "baru")
    if status is None:
        return "unknown_status", {}
    agency = value["agency"].strip().upper() or COMPLAINT_CATEGORY_AGENCY[category]
    if agency not in AGENCIES:
        return "unknown_agency", {}
    lon, lat, note = place_from(_coordinate(value["lon"]), _coordinate(value["lat"]))
    if lon is None:
        return note, {}
    return None, {"created_at": created, "title": value["title"][:200] or None, "description": text[:4000], "category": category,
                  "status": status, "agency": agency, "location_text": value["location"][:300] or None, "lon": lon, "lat": lat,
                  "place_note": note}


def _write(engine: Engine, new_rows: list[dict], updates: list[tuple[int, str, dict]], *, actor: str, now: datetime,
           rules: DeadlineRules, calendar: WorkingCalendar, progress: Callable[[int], None] | None = None) -> None:
    desa = read_admin_areas(engine, "desa")
    if new_rows:
        frame = pd.DataFrame(new_rows)
        areas = assign_areas(gpd.GeoSeries(gpd.points_from_xy(frame.lon, frame.lat), crs="EPSG:4326"), desa)
        due_response, due = deadlines_for(calendar, rules, frame.created_at.to_numpy(dtype="datetime64[s]"), [DEFAULT_KIND] * len(frame))
        if len(desa):
            outside = areas.desa_code.isna().to_numpy()
        else:  # no boundaries stored yet: the region around the city decides
            outside = [not _near_ambon(lon, lat) for lon, lat in zip(frame.lon, frame.lat)]
        for i, row in enumerate(new_rows):
            finished = row["status"] in lifecycle.FINISHED or row["status"] == lifecycle.RESOLVED
            row.update(channel="web", desa_code=areas.desa_code.iloc[i], kecamatan_code=areas.kecamatan_code.iloc[i],
                       place_note="outside_city" if outside[i] else row["place_note"], due_response_at=pd.Timestamp(due_response[i]).to_pydatetime(),
                       due_at=pd.Timestamp(due[i]).to_pydatetime(), updated_at=now,
                       next_due_at=None if finished else pd.Timestamp(due_response[i]).to_pydatetime(),
                       closed_at=now if row["status"] in lifecycle.FINISHED else None,
                       routed_at=now if row["status"] in ROUTED_STATES else None)
    with engine.begin() as conn:  # one transaction: all rows or none
        for start in range(0, len(new_rows), 5000):
            chunk = new_rows[start:start + 5000]
            ids = conn.execute(insert(Complaint).returning(Complaint.id, sort_by_parameter_order=True), chunk).scalars().all()
            conn.execute(insert(ComplaintEvent), [{"complaint_id": cid, "at": now, "actor": actor, "action": "import", "from_state": None,
                                                   "to_state": row["status"], "note": None, "public": True, "agency": None, "reason": None,
                                                   "photo_id": None} for cid, row in zip(ids, chunk)])
            if progress is not None:
                progress(start + len(chunk))
        for complaint_id, old_status, changed in updates:
            changed = {**changed, "updated_at": now}
            conn.execute(update(Complaint).where(Complaint.id == complaint_id).values(**changed))
            conn.execute(insert(ComplaintEvent).values(complaint_id=complaint_id, at=now, actor=actor, action="import", from_state=old_status,
                                                       to_state=changed.get("status", old_status), public=bool("status" in changed)))
        if progress is not None:
            progress(len(new_rows) + len(updates))
