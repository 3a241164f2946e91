"""the complaints desk: life-cycle times, deadlines, merges, an append-only timeline, photos, local holidays

The four statuses stored so far keep their codes and meaning (baru = received, diteruskan = routed,
diproses = accepted by the agency, selesai = closed); every existing complaint gets a first timeline
entry ("migrate") saying the state it had, so no complaint starts with an empty history. Deadlines
are filled by the app at start-up (complaints.store.fill_missing_deadlines), which knows the calendar.

Revision ID: d14a7c2e9b51
Revises: 883bd705f0a7
Create Date: 2026-12-01 02:57:45.946130
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'd14a7c2e9b51'
down_revision = '883bd705f0a7'
branch_labels = None
depends_on = None

MESSAGE = "the complaint timeline is append-only"


def upgrade() -> None:
    op.create_table('complaint_local_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('added_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    op.create_table('complaint_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('mime', sa.String(length=20), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=80), nullable=False),
    sa.Column('from_reporter', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_photos_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('agency', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.ForeignKeyConstraint(['photo_id'], ['complaint_photos.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_events_complaint_id'), ['complaint_id'], unique=False)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=16), existing_nullable=False)
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('location_text', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('place_note', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('due_response_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('response_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('completion_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('routed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_complaints_agency_desk', ['agency', 'status', 'next_due_at'], unique=False)
        batch_op.create_index('ix_complaints_desk', ['status', 'next_due_at'], unique=False)
        batch_op.create_index('ix_complaints_figures', ['agency', 'created_at', 'response_days', 'completion_days', 'resolved_at', 'due_at',
                                                        'merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key('fk_complaints_merged_into_id', 'complaints', ['merged_into_id'], ['id'])

    op.execute("""INSERT INTO complaint_events (complaint_id, at, actor, action, from_state, to_state, note, public)
                  SELECT id, created_at, 'sistem', 'migrate', NULL, status, NULL, false FROM complaints""")
    op.execute("UPDATE complaints SET routed_at = created_at WHERE status IN ('diteruskan', 'diproses', 'selesai')")
    op.execute("UPDATE complaints SET accepted_at = responded_at WHERE status IN ('diproses', 'selesai')")
    op.execute("UPDATE complaints SET resolved_at = closed_at WHERE status = 'selesai'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION complaint_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER complaint_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON complaint_events
                      FOR EACH STATEMENT EXECUTE FUNCTION complaint_events_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER complaint_events_no_{event.lower()} BEFORE {event} ON complaint_events
                           BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER complaint_events_append_only ON complaint_events")
        op.execute("DROP FUNCTION complaint_events_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER complaint_events_no_{event}")
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint('fk_complaints_merged_into_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_complaints_merged_into_id'))
        batch_op.drop_index('ix_complaints_figures')
        batch_op.drop_index('ix_complaints_desk')
        batch_op.drop_index('ix_complaints_agency_desk')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('routed_at')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('completion_days')
        batch_op.drop_column('response_days')
        batch_op.drop_column('next_due_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('due_response_at')
        batch_op.drop_column('place_note')
        batch_op.drop_column('location_text')
        batch_op.drop_column('title')
        batch_op.drop_column('kind')
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=12), existing_nullable=False)

    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_events_complaint_id'))

    op.drop_table('complaint_events')
    with op.batch_alter_table('complaint_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_photos_complaint_id'))

    op.drop_table('complaint_photos')
    op.drop_table('complaint_local_holidays')
