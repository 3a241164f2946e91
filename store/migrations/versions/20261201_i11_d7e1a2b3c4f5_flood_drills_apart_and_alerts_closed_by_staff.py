"""flood drills in a scenario of their own, alerts closed by staff, drills ended and cleared

A drill's readings sat in the real gauge series, so a real reading at the same time was refused and
real alerts were computed from drill values. Readings, rain readings and alerts now carry their
scenario (0 real, else the drill's run id), and (gauge, time) is unique per scenario. Alerts stay on
the board until staff close them (closed_at, closed_by); the alerts cleared before this change are
taken as closed when they cleared, so the board does not fill with the past.

Revision ID: d7e1a2b3c4f5
Revises: d14a7c2e9b51
Create Date: 2026-12-01 03:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'd7e1a2b3c4f5'
down_revision = 'd14a7c2e9b51'
branch_labels = None
depends_on = None

SERIES = (("flood_readings", "uq_flood_readings_gauge_time", "uq_flood_readings_gauge_time_scenario"),
          ("flood_rain_readings", "uq_flood_rain_gauge_time", "uq_flood_rain_gauge_time_scenario"))


def upgrade() -> None:
    for table, old_unique, new_unique in SERIES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('scenario', sa.Integer(), server_default='0', nullable=False))
            batch_op.drop_constraint(old_unique, type_='unique')
            batch_op.create_unique_constraint(new_unique, ['gauge_id', 'time', 'scenario'])
            batch_op.create_index(batch_op.f(f'ix_{table}_scenario'), ['scenario'], unique=False)
    with op.batch_alter_table('flood_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scenario', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_by', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_flood_alerts_scenario'), ['scenario'], unique=False)
        batch_op.create_index(batch_op.f('ix_flood_alerts_closed_at'), ['closed_at'], unique=False)
    op.execute("UPDATE flood_alerts SET closed_at = cleared_at WHERE cleared_at IS NOT NULL")
    with op.batch_alter_table('flood_simulation_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('cleared_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('flood_simulation_runs', schema=None) as batch_op:
        batch_op.drop_column('cleared_at')
        batch_op.drop_column('ended_by')
        batch_op.drop_column('ended_at')
    with op.batch_alter_table('flood_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flood_alerts_closed_at'))
        batch_op.drop_index(batch_op.f('ix_flood_alerts_scenario'))
        batch_op.drop_column('closed_by')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('scenario')
    for table, old_unique, new_unique in SERIES:
        op.execute(f"DELETE FROM {table} WHERE scenario <> 0")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_scenario'))
            batch_op.drop_constraint(new_unique, type_='unique')
            batch_op.create_unique_constraint(old_unique, ['gauge_id', 'time'])
            batch_op.drop_column('scenario')
