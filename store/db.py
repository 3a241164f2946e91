"""Engine creation for SQLite (embedded default) and PostgreSQL alike."""
from __future__ import annotations

import importlib

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

from store.models import Base


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`, with SQLite tuned for several readers and one writer.

    A bare `postgresql://` URL is routed to psycopg 3, the driver this project installs.
    """
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    engine = create_engine(database_url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # web workers read while the seeder or an import writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


MODEL_MODULES = ("store.models", "flood.models", "auth.models")
"""Modules whose tables live on `Base`: each feature package adds its own here, so the store's
core models never import a feature's."""


def create_schema(engine: Engine) -> None:
    """Create every table of `MODEL_MODULES` that does not exist yet."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    Base.metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
