"""Engine creation for SQLite (embedded default) and PostgreSQL alike."""
from __future__ import annotations

import contextlib
import fcntl
import importlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import sessionmaker

from store.models import Base


class StoreSetupError(RuntimeError):
    """The store cannot be opened or brought up to date; the message says why and what to do."""


def make_engine(database_url: str, pool_size: int | None = None) -> Engine:
    """An engine for `database_url`, with SQLite tuned for several readers and one writer.

    A bare `postgresql://` or `postgres://` URL (as Heroku-style hosts give it) is routed to
    psycopg 3, the driver this project installs. StoreSetupError for a URL that names no database
    SQLAlchemy knows. `pool_size` (Settings.db_pool_size: the worker's threads) connections stay
    open, and as many again may open at a peak; None keeps SQLAlchemy's 5 + 10.
    """
    for bare in ("postgresql://", "postgres://"):
        if database_url.startswith(bare):
            database_url = "postgresql+psycopg://" + database_url.removeprefix(bare)
    try:
        sized = {"pool_size": pool_size, "max_overflow": pool_size} if pool_size and not database_url.startswith("sqlite") else {}
        engine = create_engine(database_url, pool_pre_ping=True, **sized)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise StoreSetupError(f"DATABASE_URL is not a database URL this app can use ({error}); examples: "
                              "postgresql://user@host/ambon, sqlite:////srv/ambon/ambon.db") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # web workers read while the seeder or an import writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


MODEL_MODULES = ("store.models", "flood.models", "auth.models", "monitor.models", "tax.models", "complaints.models",
                 "alerts.models", "imports.models", "leaders.models")
"""Modules whose tables live on `Base`: each feature package adds its own here, so the store's
core models never import a feature's."""


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def load_models() -> MetaData:
    """The metadata of every table the app uses (imports each of MODEL_MODULES)."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata


def create_schema(engine: Engine) -> None:
    """Create every table of `MODEL_MODULES` that does not exist yet (fresh test stores)."""
    load_models().create_all(engine)


def upgrade_schema(engine: Engine) -> None:
    """Bring the store to the newest schema with the alembic migrations in store/migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            raise StoreSetupError(
                f"The database {engine.url.render_as_string(hide_password=True)} holds tables made before schema "
                "migrations existed. Start from an empty database (for the demo: delete instance/ambon.db; the demo "
                "is seeded again), or, if its tables match the models, mark it with `alembic stamp head`.")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def unreachable(engine: Engine, error: DBAPIError) -> StoreSetupError:
    """The store's connection failure `error` in one line, naming the database without its password."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:300]
    return StoreSetupError(f"cannot open the database {engine.url.render_as_string(hide_password=True)} "
                           f"(DATABASE_URL): {reason}")


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


SETUP_LOCK_KEY = 727_001
"""PostgreSQL advisory lock id held while one process creates the schema and seeds the store."""


@contextlib.contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """Only one process at a time sets the store up: several gunicorn workers start together, and
    two seeding an empty store at once would write the demo twice. PostgreSQL: an advisory lock
    (works across machines); SQLite: an exclusive lock on a file beside the database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK_KEY})
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(Path(database).with_suffix(".setup-lock"), "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
