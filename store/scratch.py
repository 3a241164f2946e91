"""A throwaway PostgreSQL database: created with a unique name, dropped afterwards (benchmarks and
tests run against a real server without touching anyone's data)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
"""A database of the server to run CREATE/DROP DATABASE from: the local development server (the
tests take another from TEST_POSTGRES_URL)."""


@contextmanager
def scratch_database(prefix: str = "ambon_scratch", keep: bool = False, admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Yields the URL of a new, empty database on `admin_url`'s server, dropped on leaving (even with
    connections still open) unless `keep`."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            if not keep:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
