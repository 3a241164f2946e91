"""Fixtures for the flood tests: a fresh store on SQLite (tmp_path) and on PostgreSQL.

PostgreSQL: TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test; each test gets a
schema of its own, dropped after. Skipped with a reason when the server does not answer, except
under CI=true, where it must run.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from store.db import create_schema, make_engine

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_engine(schema: str):
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # the server is absent or refuses us
        admin.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer: {type(error).__name__}")
    return admin, create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_engine(request, tmp_path):
    """An empty store with every table, on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        create_schema(engine)
        yield engine
        engine.dispose()
        return
    schema = f"flood_test_{uuid.uuid4().hex[:12]}"
    admin, engine = _postgres_engine(schema)
    create_schema(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
