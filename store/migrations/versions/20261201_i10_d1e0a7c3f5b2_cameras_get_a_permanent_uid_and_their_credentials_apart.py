"""cameras get a permanent uid and keep their stream credentials apart from the URL

A camera's id can come back (SQLite reuses the highest id after a delete), and evidence snapshots
filed under the id then showed under the new camera: they are now filed under `uid`, never reused.
User name and password move out of `stream_url` into their own columns, so the URL can be shown
and only admins see that credentials exist.

Revision ID: d1e0a7c3f5b2
Revises: c4d2e8f1a7b3
Create Date: 2026-12-01 03:00:00
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from config.cameras import split_credentials, with_credentials

revision = 'd1e0a7c3f5b2'
down_revision = 'c4d2e8f1a7b3'
branch_labels = None
depends_on = None


def _cameras_table() -> sa.TableClause:
    return sa.table('cameras', sa.column('id', sa.Integer), sa.column('uid', sa.String), sa.column('stream_url', sa.String),
                    sa.column('stream_username', sa.String), sa.column('stream_password', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('stream_username', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('stream_password', sa.String(length=255), nullable=True))
    conn = op.get_bind()
    cameras = _cameras_table()
    for camera_id, url in conn.execute(sa.select(cameras.c.id, cameras.c.stream_url)).all():
        try:
            bare, username, password = split_credentials(url)
        except ValueError:
            bare, username, password = url, None, None
        conn.execute(sa.update(cameras).where(cameras.c.id == camera_id).values(
            uid=uuid.uuid4().hex, stream_url=bare, stream_username=username, stream_password=password))
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_cameras_uid'), ['uid'])


def downgrade() -> None:
    conn, cameras = op.get_bind(), _cameras_table()
    rows = conn.execute(sa.select(cameras.c.id, cameras.c.stream_url, cameras.c.stream_username, cameras.c.stream_password)).all()
    for camera_id, url, username, password in rows:  # the credentials go back where they were
        conn.execute(sa.update(cameras).where(cameras.c.id == camera_id).values(stream_url=with_credentials(url, username, password)))
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cameras_uid'), type_='unique')
        batch_op.drop_column('stream_password')
        batch_op.drop_column('stream_username')
        batch_op.drop_column('uid')
