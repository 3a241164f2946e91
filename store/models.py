"""Tables of the Command Center. Times are naive UTC; coordinates are WGS 84 lon/lat (EPSG:4326)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PointMixin:
    """A point feature: lon/lat columns, each indexed, so a viewport query is an index range scan."""

    lon: Mapped[float] = mapped_column(Float, index=True)
    lat: Mapped[float] = mapped_column(Float, index=True)


class ShapeMixin:
    """A line or polygon feature: WKB geometry plus its bounding box for portable spatial filtering."""

    geom_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float, index=True)
    min_lat: Mapped[float] = mapped_column(Float, index=True)
    max_lon: Mapped[float] = mapped_column(Float, index=True)
    max_lat: Mapped[float] = mapped_column(Float, index=True)


class InAreaMixin:
    """Codes of the desa/kelurahan and kecamatan a feature lies in (official Kemendagri codes)."""

    desa_code: Mapped[str | None] = mapped_column(String(16), index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(String(8), index=True)


class AdminArea(ShapeMixin, Base):
    """A kecamatan (level "kecamatan") or desa/kelurahan (level "desa")."""

    __tablename__ = "admin_areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(12), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_code: Mapped[str | None] = mapped_column(String(16), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    """For desa: "kelurahan" or "desa/negeri"."""
    population: Mapped[int | None] = mapped_column(Integer)


class Camera(PointMixin, InAreaMixin, Base):
    __tablename__ = "cameras"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), index=True)
    """"road", "river" or "tps"."""
    heading_deg: Mapped[float | None] = mapped_column(Float)
    """Direction of view, degrees clockwise from north; NULL for PTZ cameras (full circle)."""
    fov_deg: Mapped[float | None] = mapped_column(Float)
    range_m: Mapped[float | None] = mapped_column(Float)
    stream_url: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="unknown")
    group: Mapped[str] = mapped_column(String(40), default="umum")
    """Access group: live view and snapshots are granted per group."""
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    """Permanent identity, never reused (an id can be, on SQLite): evidence snapshots are filed under it."""
    stream_username: Mapped[str | None] = mapped_column(String(120))
    stream_password: Mapped[str | None] = mapped_column(String(255))
    """The stream's credentials, kept apart from `stream_url` so that the URL can be shown; admins only."""
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)


class Complaint(PointMixin, InAreaMixin, Base):
    """A citizen complaint received through SP4N-LAPOR or another channel."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    """complaints.lifecycle.STATES."""
    agency: Mapped[str] = mapped_column(String(20), index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    """Personal details: only roles holding the "complaints" permission see them (auth.policy)."""
    # The complaints desk (complaints/): SP4N-LAPOR kind, deadlines and life-cycle times, merges.
    kind: Mapped[str | None] = mapped_column(String(20))
    """config.complaints.KINDS: decides the completion deadline; NULL counts as "pengaduan"."""
    title: Mapped[str | None] = mapped_column(String(200))
    location_text: Mapped[str | None] = mapped_column(String(300))
    place_note: Mapped[str | None] = mapped_column(String(20))
    """Why the place is doubtful: "outside_city" (kept, marked), "swapped" (lat/lon were swapped and fixed)."""
    due_response_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    """Ends of the first-response and completion deadlines (working days, complaints.deadlines)."""
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    """The deadline that runs now: the response's until the first response, then completion's; NULL when finished.
    What the inbox and queues sort by."""
    response_days: Mapped[int | None] = mapped_column(Integer)
    completion_days: Mapped[int | None] = mapped_column(Integer)
    """Working days from receipt to the first response / to resolution, kept so per-agency figures are one GROUP BY."""
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    routed_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    """Set on a duplicate merged into another complaint: it follows that one; its reporter is kept here."""
    rejection_reason: Mapped[str | None] = mapped_column(String(24))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


Index("ix_complaints_filter", Complaint.created_at, Complaint.status, Complaint.category)
Index("ix_complaints_desk", Complaint.status, Complaint.next_due_at)
Index("ix_complaints_agency_desk", Complaint.agency, Complaint.status, Complaint.next_due_at)
Index("ix_complaints_figures", Complaint.agency, Complaint.created_at, Complaint.response_days, Complaint.completion_days,
      Complaint.resolved_at, Complaint.due_at, Complaint.merged_into_id)
"""Every column the per-agency figures read: PostgreSQL answers them from this index alone."""
Index("ix_complaints_map", Complaint.lat, Complaint.lon, Complaint.status, Complaint.next_due_at, Complaint.id)
"""The map's grid and in-view count (store.complaint_grid): a view's complaints read from this index alone."""
Index("ix_complaints_updated", Complaint.updated_at)
"""What changed since the per-agency roll-ups last ran (complaints.rollups)."""


class TpsSite(PointMixin, InAreaMixin, Base):
    """A temporary waste collection site (Tempat Penampungan Sementara)."""

    __tablename__ = "tps_sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity_m3: Mapped[float | None] = mapped_column(Float)


class River(ShapeMixin, Base):
    __tablename__ = "rivers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Road(ShapeMixin, Base):
    """A road segment of the city's network (imported, e.g. from OpenStreetMap, or the demo's)."""

    __tablename__ = "roads"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    highway: Mapped[str] = mapped_column(String(30), index=True)
    """OSM ``highway`` class ("primary", "residential", ...; "*_link" stored as its class)."""
    source: Mapped[str | None] = mapped_column(String(200))
    """Where the segment comes from, as its licence asks it to be credited ("© OpenStreetMap contributors")."""


class Watershed(ShapeMixin, Base):
    """A river's drainage basin (DAS)."""

    __tablename__ = "watersheds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    river_id: Mapped[int | None] = mapped_column(ForeignKey("rivers.id"))


class FloodZone(ShapeMixin, Base):
    """A flood-prone area along a river; hazard 1 (low) to 3 (high)."""

    __tablename__ = "flood_zones"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    river_id: Mapped[int | None] = mapped_column(ForeignKey("rivers.id"))
    hazard: Mapped[int] = mapped_column(Integer)


class Business(PointMixin, InAreaMixin, Base):
    """A restaurant tax payer (pajak restoran): restaurant, cafe, eating house or caterer.
    Its sales, returns and payments live in the tables of tax.models (confidential)."""

    __tablename__ = "businesses"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20), index=True)
    """"restoran", "kafe", "rumah_makan" or "katering" (store.vocabulary.BUSINESS_CATEGORIES)."""
    tax_id: Mapped[str] = mapped_column(String(32), unique=True)
    """The regional taxpayer number (NPWPD)."""
    address: Mapped[str | None] = mapped_column(String(200))
    opens_hour: Mapped[int | None] = mapped_column(Integer)
    closes_hour: Mapped[int | None] = mapped_column(Integer)
    """Opening hours every day, whole hours of Ambon time (WIT) from opens_hour to closes_hour (≤ 24)."""
