"""What a hostile request or an ordinary bad day does to the app (issue 10), through the real app:
the Flask test client on `create_app`, an empty store (demo users only), no camera readers."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from auth import users
from command_center import create_app
from config import Settings
from tests.conftest import csrf_token_of, login_client


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="module")
def app(instance):
    return create_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0"}))


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
