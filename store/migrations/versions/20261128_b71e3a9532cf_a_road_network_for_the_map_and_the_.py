"""a road network for the map and the coverage analysis

Revision ID: b71e3a9532cf
Revises: a0dea50f09e9
Create Date: 2026-11-28 00:10:50.664007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'b71e3a9532cf'
down_revision = 'a0dea50f09e9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('roads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('highway', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('geom_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roads_highway'), ['highway'], unique=False)
        batch_op.create_index(batch_op.f('ix_roads_max_lat'), ['max_lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_roads_max_lon'), ['max_lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_roads_min_lat'), ['min_lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_roads_min_lon'), ['min_lon'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('roads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roads_min_lon'))
        batch_op.drop_index(batch_op.f('ix_roads_min_lat'))
        batch_op.drop_index(batch_op.f('ix_roads_max_lon'))
        batch_op.drop_index(batch_op.f('ix_roads_max_lat'))
        batch_op.drop_index(batch_op.f('ix_roads_highway'))

    op.drop_table('roads')
