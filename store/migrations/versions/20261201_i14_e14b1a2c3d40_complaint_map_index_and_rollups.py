"""the complaints map's index: position, status, running deadline and id in one B-tree, so the map's
grid and the in-view count read the index alone (before, only the longitude index was used); daily
roll-ups of the per-agency figures, with an index on updated_at to find what changed since the last
roll-up

Revision ID: e14b1a2c3d40
Revises: 4ed857a2cfef
Create Date: 2026-12-01 04:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'e14b1a2c3d40'
down_revision = '4ed857a2cfef'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_complaints_map", "complaints", ["lat", "lon", "status", "next_due_at", "id"], unique=False)
    op.create_index("ix_complaints_updated", "complaints", ["updated_at"], unique=False)
    op.create_table(
        "complaint_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "agency", "kind", "days"),
    )
    op.create_table(
        "complaint_rollup_marks",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("max_id", sa.Integer(), nullable=False),
        sa.Column("updated_through", sa.DateTime(), nullable=True),
        sa.Column("full_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("complaint_rollup_marks")
    op.drop_table("complaint_rollups")
    op.drop_index("ix_complaints_updated", table_name="complaints")
    op.drop_index("ix_complaints_map", table_name="complaints")
