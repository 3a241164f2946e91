"""Who may open which page, call which callback and route: each role's session and none, through
the real app (Flask test client on create_app, demo store, no camera readers)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from auth.models import AuditEvent, User
from auth.policy import ROLES
from tests.conftest import build_app
from config import Settings
from i18n.format import number
from store.models import Camera, Complaint
from tests.conftest import csrf_token_of, login_client

CAMERA_PAGES = {"/kamera", "/kamera/kesehatan", "/kamera/langsung"}
PAGES = ["/", "/admin", *sorted(CAMERA_PAGES), "/cakupan", "/banjir", "/pajak"]
OPENS = {  # role -> pages it may open
    "admin": set(PAGES), "operator": {"/", *CAMERA_PAGES}, "planner": {"/", "/cakupan"}, "bpbd": {"/", *CAMERA_PAGES, "/banjir"},
    "agency": {"/", *CAMERA_PAGES}, "viewer": {"/"}, "tax": {"/", "/pajak"}, "leader": set(),  # the demo agency user is DLH's: its TPS cameras
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0"}))


@pytest.fixture(scope="module")
def clients(app):
    return {role: login_client(app.server.test_client(), role) for role in ROLES}


@pytest.fixture(scope="module")
def anonymous(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def engine(app):
    return app.server.extensions["ambon_auth"]["engine"]


def callback(client, outputs, inputs, state=(), changed=(), query=""):
    """POST a Dash callback request as the browser would; `changed` lists the "id.property" that fired,
    `query` what the browser adds to poll a background job ("?cacheKey=…&job=…")."""
    def spec(items):
        return [{"id": i, "property": p, **({"value": v} if v is not ... else {})} for i, p, v in items]
    names = [f"{json.dumps(i, sort_keys=True) if isinstance(i, dict) else i}.{p}" for i, p in outputs]
    body = {"output": names[0] if len(names) == 1 else ".." + "...".join(names) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1 else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": spec(inputs), "state": spec(state), "changedPropIds": list(changed)}
    return client.post("/_dash-update-component" + query, data=json.dumps(body), content_type="application/json")


def open_page(client, path):
    return callback(client, [("_pages_content", "children"), ("_pages_store", "data")],
                    [("_pages_location", "pathname", path), ("_pages_location", "search", "")])


MAP_FILTER = dict(
    outputs=[("complaints-layer", "url"), ("counts-in-view", "children"), ("filter-warning", "children")],
    inputs=[("filter-dates", "start_date", None), ("filter-dates", "end_date", None), ("filter-category", "value", []),
            ("filter-status", "value", []), ("filter-agency", "value", []), ("filter-kecamatan", "value", []), ("filter-overdue", "value", []),
            ("city-map", "bounds", None), ("city-map", "zoom", 13), ("lang-store", "data", "id")],
    state=[("complaints-layer", "url", None)])

ADMIN_AUDIT_SEARCH = dict(
    outputs=[("admin-audit-table", "children")], inputs=[("admin-audit-search", "n_clicks", 1)],
    state=[("admin-audit-user", "value", None), ("admin-audit-action", "value", "login"),
           ("admin-audit-dates", "start_date", None), ("admin-audit-dates", "end_date", None), ("lang-store", "data", "en")])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_opens_only_for_roles_holding_its_permission(clients, role, path):
    response = open_page(clients[role], path)
    assert response.status_code == 200
    forbidden = "auth-forbidden" in response.get_data(as_text=True)
    assert forbidden == (path not in OPENS[role])


@pytest.mark.parametrize("role", ROLES)
def test_nav_shows_the_pages_the_role_may_open(clients, role):
    layout = json.dumps(clients[role].get("/_dash-layout").get_json())
    assert ('"href": "/admin"' in layout) == (role == "admin")
    for path in ("/kamera", "/cakupan", "/banjir"):
        assert (f'"href": "{path}"' in layout) == (path in OPENS[role])
    assert ('"href": "/"' in layout) == ("/" in OPENS[role])  # the leader has no map
    assert '"auth-user"' in layout and f'"{role}"' in layout
    assert ('"href": "/kinerja-cc"' in layout) == (role in ("admin", "leader"))


def test_without_a_session_pages_redirect_and_data_answers_401(anonymous):
    response = anonymous.get("/admin")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=/admin")
    for url in ("/_dash-layout", "/_dash-dependencies", "/api/layers/complaints.geojson", "/api/complaints/1",
                "/cameras/", "/cameras/1/thumbnail.jpg", "/cameras/1/live.mjpg", "/api/flood/alerts/1/cap.xml"):
        assert anonymous.get(url).status_code == 401, url
    assert callback(anonymous, **MAP_FILTER).status_code == 401
    assert open_page(anonymous, "/").status_code == 401
    for url in ("/masuk", "/assets/ambon.css", "/assets/vendor/bootstrap.min.css"):
        assert anonymous.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_callbacks_are_judged_by_their_output_ids(clients, role):
    assert callback(clients[role], **MAP_FILTER).status_code == (200 if "/" in OPENS[role] else 403)  # the leader has no map
    for request, roles_allowed in (
            (dict(outputs=[("cam-live-info", "children"), ("cam-live-tick", "interval")], inputs=[("cam-live-tick", "n_intervals", 0), ("cam-selected", "data", None)],
                  state=[("lang-store", "data", "id")]), {"admin", "operator", "bpbd", "agency"}),
            (dict(outputs=[("cov-upload-list", "children")], inputs=[("cov-uploads", "data", {})], state=[("lang-store", "data", "id")]),
             {"admin", "planner"}),
            (dict(outputs=[("flood-alerts-page", "data")], inputs=[("flood-alerts-prev", "n_clicks", 1), ("flood-alerts-next", "n_clicks", None)],
                  state=[("flood-alerts-page", "data", 0)], changed=["flood-alerts-prev.n_clicks"]), {"admin", "bpbd"}),
            (ADMIN_AUDIT_SEARCH, {"admin"})):
        status = callback(clients[role], **request).status_code
        # real callbacks of each page: those allowed get their answer, the others a refusal
        assert status == (200 if role in roles_allowed else 403), (request["outputs"], status)
    # an output no table knows is refused to everyone, admins too
    assert callback(clients[role], [("mystery-output", "children")], [("lang-store", "data", "id")]).status_code == 403
    assert callback(clients[role], [({"type": "mystery", "index": 1}, "children")], [("lang-store", "data", "id")]).status_code == 403


def test_admin_callback_works_for_admin_only(clients):
    body = ADMIN_AUDIT_SEARCH
    response = callback(clients["admin"], **body)
    assert response.status_code == 200 and "Login succeeded" in response.get_data(as_text=True)  # login.ok, in words
    assert callback(clients["operator"], **body).status_code == 403


def _camera_of_group(engine, group):
    with engine.connect() as conn:
        return conn.scalar(select(Camera.id).where(Camera.group == group).limit(1))


@pytest.mark.parametrize("role", ROLES)
def test_camera_footage_is_granted_per_group(clients, engine, role):
    river, road, tps = (_camera_of_group(engine, group) for group in ("bpbd", "lalu_lintas", "dlh"))
    client = clients[role]
    for camera_id, group in ((river, "bpbd"), (road, "lalu_lintas"), (tps, "dlh")):
        may = role in ("admin", "operator") or (role == "bpbd" and group == "bpbd") or (role == "agency" and group == "dlh")
        urls = [f"/cameras/{camera_id}/thumbnail.jpg", f"/cameras/{camera_id}/live.mjpg"]
        if role != "agency":  # an agency may watch its cameras, not take evidence snapshots
            urls.append(f"/cameras/{camera_id}/snapshots")
        for url in urls:
            status = client.get(url).status_code
            # past the permission check this process has no camera readers: 404/503, never 403
            assert (status == 403) != may, (url, status)
    assert (client.get("/cameras/health").status_code == 403) != (role in ("admin", "operator", "bpbd", "agency"))


def _complaint_of(engine, agency):
    with engine.connect() as conn:
        return conn.scalar(select(Complaint.id).where(Complaint.agency == agency).limit(1))


@pytest.mark.parametrize("role,sees_people", [("admin", True), ("operator", True), ("planner", False), ("bpbd", False), ("viewer", False), ("agency", True)])
def test_reporter_details_only_for_roles_that_handle_complaints(clients, engine, role, sees_people):
    response = clients[role].get(f"/api/complaints/{_complaint_of(engine, 'DLH')}")
    assert response.status_code == 200
    record = response.get_json()
    assert ("reporter_name" in record and "reporter_phone" in record) == sees_people
    assert record["description"]


def test_agency_sees_only_its_own_complaints(clients, engine):
    agency = clients["agency"]
    assert agency.get(f"/api/complaints/{_complaint_of(engine, 'PUPR')}").status_code == 403
    features = json.loads(agency.get("/api/layers/complaints.geojson").data)["features"]
    with engine.connect() as conn:
        dlh = set(conn.scalars(select(Complaint.id).where(Complaint.agency == "DLH")))
    assert {f["properties"]["id"] for f in features} == dlh
    everyone = json.loads(clients["operator"].get("/api/layers/complaints.geojson").data)["features"]
    assert len(everyone) == 5000  # the agency's answer did not leak into the shared cache either way
    counts = callback(agency, **MAP_FILTER).get_data(as_text=True)
    assert f"{number(len(dlh), 'id')} pengaduan" in counts


def test_route_table_refuses_by_role(clients):
    assert clients["viewer"].get("/api/flood/alerts/1/cap.xml").status_code == 403
    assert clients["planner"].get("/api/coverage/anything.csv").status_code != 403
    assert clients["operator"].get("/api/coverage/anything.csv").status_code == 403
    assert clients["operator"].get("/api/unlisted").status_code == 403  # unknown API: admins only


def test_state_changing_requests_need_the_csrf_token(clients, app):
    operator = clients["operator"]
    camera = 1
    assert operator.post(f"/cameras/{camera}/snapshot").status_code == 400
    token = csrf_token_of(operator.get("/keluar").get_data(as_text=True))
    assert operator.post(f"/cameras/{camera}/snapshot", headers={"X-CSRFToken": token}).status_code == 503  # allowed; no readers here
    assert clients["viewer"].post(f"/cameras/{camera}/snapshot", headers={"X-CSRFToken": token}).status_code in (400, 403)
    # the gauge intake has its own key and no session: refused by the key, not by CSRF
    assert app.server.test_client().post("/api/flood/readings", json=[]).status_code == 401


def test_logout_needs_post_with_token_and_ends_the_session(app):
    client = login_client(app.server.test_client(), "viewer")
    assert client.post("/keluar").status_code == 400
    token = csrf_token_of(client.get("/keluar").get_data(as_text=True))
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/layers/tps.geojson").status_code == 401


def test_failed_logins_are_rate_limited_per_user(app):
    client = app.server.test_client()
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    statuses = [client.post("/masuk", data={"username": "planner", "password": "wrong", "csrf_token": token}).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    login_client(app.server.test_client(), "viewer")  # another user from the same address still gets in


def test_login_failure_and_success_are_audited(app, engine):
    client = app.server.test_client()
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    client.post("/masuk", data={"username": "<script>x</script>", "password": "nope", "csrf_token": token})
    login_client(client, "bpbd")
    with engine.connect() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.username, AuditEvent.detail).order_by(AuditEvent.id.desc()).limit(2)).all()
    assert events[0][:2] == ("login.ok", "bpbd")
    assert events[1][0] == "login.failed" and events[1][2] == {"username": "<script>x</script>"}


def _failed_login(client, address: str, username: str) -> int:
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    return client.post("/masuk", data={"username": username, "password": "wrong", "csrf_token": token},
                       headers={"X-Forwarded-For": address}).status_code


def _last_failed_login(engine) -> tuple[str, str]:
    """Address and user name of the newest failed login in the audit log."""
    with engine.connect() as conn:
        ip, detail = conn.execute(select(AuditEvent.ip, AuditEvent.detail).where(AuditEvent.action == "login.failed")
                                  .order_by(AuditEvent.id.desc()).limit(1)).one()
    return ip, detail["username"]


def test_behind_a_trusted_proxy_the_users_address_is_audited_and_rate_limited(tmp_path):
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0",
                                        "TRUSTED_PROXIES": "1"}))
    client = app.server.test_client()
    assert [_failed_login(client, "203.0.113.7", "planner") for _ in range(6)] == [401] * 5 + [429]
    assert _failed_login(client, "203.0.113.8", "planner") == 401  # another user behind the same proxy is not locked out
    assert _last_failed_login(app.server.extensions["ambon_auth"]["engine"]) == ("203.0.113.8", "planner")


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed(app, engine):
    assert _failed_login(app.server.test_client(), "203.0.113.9", "kepala") == 401
    assert _last_failed_login(engine) == ("127.0.0.1", "kepala")


def test_deactivating_a_user_ends_their_session(app, engine):
    from auth import users

    users.create_user(engine, "petugas", "a long enough password", "operator")
    client = app.server.test_client()
    token = csrf_token_of(client.get("/masuk").get_data(as_text=True))
    assert client.post("/masuk", data={"username": "petugas", "password": "a long enough password", "csrf_token": token}).status_code == 302
    assert client.get("/api/layers/tps.geojson").status_code == 200
    users.update_user(engine, "petugas", active=False)
    assert client.get("/api/layers/tps.geojson").status_code == 401


def test_production_mode_refuses_the_default_secret_and_makes_only_the_configured_admin(tmp_path, monkeypatch):
    env = {"INSTANCE_DIR": str(tmp_path), "TILE_URL": "", "CAMERA_READERS": "0", "DEMO_DATA": "0", "APP_MODE": "production"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        build_app(Settings.from_env(env))
    app = build_app(Settings.from_env({**env, "SECRET_KEY": "a-real-secret-from-the-environment",
                                        "ADMIN_USERNAME": "kominfo", "ADMIN_PASSWORD": "a long admin password"}))
    engine = app.server.extensions["ambon_auth"]["engine"]
    with engine.connect() as conn:
        assert conn.execute(select(User.username, User.role)).all() == [("kominfo", "admin")]
    page = app.server.test_client().get("/masuk")
    assert "demo" not in page.get_data(as_text=True).lower()
    assert app.server.config["SESSION_COOKIE_SECURE"] and app.server.config["SESSION_COOKIE_HTTPONLY"]


def _user_change(client, button, name, role="viewer", agency=None, password=None):
    buttons = ("admin-user-create", "admin-user-set-role", "admin-user-reset", "admin-user-deactivate", "admin-user-activate")
    response = callback(client, [("admin-users-table", "children"), ("admin-user-message", "children"), ("admin-user-password", "value")],
                        [(b, "n_clicks", 1 if b == button else None) for b in buttons],
                        [("admin-user-name", "value", name), ("admin-user-role", "value", role), ("admin-user-agency", "value", agency),
                         ("admin-user-password", "value", password), ("lang-store", "data", "en")], changed=[f"{button}.n_clicks"])
    body = json.loads(response.get_data(as_text=True).replace("\\u003c", "<").replace("\\u003e", ">"))
    body["status"] = response.status_code
    return body


def test_admin_manages_users_through_the_page_callbacks(clients, engine):
    admin = clients["admin"]
    made = _user_change(admin, "admin-user-create", "Kasi.Data", "planner", password="a long enough password")
    assert made["status"] == 200
    with engine.connect() as conn:
        assert conn.scalar(select(User.role).where(User.username == "kasi.data")) == "planner"
        assert conn.execute(select(AuditEvent.username, AuditEvent.target).where(AuditEvent.action == "user.create")).first() == ("admin", "user:kasi.data")
    weak = _user_change(admin, "admin-user-create", "kasi2", password="short")
    assert "at least 10" in json.dumps(weak)
    myself = _user_change(admin, "admin-user-deactivate", "admin")
    assert "your own account" in json.dumps(myself)


def test_the_callback_dash_would_run_is_what_is_judged(clients):
    """Dash picks the function by the "output" key: claiming harmless "outputs" does not help."""
    body = {"output": "admin-audit-table.children", "outputs": {"id": "counts-in-view", "property": "children"},
            "inputs": [{"id": "admin-audit-search", "property": "n_clicks", "value": 1}], "state": [], "changedPropIds": []}
    response = clients["operator"].post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 403
    assert clients["operator"].post("/_dash-update-component", data="{}", content_type="application/json").status_code == 400


def test_output_keys_are_parsed_like_dash_builds_them():
    from routes.auth import callback_output_ids

    assert callback_output_ids("counts-in-view.children") == ["counts-in-view"]
    assert callback_output_ids("..a.b...c.d@1f2e..") == ["a", "c"]
    assert callback_output_ids('..{"index":["ALL"],"type":"cam-tile"}.src...x\\.y.z..') == [{"index": ["ALL"], "type": "cam-tile"}, "x.y"]


def test_an_agency_filters_only_by_its_own_agency(clients):
    def agency_options(role):
        layout = open_page(clients[role], "/").get_json()
        found = []

        def walk(node):
            if isinstance(node, dict):
                if node.get("props", {}).get("id") == "filter-agency":
                    found.extend(option["value"] for option in node["props"]["options"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(layout)
        return found

    assert agency_options("agency") == ["DLH"]
    assert len(agency_options("operator")) > 5
