"""Tables of the layer imports, on the store's `Base` (registered in `store.db.MODEL_MODULES`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, ShapeMixin


class LayerImport(Base):
    """One committed import of a layer: who, from which file, with which column mapping, what the
    row report counted, and the layer as it was before (gzipped JSON rows), so it can be undone."""

    __tablename__ = "layer_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(80))
    source_name: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(12))
    """"replace" (the layer becomes the file) or "append" (rows added or updated by key)."""
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    """Target column -> the file's column, remembered as the next import's suggestion."""
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    """taken, repaired, refused (rows)."""
    previous: Mapped[bytes] = mapped_column(LargeBinary)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class Obstacle(ShapeMixin, Base):
    """Something that stops a camera's view (a building footprint, a hill), for the coverage planner."""

    __tablename__ = "obstacles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    height_m: Mapped[float | None] = mapped_column(Float)
    floors: Mapped[int | None] = mapped_column(Integer)
