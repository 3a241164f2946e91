"""Who holds a session is kept in each web worker (auth.sessions) instead of read from the database on
every request, and a change of the account still ends its sessions at once, in every worker: two apps
on one store and one Redis stand for two gunicorn workers."""
from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import event

from auth import users
from config import Settings
from tests.conftest import build_app, csrf_token_of, require_redis

PASSWORD = "a long enough password"
URL = "/api/layers/tps.geojson"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return {"INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0",
            "SERVICE_MONITOR": "0", "REDIS_URL": require_redis(), "CACHE_KEY_PREFIX": f"test-sessions-{uuid.uuid4().hex[:6]}:"}


@pytest.fixture(scope="module")
def workers(env):
    return build_app(Settings.from_env(env)), build_app(Settings.from_env(env))


def engine_of(app):
    return app.server.extensions["ambon_auth"]["engine"]


def logged_in(app, username: str):
    client = app.server.test_client()
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    assert client.post("/masuk", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def same_session_on(app, client):
    """A client of `app` (another worker) holding `client`'s session cookie."""
    copy = app.server.test_client()
    copy.set_cookie("ambon_session", client.get_cookie("ambon_session").value)
    return copy


def user_queries(engine, action) -> int:
    """How many statements reading the users table `action` sends to `engine`."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sum("FROM users" in s for s in seen)


def test_a_known_session_costs_no_database_query(workers):
    first, second = workers
    users.create_user(engine_of(first), "petugas.satu", PASSWORD, "operator")
    client = same_session_on(second, logged_in(first, "petugas.satu"))
    assert client.get(URL).status_code == 200  # read once in this worker
    assert user_queries(engine_of(second), lambda: [client.get(URL) for _ in range(5)]) == 0


@pytest.mark.parametrize("change", ["deactivate", "reset", "role"])
def test_a_change_of_the_account_reaches_every_worker_at_once(workers, change):
    first, second = workers
    name = f"petugas.{change}"
    users.create_user(engine_of(first), name, PASSWORD, "operator")
    here = logged_in(first, name)
    there = same_session_on(second, here)
    assert here.get(URL).status_code == 200 and there.get(URL).status_code == 200  # both workers keep it now
    if change == "deactivate":
        users.update_user(engine_of(first), name, active=False)
    elif change == "reset":
        users.set_password(engine_of(first), name, "another long password")
    else:  # a role without the map: its next request is judged by the new role
        users.update_user(engine_of(first), name, role="leader")
    expected = 403 if change == "role" else 401
    assert there.get(URL).status_code == expected and here.get(URL).status_code == expected


def test_a_password_reset_from_the_command_line_ends_the_sessions_in_the_running_workers(workers, env, monkeypatch):
    first, second = workers
    users.create_user(engine_of(first), "petugas.cli", PASSWORD, "operator")
    client = same_session_on(second, logged_in(first, "petugas.cli"))
    assert client.get(URL).status_code == 200
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert users.main(["reset-password", "petugas.cli", "--password-stdin"]) == 0
    assert client.get(URL).status_code == 401
