"""restaurant tax monitoring: tapping boxes, their sales, monthly returns and follow-up cases

Businesses gain an address and opening hours (a silent box is judged against them). The monthly
deposits table gives way to returns (declared turnover, tax paid, payment date); its rows are kept
as returns paid in their month with the turnover a 10 % tax implies, so no deposit is lost.

Revision ID: 883bd705f0a7
Revises: e15a0c7d9b21
Create Date: 2026-12-01 03:00:21.008887
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '883bd705f0a7'
down_revision = 'e15a0c7d9b21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tax_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('officer', sa.String(length=80), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('at_stake_idr', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.BigInteger(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'kind', 'period', name='uq_tax_cases_flag')
    )
    with op.batch_alter_table('tax_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tax_cases_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tax_cases_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_tax_cases_status'), ['status'], unique=False)

    op.create_table('tax_daily_sales',
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('amount_idr', sa.BigInteger(), nullable=False),
    sa.Column('receipts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ),
    sa.PrimaryKeyConstraint('business_id', 'day')
    )
    op.create_table('tax_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('installed_at', sa.DateTime(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('tax_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tax_devices_business_id'), ['business_id'], unique=False)

    op.create_table('tax_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('turnover_idr', sa.BigInteger(), nullable=False),
    sa.Column('tax_paid_idr', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'month', name='uq_tax_returns_business_month')
    )
    with op.batch_alter_table('tax_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tax_returns_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tax_returns_month'), ['month'], unique=False)

    op.create_table('tax_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=64), nullable=False),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.Column('amount_idr', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['tax_devices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'receipt', name='uq_tax_transactions_device_receipt')
    )
    op.execute("INSERT INTO tax_returns (business_id, month, turnover_idr, tax_paid_idr, paid_on) "
               "SELECT business_id, month, amount_idr * 10, amount_idr, month FROM tax_deposits")
    with op.batch_alter_table('tax_deposits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tax_deposits_business_id'))
        batch_op.drop_index(batch_op.f('ix_tax_deposits_month'))

    op.drop_table('tax_deposits')
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('opens_hour', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closes_hour', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('closes_hour')
        batch_op.drop_column('opens_hour')
        batch_op.drop_column('address')

    op.create_table('tax_deposits',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('business_id', sa.INTEGER(), nullable=False),
    sa.Column('month', sa.DATE(), nullable=False),
    sa.Column('amount_idr', sa.INTEGER(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tax_deposits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tax_deposits_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_tax_deposits_business_id'), ['business_id'], unique=False)

    op.drop_table('tax_transactions')
    with op.batch_alter_table('tax_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tax_returns_month'))
        batch_op.drop_index(batch_op.f('ix_tax_returns_business_id'))

    op.drop_table('tax_returns')
    with op.batch_alter_table('tax_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tax_devices_business_id'))

    op.drop_table('tax_devices')
    op.drop_table('tax_daily_sales')
    with op.batch_alter_table('tax_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tax_cases_status'))
        batch_op.drop_index(batch_op.f('ix_tax_cases_month'))
        batch_op.drop_index(batch_op.f('ix_tax_cases_business_id'))

    op.drop_table('tax_cases')
