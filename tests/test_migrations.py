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


def test_complaints_from_before_the_desk_keep_their_status_and_get_a_timeline(empty_store):
    from datetime import datetime

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from complaints.store import read_detail
    from store.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with empty_store.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "c4d2e8f1a7b3")  # the schema before the complaints desk
    with empty_store.begin() as conn:
        for i, status in enumerate(("baru", "diteruskan", "diproses", "selesai"), start=1):
            conn.execute(text("INSERT INTO complaints (id, ticket, created_at, responded_at, closed_at, channel, category, description, status, "
                              "agency, lon, lat) VALUES (:id, :ticket, :created, :responded, :closed, 'web', 'sampah', 'lama', :status, 'DLH', 128.18, -3.7)"),
                         {"id": i, "ticket": f"OLD-{i}", "created": datetime(2026, 10, 1), "status": status,
                          "responded": datetime(2026, 10, 2) if status in ("diproses", "selesai") else None,
                          "closed": datetime(2026, 10, 5) if status == "selesai" else None})
    upgrade_schema(empty_store)
    closed = read_detail(empty_store, 4)
    assert closed["status"] == "selesai" and closed["resolved_at"] == datetime(2026, 10, 5)
    assert [(e["action"], e["to_state"]) for e in closed["events"]] == [("migrate", "selesai")]
    assert [read_detail(empty_store, i)["status"] for i in (1, 2, 3)] == ["baru", "diteruskan", "diproses"]
    with pytest.raises(DBAPIError, match="append-only"):
        with empty_store.begin() as conn:
            conn.execute(text("UPDATE complaint_events SET note = 'rewritten'"))
