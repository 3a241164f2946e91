"""Alembic environment: the models of every MODEL_MODULES module, on the app's database.

The app passes its own connection (store.db.upgrade_schema); the `alembic` command line uses
DATABASE_URL like the app does.
"""
from __future__ import annotations

import logging.config

from alembic import context

from config import Settings
from store.db import load_models, make_engine

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = load_models()


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(Settings.from_env().database_url)
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()
