"""the audit log refuses updates and deletes in the database itself, not only in the app

Anyone with the database password (a script, a console, a compromised worker) could otherwise
rewrite who watched which camera. The triggers make the table append-only for every client;
removing them takes a schema change, which leaves its own trace in the migrations.

Revision ID: c4d2e8f1a7b3
Revises: b71e3a9532cf
Create Date: 2026-11-28 00:25:00
"""
from __future__ import annotations

from alembic import op

revision = 'c4d2e8f1a7b3'
down_revision = 'b71e3a9532cf'
branch_labels = None
depends_on = None

MESSAGE = "the audit log is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events
                           BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_events_no_{event}")
