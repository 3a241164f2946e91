"""the complaints map's index: position, status, running deadline and id in one B-tree, so the map's
grid and the in-view count read the index alone (before, only the longitude index was used)

Revision ID: e14b1a2c3d40
Revises: d13a7e5f0b21
Create Date: 2026-12-01 04:30:00
"""
from __future__ import annotations

from alembic import op

revision = 'e14b1a2c3d40'
down_revision = 'd13a7e5f0b21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_complaints_map", "complaints", ["lat", "lon", "status", "next_due_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_complaints_map", table_name="complaints")
