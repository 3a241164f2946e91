"""drop leader_camera_samples: the leaders' board reads camera hours from the status history

The hourly samples missed outages shorter than an hour and disagreed with the camera health page;
the roll-up now reads `camera_status_changes`, as the health page does. The figures already summed
into `leader_daily` stay.

Revision ID: f19c4a7e2d60
Revises: e14b1a2c3d40
Create Date: 2026-12-02 00:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'f19c4a7e2d60'
down_revision = 'e14b1a2c3d40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leader_camera_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_camera_samples_hour'))
    op.drop_table('leader_camera_samples')


def downgrade() -> None:
    op.create_table('leader_camera_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('camera_name', sa.String(length=120), nullable=False),
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('camera_id', 'hour', name='uq_leader_camera_sample')
    )
    with op.batch_alter_table('leader_camera_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_camera_samples_hour'), ['hour'], unique=False)
