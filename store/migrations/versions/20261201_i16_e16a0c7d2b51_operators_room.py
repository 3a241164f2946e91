"""the operators' room: alert acknowledgements per operator, screen preferences per user, and each
camera's status changes (a camera's last 24 hours as a strip on the health page)

Revision ID: e16a0c7d2b51
Revises: d7e1a2b3c4f5
Create Date: 2026-12-01 03:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'e16a0c7d2b51'
down_revision = 'd7e1a2b3c4f5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_acks",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("alert_key", sa.String(length=160), nullable=False),
        sa.Column("acked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "alert_key"),
    )
    op.create_index(op.f("ix_alert_acks_acked_at"), "alert_acks", ["acked_at"], unique=False)
    op.create_table(
        "user_preferences",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("theme", sa.String(length=12), nullable=False),
        sa.Column("alert_sound", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "camera_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("camera_id", "at", "status", name="uq_camera_status_change"),
    )
    op.create_index("ix_camera_status_changes_camera_at", "camera_status_changes", ["camera_id", "at"], unique=False)
    op.create_index(op.f("ix_camera_status_changes_at"), "camera_status_changes", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_camera_status_changes_at"), table_name="camera_status_changes")
    op.drop_index("ix_camera_status_changes_camera_at", table_name="camera_status_changes")
    op.drop_table("camera_status_changes")
    op.drop_table("user_preferences")
    op.drop_index(op.f("ix_alert_acks_acked_at"), table_name="alert_acks")
    op.drop_table("alert_acks")
