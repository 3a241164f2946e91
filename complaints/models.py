"""Tables of the complaints desk, on the store's `Base` (registered in `store.db.MODEL_MODULES`).
The complaint itself is `store.models.Complaint`; times are naive UTC."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class ComplaintEvent(Base):
    """One step in a complaint's life: who did what, when, with which note. Append-only (database
    triggers refuse updates and deletes, as for the audit log)."""

    __tablename__ = "complaint_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(80))
    """User name, or "warga" (the reporter on the public form), "open311:<client>", "import"."""
    action: Mapped[str] = mapped_column(String(16))
    """A complaints.lifecycle action, or "submit", "import", "migrate", "merged"."""
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    """Shown to the reporter on the ticket page and in Open311 answers."""
    agency: Mapped[str | None] = mapped_column(String(20))
    """The agency routed to (route), or the one acting (accept, return, resolve, note)."""
    reason: Mapped[str | None] = mapped_column(String(24))
    """Rejection reason (lifecycle.REJECTION_REASONS)."""
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_photos.id"))


class ComplaintPhoto(Base):
    """A photo of a complaint: the reporter's, or an agency's evidence with a progress note.
    Stored re-encoded, without EXIF data except orientation."""

    __tablename__ = "complaint_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(20))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    from_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    """The reporter's own photo: personal data, seen only by operators and the assigned agency."""


class LocalHoliday(Base):
    """A day off in Kota Ambon beyond the national calendar, added by an admin; not a working day."""

    __tablename__ = "complaint_local_holidays"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    added_by: Mapped[str | None] = mapped_column(String(80))


COMPLAINT_COLUMNS = ("kind", "title", "location_text", "place_note", "due_response_at", "due_at", "verified_at",
                     "routed_at", "accepted_at", "resolved_at", "merged_into_id", "rejection_reason", "updated_at")
"""Columns the desk added to store.models.Complaint (see its migration)."""


class ComplaintRollup(Base):
    """One day's complaints of one agency, by the day they were received (UTC date): kind "received" (days -1;
    n received, met resolved by their completion deadline), "response" or "completion" (n with that many
    working days to the first response / to resolution). Filled by complaints.rollups; the per-agency
    figures read it instead of every complaint."""

    __tablename__ = "complaint_rollups"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)


class ComplaintRollupMark(Base):
    """How far the roll-up has read: the highest complaint id and the latest `updated_at` already rolled up
    (one row, name "rollup")."""

    __tablename__ = "complaint_rollup_marks"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    max_id: Mapped[int] = mapped_column(Integer)
    updated_through: Mapped[datetime | None] = mapped_column(DateTime)
    full_at: Mapped[datetime] = mapped_column(DateTime)
    """When every day was last rebuilt (catches deleted complaints)."""
