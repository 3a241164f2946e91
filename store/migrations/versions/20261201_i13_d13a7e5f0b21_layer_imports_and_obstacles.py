"""every layer importable with undo (layer_imports) and the planner's obstacles stored

Revision ID: d13a7e5f0b21
Revises: e16a0c7d2b51
Create Date: 2026-12-01 03:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'd13a7e5f0b21'
down_revision = 'e16a0c7d2b51'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('layer_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=True),
    sa.Column('source_name', sa.String(length=200), nullable=True),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('previous', sa.LargeBinary(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('layer_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_layer_imports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_layer_imports_layer'), ['layer'], unique=False)
    op.create_table('obstacles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('height_m', sa.Float(), nullable=True),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.Column('geom_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('obstacles', schema=None) as batch_op:
        for column in ('max_lat', 'max_lon', 'min_lat', 'min_lon'):
            batch_op.create_index(batch_op.f(f'ix_obstacles_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('obstacles', schema=None) as batch_op:
        for column in ('max_lat', 'max_lon', 'min_lat', 'min_lon'):
            batch_op.drop_index(batch_op.f(f'ix_obstacles_{column}'))
    op.drop_table('obstacles')
    with op.batch_alter_table('layer_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_layer_imports_layer'))
        batch_op.drop_index(batch_op.f('ix_layer_imports_created_at'))
    op.drop_table('layer_imports')
