"""The alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL:
a model change without its migration fails here."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from store.db import load_models, make_engine, upgrade_schema
from tests.conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        yield engine
    else:
        with fresh_postgres_database() as url:
            engine = make_engine(url)
            yield engine
    engine.dispose()


def test_migrations_build_the_models_schema(empty_store):
    upgrade_schema(empty_store)
    upgrade_schema(empty_store)  # a second start finds nothing to do
    metadata = load_models()
    with empty_store.connect() as conn:
        assert set(inspect(conn).get_table_names()) == set(metadata.tables) | {"alembic_version"}
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert differences == [], "the models changed without a migration: run `alembic revision --autogenerate`"


def test_a_store_made_before_migrations_is_refused_with_a_clear_message(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    load_models().create_all(engine)
    with pytest.raises(RuntimeError, match="before schema migrations"):
        upgrade_schema(engine)


def test_the_audit_log_is_append_only_in_the_database_itself(empty_store):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from auth import audit

    upgrade_schema(empty_store)
    audit.record(empty_store, "live.open", username="operator", target="camera:3")
    statements = ["UPDATE audit_events SET username = 'someone_else'", "DELETE FROM audit_events"]
    if empty_store.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), empty_store.begin() as conn:
            conn.execute(text(statement))
    assert [(e["username"], e["target"]) for e in audit.search(empty_store)] == [("operator", "camera:3")]
