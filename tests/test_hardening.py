"""What a hostile request or an ordinary bad day does to the app (issue 10), through the real app:
the Flask test client on `create_app`, an empty store (demo users only), no camera readers."""
from __future__ import annotations

import concurrent.futures

import io
import os
from datetime import datetime, timedelta
import subprocess
import sys
import tempfile
from urllib.parse import unquote

import flask
import pytest
from sqlalchemy import select

from auth import audit, users
from tests.conftest import build_app
from auth.models import AuditEvent, User
from config import DEFAULT_SECRET_KEY, Settings, SettingsError
from flood.board import record_action
from planning.uploads import UploadError, read_upload
from routes.flood import upload_readings_csv
from store.db import StoreSetupError
from tests.conftest import ROOT, fresh_postgres_database
from tests.flood_world import write_world
from tests.test_hardening_cameras import camera_change
from tests.conftest import csrf_token_of, login_client


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


FLOOD_KEY = "gauge-logger-key"


@pytest.fixture(scope="module")
def app(instance):
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0",
                                        "FLOOD_API_KEY": FLOOD_KEY}))
    write_world(app.server.extensions["ambon_auth"]["engine"])  # a gauge G1, complaints, a desa
    return app


@pytest.fixture(scope="module")
def engine(app):
    return app.server.extensions["ambon_auth"]["engine"]


# -- 2. open redirect after login

@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0d%0a/evil.example", "/%0a/evil.example", "/%5C/evil.example",
                                    "//evil.example", "/%20/evil.example", "https://evil.example"])
def test_login_never_sends_the_user_to_another_site(app, target):
    client = app.server.test_client()
    page = client.get(f"/masuk?next={target}")
    assert page.status_code == 200
    token = csrf_token_of(page.get_data(as_text=True))
    answer = client.post("/masuk", data={"username": "viewer", "password": "demo", "csrf_token": token, "next": unquote(target)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    again = client.get(f"/masuk?next={target}")  # logged in: straight on, to this site
    assert again.status_code == 302 and again.headers["Location"] == "/"


def test_login_still_returns_to_the_page_asked_for(app):
    client = app.server.test_client()
    token = csrf_token_of(client.get("/masuk?next=/kamera").get_data(as_text=True))
    answer = client.post("/masuk", data={"username": "viewer", "password": "demo", "csrf_token": token, "next": "/kamera?id=3"})
    assert answer.headers["Location"] == "/kamera?id=3"


# -- 6. logout and password change end every copy of the session

def _copy_of_session(app, client):
    copy = app.server.test_client()
    copy.set_cookie("ambon_session", client.get_cookie("ambon_session").value)
    return copy


def test_logout_ends_every_copy_of_the_session(app):
    client = login_client(app.server.test_client(), "operator")
    copy = _copy_of_session(app, client)
    assert copy.get("/cameras/").status_code == 200
    token = csrf_token_of(client.get("/keluar").get_data(as_text=True))
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert copy.get("/cameras/").status_code == 401
    assert login_client(app.server.test_client(), "operator").get("/cameras/").status_code == 200


def test_password_change_ends_every_session(app, engine):
    users.create_user(engine, "petugas.dua", "a long enough password", "operator")
    client = login_client(app.server.test_client(), "petugas.dua", "a long enough password")
    assert client.get("/cameras/").status_code == 200
    users.set_password(engine, "petugas.dua", "another long password")
    assert client.get("/cameras/").status_code == 401


# -- 3. secrets and APP_MODE

def test_demo_mode_signs_with_a_random_secret_of_its_own_instance(app, instance, tmp_path):
    secret = app.server.secret_key
    assert secret != DEFAULT_SECRET_KEY and len(secret) >= 32
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == secret and key_file.stat().st_mode & 0o077 == 0
    assert Settings.from_env({"INSTANCE_DIR": str(instance)}).session_secret() == secret  # every worker, every restart
    assert Settings.from_env({"INSTANCE_DIR": str(tmp_path)}).session_secret() != secret  # no other instance


def test_a_session_forged_with_the_public_demo_secret_is_not_believed(app, engine):
    from flask.sessions import SecureCookieSessionInterface

    with engine.connect() as conn:
        token = conn.scalar(select(User.session_token).where(User.username == "admin"))
    forger = flask.Flask("forger")
    forger.secret_key = DEFAULT_SECRET_KEY
    cookie = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"_user_id": token, "_fresh": True})
    client = app.server.test_client()
    client.set_cookie("ambon_session", cookie)
    assert client.get("/api/users").status_code == 401 and client.get("/cameras/").status_code == 401


@pytest.mark.parametrize("env,message", [
    ({"APP_MODE": "prod"}, "APP_MODE must be one of demo, production"),
    ({"APP_MODE": "production"}, "needs a SECRET_KEY"),
    ({"APP_MODE": "production", "SECRET_KEY": ""}, "needs a SECRET_KEY"),
    ({"APP_MODE": "production", "SECRET_KEY": DEFAULT_SECRET_KEY}, "public demo value"),
    ({"SECRET_KEY": DEFAULT_SECRET_KEY}, "public demo value"),
    ({"APP_MODE": "production", "SECRET_KEY": "a"}, "too short"),
    ({"SECRET_KEY": "a"}, "too short"),
    ({"PORT": "http"}, "PORT must be a whole number"),
    ({"CAMERA_NETWORKS": "10.0.0.0/33"}, "CAMERA_NETWORKS"),
])
def test_settings_a_deployment_must_not_run_with_are_refused(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_production_switches_off_the_demo_accounts_of_a_former_demo_instance(tmp_path):
    env = {"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0"}
    build_app(Settings.from_env(env))
    production = build_app(Settings.from_env({**env, "APP_MODE": "Production", "SECRET_KEY": "x" * 40}))
    client = production.server.test_client()
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    assert client.post("/masuk", data={"username": "admin", "password": "demo", "csrf_token": token}).status_code == 401
    with production.server.extensions["ambon_auth"]["engine"].connect() as conn:
        assert conn.scalar(select(User.active).where(User.username == "operator")) is False


@pytest.mark.parametrize("env,message", [
    ({"APP_MODE": "prod"}, "APP_MODE must be one of demo, production, not 'prod'"),
    ({"DATABASE_URL": "ambon.db"}, "DATABASE_URL is not a database URL this app can use"),
])
def test_app_py_says_in_one_line_what_setting_is_wrong(tmp_path, env, message):
    run = subprocess.run([sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "INSTANCE_DIR": str(tmp_path), **env})
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and message in run.stderr


def test_a_database_that_does_not_answer_is_named_without_its_password(tmp_path):
    with pytest.raises(StoreSetupError, match=r"cannot open the database postgresql\+psycopg://ambon:\*\*\*@127.0.0.1:1/ambon") as error:
        build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "DATABASE_URL": "postgres://ambon:rahasia@127.0.0.1:1/ambon"}))
    assert "rahasia" not in str(error.value)


# -- 5. one bad flood reading does not lose the batch; partial imports are audited

@pytest.mark.parametrize("bad_time,minutes_ago", [("0001-01-01T00:00:00+14:00", 5), ("9999-12-31T23:59:59-23:59", 6)])
def test_a_reading_outside_the_calendar_is_refused_alone(app, engine, bad_time, minutes_ago):
    good = (datetime.utcnow().replace(microsecond=0) - timedelta(minutes=minutes_ago)).isoformat()
    rows = [{"gauge": "G1", "time": bad_time, "level_cm": 80}, {"gauge": "G1", "time": good, "level_cm": 81}]
    answer = app.server.test_client().post("/api/flood/readings", json=rows, headers={"X-API-Key": FLOOD_KEY})
    assert answer.status_code == 400
    report = answer.get_json()
    assert (report["accepted"], report["rejected"]) == (1, 1) and report["rows"]["rejected"][0]["code"] == "bad_time"
    with engine.connect() as conn:
        logged = conn.execute(select(AuditEvent.username, AuditEvent.detail).where(AuditEvent.action == "import.flood_readings")
                              .order_by(AuditEvent.id.desc())).first()
    assert logged == ("api-key", {"accepted": 1, "merged": 0, "rejected": 1})


def test_the_csv_upload_keeps_the_good_rows_of_a_batch_with_a_time_outside_the_calendar(engine):
    good = (datetime.utcnow().replace(microsecond=0) - timedelta(minutes=7)).isoformat()
    report, _ = upload_readings_csv(engine, f"gauge,time,level_cm\nG1,0001-01-01T00:00:00+14:00,80\nG1,{good},82\n")
    assert (len(report.accepted), [o.code for o in report.rejected]) == (1, ["bad_time"])


# -- 9. ordinary bad input answers 4xx with a reason, never 500

DEEP_JSON = "[" * 200_000 + "]" * 200_000


def in_a_thread_of_its_own(work):
    """`work()` on a new thread, its result or its exception. The RecursionError deep JSON raises inside
    C code leaves CPython 3.11's recursion bookkeeping of that thread off, and pytest's own ast.parse on
    the main thread would then fail with SystemError when it reports any later test's failure. (A web
    server answers on worker threads too.)"""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(work).result()


def test_json_nested_too_deeply_is_refused(app):
    admin = login_client(app.server.test_client(), "admin")
    answer = in_a_thread_of_its_own(lambda: admin.post("/_dash-update-component", data=DEEP_JSON, content_type="application/json"))
    assert answer.status_code == 400 and "nested too deeply" in answer.get_json()["error"]
    answer = in_a_thread_of_its_own(lambda: app.server.test_client().post("/api/flood/readings", data=DEEP_JSON,
                                                                           headers={"X-API-Key": FLOOD_KEY}))
    assert answer.status_code == 400
    with pytest.raises(UploadError) as refused:  # what the coverage and admin uploads read files with
        in_a_thread_of_its_own(lambda: read_upload(('{"type": "FeatureCollection", "features": ' + DEEP_JSON + "}").encode(), "obstacles"))
    assert refused.value.code == "unreadable"


@pytest.mark.parametrize("path", ["/cameras/{n}/health", "/cameras/{n}/thumbnail.jpg", "/api/complaints/{n}",
                                  "/api/flood/alerts/{n}/cap.xml"])
def test_ids_past_64_bits_are_not_found(app, path):
    admin = login_client(app.server.test_client(), "admin")
    assert admin.get(path.format(n=2**70)).status_code == 404
    assert admin.get(path.format(n=2**63 - 1)).status_code == 404


@pytest.mark.parametrize("path", ["/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/deps/nope.js",
                                  "/_dash-component-suites/dash/%00.js", "/_dash-component-suites/dash/../../app.py"])
def test_bad_component_suite_paths_are_not_found(app, path):
    assert app.server.test_client().get(path).status_code == 404


def test_postgresql_input_with_nul_bytes_or_over_long_fields_gets_a_reason():
    with fresh_postgres_database() as url, tempfile.TemporaryDirectory() as instance:
        pg_url = "postgres://" + url.split("://", 1)[1]  # as hosting providers write it (item 10)
        pg_app = build_app(Settings.from_env({"INSTANCE_DIR": instance, "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0",
                                               "DATABASE_URL": pg_url}))
        client = pg_app.server.test_client()
        token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
        assert client.post("/masuk", data={"username": "adm\x00in", "password": "demo", "csrf_token": token}).status_code == 401
        engine = pg_app.server.extensions["ambon_auth"]["engine"]
        with engine.connect() as conn:
            assert conn.scalar(select(AuditEvent.detail).where(AuditEvent.action == "login.failed")) == {"username": "adm\u2400in"}
        admin = login_client(pg_app.server.test_client(), "admin")
        camera = {"kind": "road", "group": "umum", "lon": 128.18, "lat": -3.69}
        assert "at most 120 characters" in camera_change(admin, "save", **camera, name="x" * 121, stream_url="demo://1")
        assert "at most 500 characters" in camera_change(admin, "save", **camera, name="x", stream_url="demo://" + "1" * 500)
        assert "control characters" in camera_change(admin, "save", **camera, name="x\x00y", stream_url="demo://1")
        with pytest.raises(users.UserError, match="no user"):
            users.set_password(engine, "ad\x00min", "a long enough password")
        assert audit.search(engine, username="ad\x00min") == []
        pg_app.shutdown()  # before its database is dropped
        pg_app.server.extensions["ambon_auth"]["engine"].dispose()


# -- 10. smaller items

def test_failed_logins_are_limited_per_address_whatever_names_are_tried(app):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    answers = [client.post("/masuk", data={"username": f"tebakan{n}", "password": "salah", "csrf_token": token}).status_code
               for n in range(12)]
    assert answers == [401] * 10 + [429] * 2
    elsewhere = app.server.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.8"
    assert login_client(elsewhere, "viewer").get("/cameras/").status_code == 403  # another address logs in as ever


def test_layers_are_cached_by_what_they_depend_on_not_by_the_raw_query_string(app):
    viewer = login_client(app.server.test_client(), "viewer")
    backend = next(iter(app.server.extensions["cache"].values()))
    viewer.get("/api/layers/tps.geojson")
    before = len(backend._cache)
    for n in range(50):
        assert viewer.get(f"/api/layers/tps.geojson?nocache={n}").status_code == 200
        assert viewer.get(f"/api/layers/complaints.geojson?category=banjir&nocache={n}").status_code == 200
    assert len(backend._cache) <= before + 1


def test_the_accounts_command_works_on_a_fresh_machine_and_the_app_starts_after_it(tmp_path, monkeypatch):
    instance = tmp_path / "instance-not-made-yet"
    monkeypatch.setenv("INSTANCE_DIR", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert users.main(["create", "kominfo", "--role", "admin", "--password-stdin"]) == 0
    started = build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0"}))
    assert login_client(started.server.test_client(), "kominfo", "a long enough password").get("/api/users").status_code != 401


def test_a_warning_id_past_64_bits_records_nothing(engine):
    assert not record_action(engine, 2**70, "acknowledged", actor="bpbd", now=datetime.utcnow())
    assert not record_action(engine, 2**70, "sent", actor="bpbd", now=datetime.utcnow(), channel="sms")
