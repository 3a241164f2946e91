"""The one place where the complaints desk reads and writes the store.

Every change of state goes through `apply_action`, which refuses (IllegalTransition) whatever the
life cycle or the actor's scope does not allow, whatever a browser or client sent, and appends the
step to the timeline. Times are naive UTC; coordinates WGS 84 lon/lat; durations in working days.
"""
from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point
from sqlalchemy import Engine, and_, bindparam, case, delete, func, insert, or_, select, tuple_, update

from complaints import lifecycle
from complaints.deadlines import WorkingCalendar
from complaints.duplicates import DuplicateRules, suggest_duplicates
from complaints.models import ComplaintEvent, ComplaintPhoto, LocalHoliday
from config.complaints import DEFAULT_KIND, KINDS, DeadlineRules
from geo.boundaries import assign_areas
from geo.crs import AMBON_REGION_LONLAT, AMBON_UTM
from geo.sectors import camera_arrays, in_sector
from store.layers import read_admin_areas
from store.models import Camera, Complaint
from store.vocabulary import AGENCIES, COMPLAINT_CATEGORIES, COMPLAINT_CATEGORY_AGENCY, COMPLAINT_CHANNELS

TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""No 0/O, 1/I: a ticket is read out over the phone."""
MAX_TEXT = 4000
"""Characters of a complaint's text, and of a note."""
PAGE_SIZE = 25
ROUTED_STATES = frozenset({lifecycle.ROUTED, lifecycle.ACCEPTED, lifecycle.RESOLVED, lifecycle.CLOSED, lifecycle.REOPENED})
"""States a complaint can only be in once routed to an agency."""
TICKET_LIKE = re.compile(r"(?=.*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
"""What a typed search must look like to be taken as a ticket number (one word with a digit, e.g. LPR-7K3M9QXT2A)."""


class InvalidComplaint(ValueError):
    """A submission the desk cannot take; `code` names why (for the user's language)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Actor:
    """Who acts on the desk: an operator of the Command Center, or staff of one agency."""

    name: str
    kind: str
    """lifecycle.OPERATOR or lifecycle.AGENCY."""
    agency: str | None = None

    def may_see(self, complaint_agency: str | None, routed: bool = True) -> bool:
        """Operators see every complaint; an agency only those routed to it (before routing, the agency
        column is only the category's suggestion, and the reporter's details are not the agency's to see)."""
        return self.kind == lifecycle.OPERATOR or (routed and self.agency is not None and self.agency == complaint_agency)


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def new_ticket() -> str:
    """A ticket number nobody can guess from another one: "LPR-" and 10 random characters (50 bits)."""
    return "LPR-" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(10))


# --- calendar ---------------------------------------------------------------------------------

def load_calendar(engine: Engine) -> WorkingCalendar:
    """The working calendar with the local holidays an admin added."""
    with engine.connect() as conn:
        return WorkingCalendar(conn.scalars(select(LocalHoliday.day)).all())


def local_holidays(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(LocalHoliday.day, LocalHoliday.name, LocalHoliday.added_by)
                                              .order_by(LocalHoliday.day)).mappings()]


def add_local_holiday(engine: Engine, day: date, name: str, added_by: str) -> None:
    """Make `day` a holiday in Kota Ambon. Raises InvalidComplaint("holiday_exists" / "holiday_name")."""
    name = (name or "").strip()[:120]
    if not name:
        raise InvalidComplaint("holiday_name")
    with engine.begin() as conn:
        if conn.scalar(select(LocalHoliday.id).where(LocalHoliday.day == day)) is not None:
            raise InvalidComplaint("holiday_exists")
        conn.execute(insert(LocalHoliday).values(day=day, name=name, added_by=added_by))


def remove_local_holiday(engine: Engine, day: date) -> bool:
    with engine.begin() as conn:
        return conn.execute(delete(LocalHoliday).where(LocalHoliday.day == day)).rowcount > 0


def deadlines_for(calendar: WorkingCalendar, rules: DeadlineRules, received_at, kinds) -> tuple:
    """(response deadline, completion deadline) of complaints received at `received_at` (naive UTC,
    scalar or array) of `kinds` (kind codes, scalar or array)."""
    completion = (rules.completion_for(kinds) if isinstance(kinds, str) or kinds is None
                  else np.array([rules.completion_for(k) for k in kinds]))
    return calendar.deadline(received_at, rules.response_days), calendar.deadline(received_at, completion)


def fill_missing_deadlines(engine: Engine, rules: DeadlineRules, calendar: WorkingCalendar | None = None, chunk: int = 20_000) -> int:
    """Give deadlines, the running deadline and elapsed working days to complaints that have none
    (rows from before the desk, from the demo or a bulk load). Returns how many were filled."""
    calendar = calendar or load_calendar(engine)
    filled = 0
    while True:
        with engine.connect() as conn:
            rows = pd.read_sql(select(Complaint.id, Complaint.created_at, Complaint.kind, Complaint.status, Complaint.responded_at,
                                      Complaint.resolved_at, Complaint.closed_at, Complaint.routed_at).where(Complaint.due_at.is_(None))
                               .order_by(Complaint.id).limit(chunk), conn)
        if rows.empty:
            return filled
        values = timing_columns(rows, calendar, rules)
        with engine.begin() as conn:
            conn.execute(Complaint.__table__.update().where(Complaint.__table__.c.id == bindparam("row_id")), values)
        filled += len(rows)


def timing_columns(rows: pd.DataFrame, calendar: WorkingCalendar, rules: DeadlineRules) -> list[dict]:
    """Deadlines, running deadline and elapsed working days of `rows` (id, created_at, kind, status,
    responded_at, resolved_at, closed_at, routed_at), as update parameters keyed "row_id". A row in a state
    only a routed complaint can be in, without its routing time, counts as routed when received."""
    created = rows.created_at.to_numpy(dtype="datetime64[s]")
    due_response, due = deadlines_for(calendar, rules, created, rows.kind.fillna(DEFAULT_KIND).to_numpy())
    responded = pd.to_datetime(rows.responded_at).to_numpy(dtype="datetime64[s]")
    resolved, closed = pd.to_datetime(rows.resolved_at), pd.to_datetime(rows.closed_at)
    done = resolved.where(resolved.notna(), closed).to_numpy(dtype="datetime64[s]")
    response_days, completion_days = calendar.elapsed(created, responded), calendar.elapsed(created, done)
    finished = rows.status.isin(lifecycle.FINISHED).to_numpy() | rows.status.eq(lifecycle.RESOLVED).to_numpy()
    running = np.where(np.isnat(responded), due_response, due)
    routed_at = pd.to_datetime(rows.routed_at)
    routed_at = routed_at.where(routed_at.notna() | ~rows.status.isin(ROUTED_STATES), pd.to_datetime(rows.created_at))
    out = []
    for i, row_id in enumerate(rows.id.to_numpy()):
        out.append({"row_id": int(row_id), "due_response_at": _py(due_response[i]), "due_at": _py(due[i]), "routed_at": _py(routed_at.iloc[i]),
                    "next_due_at": None if finished[i] else _py(running[i]),
                    "response_days": None if math.isnan(response_days[i]) else int(response_days[i]),
                    "completion_days": None if math.isnan(completion_days[i]) else int(completion_days[i])})
    return out


def _py(value) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


# --- intake -----------------------------------------------------------------------------------

def place_of(engine: Engine, lon: float, lat: float) -> dict:
    """desa_code, kecamatan_code and place_note ("outside_city" when no desa of the city holds it)."""
    desa = read_admin_areas(engine, "desa")
    areas = assign_areas(gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326"), desa).iloc[0]
    outside = bool(len(desa)) and areas.desa_code is None
    min_lon, min_lat, max_lon, max_lat = AMBON_REGION_LONLAT
    if not len(desa):
        outside = not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat)
    return {"desa_code": areas.desa_code, "kecamatan_code": areas.kecamatan_code, "place_note": "outside_city" if outside else None}


def check_point(lon, lat) -> tuple[float, float]:
    """lon/lat as floats within reach of Ambon (the region around the city); raises InvalidComplaint("place")."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidComplaint("place") from None
    min_lon, min_lat, max_lon, max_lat = AMBON_REGION_LONLAT
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (min_lon - 1 <= lon <= max_lon + 1 and min_lat - 1 <= lat <= max_lat + 1):
        raise InvalidComplaint("place")
    return lon, lat


def submit_complaint(engine: Engine, *, category: str, description: str, lon, lat, channel: str, actor: str,
                     reporter_name: str | None = None, reporter_phone: str | None = None, title: str | None = None,
                     kind: str | None = None, photo: tuple[bytes, str] | None = None, now: datetime | None = None,
                     rules: DeadlineRules = DeadlineRules(), calendar: WorkingCalendar | None = None) -> dict:
    """Take a new complaint (state "baru", routed by its category's agency suggestion) and return
    {"id", "ticket"}. `photo` is (bytes already cleaned by complaints.photos, mime).
    Raises InvalidComplaint ("category", "text", "place", "channel", "kind")."""
    if category not in COMPLAINT_CATEGORIES:
        raise InvalidComplaint("category")
    description = (description or "").strip()
    if not description or len(description) > MAX_TEXT:
        raise InvalidComplaint("text")
    if channel not in COMPLAINT_CHANNELS:
        raise InvalidComplaint("channel")
    if kind is not None and kind not in KINDS:
        raise InvalidComplaint("kind")
    lon, lat = check_point(lon, lat)
    now = now or utcnow()
    calendar = calendar or load_calendar(engine)
    due_response, due = deadlines_for(calendar, rules, now, kind or DEFAULT_KIND)
    values = dict(ticket=new_ticket(), created_at=now, channel=channel, category=category, description=description,
                  status=lifecycle.RECEIVED, agency=COMPLAINT_CATEGORY_AGENCY[category], lon=lon, lat=lat,
                  reporter_name=(reporter_name or "").strip()[:120] or None, reporter_phone=(reporter_phone or "").strip()[:32] or None,
                  title=(title or "").strip()[:200] or None, kind=kind, due_response_at=due_response, due_at=due,
                  next_due_at=due_response, updated_at=now, **place_of(engine, lon, lat))
    with engine.begin() as conn:
        complaint_id = conn.execute(insert(Complaint).values(**values).returning(Complaint.id)).scalar_one()
        photo_id = None
        if photo is not None:
            photo_id = conn.execute(insert(ComplaintPhoto).values(complaint_id=complaint_id, content=photo[0], mime=photo[1], uploaded_at=now,
                                                                  uploaded_by=actor, from_reporter=True).returning(ComplaintPhoto.id)).scalar_one()
        conn.execute(insert(ComplaintEvent).values(complaint_id=complaint_id, at=now, actor=actor, action="submit", from_state=None,
                                                   to_state=lifecycle.RECEIVED, public=True, photo_id=photo_id, note=None))
    return {"id": complaint_id, "ticket": values["ticket"]}


# --- the life cycle ---------------------------------------------------------------------------

def apply_action(engine: Engine, complaint_id: int, action: str, actor: Actor, *, note: str = "", reason: str | None = None,
                 agency: str | None = None, kind: str | None = None, public: bool = False, photo: tuple[bytes, str] | None = None,
                 now: datetime | None = None, rules: DeadlineRules = DeadlineRules(), calendar: WorkingCalendar | None = None) -> str:
    """Take `action` on a complaint as `actor`; returns the new state.

    Refused with IllegalTransition when the life cycle does not allow it (lifecycle.next_state), when
    the complaint is outside the actor's scope ("not_your_complaint"; an agency acts only on what is
    routed to it), merged into another ("merged"), unknown ("unknown_complaint"), or the agency or
    kind named is not one of the lists ("agency_required", "kind").
    """
    note = (note or "").strip()[:MAX_TEXT]
    if agency is not None and agency not in AGENCIES:
        raise lifecycle.IllegalTransition("agency_required", str(agency))
    if kind is not None and kind not in KINDS:
        raise lifecycle.IllegalTransition("kind", str(kind))
    now = now or utcnow()
    with engine.begin() as conn:
        statement = select(Complaint.__table__).where(Complaint.id == complaint_id)
        if engine.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = conn.execute(statement).mappings().first()
        if row is None:
            raise lifecycle.IllegalTransition("unknown_complaint", str(complaint_id))
        if not actor.may_see(row["agency"], row["routed_at"] is not None):
            raise lifecycle.IllegalTransition("not_your_complaint", str(complaint_id))
        if row["merged_into_id"] is not None:
            raise lifecycle.IllegalTransition("merged", str(row["merged_into_id"]))
        state = row["status"]
        target = lifecycle.next_state(state, action, actor.kind, note=note, reason=reason, agency=agency)
        changes: dict = {"status": target, "updated_at": now}
        calendar = calendar or load_calendar(engine)
        created = row["created_at"]
        if action == "verify":
            changes["verified_at"] = now
            if kind and kind != row["kind"]:
                changes["kind"] = kind
                changes["due_at"] = deadlines_for(calendar, rules, created, kind)[1]
        elif action == "reject":
            changes.update(rejection_reason=reason, closed_at=now, next_due_at=None)
            if row["responded_at"] is None:
                changes.update(responded_at=now, response_days=int(calendar.elapsed(created, now)))
        elif action == "route":
            changes.update(agency=agency, routed_at=now)
        elif action == "accept":
            changes["accepted_at"] = now
            if row["responded_at"] is None:
                changes.update(responded_at=now, response_days=int(calendar.elapsed(created, now)), next_due_at=row["due_at"])
        elif action == "resolve":
            changes.update(resolved_at=now, completion_days=int(calendar.elapsed(created, now)), next_due_at=None)
        elif action == "close":
            changes.update(closed_at=now, next_due_at=None)
        elif action == "reopen":
            reopened_due = calendar.deadline(now, rules.completion_for(row["kind"]))
            changes.update(resolved_at=None, closed_at=None, completion_days=None, due_at=reopened_due, next_due_at=reopened_due)
        conn.execute(update(Complaint).where(Complaint.id == complaint_id).values(**changes))
        photo_id = None
        if photo is not None:
            photo_id = conn.execute(insert(ComplaintPhoto).values(complaint_id=complaint_id, content=photo[0], mime=photo[1], uploaded_at=now,
                                                                  uploaded_by=actor.name, from_reporter=False).returning(ComplaintPhoto.id)).scalar_one()
        conn.execute(insert(ComplaintEvent).values(
            complaint_id=complaint_id, at=now, actor=actor.name, action=action, from_state=state, to_state=target, note=note or None,
            public=public, agency=agency if action == "route" else actor.agency, reason=reason if action == "reject" else None,
            photo_id=photo_id))
    return target


def merge_complaints(engine: Engine, main_id: int, duplicate_ids: Sequence[int], actor: Actor, *, now: datetime | None = None) -> int:
    """Merge duplicates into the main complaint: they follow it from now on (their ticket shows its state),
    and each keeps its own reporter. Only operators merge, and only complaints not yet routed.
    Returns how many were merged; raises IllegalTransition as `apply_action` does."""
    now = now or utcnow()
    duplicate_ids = [int(i) for i in dict.fromkeys(duplicate_ids) if int(i) != int(main_id)]
    with engine.begin() as conn:
        main = conn.execute(select(Complaint.id, Complaint.status, Complaint.merged_into_id, Complaint.ticket)
                            .where(Complaint.id == main_id)).first()
        if main is None:
            raise lifecycle.IllegalTransition("unknown_complaint", str(main_id))
        if main.merged_into_id is not None:
            raise lifecycle.IllegalTransition("merged", str(main.merged_into_id))
        if actor.kind != lifecycle.OPERATOR:
            raise lifecycle.IllegalTransition("not_your_move", "merge")
        rows = conn.execute(select(Complaint.id, Complaint.status, Complaint.merged_into_id, Complaint.ticket)
                            .where(Complaint.id.in_(duplicate_ids))).all()
        if len(rows) != len(duplicate_ids):
            raise lifecycle.IllegalTransition("unknown_complaint")
        for row in rows:
            if row.merged_into_id is not None:
                raise lifecycle.IllegalTransition("merged", str(row.merged_into_id))
            lifecycle.next_state(row.status, "merge", actor.kind)
        conn.execute(update(Complaint).where(Complaint.id.in_(duplicate_ids))
                     .values(merged_into_id=main_id, next_due_at=None, updated_at=now))
        conn.execute(insert(ComplaintEvent), [
            {"complaint_id": row.id, "at": now, "actor": actor.name, "action": "merge", "from_state": row.status, "to_state": row.status,
             "note": main.ticket, "public": True, "agency": None, "reason": None, "photo_id": None} for row in rows])
        conn.execute(insert(ComplaintEvent).values(
            complaint_id=main_id, at=now, actor=actor.name, action="merged", from_state=main.status, to_state=main.status,
            note=", ".join(r.ticket for r in rows), public=False))
    return len(rows)


# --- reading ----------------------------------------------------------------------------------

DETAIL_COLUMNS = ("id", "ticket", "created_at", "routed_at", "status", "category", "agency", "channel", "kind", "title", "description", "location_text",
                  "place_note", "lon", "lat", "desa_code", "kecamatan_code", "due_response_at", "due_at", "next_due_at", "responded_at",
                  "resolved_at", "closed_at", "rejection_reason", "merged_into_id", "response_days", "completion_days", "reporter_name",
                  "reporter_phone")


def read_detail(engine: Engine, complaint_id: int) -> dict | None:
    """A complaint with its timeline (`events`, oldest first), photos (`photos`: id, from_reporter,
    uploaded_at) and the complaints merged into it (`merged`: id, ticket, reporter_name,
    reporter_phone, created_at). Personal fields included: the caller decides who may see them."""
    table = Complaint.__table__
    with engine.connect() as conn:
        row = conn.execute(select(*(table.c[c] for c in DETAIL_COLUMNS)).where(table.c.id == complaint_id)).mappings().first()
        if row is None:
            return None
        detail = dict(row)
        detail["merged_into_ticket"] = (conn.scalar(select(Complaint.ticket).where(Complaint.id == row["merged_into_id"]))
                                        if row["merged_into_id"] else None)
        detail["events"] = [dict(e) for e in conn.execute(select(ComplaintEvent.__table__).where(ComplaintEvent.complaint_id == complaint_id)
                                                          .order_by(ComplaintEvent.at, ComplaintEvent.id)).mappings()]
        detail["photos"] = [dict(p) for p in conn.execute(select(ComplaintPhoto.id, ComplaintPhoto.from_reporter, ComplaintPhoto.uploaded_at)
                                                          .where(ComplaintPhoto.complaint_id == complaint_id).order_by(ComplaintPhoto.id)).mappings()]
        detail["merged"] = [dict(m) for m in conn.execute(select(Complaint.id, Complaint.ticket, Complaint.reporter_name, Complaint.reporter_phone,
                                                                 Complaint.created_at).where(Complaint.merged_into_id == complaint_id)
                                                          .order_by(Complaint.id)).mappings()]
    return detail


def read_photo(engine: Engine, photo_id: int) -> dict | None:
    """A photo's bytes with its mime type, complaint id, the complaint's agency and routing time, and whether it is the reporter's."""
    with engine.connect() as conn:
        row = conn.execute(select(ComplaintPhoto.content, ComplaintPhoto.mime, ComplaintPhoto.complaint_id, ComplaintPhoto.from_reporter,
                                  Complaint.agency, Complaint.routed_at).join(Complaint, Complaint.id == ComplaintPhoto.complaint_id)
                           .where(ComplaintPhoto.id == photo_id)).mappings().first()
    return dict(row) if row else None


@dataclass(frozen=True)
class DeskFilter:
    """What a desk list shows. Empty tuples mean "all"; `deadline` is None, "overdue" or "due_soon"."""

    states: tuple[str, ...] = lifecycle.AWAITING_OPERATOR
    categories: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    kecamatan_codes: tuple[str, ...] = ()
    deadline: str | None = None
    text: str = ""
    """A ticket number, or words the complaint's text contains."""

    def clause(self, now: datetime, soon: timedelta = timedelta(days=1)):
        conditions = [Complaint.merged_into_id.is_(None), Complaint.status.in_(self.states or lifecycle.STATES)]
        text = self.text.strip()[:100]
        if TICKET_LIKE.fullmatch(text):  # a ticket number: the unique index answers at once
            conditions.append(Complaint.ticket == text.upper())
        elif text:
            conditions.append(func.lower(Complaint.description).contains(text.lower(), autoescape=True))
        for column, values in ((Complaint.category, self.categories), (Complaint.agency, self.agencies),
                               (Complaint.kecamatan_code, self.kecamatan_codes)):
            if values:
                conditions.append(column.in_(values))
        if self.deadline == "overdue":
            conditions.append(Complaint.next_due_at < now)
        elif self.deadline == "due_soon":
            conditions.append(and_(Complaint.next_due_at >= now, Complaint.next_due_at < now + soon))
        return and_(*conditions)


LIST_COLUMNS = ("id", "ticket", "created_at", "status", "category", "agency", "title", "description", "lon", "lat", "next_due_at",
                "kecamatan_code", "place_note")


def desk_page(engine: Engine, desk_filter: DeskFilter, *, actor: Actor, page: int = 0, page_size: int = PAGE_SIZE,
              now: datetime | None = None) -> tuple[pd.DataFrame, int]:
    """One page of a desk list, most urgent first (running deadline, then oldest), and how many match in all.
    An agency actor sees only the complaints routed to its agency, whatever the filter says."""
    now = now or utcnow()
    if actor.kind == lifecycle.AGENCY:
        desk_filter = replace(desk_filter, agencies=(actor.agency or "-",))
    table = Complaint.__table__
    clause = desk_filter.clause(now)
    if actor.kind == lifecycle.AGENCY:
        clause = and_(clause, Complaint.routed_at.is_not(None))
    statement = (select(*(table.c[c] for c in LIST_COLUMNS)).where(clause)
                 .order_by(Complaint.next_due_at.asc().nulls_last(), Complaint.id)
                 .offset(max(0, page) * page_size).limit(page_size))
    with engine.connect() as conn:
        rows = pd.read_sql(statement, conn, parse_dates=["created_at", "next_due_at"])
        total = conn.scalar(select(func.count()).select_from(table).where(clause))
    return rows, int(total)


def deadline_counts(engine: Engine, *, now: datetime | None = None, agency: str | None = None, soon: timedelta = timedelta(days=1)) -> pd.DataFrame:
    """Per agency: open complaints (`open`), those past their running deadline (`overdue`) and those due
    within `soon` (`due_soon`)."""
    now = now or utcnow()
    statement = (select(Complaint.agency,
                        func.count().label("open"),
                        func.sum(case((Complaint.next_due_at < now, 1), else_=0)).label("overdue"),
                        func.sum(case((and_(Complaint.next_due_at >= now, Complaint.next_due_at < now + soon), 1), else_=0)).label("due_soon"))
                 .where(Complaint.merged_into_id.is_(None), Complaint.status.in_(lifecycle.UNRESOLVED))
                 .group_by(Complaint.agency).order_by(Complaint.agency))
    if agency is not None:
        statement = statement.where(Complaint.agency == agency)
    with engine.connect() as conn:
        return pd.read_sql(statement, conn)


def duplicate_candidates(engine: Engine, complaint: dict, rules: DuplicateRules = DuplicateRules()) -> pd.DataFrame:
    """Complaints that may report the same as `complaint` (complaints.duplicates.suggest_duplicates),
    among those received within the rules' window of it, not merged, not rejected."""
    created = complaint["created_at"]
    statement = (select(Complaint.id, Complaint.ticket, Complaint.category, Complaint.lon, Complaint.lat, Complaint.created_at,
                        Complaint.description, Complaint.status)
                 .where(Complaint.created_at.between(created - rules.window, created + rules.window),
                        Complaint.merged_into_id.is_(None), Complaint.status != lifecycle.REJECTED, Complaint.id != complaint["id"]))
    with engine.connect() as conn:
        candidates = pd.read_sql(statement, conn, parse_dates=["created_at"])
    return suggest_duplicates(complaint, candidates, rules)


def cameras_covering(engine: Engine, lon: float, lat: float) -> pd.DataFrame:
    """Cameras whose view sector (geo.sectors) holds the point, nearest first: id, name, kind, group,
    distance_m (metres)."""
    with engine.connect() as conn:
        cameras = pd.read_sql(select(Camera.id, Camera.name, Camera.kind, Camera.group, Camera.lon, Camera.lat, Camera.heading_deg,
                                     Camera.fov_deg, Camera.range_m), conn)
    if cameras.empty:
        return cameras.assign(distance_m=[])
    points = gpd.GeoDataFrame(cameras, geometry=gpd.points_from_xy(cameras.lon, cameras.lat), crs="EPSG:4326")
    x, y, heading, fov, range_m = camera_arrays(points)
    target = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(AMBON_UTM).iloc[0]
    dx, dy = target.x - x, target.y - y
    covering = in_sector(dx, dy, heading, fov, range_m)
    found = cameras.assign(distance_m=np.hypot(dx, dy))[covering]
    return found.sort_values("distance_m")[["id", "name", "kind", "group", "distance_m"]]


def complaints_in_view(engine: Engine, camera_id: int, *, days: int = 30, limit: int = 20, now: datetime | None = None,
                       agency: str | None = None) -> pd.DataFrame:
    """The recent complaints (received within `days`, of `agency` only when given) that lie in a camera's
    view sector, newest first: id, ticket, created_at, status, category."""
    now = now or utcnow()
    with engine.connect() as conn:
        camera = pd.read_sql(select(Camera.lon, Camera.lat, Camera.heading_deg, Camera.fov_deg, Camera.range_m).where(Camera.id == camera_id), conn)
        if camera.empty:
            return pd.DataFrame(columns=["id", "ticket", "created_at", "status", "category"])
        reach_deg = (float(camera.range_m.fillna(50.0).iloc[0]) + 10) / 110_000
        lon, lat = float(camera.lon.iloc[0]), float(camera.lat.iloc[0])
        complaints = pd.read_sql(select(Complaint.id, Complaint.ticket, Complaint.created_at, Complaint.status, Complaint.category,
                                        Complaint.lon, Complaint.lat)
                                 .where(Complaint.lon.between(lon - reach_deg, lon + reach_deg), Complaint.lat.between(lat - reach_deg, lat + reach_deg),
                                        Complaint.created_at >= now - timedelta(days=days), Complaint.merged_into_id.is_(None),
                                        *([Complaint.agency == agency] if agency is not None else [])), conn,
                                 parse_dates=["created_at"])
    if complaints.empty:
        return complaints[["id", "ticket", "created_at", "status", "category"]]
    x, y, heading, fov, range_m = camera_arrays(gpd.GeoDataFrame(camera, geometry=gpd.points_from_xy(camera.lon, camera.lat), crs="EPSG:4326"))
    points = gpd.GeoSeries(gpd.points_from_xy(complaints.lon, complaints.lat), crs="EPSG:4326").to_crs(AMBON_UTM)
    inside = in_sector(points.x.to_numpy() - x[0], points.y.to_numpy() - y[0], heading[0], fov[0], range_m[0])
    return complaints[inside].sort_values("created_at", ascending=False).head(limit)[["id", "ticket", "created_at", "status", "category"]]


# --- the reporter's view ----------------------------------------------------------------------

PUBLIC_ACTIONS = ("submit", "import", "verify", "reject", "route", "accept", "resolve", "close", "reopen", "migrate")
"""Steps the reporter sees on the ticket page (with their note only when it was made public)."""


def public_ticket(engine: Engine, ticket: str) -> dict | None:
    """What the reporter may see of a ticket: state, category, agency, dates, deadlines and public notes;
    nothing personal, no internal notes. A merged ticket shows the complaint it follows (`follows`)."""
    ticket = (ticket or "").strip().upper()[:32]
    if not ticket:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(Complaint.id, Complaint.ticket, Complaint.merged_into_id).where(func.upper(Complaint.ticket) == ticket)).first()
        if row is None:
            return None
        main_id = row.merged_into_id or row.id
        main = conn.execute(select(Complaint.ticket, Complaint.status, Complaint.category, Complaint.agency, Complaint.created_at,
                                   Complaint.due_response_at, Complaint.due_at, Complaint.responded_at, Complaint.resolved_at,
                                   Complaint.closed_at, Complaint.rejection_reason, Complaint.next_due_at)
                            .where(Complaint.id == main_id)).mappings().first()
        events = conn.execute(select(ComplaintEvent.at, ComplaintEvent.action, ComplaintEvent.to_state, ComplaintEvent.note, ComplaintEvent.public)
                              .where(ComplaintEvent.complaint_id == main_id, or_(ComplaintEvent.action.in_(PUBLIC_ACTIONS), ComplaintEvent.public))
                              .order_by(ComplaintEvent.at, ComplaintEvent.id)).mappings().all()
    return {**dict(main), "ticket": row.ticket, "follows": main["ticket"] if row.merged_into_id else None,
            "events": [{"at": e["at"], "action": e["action"], "state": e["to_state"], "note": e["note"] if e["public"] else None} for e in events]}


# --- performance ------------------------------------------------------------------------------

AGE_BUCKETS = ((0, 3), (4, 5), (6, 14), (15, 60), (61, None))
"""Backlog age classes in working days since receipt."""


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float | None:
    if weights.sum() == 0:
        return None
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2.0)])


def performance(engine: Engine, *, since: datetime | None = None, now: datetime | None = None,
                calendar: WorkingCalendar | None = None) -> dict[str, pd.DataFrame]:
    """Per-agency performance of complaints received since `since` (all when None):

    - "summary": agency, received, median_response_days, median_completion_days (working days),
      within_deadline (share 0..1 of resolved complaints resolved by their deadline), resolved, backlog;
    - "monthly": agency, month ("YYYY-MM"), received, resolved, within_deadline;
    - "backlog": agency, age ("0-3", "4-5", "6-14", "15-60", ">60" working days), open.

    Two GROUP BYs over the stored elapsed working days (one by agency and elapsed days, one by agency
    and month) and one over the open complaints, so it stays fast on a million complaints.
    """
    now = now or utcnow()
    calendar = calendar or load_calendar(engine)
    month = (func.date_trunc("month", Complaint.created_at) if engine.dialect.name == "postgresql"
             else func.strftime("%Y-%m-01", Complaint.created_at))
    met = func.sum(case((and_(Complaint.resolved_at.is_not(None), Complaint.resolved_at <= Complaint.due_at), 1), else_=0))
    base = [Complaint.merged_into_id.is_(None)] + ([Complaint.created_at >= since] if since is not None else [])
    by_days = (select(Complaint.agency, Complaint.response_days, Complaint.completion_days, func.count().label("n"), met.label("met"))
               .where(*base).group_by(Complaint.agency, Complaint.response_days, Complaint.completion_days))
    by_month = (select(Complaint.agency, month.label("month"), func.count().label("received"), func.count(Complaint.completion_days).label("resolved"),
                       met.label("met")).where(*base).group_by(Complaint.agency, month))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":  # both groupings from one scan (of the covering index)
            both = pd.read_sql(
                select(Complaint.agency, Complaint.response_days, Complaint.completion_days, month.label("month"), func.count().label("n"),
                       func.count(Complaint.completion_days).label("resolved"), met.label("met"), func.grouping(month).label("by_days"))
                .where(*base).group_by(func.grouping_sets(tuple_(Complaint.agency, Complaint.response_days, Complaint.completion_days),
                                                          tuple_(Complaint.agency, month))), conn)
            days = both[both.by_days == 1][["agency", "response_days", "completion_days", "n", "met"]]
            monthly = both[both.by_days == 0].rename(columns={"n": "received"})[["agency", "month", "received", "resolved", "met"]]
        else:
            days = pd.read_sql(by_days, conn)
            monthly = pd.read_sql(by_month, conn)
    open_days = open_by_day(engine, since)
    received = days.groupby("agency")[["n", "met"]].sum().reset_index()
    response = days[days.response_days.notna()].groupby(["agency", "response_days"], as_index=False).n.sum().rename(columns={"response_days": "days"})
    completion = days[days.completion_days.notna()].groupby(["agency", "completion_days"], as_index=False).n.sum().rename(columns={"completion_days": "days"})
    return performance_figures(received, response, completion, monthly, open_days, calendar, now)


def performance_figures(received: pd.DataFrame, response: pd.DataFrame, completion: pd.DataFrame, monthly: pd.DataFrame,
                        open_days: pd.DataFrame, calendar: WorkingCalendar, now: datetime) -> dict[str, pd.DataFrame]:
    """`performance`'s answer from its parts (read from the complaints or from complaints.rollups):
    received (agency, n, met), response and completion (agency, days, n: how many took that many working
    days), monthly (agency, month, received, resolved, met), open_days (agency, day, n open)."""
    summary_rows = []
    for row in received.itertuples(index=False):
        responses, completions = response[response.agency == row.agency], completion[completion.agency == row.agency]
        resolved = int(completions.n.sum())
        summary_rows.append({
            "agency": row.agency, "received": int(row.n),
            "median_response_days": _weighted_median(responses.days.to_numpy(dtype=float), responses.n.to_numpy()),
            "median_completion_days": _weighted_median(completions.days.to_numpy(dtype=float), completions.n.to_numpy()),
            "within_deadline": float(row.met / resolved) if resolved else None, "resolved": resolved})
    summary = pd.DataFrame(summary_rows, columns=["agency", "received", "median_response_days", "median_completion_days", "within_deadline", "resolved"])
    summary = summary.sort_values("agency").reset_index(drop=True)
    monthly = monthly.copy()
    monthly["month"] = pd.to_datetime(monthly.month).dt.strftime("%Y-%m")
    monthly["within_deadline"] = (monthly.met / monthly.resolved.where(monthly.resolved > 0)).astype(float)
    monthly = monthly.sort_values(["agency", "month"]).reset_index(drop=True)[["agency", "month", "received", "resolved", "within_deadline"]]
    backlog = _backlog(open_days, calendar, now)
    summary["backlog"] = summary.agency.map(backlog.groupby("agency").open.sum()).fillna(0).astype(int)
    return {"summary": summary, "monthly": monthly, "backlog": backlog}


def open_by_day(engine: Engine, since: datetime | None = None) -> pd.DataFrame:
    """Unresolved complaints per agency and day received (agency, day, n): the backlog's input."""
    day = func.date_trunc("day", Complaint.created_at) if engine.dialect.name == "postgresql" else func.date(Complaint.created_at)
    base = [Complaint.merged_into_id.is_(None)] + ([Complaint.created_at >= since] if since is not None else [])
    with engine.connect() as conn:
        return pd.read_sql(select(Complaint.agency, day.label("day"), func.count().label("n"))
                           .where(*base, Complaint.status.in_(lifecycle.UNRESOLVED)).group_by(Complaint.agency, day), conn)


def _backlog(open_days: pd.DataFrame, calendar: WorkingCalendar, now: datetime) -> pd.DataFrame:
    labels = [f"{low}-{high}" if high is not None else f">{low - 1}" for low, high in AGE_BUCKETS]
    if open_days.empty:
        return pd.DataFrame(columns=["agency", "age", "open"])
    # the day column is the UTC date; a working-day age is coarse enough for that not to matter
    days = pd.to_datetime(open_days.day).dt.tz_localize(None).to_numpy(dtype="datetime64[s]")
    age = calendar.elapsed(days, np.full(len(days), np.datetime64(now, "s")))
    bucket = np.select([(age >= low) & (age <= (high if high is not None else np.inf)) for low, high in AGE_BUCKETS], labels, default=labels[-1])
    table = open_days.assign(age=bucket).groupby(["agency", "age"], as_index=False).n.sum().rename(columns={"n": "open"})
    table["age"] = pd.Categorical(table.age, categories=labels, ordered=True)
    return table.sort_values(["agency", "age"]).reset_index(drop=True)
