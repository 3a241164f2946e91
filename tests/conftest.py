"""Shared fixtures: store engines on SQLite and PostgreSQL, the demo city, the running app, a browser."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store.db import create_schema, make_engine

ROOT = Path(__file__).resolve().parent.parent
SHARED_GEODATA = ROOT.parent / "shared" / "geodata"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI") == "true"


def _postgres_answers() -> bool:
    try:
        with create_engine(POSTGRES_ADMIN_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return False


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh, uniquely named PostgreSQL database for this test session, dropped afterwards."""
    if not _postgres_answers():
        if IN_CI:
            pytest.fail(f"PostgreSQL must answer at {POSTGRES_ADMIN_URL} in CI")
        pytest.skip(f"no PostgreSQL answers at {POSTGRES_ADMIN_URL}")
    name = f"ambon_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """An empty store with the schema, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = make_engine(url)
    create_schema(eng)
    yield eng
    if request.param == "postgresql":
        from store.models import Base

        Base.metadata.drop_all(eng)
    eng.dispose()


@pytest.fixture(scope="session")
def demo_city():
    from demo.generator import build_demo_city

    return build_demo_city()


@pytest.fixture
def shared_geodata() -> Path:
    if not SHARED_GEODATA.is_dir():
        pytest.skip(f"real Ambon geodata not found at {SHARED_GEODATA} (only present in development and CI)")
    return SHARED_GEODATA


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app started as the README starts it (`python app.py`), on a fresh instance folder.

    Tiles are switched off (TILE_URL=""): this machine has no internet, and a test that asserts
    a clean browser console must not count failed tile downloads.
    """
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    env = {**os.environ, "INSTANCE_DIR": str(instance), "PORT": str(port), "TILE_URL": ""}
    log = open(instance / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early: {(instance / 'app.log').read_text()}")
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("app did not answer within 90 s")
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page that records console errors and uncaught exceptions in `page.errors`."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()
